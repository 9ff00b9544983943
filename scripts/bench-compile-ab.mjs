#!/usr/bin/env node
// CPU-time A/B in one process, interleaved (order reversed every other round): `compileDevice` of another built
// checkout (A, a directory holding the repository with its packages built) against this worktree's (B), on the seed
// example and the large fixture, with P = smol-toml's parse of the same text. Three figures each: compileDevice,
// what it does after parseConfig (compileDevice minus parseConfig, medians of the same rounds: noisy), and the
// planning and rendering alone on a config parsed once (through each checkout's package exports).
// Usage: `node scripts/bench-compile-ab.mjs DIR [ROUNDS]`, after `npm run build` here and there.
import { readFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { parse } from 'smol-toml'

const root = fileURLToPath(new URL('../', import.meta.url))
const [other, roundsArg] = process.argv.slice(2)
if (other === undefined) {
  console.error('usage: node scripts/bench-compile-ab.mjs DIR [ROUNDS]  (DIR: another built checkout)')
  process.exit(2)
}
const rounds = Number(roundsArg ?? 31)
const read = (path) => readFileSync(join(root, path), 'utf8')
const texts = {
  seed: read('examples/seed/config.toml'),
  large: read('packages/config-schema/test/fixtures/valid/large.toml'),
}

async function load(dir) {
  const pkg = (name) => import(pathToFileURL(join(dir, 'packages', name, 'dist/index.js')).href)
  return {
    cs: await pkg('config-schema'),
    dr: await pkg('device-runtime'),
    fw: await pkg('firewall-plan'),
    lan: await pkg('lan-plan'),
    q: await pkg('quadlet-render'),
  }
}
const A = await load(resolve(other))
const B = await load(root)

/** What compileDevice does after parseConfig, through the packages' exports, on a config parsed once. */
function rendering(x, text) {
  const config = x.cs.parseConfig(text).value
  return () => {
    const files = [
      { path: 'data/config/config.toml', contents: text, mode: 0o600 },
      { path: 'a', contents: x.cs.renderAuthorizedKeys(config), mode: 0o600 },
      { path: 'b', contents: x.cs.renderFirewallInboundJson(config.firewall.inbound), mode: 0o600 },
      { path: 'c', contents: x.cs.renderHealthRequiredJson(config), mode: 0o600 },
      { path: 'd', contents: x.fw.renderNftables(x.fw.planFirewall(config)), mode: 0o644 },
    ]
    for (const file of x.lan.lanDeviceFiles(x.lan.planLan(config, {}))) files.push(file)
    for (const file of x.q.quadletDeviceFiles(x.q.planQuadlets(config))) files.push(file)
    const osUpgrade = x.cs.renderOsUpgradeJson(config)
    if (osUpgrade !== undefined) files.push({ path: 'e', contents: osUpgrade, mode: 0o600 })
    return files
  }
}

/** CPU microseconds per call of `fn` over `n` calls. */
function cpu(fn, n) {
  const start = process.cpuUsage()
  for (let i = 0; i < n; i++) fn()
  const used = process.cpuUsage(start)
  return (used.user + used.system) / n
}

const median = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1]
const f = (x) => x.toFixed(2)
for (const [label, text] of Object.entries(texts)) {
  for (const x of [A, B]) if (!x.dr.compileDevice(text).ok) throw new Error(`${label} must compile`)
  const n = label === 'seed' ? 10000 : 200
  const subjects = [
    ['P', () => parse(text, { integersAsBigInt: true })],
    ['parseA', () => A.cs.parseConfig(text)],
    ['parseB', () => B.cs.parseConfig(text)],
    ['compileA', () => A.dr.compileDevice(text)],
    ['compileB', () => B.dr.compileDevice(text)],
    ['renderA', rendering(A, text)],
    ['renderB', rendering(B, text)],
  ]
  const times = Object.fromEntries(subjects.map(([k]) => [k, []]))
  for (const [, fn] of subjects) cpu(fn, n * 3)
  for (let r = 0; r < rounds; r++) {
    for (const [k, fn] of r % 2 === 0 ? subjects : [...subjects].reverse()) times[k].push(cpu(fn, n))
  }
  const m = Object.fromEntries(Object.entries(times).map(([k, v]) => [k, median(v)]))
  const row = (name, a, b) =>
    `  ${name.padEnd(22)} A ${f(a)} us (${f(a / m.P)} P)  B ${f(b)} us (${f(b / m.P)} P)  A/B ${f(a / b)}x`
  console.log(`${label}: P = smol-toml parse ${f(m.P)} us; ${rounds} rounds`)
  console.log(row('compileDevice', m.compileA, m.compileB))
  console.log(
    `  ${''.padEnd(22)} throughput / parse's: A ${(m.P / m.compileA).toFixed(3)}  B ${(m.P / m.compileB).toFixed(3)}`,
  )
  console.log(row('after parseConfig', m.compileA - m.parseA, m.compileB - m.parseB))
  console.log(row('rendering alone', m.renderA, m.renderB))
  console.log(row('parseConfig', m.parseA, m.parseB))
}
