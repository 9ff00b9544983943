// `atomicnix serve`: requests per second of POST /api/validate with the seed example (keep-alive, a load generator
// in another process on loopback) as a ratio to in-process parseConfig, and the idle resident memory of the server.
import { execFile, spawn } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { parseConfig } from '@atomicnix/config-schema'

const root = new URL('../', import.meta.url)
const cli = fileURLToPath(new URL('packages/device-runtime/dist/cli.js', root))
const seedPath = fileURLToPath(new URL('examples/seed/config.toml', root))
const load = fileURLToPath(new URL('bench/serve-load.mjs', root))
const seed = readFileSync(seedPath, 'utf8')
const execFileAsync = promisify(execFile)

/** Operations per second of fn over about `ms` milliseconds, after a warm-up. */
function opsPerSecond(fn, ms = 1500) {
  const warm = performance.now()
  while (performance.now() - warm < 300) fn()
  let n = 0
  const start = performance.now()
  while (performance.now() - start < ms) {
    for (let i = 0; i < 50; i++) fn()
    n += 50
  }
  return (n * 1000) / (performance.now() - start)
}

// The floor: a bare node:http server that reads the body and answers a fixed JSON, in the same setting.
const BARE = `const s = require('node:http').createServer((q, r) => { q.resume(); q.on('end', () => {
  r.writeHead(200, { 'content-type': 'application/json' }); r.end('{"ok":true,"errors":[],"warnings":[]}\\n') }) })
s.listen(0, '127.0.0.1', () => console.log('listening on http://127.0.0.1:' + s.address().port + '/'))`

/** Starts `atomicnix serve` (or the bare server) on an ephemeral loopback port; resolves with its URL and process. */
function startServer(dataDir, bare = false) {
  const args = bare ? ['-e', BARE] : [cli, 'serve', '--listen', '127.0.0.1:0', '--data', dataDir, '--no-apply']
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

/** Runs the load generator for `seconds` against `url`; requests/s, and CPU µs per request of server and generator. */
async function loadRun(url, pid, seconds) {
  const before = cpuOf(pid)
  const { stdout } = await execFileAsync(process.execPath, [
    load,
    `${url}/api/validate`,
    seedPath,
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
  const { child, url } = await startServer(dataDir)
  try {
    await new Promise((resolve) => setTimeout(resolve, 1000))
    const idle = rssMiB(child.pid)
    await loadRun(url, child.pid, 1) // warm-up: the server's JIT
    const inProcess = opsPerSecond(() => parseConfig(seed))
    const serve = await loadRun(url, child.pid, 4)
    const fmt = (n) => Math.round(n).toLocaleString('en-US')
    report([
      'POST /api/validate (seed, keep-alive, 8 conns)',
      `${fmt(serve.rps)} req/s`,
      `in-process parseConfig: ${fmt(inProcess)} ops/s`,
      `${(serve.rps / inProcess).toFixed(2)}x`,
    ])
    const bare = await startServer(dataDir, true)
    let floor
    try {
      await loadRun(bare.url, bare.child.pid, 1)
      floor = await loadRun(bare.url, bare.child.pid, 4)
    } finally {
      bare.child.kill('SIGTERM')
    }
    report([
      'bare node:http answering the same POSTs',
      `${fmt(floor.rps)} req/s`,
      `in-process parseConfig: ${fmt(inProcess)} ops/s`,
      `${(floor.rps / inProcess).toFixed(2)}x`,
    ])
    const us = (n) => `${n.toFixed(0)} µs`
    report([
      'serve CPU per validate request (all threads)',
      us(serve.serverUs),
      `bare node:http: ${us(floor.serverUs)}`,
      `${(serve.serverUs / floor.serverUs).toFixed(2)}x`,
    ])
    report([
      'serve main-thread CPU per validate request',
      us(serve.mainUs),
      `bare node:http: ${us(floor.mainUs)}`,
      `${(serve.mainUs / floor.mainUs).toFixed(2)}x`,
    ])
    report([
      'load generator CPU per request (vs serve)',
      us(serve.generatorUs),
      `serve: ${us(serve.serverUs)}`,
      `${(serve.generatorUs / serve.serverUs).toFixed(2)}x`,
    ])
    report(['idle RSS of `atomicnix serve`', `${idle.toFixed(1)} MiB`, 'goal: 60 MiB', `${(idle / 60).toFixed(2)}x`])
  } finally {
    child.kill('SIGTERM')
    rmSync(dataDir, { recursive: true, force: true })
  }
}
