// A loopback load generator for bench/serve.mjs, run in its own process: N keep-alive connections (raw node:net
// sockets) each POST the body in a loop for a fixed time, one request in flight per connection (no pipelining, like a
// browser). The request is serialised once; the response reader is a minimal HTTP/1.1 one (status line, headers,
// Content-Length or chunked body, keep-alive), so that the generator costs a small fraction of the server's time.
// Prints {"requests", "seconds", "statuses", "cpuSeconds"} as JSON (cpuSeconds: the generator's own CPU time).
// Usage: node serve-load.mjs URL BODY_FILE CONTENT_TYPE SECONDS CONNECTIONS
import { readFileSync } from 'node:fs'
import { connect } from 'node:net'

const [url, bodyFile, contentType, seconds, connections] = process.argv.slice(2)
const body = readFileSync(bodyFile)
const target = new URL(url)
const port = Number(target.port)
const head =
  `POST ${target.pathname}${target.search} HTTP/1.1\r\nHost: ${target.host}\r\n` +
  `Content-Type: ${contentType}\r\nContent-Length: ${body.length}\r\n\r\n`
const request = Buffer.concat([Buffer.from(head, 'latin1'), body])
const statuses = {}
let requests = 0
const deadline = performance.now() + Number(seconds) * 1000

const CRLF2 = Buffer.from('\r\n\r\n')
const CRLF = Buffer.from('\r\n')

/**
 * Parses one response at the start of `buf` (a whole buffer of everything received so far on the connection).
 * Returns the number of bytes it took and its status, or undefined when it is not complete yet. Throws on framing it
 * does not understand.
 */
function parseResponse(buf) {
  const end = buf.indexOf(CRLF2)
  if (end < 0) return undefined
  const headText = buf.latin1Slice(0, end)
  if (!headText.startsWith('HTTP/1.1 ')) throw new Error(`not an HTTP/1.1 response: ${headText.slice(0, 40)}`)
  const status = Number(headText.slice(9, 12))
  let length
  let chunked = false
  let close = false
  let at = headText.indexOf('\r\n')
  while (at >= 0) {
    const next = headText.indexOf('\r\n', at + 2)
    const line = headText.slice(at + 2, next < 0 ? undefined : next)
    const colon = line.indexOf(':')
    const name = line.slice(0, colon).toLowerCase()
    const value = line.slice(colon + 1).trim()
    if (name === 'content-length') length = Number(value)
    else if (name === 'transfer-encoding') chunked = value.toLowerCase() === 'chunked'
    else if (name === 'connection') close = value.toLowerCase() === 'close'
    at = next
  }
  let pos = end + 4
  if (chunked) {
    for (;;) {
      const lineEnd = buf.indexOf(CRLF, pos)
      if (lineEnd < 0) return undefined
      const size = Number.parseInt(buf.latin1Slice(pos, lineEnd), 16)
      if (!Number.isFinite(size)) throw new Error('bad chunk size')
      pos = lineEnd + 2
      if (size === 0) {
        // No trailers are expected; the last chunk ends with an empty line.
        if (buf.length < pos + 2) return undefined
        return { used: pos + 2, status, close }
      }
      if (buf.length < pos + size + 2) return undefined
      pos += size + 2
    }
  }
  if (length === undefined) throw new Error('response without Content-Length or chunked framing')
  if (buf.length < pos + length) return undefined
  return { used: pos + length, status, close }
}

/** One keep-alive connection sending the request again as soon as the previous answer is complete. */
function connection() {
  return new Promise((resolve, reject) => {
    const socket = connect(port, target.hostname)
    socket.setNoDelay(true)
    let pending = Buffer.alloc(0)
    const send = () => {
      if (performance.now() >= deadline) {
        socket.end()
        return resolve()
      }
      socket.write(request)
    }
    socket.on('connect', send)
    socket.on('data', (chunk) => {
      pending = pending.length === 0 ? chunk : Buffer.concat([pending, chunk])
      let parsed
      try {
        parsed = parseResponse(pending)
      } catch (error) {
        socket.destroy()
        return reject(error)
      }
      if (parsed === undefined) return
      if (parsed.used !== pending.length) {
        socket.destroy()
        return reject(new Error('the server sent more than one answer to one request'))
      }
      pending = Buffer.alloc(0)
      statuses[parsed.status] = (statuses[parsed.status] ?? 0) + 1
      requests++
      if (parsed.close) {
        socket.destroy()
        return resolve(connection())
      }
      send()
    })
    socket.on('error', reject)
    socket.on('close', () => resolve())
  })
}

const cpu = process.cpuUsage()
const started = performance.now()
await Promise.all(Array.from({ length: Number(connections) }, connection))
const elapsed = (performance.now() - started) / 1000
const used = process.cpuUsage(cpu)
process.stdout.write(
  `${JSON.stringify({ requests, seconds: elapsed, statuses, cpuSeconds: (used.user + used.system) / 1e6 })}\n`,
)
