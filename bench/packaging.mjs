// The packages as their users take them: the cost of importing each built package in a cold Node process, as a
// ratio to `node -e 0` (wall time, and CPU time beside it), and the gzipped size of a minified browser bundle of
// `parseConfig` alone (esbuild). Uses the built packages (dist), resolved from the repository root.
import { spawnSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { gzipSync } from 'node:zlib'
import { build } from 'esbuild'

const root = fileURLToPath(new URL('../', import.meta.url))
const PACKAGES = ['config-schema', 'firewall-plan', 'lan-plan', 'quadlet-render', 'device-runtime']
const IMPORT_GOAL = 1.3
const BUNDLE_GOAL_KB = 30

// Each process prints the CPU time it used (all threads, from its start): on a loaded machine wall time drifts with
// the other processes, CPU time much less. The baseline "node -e 0" is `node -e` with only this line.
const CPU = 'const u = process.cpuUsage(); process.stdout.write(String((u.user + u.system) / 1000))'

/** Median wall and CPU time, in ms, of each script, run in turn so that drift affects all alike; NaN if it fails. */
function medians(scripts, runs) {
  const wall = scripts.map(() => [])
  const cpu = scripts.map(() => [])
  for (let i = 0; i < runs; i++) {
    scripts.forEach((args, k) => {
      const start = process.hrtime.bigint()
      const r = spawnSync(process.execPath, args, { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] })
      const ok = r.status === 0
      wall[k].push(ok ? Number(process.hrtime.bigint() - start) / 1e6 : Number.NaN)
      cpu[k].push(ok ? Number(r.stdout) : Number.NaN)
    })
  }
  const median = (xs) => (xs.some(Number.isNaN) ? Number.NaN : xs.sort((a, b) => a - b)[xs.length >> 1])
  return scripts.map((_, k) => ({ wall: median(wall[k]), cpu: median(cpu[k]) }))
}

/** Gzipped bytes of a minified browser ESM bundle of `source` (resolved from the repository root). */
export async function bundleSize(source) {
  const result = await build({
    stdin: { contents: source, resolveDir: root, loader: 'js' },
    bundle: true,
    minify: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    write: false,
    metafile: true,
    logLevel: 'silent',
  })
  const code = result.outputFiles[0].contents
  return { raw: code.length, gzip: gzipSync(code, { level: 9 }).length, metafile: result.metafile }
}

/** @param {(row: string[]) => void} report */
export async function run(report) {
  const imports = PACKAGES.map((name) => ['--input-type=module', '-e', `import '@atomicnix/${name}'; ${CPU}`])
  const requires = PACKAGES.map((name) => ['-e', `require('@atomicnix/${name}'); ${CPU}`])
  const [base, ...rest] = medians([['-e', CPU], ...imports, ...requires], 21)
  const row = (label, { wall, cpu }) =>
    report([
      label,
      Number.isNaN(wall) ? 'fails' : `${wall.toFixed(1)} ms`,
      `node -e 0: ${base.wall.toFixed(1)} ms`,
      Number.isNaN(wall)
        ? `- (goal <= ${IMPORT_GOAL}x)`
        : `${(wall / base.wall).toFixed(2)}x (CPU time ${(cpu / base.cpu).toFixed(2)}x; goal <= ${IMPORT_GOAL}x)`,
    ])
  for (const [i, name] of PACKAGES.entries()) row(`cold import @atomicnix/${name}`, rest[i])
  for (const [i, name] of PACKAGES.entries()) row(`cold require @atomicnix/${name}`, rest[PACKAGES.length + i])
  const { gzip, raw } = await bundleSize(`export { parseConfig } from '@atomicnix/config-schema'`)
  report([
    'browser bundle of parseConfig (esbuild, minified)',
    `${(gzip / 1024).toFixed(1)} KB gzip`,
    `${(raw / 1024).toFixed(1)} KB raw`,
    `goal <= ${BUNDLE_GOAL_KB} KB gzip`,
  ])
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const rows = []
  await run((row) => rows.push(row))
  const widths = [0, 1, 2, 3].map((i) => Math.max(...rows.map((r) => r[i].length)))
  for (const row of rows) console.log(row.map((c, i) => c.padEnd(widths[i])).join('  '))
}
