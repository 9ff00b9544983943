import { readFileSync } from 'node:fs'
import { connect, type Socket } from 'node:net'
import { afterEach, describe, expect, it } from 'vitest'
import { createApiApp } from '../../src/api/app.js'
import { type HttpListener, listenHttp, type ServerLimits } from '../../src/node/http-server.js'
import { memoryDevice, recordingLog } from '../api/memory-device.js'

const SEED = readFileSync(new URL('../../../../examples/seed/config.toml', import.meta.url), 'utf8')
let listener: HttpListener | undefined

afterEach(async () => {
  await listener?.close()
  listener = undefined
})

/** The API on 127.0.0.1 with an ephemeral port; the Host allowlist is the bound address. */
async function serve(limits: Partial<ServerLimits> = {}) {
  const device = memoryDevice()
  let hosts = new Set<string>()
  const app = createApiApp(device.deps, {
    allowedHosts: () => hosts,
    ...(limits.bodyLimitBytes === undefined ? {} : { bodyLimitBytes: limits.bodyLimitBytes }),
  })
  const log = recordingLog()
  listener = await listenHttp(app, { host: '127.0.0.1', port: 0 }, { limits, log })
  const authority = `127.0.0.1:${listener.port}`
  hosts = new Set([authority])
  return { device, log, base: `http://${authority}`, port: listener.port }
}

/** A raw TCP client: what it received, and when the server closed. */
function rawClient(port: number) {
  const socket: Socket = connect(port, '127.0.0.1')
  let received = ''
  const closed = new Promise<{ received: string; at: number }>((resolve) => {
    socket.on('data', (chunk) => {
      received += chunk.toString('latin1')
    })
    socket.on('close', () => resolve({ received, at: performance.now() }))
    socket.on('error', () => undefined)
  })
  const connected = new Promise<void>((resolve) => socket.once('connect', () => resolve()))
  return { socket, closed, connected, received: () => received }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

describe('the node:http adapter on loopback', () => {
  it('answers the API through a real server with keep-alive', async () => {
    const { base } = await serve()
    const status = await fetch(`${base}/api/status`)
    expect(status.status).toBe(200)
    const valid = await fetch(`${base}/api/validate`, {
      method: 'POST',
      headers: { 'content-type': 'application/toml' },
      body: SEED,
    })
    expect(valid.status).toBe(200)
    const invalid = await fetch(`${base}/api/validate`, {
      method: 'POST',
      headers: { 'content-type': 'application/toml' },
      body: SEED.replace('version = 1', 'version = 3'),
    })
    expect(invalid.status).toBe(422)
    const cross = await fetch(`${base}/api/config`, {
      method: 'POST',
      headers: { 'content-type': 'text/plain', origin: 'http://evil.example' },
      body: SEED,
    })
    expect(cross.status).toBe(403)
  })

  it('refuses a rebinding Host through the real server', async () => {
    const { port } = await serve()
    const client = rawClient(port)
    await client.connected
    client.socket.write('GET /api/status HTTP/1.1\r\nHost: evil.example:8080\r\nConnection: close\r\n\r\n')
    const { received } = await client.closed
    expect(received).toMatch(/^HTTP\/1\.1 403 /)
    expect(received).toContain('host_not_allowed')
  })

  it('reads header names without case, and two Host headers as one joined value (refused)', async () => {
    const { port } = await serve()
    const ask = async (head: string, body = '') => {
      const client = rawClient(port)
      await client.connected
      client.socket.write(`${head}Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`)
      return (await client.closed).received
    }
    const valid = await ask(
      `POST /api/validate HTTP/1.1\r\nHOST: 127.0.0.1:${port}\r\nCONTENT-TYPE: Application/TOML\r\n`,
      SEED,
    )
    expect(valid).toMatch(/^HTTP\/1\.1 200 /)
    expect(valid).toContain('"ok":true')
    const twice = await ask(
      `POST /api/validate HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nHost: 127.0.0.1:${port}\r\n` +
        'Content-Type: application/toml\r\n',
      SEED,
    )
    expect(twice).toMatch(/^HTTP\/1\.1 403 /)
    expect(twice).toContain('host_not_allowed')
    // Two Content-Type headers are one joined (and unsupported) type, as WHATWG Headers reads them.
    const types = await ask(
      `POST /api/validate HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nContent-Type: application/toml\r\n` +
        'Content-Type: text/plain\r\n',
      SEED,
    )
    expect(types).toMatch(/^HTTP\/1\.1 415 /)
  })

  it('413 on a declared Content-Length over the limit, answered before any body byte is sent', async () => {
    const { port, device } = await serve({ bodyLimitBytes: 1 << 20 })
    const client = rawClient(port)
    await client.connected
    client.socket.write(
      `POST /api/config HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nContent-Type: application/toml\r\n` +
        `Content-Length: ${1 << 30}\r\n\r\n`,
    )
    for (let i = 0; i < 100 && !client.received().includes('\r\n\r\n'); i++) await sleep(20)
    expect(client.received()).toMatch(/^HTTP\/1\.1 413 /)
    client.socket.destroy()
    expect(device.generations).toHaveLength(0)
  })

  it('413 on a chunked body once it passes the limit, and the connection is closed', async () => {
    const { port } = await serve({ bodyLimitBytes: 256 * 1024 })
    const client = rawClient(port)
    await client.connected
    client.socket.write(
      `POST /api/validate HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nContent-Type: application/toml\r\n` +
        'Transfer-Encoding: chunked\r\n\r\n',
    )
    const chunk = Buffer.alloc(16 * 1024, 0x61)
    let sent = 0
    while (!client.received().includes('\r\n\r\n') && sent < 64 << 20 && !client.socket.destroyed) {
      client.socket.write(`${chunk.length.toString(16)}\r\n`)
      client.socket.write(chunk)
      client.socket.write('\r\n')
      sent += chunk.length
      await sleep(1)
    }
    expect(client.received()).toMatch(/^HTTP\/1\.1 413 /)
    // The server stopped reading close to the limit: far less than what the client could have sent.
    expect(sent).toBeLessThan(8 << 20)
    const { at } = await client.closed
    expect(at).toBeGreaterThan(0)
  })

  it('cuts off a client that sends one header byte per second, and one that sends nothing', async () => {
    const { port, log } = await serve({ headersTimeoutMs: 1_500, requestTimeoutMs: 3_000 })
    const slow = rawClient(port)
    const silent = rawClient(port)
    await Promise.all([slow.connected, silent.connected])
    const started = performance.now()
    const head = `GET /api/status HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nX-Padding: ${'a'.repeat(64)}\r\n\r\n`
    let sent = 0
    const drip = (async () => {
      while (!slow.socket.destroyed && sent < head.length) {
        slow.socket.write(head[sent++]!)
        await sleep(1_000)
      }
    })()
    const [slowEnd, silentEnd] = await Promise.all([slow.closed, silent.closed])
    await drip
    expect(slowEnd.at - started).toBeLessThan(6_000)
    expect(sent).toBeLessThan(head.length)
    expect(slowEnd.received).not.toContain('200 OK')
    expect(silentEnd.at - started).toBeLessThan(6_000)
    expect(log.lines.join('\n')).toMatch(/warn slow client cut off .*"status":408/)
  })

  it('431 for a request head over the header limit', async () => {
    const { base } = await serve({ maxHeaderBytes: 2048 })
    const response = await fetch(`${base}/api/status`, { headers: { 'x-big': 'a'.repeat(4096) } })
    expect(response.status).toBe(431)
  })

  it('drops connections beyond the connection limit', async () => {
    const { port, log } = await serve({ maxConnections: 2 })
    const held = [rawClient(port), rawClient(port)]
    await Promise.all(held.map((c) => c.connected))
    await sleep(50)
    const extra = rawClient(port)
    extra.socket.write(`GET /api/status HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\n\r\n`)
    const { received } = await extra.closed
    expect(received).toBe('')
    expect(log.lines.join('\n')).toContain('connection dropped: too many connections')
    for (const c of held) c.socket.destroy()
  })
})
