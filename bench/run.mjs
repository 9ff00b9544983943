// Benchmarks, one run, figures as ratios: parseConfig against smol-toml's parse alone, planning and rendering
// against parse, and a cold `atomicnix validate` process against `node -e 0`. Uses the built packages (dist).
import { spawnSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { parseConfig } from '@atomicnix/config-schema'
import { planFirewall, renderNftables } from '@atomicnix/firewall-plan'
import { lanDeviceFiles, planLan } from '@atomicnix/lan-plan'
import { planQuadlets, quadletDeviceFiles } from '@atomicnix/quadlet-render'
import { parse } from 'smol-toml'
import { fmt, opsPerSecond } from './measure.mjs'

const root = new URL('../', import.meta.url)
const read = (path) => readFileSync(new URL(path, root), 'utf8')
const seed = read('examples/seed/config.toml')
const large = read('packages/config-schema/test/fixtures/valid/large.toml')
const cli = fileURLToPath(new URL('packages/device-runtime/dist/cli.js', root))
const seedPath = fileURLToPath(new URL('examples/seed/config.toml', root))

const rows = []
function compare(label, baseLabel, base, subject) {
  // Interleave the two so that drift of the machine affects both alike.
  const a = []
  const b = []
  for (let i = 0; i < 3; i++) {
    a.push(opsPerSecond(base))
    b.push(opsPerSecond(subject))
  }
  const med = (xs) => xs.sort((x, y) => x - y)[1]
  const baseOps = med(a)
  const subjectOps = med(b)
  rows.push([
    label,
    `${fmt(subjectOps)} ops/s`,
    `${baseLabel}: ${fmt(baseOps)} ops/s`,
    `${(subjectOps / baseOps).toFixed(2)}x`,
  ])
}

const parseOnly = (text) => () => parse(text, { integersAsBigInt: true })
compare('parseConfig (seed example)', 'smol-toml parse', parseOnly(seed), () => parseConfig(seed))
compare('parseConfig (large fixture)', 'smol-toml parse', parseOnly(large), () => parseConfig(large))
const largeConfig = parseConfig(large)
if (!largeConfig.ok) throw new Error('large fixture must be valid')
const config = largeConfig.value
compare('planQuadlets + render (large)', 'smol-toml parse', parseOnly(large), () =>
  quadletDeviceFiles(planQuadlets(config)),
)
compare('planFirewall + renderNftables (large)', 'smol-toml parse', parseOnly(large), () =>
  renderNftables(planFirewall(config)),
)
compare('planLan + render (large)', 'smol-toml parse', parseOnly(large), () => lanDeviceFiles(planLan(config)))

/** Median wall time of a command, alternating with the baseline command. */
function coldStart(runs = 21) {
  const time = (args) => {
    const start = process.hrtime.bigint()
    const r = spawnSync(process.execPath, args, { stdio: 'ignore' })
    if (r.status !== 0) throw new Error(`${args.join(' ')} exited ${r.status}`)
    return Number(process.hrtime.bigint() - start) / 1e6
  }
  const base = []
  const cmd = []
  for (let i = 0; i < runs; i++) {
    base.push(time(['-e', '0']))
    cmd.push(time([cli, 'validate', seedPath]))
  }
  const med = (xs) => xs.sort((x, y) => x - y)[xs.length >> 1]
  rows.push([
    'cold `atomicnix validate` (seed example)',
    `${med(cmd).toFixed(1)} ms`,
    `node -e 0: ${med(base).toFixed(1)} ms`,
    `${(med(cmd) / med(base)).toFixed(2)}x`,
  ])
}
coldStart()
await (await import('./apply.mjs')).run((row) => rows.push(row))
await (await import('./bundles.mjs')).run((row) => rows.push(row))
await (await import('./serve.mjs')).run((row) => rows.push(row))
await (await import('./upgrade.mjs')).run((row) => rows.push(row))
await (await import('./packaging.mjs')).run((row) => rows.push(row))
await (await import('./validate-large.mjs')).run((row) => rows.push(row))
await (await import('./checks.mjs')).run((row) => rows.push(row))

const widths = [0, 1, 2, 3].map((i) => Math.max(...rows.map((r) => r[i].length)))
console.log(`Node ${process.version}, ${new Date().toISOString().slice(0, 10)}; medians of interleaved rounds\n`)
for (const row of rows) console.log(row.map((c, i) => c.padEnd(widths[i])).join('  '))
