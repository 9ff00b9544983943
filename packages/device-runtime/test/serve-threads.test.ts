import { spawnSync } from 'node:child_process'
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { CLI, type ServeProcess, startServe } from './api/serve-process.js'

const SEED = readFileSync(new URL('../../../examples/seed/config.toml', import.meta.url), 'utf8')
// Larger than POOL_BYTES: checked on the worker pool (smaller bodies are checked on the HTTP thread).
const LARGE = readFileSync(new URL('../../config-schema/test/fixtures/valid/large.toml', import.meta.url), 'utf8')
const servers: ServeProcess[] = []
const dirs: string[] = []

afterEach(async () => {
  for (const server of servers.splice(0)) await server.stop()
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true })
})

async function serve(extra: readonly string[]): Promise<ServeProcess> {
  const dir = mkdtempSync(join(tmpdir(), 'anx-serve-threads-'))
  dirs.push(dir)
  const server = await startServe(['--data', dir, '--no-apply', ...extra])
  servers.push(server)
  return server
}

const validate = async (url: string, body: string) => {
  const response = await fetch(`${url}/api/validate`, {
    method: 'POST',
    headers: { 'content-type': 'application/toml' },
    body,
  })
  return { status: response.status, text: await response.text() }
}

describe('atomicnix serve: validation on worker threads or on the HTTP thread', () => {
  it('answers /api/validate alike with the worker pool and with --validate-threads 0, and stops cleanly', async () => {
    const [pooled, inline] = await Promise.all([serve([]), serve(['--validate-threads', '0'])])
    // A small body is checked on the HTTP thread, a large one starts a worker thread (seen in /proc where there is one).
    const threads = () => {
      const dir = `/proc/${pooled.child.pid}/task`
      return existsSync(dir) ? readdirSync(dir).length : undefined
    }
    expect((await validate(pooled.url, SEED)).status).toBe(200)
    const small = threads()
    expect((await validate(pooled.url, LARGE)).status).toBe(200)
    if (small !== undefined) expect(threads()).toBeGreaterThan(small)
    const bodies = [
      SEED,
      SEED.replace('dhcp_start', 'dhcp_strat'),
      '[lan\nbroken = ',
      SEED.replace('version = 1', 'version = 3'),
      LARGE,
      LARGE.replace('dhcp_start', 'dhcp_strat'),
    ]
    for (const body of bodies) {
      const [a, b] = await Promise.all([validate(pooled.url, body), validate(inline.url, body)])
      expect(a).toEqual(b)
    }
    expect((await validate(pooled.url, SEED)).status).toBe(200)
    expect((await validate(pooled.url, bodies[1]!)).status).toBe(422)
    // SIGTERM: the pool's threads stop with the server, and the process exits at once with 0.
    const started = performance.now()
    expect(await pooled.stop()).toBe(0)
    expect(performance.now() - started).toBeLessThan(5_000)
    expect(pooled.stderr()).toContain('stopped serving')
    expect(pooled.stderr()).not.toContain('validation worker failed')
  })

  it('refuses a --validate-threads that is not a number of threads', () => {
    const run = spawnSync(process.execPath, [CLI, 'serve', '--listen', '127.0.0.1:0', '--validate-threads', 'many'], {
      encoding: 'utf8',
    })
    expect(run.status).toBe(2)
    expect(run.stderr).toContain('--validate-threads wants a number of threads, not "many"')
  })
})
