// `atomicnix serve`: requests per second of POST /api/validate with the seed example (keep-alive, a load generator
// in another process on loopback) as a ratio to in-process parseConfig, and the idle resident memory of the server.
import { execFile, spawn } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { parseConfig } from '@atomicnix/config-schema'
import { opsPerSecond } from './measure.mjs'

const root = new URL('../', import.meta.url)
const cli = fileURLToPath(new URL('packages/device-runtime/dist/cli.js', root))
const seedPath = fileURLToPath(new URL('examples/seed/config.toml', root))
// 29 KB: over serve's POOL_BYTES, so the default server checks it on its worker pool.
const largePath = fileURLToPath(new URL('packages/config-schema/test/fixtures/valid/large.toml', root))
const load = fileURLToPath(new URL('bench/serve-load.mjs', root))
const seed = readFileSync(seedPath, 'utf8')
const execFileAsync = promisify(execFile)

// The floor: a bare node:http server that reads the body and answers a fixed JSON, in the same setting.
const BARE = `const s = require('node:http').createServer((q, r) => { q.resume(); q.on('end', () => {
  r.writeHead(200, { 'content-type': 'application/json' }); r.end('{"ok":true,"errors":[],"warnings":[]}\\n') }) })
s.listen(0, '127.0.0.1', () => console.log('listening on http://127.0.0.1:' + s.address().port + '/'))`

/**
 * Starts `atomicnix serve` with extra arguments (or the bare server, `extra` undefined) on an ephemeral loopback port;
 * resolves with its URL and process.
 */
function startServer(dataDir, extra) {
  const args =
    extra === undefined
      ? ['-e', BARE]
      : [cli, 'serve', '--listen', '127.0.0.1:0', '--data', dataDir, '--no-apply', ...extra]
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] })
  return new Promise((resolve, reject) => {
    let out = ''
    child.stdout.on('data', (chunk) => {
      out += chunk
      const match = /listening on (http:\/\/\S+)\//.exec(out)
      if (match) resolve({ child, url: match[1] })
    })
    child.on('exit', (code) => reject(new Error(`atomicnix serve exited ${code}`)))
  })
}

/** CPU seconds used so far by a process (all its threads) and by its main thread alone, from /proc (clock ticks). */
const cpuOf = (pid) => {
  const ticks = (path) => {
    const fields = readFileSync(path, 'utf8').split(') ')[1].split(' ')
    return (Number(fields[11]) + Number(fields[12])) / 100
  }
  return { all: ticks(`/proc/${pid}/stat`), main: ticks(`/proc/${pid}/task/${pid}/stat`) }
}

/**
 * Runs the load generator for `seconds` against `url` posting `body` (a file; the seed by default); requests/s, and
 * CPU µs per request of server and generator.
 */
async function loadRun(url, pid, seconds, body = seedPath) {
  const before = cpuOf(pid)
  const { stdout } = await execFileAsync(process.execPath, [
    load,
    `${url}/api/validate`,
    body,
    'application/toml',
    String(seconds),
    '8',
  ])
  const after = cpuOf(pid)
  const { requests, seconds: elapsed, statuses, cpuSeconds } = JSON.parse(stdout)
  if (Object.keys(statuses).some((s) => s !== '200')) throw new Error(`unexpected statuses ${JSON.stringify(statuses)}`)
  const perRequest = (s) => (s * 1e6) / requests
  return {
    rps: requests / elapsed,
    serverUs: perRequest(after.all - before.all),
    mainUs: perRequest(after.main - before.main),
    generatorUs: perRequest(cpuSeconds),
  }
}

const rssMiB = (pid) => {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8')
  return Number(/VmRSS:\s+(\d+) kB/.exec(status)[1]) / 1024
}

/** Runs the benchmark and reports its rows: `report([label, value, baseline, ratio])`. */
export async function run(report) {
  const dataDir = mkdtempSync(join(tmpdir(), 'anx-bench-serve-'))
  const servers = []
  try {
    // The default (small bodies checked on the HTTP thread, large ones on worker threads), every body checked on the
    // HTTP thread, and the floor.
    const pool = await startServer(dataDir, [])
    servers.push(pool)
    const inline = await startServer(dataDir, ['--validate-threads', '0'])
    servers.push(inline)
    const bare = await startServer(dataDir, undefined)
    servers.push(bare)
    await new Promise((resolve) => setTimeout(resolve, 1000))
    const idle = rssMiB(pool.child.pid)
    for (const server of servers) await loadRun(server.url, server.child.pid, 1) // warm-up: the servers' JIT
    // Interleaved rounds, so that the shared machine's drift touches every row alike; the median round of each.
    const rounds = { parse: [], pool: [], inline: [], bare: [], largePool: [], largeInline: [] }
    for (let i = 0; i < 3; i++) {
      rounds.parse.push(opsPerSecond(() => parseConfig(seed)))
      rounds.pool.push(await loadRun(pool.url, pool.child.pid, 3))
      rounds.inline.push(await loadRun(inline.url, inline.child.pid, 3))
      rounds.bare.push(await loadRun(bare.url, bare.child.pid, 3))
    }
    const loaded = rssMiB(pool.child.pid)
    for (let i = 0; i < 3; i++) {
      rounds.largePool.push(await loadRun(pool.url, pool.child.pid, 2, largePath))
      rounds.largeInline.push(await loadRun(inline.url, inline.child.pid, 2, largePath))
    }
    const loadedLarge = rssMiB(pool.child.pid)
    const median = (xs, by = (x) => x) => [...xs].sort((a, b) => by(a) - by(b))[xs.length >> 1]
    const parse = median(rounds.parse)
    const [serve, onThread, floor, largePool, largeInline] = [
      rounds.pool,
      rounds.inline,
      rounds.bare,
      rounds.largePool,
      rounds.largeInline,
    ].map((xs) => median(xs, (x) => x.rps))
    const fmt = (n) => Math.round(n).toLocaleString('en-US')
    const rate = (label, r) =>
      report([
        label,
        `${fmt(r.rps)} req/s`,
        `in-process parseConfig: ${fmt(parse)} ops/s`,
        `${(r.rps / parse).toFixed(2)}x`,
      ])
    rate('POST /api/validate (seed, keep-alive, 8 conns)', serve)
    rate('  the same, --validate-threads 0', onThread)
    rate('bare node:http answering the same POSTs', floor)
    const us = (n) => `${n.toFixed(0)} µs`
    const cpu = (label, value, baseLabel, base) =>
      report([label, us(value), `${baseLabel}: ${us(base)}`, `${(value / base).toFixed(2)}x`])
    cpu('serve CPU per validate request (all threads)', serve.serverUs, 'bare node:http', floor.serverUs)
    cpu('serve main-thread CPU per validate request', serve.mainUs, 'bare node:http', floor.mainUs)
    cpu('  --validate-threads 0', onThread.mainUs, 'bare node:http', floor.mainUs)
    const large = (label, r) =>
      report([label, `${fmt(r.rps)} req/s`, `main thread ${us(r.mainUs)}`, `all threads ${us(r.serverUs)}`])
    large('POST /api/validate (large fixture, 29 KB; worker pool)', largePool)
    large('  the same, --validate-threads 0', largeInline)
    cpu('load generator CPU per request', serve.generatorUs, 'serve, all threads', serve.serverUs)
    report(['idle RSS of `atomicnix serve`', `${idle.toFixed(1)} MiB`, 'goal: 60 MiB', `${(idle / 60).toFixed(2)}x`])
    report([
      '  RSS after the seed load (no worker thread)',
      `${loaded.toFixed(1)} MiB`,
      'goal: 60 MiB',
      `${(loaded / 60).toFixed(2)}x`,
    ])
    report([
      '  RSS after the large load (worker threads up)',
      `${loadedLarge.toFixed(1)} MiB`,
      'goal: 60 MiB',
      `${(loadedLarge / 60).toFixed(2)}x`,
    ])
  } finally {
    for (const server of servers) server.child.kill('SIGTERM')
    rmSync(dataDir, { recursive: true, force: true })
  }
}
