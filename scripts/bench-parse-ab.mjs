#!/usr/bin/env node
// CPU-time A/B in one process, interleaved: this worktree's `parseConfig` against the `parseConfig` of an older
// revision (default 8ec2975, before the hardening), and config-schema's TOML reader alone against smol-toml's parse,
// on the seed example and the large fixture. Usage: `node scripts/bench-parse-ab.mjs [REV] [--keep]`, after
// `npm run build`. The old revision is checked out in a temporary git worktree (node_modules hard-linked, its
// config-schema built there) that is removed afterwards unless --keep is given.
import { execFileSync } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { parse } from 'smol-toml'

const root = fileURLToPath(new URL('../', import.meta.url))
const args = process.argv.slice(2)
const keep = args.includes('--keep')
const rev = args.find((a) => !a.startsWith('--')) ?? '8ec2975'
const read = (path) => readFileSync(join(root, path), 'utf8')
const texts = {
  seed: read('examples/seed/config.toml'),
  large: read('packages/config-schema/test/fixtures/valid/large.toml'),
}

const git = (...a) =>
  execFileSync('git', a, { cwd: root, stdio: ['ignore', 'pipe', 'inherit'] })
    .toString()
    .trim()
const commit = git('rev-parse', '--short', rev)
const old = join(tmpdir(), `atomicnix-ab-${commit}`)
if (!existsSync(old)) {
  git('worktree', 'add', '--detach', old, commit)
  execFileSync('cp', ['-al', join(root, 'node_modules'), join(old, 'node_modules')])
}
try {
  execFileSync('npx', ['tsup'], { cwd: join(old, 'packages/config-schema'), stdio: 'ignore' })
  const before = await import(pathToFileURL(join(old, 'packages/config-schema/dist/index.js')).href)
  const after = await import(pathToFileURL(join(root, 'packages/config-schema/dist/index.js')).href)
  // The reader is not part of the package's API: bundle it from its source for the reader-alone rows.
  const scratch = mkdtempSync(join(tmpdir(), 'atomicnix-reader-'))
  // esbuild's command line, not its JS API: the API keeps a service process and its pipe alive, which costs this
  // process CPU time in every round. parseConfig reads with the config's key names, so the reader row does too.
  const src = join(root, 'packages/config-schema/src')
  const entry = join(scratch, 'entry.mjs')
  writeFileSync(
    entry,
    `export { readToml } from '${join(src, 'toml/reader.ts')}'\nexport { CONFIG_WORDS } from '${join(src, 'config-words.ts')}'\n`,
  )
  execFileSync(
    join(root, 'node_modules/.bin/esbuild'),
    [entry, '--bundle', '--format=esm', `--outfile=${join(scratch, 'reader.mjs')}`],
    { stdio: 'ignore' },
  )
  const { readToml, CONFIG_WORDS } = await import(pathToFileURL(join(scratch, 'reader.mjs')).href)
  rmSync(scratch, { recursive: true, force: true })

  console.log(`CPU time per call, median of 41 interleaved rounds; ratio = baseline time / subject time (>1: faster)`)
  for (const [name, text] of Object.entries(texts)) {
    ab(
      `parseConfig ${name}: this tree vs ${commit}`,
      () => before.parseConfig(text),
      () => after.parseConfig(text),
    )
    ab(
      `TOML reader ${name}: readToml vs smol-toml parse`,
      () => parse(text, { integersAsBigInt: true, maxDepth: 32 }),
      () => readToml(text, 32, CONFIG_WORDS),
    )
  }
} finally {
  if (!keep) git('worktree', 'remove', '--force', old)
}

/** CPU microseconds of `n` calls of `fn`. */
function cpu(fn, n) {
  const start = process.cpuUsage()
  for (let i = 0; i < n; i++) fn()
  const used = process.cpuUsage(start)
  return used.user + used.system
}

/** Prints the median per-call CPU time of both and the median of the per-round ratios. */
function ab(label, baseline, subject) {
  // Warm up both for half a second of CPU each first: process CPU time counts the optimizing compiler's background
  // threads too, so rounds measured before the code is optimized are inflated several-fold.
  for (const fn of [baseline, subject, baseline, subject]) {
    const start = process.cpuUsage()
    do fn()
    while (process.cpuUsage(start).user < 250_000)
  }
  // Rounds of about 20 ms of the baseline each.
  let n = 1
  while (cpu(baseline, n) < 20_000) n *= 2
  const a = []
  const b = []
  const ratios = []
  for (let round = 0; round < 41; round++) {
    const x = cpu(baseline, n)
    const y = cpu(subject, n)
    a.push(x / n)
    b.push(y / n)
    ratios.push(x / y)
  }
  const median = (xs) => xs.sort((p, q) => p - q)[xs.length >> 1]
  console.log(
    `${label.padEnd(52)} ${median(b).toFixed(2).padStart(8)} us  baseline ${median(a).toFixed(2).padStart(8)} us  ${median(ratios).toFixed(2)}x`,
  )
}
