// apply's costs: compileDevice (the pure map from config.toml to every device file) against smol-toml's parse alone,
// and a cold `atomicnix apply` with nothing changed against `node -e 0`. Uses the built packages (dist).
import { spawnSync } from 'node:child_process'
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { compileDevice } from '@atomicnix/device-runtime'
import { parse } from 'smol-toml'
import { fmt, opsPerSecond } from './measure.mjs'

const root = new URL('../', import.meta.url)
const read = (path) => readFileSync(new URL(path, root), 'utf8')
const cli = fileURLToPath(new URL('packages/device-runtime/dist/cli.js', root))
const seedPath = fileURLToPath(new URL('examples/seed/config.toml', root))

/** Runs `fn` for `ms` milliseconds, so that the JIT has compiled the hot paths before anything is timed. */
function warm(fn, ms = 1000) {
  const start = performance.now()
  while (performance.now() - start < ms) fn()
}

const median = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1]

/** compileDevice against parse on the same text, interleaved three times. */
function compileRow(report, label, text) {
  const base = () => parse(text, { integersAsBigInt: true })
  const subject = () => {
    if (!compileDevice(text).ok) throw new Error(`${label} must compile`)
  }
  warm(base)
  warm(subject)
  const a = []
  const b = []
  for (let i = 0; i < 3; i++) {
    a.push(opsPerSecond(base))
    b.push(opsPerSecond(subject))
  }
  report([
    `compileDevice (${label})`,
    `${fmt(median(b))} ops/s`,
    `smol-toml parse: ${fmt(median(a))} ops/s`,
    `${(median(b) / median(a)).toFixed(2)}x (goal >= 0.35)`,
  ])
}

/** A temporary device: the seed as the current config, applied once with stand-ins for nft and systemd. */
function applied() {
  const dir = mkdtempSync(join(tmpdir(), 'anx-bench-apply-'))
  mkdirSync(join(dir, 'root/etc'), { recursive: true })
  mkdirSync(join(dir, 'bin'))
  const imported = spawnSync(process.execPath, [cli, 'import', seedPath, '--data', join(dir, 'data')], {
    stdio: 'ignore',
  })
  if (imported.status !== 0) throw new Error(`the import exited ${imported.status}`)
  writeFileSync(join(dir, 'root/etc/passwd'), 'appsvc:x:990:990::/var/lib/appsvc:/bin/sh\n')
  for (const name of ['nft', 'systemctl', 'networkctl', 'loginctl']) {
    writeFileSync(join(dir, 'bin', name), '#!/bin/sh\nexit 0\n')
    chmodSync(join(dir, 'bin', name), 0o755)
  }
  const args = [cli, 'apply', '--data', join(dir, 'data'), '--root', join(dir, 'root'), '--mac', '020000aabbcc']
  const env = { ...process.env, PATH: `${join(dir, 'bin')}:${process.env.PATH}` }
  const first = spawnSync(process.execPath, args, { env, stdio: 'ignore' })
  if (first.status !== 0) throw new Error(`the first apply exited ${first.status}`)
  return { dir, args, env }
}

/** Median wall time of an apply with nothing changed, alternating with `node -e 0`. */
function coldApplyRow(report, runs = 21) {
  const device = applied()
  try {
    const time = (args, env) => {
      const start = process.hrtime.bigint()
      const r = spawnSync(process.execPath, args, { env, stdio: 'ignore' })
      if (r.status !== 0) throw new Error(`${args.join(' ')} exited ${r.status}`)
      return Number(process.hrtime.bigint() - start) / 1e6
    }
    const base = []
    const cmd = []
    for (let i = 0; i < runs; i++) {
      base.push(time(['-e', '0'], process.env))
      cmd.push(time(device.args, device.env))
    }
    report([
      'cold `atomicnix apply`, nothing changed (seed)',
      `${median(cmd).toFixed(1)} ms`,
      `node -e 0: ${median(base).toFixed(1)} ms`,
      `${(median(cmd) / median(base)).toFixed(2)}x (goal <= 2)`,
    ])
  } finally {
    rmSync(device.dir, { recursive: true, force: true })
  }
}

/** Adds apply's rows to the benchmark table. */
export async function run(report) {
  compileRow(report, 'seed example', read('examples/seed/config.toml'))
  compileRow(report, 'large fixture', read('packages/config-schema/test/fixtures/valid/large.toml'))
  coldApplyRow(report)
}
