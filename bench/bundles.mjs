// Importing a 10 MiB bundle (.tar.gz and .tar.zst) as the device does (unpack, check every rule, compile, write a
// generation with every file and directory fsynced, switch), against GNU tar extracting the same file into a
// temporary directory (no fsync) in the same run; and the peak memory (max RSS) of each as a process.
import { spawnSync } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { importConfig } from '@atomicnix/device-runtime'
import { nodeClock, nodeFiles } from '@atomicnix/device-runtime/node'

const root = new URL('../', import.meta.url)
const cli = fileURLToPath(new URL('packages/device-runtime/dist/cli.js', root))
const seed = readFileSync(new URL('examples/seed/config.toml', root))
const quiet = { info() {}, warn() {}, error() {} }
const GNU_TIME = '/usr/bin/time'

/** A bundle of 80 files of 128 KiB of random bytes (so that it stays 10 MiB compressed), packed by GNU tar. */
function makeBundles(dir) {
  const src = join(dir, 'src')
  mkdirSync(join(src, 'files/blobs'), { recursive: true })
  writeFileSync(join(src, 'config.toml'), seed)
  for (let i = 0; i < 80; i++) writeFileSync(join(src, `files/blobs/blob-${i}`), randomBytes(128 * 1024))
  const pack = (name, flag) => {
    const path = join(dir, name)
    const r = spawnSync('tar', [flag, '-cf', path, '-C', src, 'config.toml', 'files'])
    if (r.status !== 0) throw new Error(`tar ${flag} failed: ${r.stderr}`)
    return path
  }
  return { gz: pack('bundle.tar.gz', '--gzip'), zst: pack('bundle.tar.zst', '--zstd') }
}

const median = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1]

async function timeImport(dir, path, run) {
  const data = join(dir, `data-${run}`)
  mkdirSync(data)
  const input = new Uint8Array(readFileSync(path))
  const start = performance.now()
  const result = await importConfig(
    { files: nodeFiles, clock: nodeClock, log: quiet },
    { dataDir: data, input, fileName: path, source: 'cli' },
  )
  const ms = performance.now() - start
  if (!result.ok) throw new Error(`import refused: ${JSON.stringify(result.errors)}`)
  rmSync(data, { recursive: true, force: true })
  return ms
}

function timeTar(dir, path, flag, run) {
  const out = join(dir, `tar-${run}`)
  mkdirSync(out)
  const start = performance.now()
  const r = spawnSync('tar', [flag, '-xf', path, '-C', out])
  const ms = performance.now() - start
  if (r.status !== 0) throw new Error(`tar failed: ${r.stderr}`)
  rmSync(out, { recursive: true, force: true })
  return ms
}

/** Max RSS in MiB of a command, by GNU time; undefined without it. */
function peak(argv) {
  if (!existsSync(GNU_TIME)) return undefined
  const r = spawnSync(GNU_TIME, ['-f', '%M', ...argv], { encoding: 'utf8' })
  if (r.status !== 0) throw new Error(`${argv.join(' ')} failed: ${r.stderr}`)
  return Number(r.stderr.trim().split('\n').at(-1)) / 1024
}

/** Adds the bundle rows to the benchmark table. */
export async function run(report) {
  const dir = mkdtempSync(join(tmpdir(), 'anx-bench-bundles-'))
  try {
    const bundles = makeBundles(dir)
    for (const [kind, path, flag] of [
      ['.tar.gz', bundles.gz, '--gzip'],
      ['.tar.zst', bundles.zst, '--zstd'],
    ]) {
      const size = (readFileSync(path).length / 1024 / 1024).toFixed(1)
      const ours = []
      const theirs = []
      // Interleaved, so that drift of the machine (and of its disk) affects both alike.
      for (let i = 0; i < 7; i++) {
        ours.push(await timeImport(dir, path, `${kind}-${i}`))
        theirs.push(timeTar(dir, path, flag, `${kind}-${i}`))
      }
      report([
        `importConfig ${size} MiB ${kind} (fsyncs included)`,
        `${median(ours).toFixed(1)} ms`,
        `tar ${flag} -xf: ${median(theirs).toFixed(1)} ms`,
        `${(median(ours) / median(theirs)).toFixed(2)}x`,
      ])
      const data = join(dir, `peak-${kind}`)
      const out = join(dir, `peak-tar-${kind}`)
      mkdirSync(out)
      const mine = peak([process.execPath, cli, 'import', path, '--data', data])
      const tars = peak(['tar', flag, '-xf', path, '-C', out])
      report([
        `peak memory: atomicnix import ${kind}`,
        mine === undefined ? 'n/a' : `${mine.toFixed(1)} MiB`,
        `tar ${flag} -xf: ${tars === undefined ? 'n/a' : `${tars.toFixed(1)} MiB`}`,
        mine === undefined || tars === undefined ? 'n/a' : `${(mine / tars).toFixed(2)}x`,
      ])
    }
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}
