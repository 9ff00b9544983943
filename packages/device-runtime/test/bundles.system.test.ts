import { spawn, spawnSync } from 'node:child_process'
import { createWriteStream, existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { createGzip } from 'node:zlib'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { describeSystem } from '../../../test/support/system.js'
import { tar } from './support/tar.js'

const CLI = fileURLToPath(new URL('../dist/cli.js', import.meta.url))
const SEED = fileURLToPath(new URL('../../../examples/seed/config.toml', import.meta.url))
const MiB = 1024 * 1024
const MEMBER = 30 * MiB
/** 140 members of 30 MiB: 4.1 GiB of tar, each member within the one-file limit, the whole far over the total. */
const MEMBERS = 140

let dir: string
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'anx-bomb-'))
})
afterAll(() => rmSync(dir, { recursive: true, force: true }))

/**
 * Writes the bomb's tar stream, generated as it goes (nothing of it is held in memory), into `sink`; resolves with
 * the number of tar bytes it stood for.
 */
async function writeBombTar(sink: NodeJS.WritableStream): Promise<number> {
  const zeros = new Uint8Array(MiB)
  let total = 0
  const write = (chunk: Uint8Array) =>
    new Promise<void>((resolve, reject) => {
      total += chunk.length
      if (sink.write(chunk)) resolve()
      else sink.once('drain', resolve)
      sink.once('error', reject)
    })
  await write(tar([{ name: 'config.toml', content: '' }], { end: false }))
  for (let m = 0; m < MEMBERS; m++) {
    await write(tar([{ name: `files/zeros-${m}`, size: MEMBER }], { end: false }))
    for (let i = 0; i < MEMBER / MiB; i++) await write(zeros)
  }
  await write(new Uint8Array(1024))
  return total
}

/**
 * Runs `atomicnix import FILE --json` into a fresh DATA under GNU time: the outcome's issue codes, whether DATA was
 * written, and the process's peak resident memory (max RSS, what /proc/PID/status calls VmHWM).
 */
function importInChild(path: string): { codes: string[]; ok: boolean; hwmMiB: number; wrote: boolean } {
  const data = join(dir, `data-${Math.random().toString(36).slice(2)}`)
  const r = spawnSync('time', ['-f', '%M', process.execPath, CLI, 'import', path, '--data', data, '--json'], {
    encoding: 'utf8',
  })
  if (r.status !== 0 && r.status !== 1) throw new Error(`import failed: ${r.stderr}`)
  const report = JSON.parse(r.stdout)
  const hwmMiB = Number(r.stderr.trim().split('\n').at(-1)) / 1024
  const outcome = {
    codes: report.errors.map((e: { code: string }) => e.code),
    ok: report.ok,
    hwmMiB,
    wrote: existsSync(data),
  }
  process.stderr.write(
    `[bundle memory] atomicnix import ${path}: peak ${hwmMiB.toFixed(1)} MiB, ${JSON.stringify(outcome.codes)}\n`,
  )
  expect(r.status).toBe(report.ok ? 0 : 1)
  return outcome
}

describeSystem('bundle bombs', { commands: ['zstd', 'time'] }, () => {
  it('a gzip bomb of 4.1 GiB is refused at the 64 MiB limit, peak memory under 200 MiB', async () => {
    const path = join(dir, 'bomb.tar.gz')
    const gzip = createGzip({ level: 1 })
    const out = createWriteStream(path)
    gzip.pipe(out)
    const written = await writeBombTar(gzip)
    gzip.end()
    await new Promise<void>((resolve) => out.on('close', () => resolve()))
    expect(written).toBeGreaterThan(4 * 1024 * MiB)
    expect(statSync(path).size).toBeLessThan(32 * MiB)
    const r = importInChild(path)
    expect(r.codes).toEqual(['bundle_too_large'])
    expect(r.wrote).toBe(false)
    expect(r.hwmMiB).toBeLessThan(200)
  })

  it('a zstd bomb of 4.1 GiB (made by the zstd program) is refused likewise', async () => {
    const path = join(dir, 'bomb.tar.zst')
    const zstd = spawn('zstd', ['-1', '-q', '-c', '-o', path, '-f'], { stdio: ['pipe', 'inherit', 'inherit'] })
    const done = new Promise((resolve) => zstd.on('close', resolve))
    const written = await writeBombTar(zstd.stdin)
    zstd.stdin.end()
    expect(await done).toBe(0)
    expect(written).toBeGreaterThan(4 * 1024 * MiB)
    const r = importInChild(path)
    expect(r.codes).toEqual(['bundle_too_large'])
    expect(r.wrote).toBe(false)
    expect(r.hwmMiB).toBeLessThan(200)
  })

  it('a bundle just inside the limits (61 MiB unpacked, incompressible) is accepted; memory is the input and the limits', () => {
    const path = join(dir, 'full.tar.zst')
    const payload = spawnSync('bash', ['-c', `head -c ${31 * MiB} /dev/urandom`], { maxBuffer: 64 * MiB }).stdout
    const members = [
      { name: 'config.toml', content: readFileSync(SEED) },
      { name: 'files/a', content: payload },
      { name: 'files/b', content: payload.subarray(0, 30 * MiB) },
    ]
    const z = spawnSync('zstd', ['-3', '-q', '-c'], { input: tar(members), maxBuffer: 128 * MiB })
    writeFileSync(path, z.stdout)
    const r = importInChild(path)
    expect(r.codes).toEqual([])
    expect(r.ok).toBe(true)
    // Held at once: Node with the command (about 50 MiB), the input (61 MiB: it does not compress), the copy of it
    // that Web Crypto hashes, the unpacked files (61 MiB), and decoder output that V8 collects once 64 MiB of it has
    // accumulated. All of it is set by the input size and the limits; nothing grows with what the archive claims.
    expect(r.hwmMiB).toBeLessThan(50 + 61 + 61 + 61 + 64)
  })
})
