import { type ChildProcess, spawn, spawnSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import {
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { build } from 'esbuild'
import { gzip as gzipSync } from 'pako'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { describeSystem } from '../../../test/support/system.js'
import { compileDevice, openGenerations } from '../src/index.js'
import { nodeClock, nodeFiles } from '../src/node/index.js'
import { tar } from './support/tar.js'

const CLI = fileURLToPath(new URL('../dist/cli.js', import.meta.url))
const SEED = readFileSync(new URL('../../../examples/seed/config.toml', import.meta.url), 'utf8')
/** Kills of the importing process: at least 200 under CI, fewer on a developer's machine. */
const KILLS = Number(process.env.CRASH_KILLS ?? (process.env.CI ? 200 : 40))
const quiet = { info() {}, warn() {}, error() {} }

let dir: string
/** The importing child, bundled from the sources so that it starts in a few tens of milliseconds. */
let loop: string
const source = (name: string) => fileURLToPath(new URL(`../../${name}/src/index.ts`, import.meta.url))
/** The inputs, and for each the exact DATA/config it must produce (path → mode and contents), by SHA-256. */
const inputs: string[] = []
const expected = new Map<string, Record<string, string>>()

function addInput(name: string, bytes: Uint8Array) {
  const path = join(dir, name)
  writeFileSync(path, bytes)
  inputs.push(path)
  const result = compileDevice(bytes, { fileName: name })
  if (!result.ok) throw new Error(`${name} must be valid`)
  const files: Record<string, string> = {}
  for (const f of result.value.files) {
    if (!f.path.startsWith('data/config/')) continue
    files[f.path.slice(12)] = `${f.mode.toString(8)} ${Buffer.from(f.contents).toString('base64')}`
  }
  for (const d of result.value.directories) files[`${d.slice(12)}/`] = 'dir'
  expected.set(createHash('sha256').update(bytes).digest('hex'), files)
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'anx-crash-'))
  loop = join(dir, 'import-loop.mjs')
  await build({
    entryPoints: [fileURLToPath(new URL('./support/import-loop.ts', import.meta.url))],
    outfile: loop,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    external: ['node:*'],
    logLevel: 'silent',
    alias: {
      '@atomicnix/config-schema': source('config-schema'),
      '@atomicnix/firewall-plan': source('firewall-plan'),
      '@atomicnix/lan-plan': source('lan-plan'),
      '@atomicnix/quadlet-render': source('quadlet-render'),
    },
  })
  const encoder = new TextEncoder()
  addInput('a.toml', encoder.encode(SEED))
  const payload = Array.from({ length: 40 }, (_, i) => ({
    name: `files/site/page-${i}.html`,
    content: `<p>${'x'.repeat(i * 97)}</p>\n`,
  }))
  addInput('b.tar.gz', gzipSync(tar([{ name: 'config.toml', content: `${SEED}# b\n` }, ...payload])))
  addInput(
    'c.tar',
    tar([
      { name: 'config.toml', content: `${SEED}# c\n` },
      { name: 'files/empty/', type: '5' },
    ]),
  )
})
afterAll(() => rmSync(dir, { recursive: true, force: true }))

/** What DATA/config holds: each file with its mode and contents, each directory; generation.json left out. */
function snapshot(root: string, prefix = ''): Record<string, string> {
  const out: Record<string, string> = {}
  for (const e of readdirSync(join(root, prefix), { withFileTypes: true })) {
    const rel = prefix === '' ? e.name : `${prefix}/${e.name}`
    if (e.isDirectory()) {
      if (rel.startsWith('files')) out[`${rel}/`] = 'dir'
      Object.assign(out, snapshot(root, rel))
    } else if (rel !== 'generation.json') {
      const full = join(root, rel)
      out[rel] = `${(statSync(full).mode & 0o777).toString(8)} ${readFileSync(full).toString('base64')}`
    }
  }
  return out
}

/** DATA holds exactly one complete generation as its config and nothing half-done. */
function assertOneCompleteState(data: string): string {
  const target = readlinkSync(join(data, 'config'))
  expect(target).toMatch(/^generations\/g\d{6}-[0-9a-f]{12}$/)
  const manifest = JSON.parse(readFileSync(join(data, 'config/generation.json'), 'utf8'))
  expect(`generations/${manifest.id}`).toBe(target)
  const want = expected.get(manifest.source.sha256)
  expect(want, `a generation from an unknown input ${manifest.source.sha256}`).toBeDefined()
  expect(snapshot(join(data, 'config'))).toEqual(want)
  const stray = [
    ...readdirSync(data).filter((n) => n !== 'config' && n !== 'generations'),
    ...readdirSync(join(data, 'generations')).filter((n) => !/^g\d{6}-[0-9a-f]{12}$/.test(n)),
  ]
  expect(stray).toEqual([])
  return manifest.id
}

function waitForOutput(child: ChildProcess, text: string): Promise<void> {
  return new Promise((resolve, reject) => {
    let seen = ''
    child.stdout!.on('data', (chunk: Buffer) => {
      seen += chunk.toString()
      if (seen.includes(text)) resolve()
    })
    child.on('exit', (code) => reject(new Error(`child exited (${code}) before "${text}"`)))
  })
}

describeSystem('crash-safe generations', {}, () => {
  it(`SIGKILLed ${KILLS} times while importing, recovery always leaves one complete generation`, async () => {
    const data = join(dir, 'data-crash')
    mkdirSync(data)
    const store = openGenerations({ files: nodeFiles, clock: nodeClock, log: quiet }, data)
    const seen = new Set<string>()
    let completed = 0
    for (let kill = 0; kill < KILLS; kill++) {
      const child = spawn(process.execPath, [loop, data, ...inputs], { stdio: ['ignore', 'pipe', 'inherit'] })
      let lines = 0
      child.stdout.on('data', (chunk: Buffer) => {
        lines += chunk.toString().split('\n').length - 1
      })
      await waitForOutput(child, 'ready\n')
      // The first kill waits for one complete import, so that there is always a state to keep.
      if (kill === 0) await waitForOutput(child, 'g0')
      // One import takes tens of milliseconds (fsyncs); a random moment inside the next few lands anywhere in one.
      await new Promise((resolve) => setTimeout(resolve, Math.random() * 120))
      const exited = new Promise((resolve) => child.on('exit', resolve))
      child.kill('SIGKILL')
      await exited
      completed += Math.max(0, lines - 1)
      await store.recover()
      seen.add(assertOneCompleteState(data))
      expect((await store.list()).length).toBeLessThanOrEqual(3)
    }
    process.stderr.write(`[crash test] ${KILLS} kills, ${completed} imports completed, ${seen.size} generations seen\n`)
    // The kills landed at different moments: the state moved on between them.
    expect(seen.size).toBeGreaterThan(KILLS / 10)
  })

  it('ten processes importing at once (past a stale lock) end with one complete state, no temporary files, no lock', async () => {
    const data = join(dir, 'data-ten')
    mkdirSync(join(data, 'generations'), { recursive: true })
    // A lock left by a process that is gone: all ten find it at once, and exactly one may break it.
    const gone = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' })
    symlinkSync(`pid=${gone.stdout} start=1 boot=x`, join(data, 'generations/.lock'))
    const runs = Array.from({ length: 10 }, (_, i) => {
      const child = spawn(process.execPath, [CLI, 'import', inputs[i % inputs.length]!, '--data', data, '--json'], {
        stdio: ['ignore', 'pipe', 'pipe'],
      })
      let stdout = ''
      child.stdout.on('data', (c: Buffer) => {
        stdout += c.toString()
      })
      return new Promise<{ code: number | null; stdout: string }>((resolve) =>
        child.on('close', (code) => resolve({ code, stdout })),
      )
    })
    const results = await Promise.all(runs)
    expect(results.map((r) => r.code)).toEqual(Array(10).fill(0))
    const ids = results.map((r) => JSON.parse(r.stdout).generation as string)
    // Serialized: each writer got its own sequence number, 1 to 10.
    expect(ids.map((id) => Number(id.slice(1, 7))).sort((a, b) => a - b)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10])
    const current = assertOneCompleteState(data)
    expect(current.startsWith('g000010-')).toBe(true)
    expect(readdirSync(join(data, 'generations')).sort()).toHaveLength(3)
  })
})
