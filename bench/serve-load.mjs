// A loopback load generator for bench/serve.mjs, run in its own process: N keep-alive connections each POST the
// body in a loop for a fixed time. Prints {"requests", "seconds", "statuses"} as JSON.
// Usage: node serve-load.mjs URL BODY_FILE CONTENT_TYPE SECONDS CONNECTIONS
import { readFileSync } from 'node:fs'
import { Agent, request } from 'node:http'

const [url, bodyFile, contentType, seconds, connections] = process.argv.slice(2)
const body = readFileSync(bodyFile)
const target = new URL(url)
const agent = new Agent({ keepAlive: true, maxSockets: Number(connections) })
const statuses = {}
let requests = 0
const deadline = performance.now() + Number(seconds) * 1000

function once() {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        agent,
        host: target.hostname,
        port: target.port,
        path: target.pathname,
        method: 'POST',
        headers: { 'content-type': contentType, 'content-length': body.length },
      },
      (res) => {
        res.resume()
        res.on('end', () => {
          statuses[res.statusCode] = (statuses[res.statusCode] ?? 0) + 1
          resolve()
        })
      },
    )
    req.on('error', reject)
    req.end(body)
  })
}

async function worker() {
  while (performance.now() < deadline) {
    await once()
    requests++
  }
}

const started = performance.now()
await Promise.all(Array.from({ length: Number(connections) }, worker))
const elapsed = (performance.now() - started) / 1000
agent.destroy()
process.stdout.write(`${JSON.stringify({ requests, seconds: elapsed, statuses })}\n`)
