import { execFileSync, spawnSync } from 'node:child_process'
import { mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync, writeFileSync } from 'node:fs'
import { connect } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest'
import { describeSystem } from '../../../test/support/system.js'
import { CLI, type ServeProcess, startServe } from './api/serve-process.js'

const SEED = readFileSync(new URL('../../../examples/seed/config.toml', import.meta.url), 'utf8')
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

/** Peak and current resident memory of a process, in KiB (Linux /proc). */
function memory(pid: number): { hwm: number; rss: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8')
  return { hwm: Number(/VmHWM:\s+(\d+)/.exec(status)![1]), rss: Number(/VmRSS:\s+(\d+)/.exec(status)![1]) }
}

describeSystem('atomicnix serve on loopback', { commands: ['ssh-keygen'], files: ['/proc/self/status', CLI] }, () => {
  let dir: string
  let server: ServeProcess | undefined
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'anx-serve-'))
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'admin@test', '-f', join(dir, 'admin')])
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'other@test', '-f', join(dir, 'other')])
  })
  afterEach(async () => {
    await server?.stop()
    server = undefined
  })
  afterAll(() => rmSync(dir, { recursive: true, force: true }))

  const adminKey = () => readFileSync(join(dir, 'admin.pub'), 'utf8').trim()
  const config = (tcp: number) =>
    SEED.replace(/ssh_keys = \[.*\]/, `ssh_keys = [${JSON.stringify(adminKey())}]`).replace(
      'tcp = [443]',
      `tcp = [${tcp}]`,
    )
  const post = (url: string, body: string | Uint8Array, headers: Record<string, string> = {}) =>
    fetch(`${url}/api/config`, {
      method: 'POST',
      headers: { 'content-type': 'application/toml', ...headers },
      body: body as BodyInit,
    })

  it('100 concurrent POSTs of different valid configs end with exactly one complete generation, one of them', async () => {
    const data = join(dir, 'race')
    // Room for all of them at once: beyond --max-connections the server drops connections on accept.
    server = await startServe(['--data', data, '--no-apply', '--max-connections', '128'])
    const url = server.url
    const bodies = Array.from({ length: 100 }, (_, i) => config(2000 + i))
    const statuses = await Promise.all(bodies.map(async (body) => (await post(url, body)).status))
    expect(statuses.filter((s) => s === 200)).toHaveLength(1)
    // The others were refused whole: 401 once the first provisioned the device, or 429/503 while busy.
    expect(statuses.every((s) => [200, 401, 429, 503].includes(s))).toBe(true)
    const generations = readdirSync(join(data, 'generations')).filter((name) => !name.startsWith('.'))
    expect(generations).toHaveLength(1)
    expect(readlinkSync(join(data, 'config'))).toBe(`generations/${generations[0]}`)
    const stored = readFileSync(join(data, 'config', 'config.toml'), 'utf8')
    expect(bodies).toContain(stored)
    const manifest = JSON.parse(readFileSync(join(data, 'config', 'generation.json'), 'utf8'))
    expect(manifest.source.kind).toBe('api')
  })

  it('refuses an oversized body without buffering it (peak memory of the server measured)', async () => {
    server = await startServe(['--data', join(dir, 'big'), '--no-apply', '--body-limit', String(8 << 20)])
    const { port } = new URL(server.url)
    const pid = server.child.pid!
    // Warm up, so that the baseline includes what any request costs.
    for (let i = 0; i < 20; i++) await fetch(`${server.url}/api/status`)
    const before = memory(pid).hwm

    // A declared 1 GiB: refused on the header alone.
    const declared = await new Promise<string>((resolve) => {
      const socket = connect(Number(port), '127.0.0.1', () => {
        socket.write(
          `POST /api/config HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nContent-Type: application/toml\r\n` +
            `Content-Length: ${1 << 30}\r\n\r\n`,
        )
      })
      let got = ''
      socket.on('data', (chunk) => {
        got += chunk
        if (got.includes('\r\n\r\n')) {
          socket.destroy()
          resolve(got)
        }
      })
    })
    expect(declared).toMatch(/^HTTP\/1\.1 413 /)

    // 512 MiB streamed without a length: cut off once past the limit.
    const streamed = await new Promise<{ head: string; sent: number }>((resolve) => {
      const socket = connect(Number(port), '127.0.0.1')
      const chunk = Buffer.alloc(64 * 1024, 0x61)
      let sent = 0
      let head = ''
      socket.on('data', (data) => {
        head += data
      })
      socket.on('error', () => undefined)
      socket.on('close', () => resolve({ head, sent }))
      socket.on('connect', async () => {
        socket.write(
          `POST /api/config HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nContent-Type: application/toml\r\n` +
            'Transfer-Encoding: chunked\r\n\r\n',
        )
        while (sent < 512 << 20 && !socket.destroyed && !head.includes('\r\n\r\n')) {
          socket.write(`${chunk.length.toString(16)}\r\n`)
          socket.write(chunk)
          const ok = socket.write('\r\n')
          sent += chunk.length
          if (!ok) await new Promise((r) => socket.once('drain', r))
        }
        socket.destroy()
      })
    })
    expect(streamed.head).toMatch(/^HTTP\/1\.1 413 /)
    expect(streamed.sent).toBeLessThan(64 << 20)
    const after = memory(pid).hwm
    // The declared gigabyte cost nothing; the stream at most the 8 MiB limit plus buffers.
    expect(after - before).toBeLessThan(32 * 1024)
    process.stderr.write(`serve peak memory: ${before} KiB before, ${after} KiB after the oversized bodies\n`)
  })

  it('answers each status code through the real server', async () => {
    server = await startServe(['--data', join(dir, 'codes'), '--no-apply', '--body-limit', '100000'])
    const url = server.url
    const host = new URL(url).host
    const text = (s: string) => `${url}${s}`
    expect((await fetch(text('/'))).status).toBe(200)
    expect((await fetch(text('/nothing'))).status).toBe(404)
    expect((await fetch(text('/api/status'), { method: 'DELETE' })).status).toBe(405)
    expect((await post(url, SEED, { 'content-type': 'text/plain' })).status).toBe(415)
    expect((await post(url, 'x'.repeat(100_001))).status).toBe(413)
    expect((await post(url, 'version = 7\n')).status).toBe(422)
    expect((await post(url, SEED, { origin: 'http://evil.example' })).status).toBe(403)
    const rebinding = spawnSync(
      'curl',
      ['-s', '-o', '/dev/null', '-w', '%{http_code}', '-H', 'Host: evil.example', text('/api/status')],
      { encoding: 'utf8' },
    )
    expect(rebinding.stdout).toBe('403')
    expect((await post(url, config(443), { origin: `http://${host}` })).status).toBe(200)
    expect((await post(url, config(444))).status).toBe(401)
    const big = await fetch(text('/api/status'), { headers: { 'x-big': 'a'.repeat(20_000) } })
    expect(big.status).toBe(431)
  })

  it('atomicnix push signs with ssh-keygen and the device takes the change; another key is refused', async () => {
    const data = join(dir, 'push')
    server = await startServe(['--data', data, '--no-apply'])
    expect((await post(server.url, config(443))).status).toBe(200)
    const file = join(dir, 'config.toml')
    writeFileSync(file, config(8443))
    const push = (key: string) =>
      spawnSync(process.execPath, [CLI, 'push', file, `${server!.url}/`, '--key', join(dir, key)], {
        encoding: 'utf8',
      })
    const accepted = push('admin')
    expect(accepted.status, accepted.stderr).toBe(0)
    expect(accepted.stdout).toMatch(/accepted by \S+ as generation g000002-/)
    expect(accepted.stderr).toContain('warning[publish_port_loopback]')
    expect(readFileSync(join(data, 'config', 'config.toml'), 'utf8')).toBe(config(8443))
    const refused = push('other')
    expect(refused.status).toBe(1)
    expect(refused.stderr).toContain('error[signature_key_unknown]')
    expect(refused.stderr).toContain('refused by the device (HTTP 403)')
    writeFileSync(file, 'version = 9\n')
    const invalid = push('admin')
    expect(invalid.status).toBe(1)
    expect(invalid.stderr).toMatch(/config\.toml:1:\d+ error\[/)
    const unreachable = spawnSync(
      process.execPath,
      [CLI, 'push', file, 'http://127.0.0.1:9/', '--key', join(dir, 'admin')],
      {
        encoding: 'utf8',
      },
    )
    expect(unreachable.status).toBe(2)
    await sleep(10)
  })
})
