import { spawnSync } from 'node:child_process'
import {
  chmodSync,
  existsSync,
  lstatSync,
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
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { compileDevice, IoError, importConfig, type LogFields, openGenerations } from '../src/index.js'
import { nodeClock, nodeFiles } from '../src/node/index.js'
import { tar } from './support/tar.js'

const CLI = fileURLToPath(new URL('../dist/cli.js', import.meta.url))
const SEED_PATH = fileURLToPath(new URL('../../../examples/seed/config.toml', import.meta.url))
const SEED = readFileSync(SEED_PATH, 'utf8')
const encoder = new TextEncoder()

let scratch: string
beforeAll(() => {
  scratch = mkdtempSync(join(tmpdir(), 'anx-gen-'))
})
afterAll(() => rmSync(scratch, { recursive: true, force: true }))

let counter = 0
const freshData = () => {
  const dir = join(scratch, `data-${counter++}`)
  mkdirSync(dir)
  return dir
}

/** A log that keeps what the device decided, to assert that each decision is logged with its reason. */
function recordingLog() {
  const lines: { level: string; message: string; fields?: LogFields }[] = []
  const at = (level: string) => (message: string, fields?: LogFields) =>
    void lines.push({ level, message, ...(fields === undefined ? {} : { fields }) })
  return { lines, log: { info: at('info'), warn: at('warn'), error: at('error') } }
}

const deps = () => ({ files: nodeFiles, clock: nodeClock, log: recordingLog().log })

/** Every file below `root`, relative, with its bytes and mode; symlinks as their target. */
function snapshot(root: string, prefix = ''): Record<string, string> {
  const out: Record<string, string> = {}
  for (const e of readdirSync(join(root, prefix), { withFileTypes: true })) {
    const rel = join(prefix, e.name)
    const full = join(root, rel)
    if (e.isDirectory()) {
      out[`${rel}/`] = (statSync(full).mode & 0o7777).toString(8)
      Object.assign(out, snapshot(root, rel))
    } else if (e.isSymbolicLink()) out[rel] = `-> ${readlinkSync(full)}`
    else out[rel] = `${(statSync(full).mode & 0o7777).toString(8)} ${readFileSync(full).toString('base64')}`
  }
  return out
}

/** What DATA/config must hold for an input: its data/config files and directories, plus generation.json. */
function expected(input: string | Uint8Array, fileName?: string): Record<string, string> {
  const result = compileDevice(input, fileName === undefined ? {} : { fileName })
  if (!result.ok) throw new Error('input must be valid')
  const out: Record<string, string> = {}
  for (const f of result.value.files) {
    if (!f.path.startsWith('data/config/')) continue
    out[f.path.slice(12)] = `${f.mode.toString(8)} ${Buffer.from(f.contents).toString('base64')}`
  }
  return out
}

const importSeed = (dataDir: string, input: string | Uint8Array = SEED, fileName = 'config.toml') =>
  importConfig(deps(), {
    dataDir,
    input: typeof input === 'string' ? encoder.encode(input) : input,
    fileName,
    source: 'cli',
  })

describe('importConfig and the generation store', () => {
  it('writes one complete generation and links DATA/config to it, relatively', async () => {
    const data = freshData()
    const result = await importSeed(data)
    expect(result.ok).toBe(true)
    if (!result.ok) return
    expect(result.generation.id).toMatch(/^g000001-[0-9a-f]{12}$/)
    expect(readlinkSync(join(data, 'config'))).toBe(`generations/${result.generation.id}`)
    const files = snapshot(join(data, 'config'))
    const manifest = JSON.parse(readFileSync(join(data, 'config/generation.json'), 'utf8'))
    expect(manifest).toEqual({
      id: result.generation.id,
      created: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      source: {
        kind: 'cli',
        fileName: 'config.toml',
        sha256: '3fb190307df31f0a13c8ee669519cd9fbda795d3e8513f0c61af31d44f959a36',
      },
    })
    const files2 = Object.fromEntries(
      Object.entries(files).filter(([k]) => !k.endsWith('/') && k !== 'generation.json'),
    )
    expect(files2).toEqual(expected(SEED))
    // Nothing but the generation and the link: no lock, no temporary.
    expect(readdirSync(data).sort()).toEqual(['config', 'generations'])
    expect(readdirSync(join(data, 'generations'))).toEqual([result.generation.id])
  })

  it("a bundle's files/ payload lands in the generation, empty directories included", async () => {
    const data = freshData()
    const bundle = tar([
      { name: 'config.toml', content: SEED },
      { name: 'files/empty/', type: '5' },
      { name: 'files/bin/tool', content: new Uint8Array([1, 2, 3]), mode: 0o755 },
    ])
    const result = await importSeed(data, bundle, '/media/usb/site.tar')
    expect(result.ok).toBe(true)
    expect(lstatSync(join(data, 'config/files/empty')).isDirectory()).toBe(true)
    expect(readFileSync(join(data, 'config/files/bin/tool'))).toEqual(Buffer.from([1, 2, 3]))
    expect(statSync(join(data, 'config/files/bin/tool')).mode & 0o777).toBe(0o755)
    if (result.ok) expect(result.generation.manifest.source.fileName).toBe('site.tar')
  })

  it('rejected input writes nothing at all, not even DATA/generations', async () => {
    const data = freshData()
    const bad = await importSeed(data, 'version = 1\n')
    expect(bad.ok).toBe(false)
    const badBundle = await importSeed(data, tar([{ name: '../x', content: '' }]), 'b.tar')
    expect(badBundle.ok).toBe(false)
    expect(readdirSync(data)).toEqual([])
  })

  it('keeps the current generation and two more; previous() skips failed ones; rollback switches', async () => {
    const data = freshData()
    const ids: string[] = []
    for (let i = 0; i < 5; i++) {
      const r = await importSeed(data, `${SEED}# ${i}\n`)
      if (r.ok) ids.push(r.generation.id)
    }
    const store = openGenerations(deps(), data)
    const list = await store.list()
    expect(list.map((g) => g.id)).toEqual([ids[4], ids[3], ids[2]])
    expect(list.map((g) => g.current)).toEqual([true, false, false])
    expect((await store.previous())?.id).toBe(ids[3])
    await store.markFailed(ids[3]!, 'nft -f failed')
    expect((await store.list())[1]!.manifest.failed).toEqual({ at: expect.any(String), reason: 'nft -f failed' })
    expect((await store.previous())?.id).toBe(ids[2])
    const back = await store.rollback()
    expect(back.id).toBe(ids[2])
    expect((await store.current())?.id).toBe(ids[2])
    expect(readlinkSync(join(data, 'config'))).toBe(`generations/${ids[2]}`)
    // The newest one is not failed and is not current: rolling back again returns to it.
    expect((await store.previous())?.id).toBe(ids[4])
  })

  it('rollback without a previous generation is an IoError and changes nothing', async () => {
    const data = freshData()
    await importSeed(data)
    const store = openGenerations(deps(), data)
    await expect(store.rollback()).rejects.toThrow(IoError)
    await expect(openGenerations(deps(), freshData()).rollback()).rejects.toThrow(/no previous generation/)
  })
})

describe('recovery', () => {
  it('removes interrupted generations and temporary links, and logs each removal', async () => {
    const data = freshData()
    const ok = await importSeed(data)
    if (!ok.ok) throw new Error('import failed')
    mkdirSync(join(data, 'generations/.tmp-g000002-aaaaaaaaaaaa/quadlet'), { recursive: true })
    writeFileSync(join(data, 'generations/.tmp-g000002-aaaaaaaaaaaa/config.toml'), 'partial')
    mkdirSync(join(data, 'generations/.trash-g000000-bbbbbbbbbbbb'))
    symlinkSync('generations/g000002-aaaaaaaaaaaa', join(data, '.config-new-g000002-aaaaaaaaaaaa'))
    const { lines, log } = recordingLog()
    await openGenerations({ files: nodeFiles, clock: nodeClock, log }, data).recover()
    expect(readdirSync(join(data, 'generations'))).toEqual([ok.generation.id])
    expect(readdirSync(data).sort()).toEqual(['config', 'generations'])
    expect(lines.filter((l) => l.message === 'removed an interrupted generation')).toHaveLength(2)
  })

  it('removes a complete generation that an interrupted write never switched to, but not one rolled back from', async () => {
    const data = freshData()
    const first = await importSeed(data)
    const second = await importSeed(data, `${SEED}# 2\n`)
    if (!first.ok || !second.ok) throw new Error('import failed')
    const store = openGenerations(deps(), data)
    await store.rollback()
    // As if a third import had renamed its generation into place and lost power before the switch.
    const orphan = 'g000003-dddddddddddd'
    const dir = join(data, 'generations', orphan)
    mkdirSync(dir)
    writeFileSync(
      join(dir, 'generation.json'),
      JSON.stringify({ id: orphan, created: '2026-01-01T00:00:00Z', source: { kind: 'usb', sha256: 'd'.repeat(64) } }),
    )
    await store.recover()
    expect((await store.list()).map((g) => g.id)).toEqual([second.generation.id, first.generation.id])
    expect((await store.list())[0]!.manifest.rolledBack).toEqual({ at: expect.any(String) })
    expect((await store.previous())?.id).toBe(second.generation.id)
  })

  it('a dangling DATA/config is pointed at the newest good generation, with a warning', async () => {
    const data = freshData()
    await importSeed(data)
    const second = await importSeed(data, `${SEED}# 2\n`)
    if (!second.ok) throw new Error('import failed')
    rmSync(join(data, 'config'))
    symlinkSync('generations/g999999-cccccccccccc', join(data, 'config'))
    const { lines, log } = recordingLog()
    await openGenerations({ files: nodeFiles, clock: nodeClock, log }, data).recover()
    expect(readlinkSync(join(data, 'config'))).toBe(`generations/${second.generation.id}`)
    expect(lines.some((l) => l.level === 'warn' && l.fields?.generation === second.generation.id)).toBe(true)
  })

  it('migrates a plain DATA/config directory from older firmware without losing a file', async () => {
    const data = freshData()
    const old = join(data, 'config')
    mkdirSync(join(old, 'files/web'), { recursive: true })
    mkdirSync(join(old, 'ssh-authorized-keys'))
    writeFileSync(join(old, 'config.toml'), SEED, { mode: 0o600 })
    writeFileSync(join(old, 'ssh-authorized-keys/admin'), 'ssh-ed25519 AAAA x\n', { mode: 0o600 })
    writeFileSync(join(old, 'files/web/index.html'), '<p>old</p>')
    chmodSync(join(old, 'files/web/index.html'), 0o640)
    writeFileSync(join(old, 'ssh-wan-enabled'), '')
    symlinkSync('web/index.html', join(old, 'files/link'))
    const before = snapshot(old)
    await openGenerations(deps(), data).recover()
    expect(lstatSync(old).isSymbolicLink()).toBe(true)
    const after = snapshot(old)
    const manifest = JSON.parse(readFileSync(join(old, 'generation.json'), 'utf8'))
    expect(manifest.source.kind).toBe('migration')
    delete after['generation.json']
    expect(after).toEqual(before)
    expect(readdirSync(data).sort()).toEqual(['config', 'generations'])
  })

  it('finishes a migration cut short between its two renames', async () => {
    const data = freshData()
    await importSeed(data)
    const id = readlinkSync(join(data, 'config')).split('/')[1]!
    rmSync(join(data, 'config'))
    mkdirSync(join(data, `.config-migrating-${id}`))
    await openGenerations(deps(), data).recover()
    expect(readlinkSync(join(data, 'config'))).toBe(`generations/${id}`)
    expect(readdirSync(data).sort()).toEqual(['config', 'generations'])
  })

  it('refuses to touch a DATA/config that is a regular file', async () => {
    const data = freshData()
    writeFileSync(join(data, 'config'), 'x')
    await expect(openGenerations(deps(), data).recover()).rejects.toThrow(/neither a symlink nor a directory/)
  })
})

describe('the writer lock', () => {
  it('a second writer waits for the first, then fails clearly after its timeout', async () => {
    const data = freshData()
    await importSeed(data)
    const held = await nodeFiles.tryLock(join(data, 'generations/.lock'))
    expect(held.acquired).toBe(true)
    const started = performance.now()
    const waiting = importConfig(deps(), {
      dataDir: data,
      input: encoder.encode(`${SEED}# waits\n`),
      source: 'api',
      lockTimeoutMs: 300,
    })
    await expect(waiting).rejects.toThrow(/another writer holds it \(pid=\d+ .*\); gave up after 300 ms/)
    expect(performance.now() - started).toBeGreaterThanOrEqual(290)
    if (held.acquired) await held.release()
    expect((await importSeed(data, `${SEED}# after\n`)).ok).toBe(true)
  })

  it('a lock left by a killed process, or from an earlier boot, is broken', async () => {
    const data = freshData()
    await importSeed(data)
    const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' })
    const lock = join(data, 'generations/.lock')
    symlinkSync(`pid=${dead.stdout} start=1 boot=whatever`, lock)
    const { lines, log } = recordingLog()
    const broke = await importConfig(
      { files: nodeFiles, clock: nodeClock, log },
      { dataDir: data, input: encoder.encode(`${SEED}# 1\n`), source: 'usb' },
    )
    expect(broke.ok).toBe(true)
    expect(lines).toContainEqual({
      level: 'warn',
      message: 'broke a writer lock whose holder is gone',
      fields: { lock, holder: `pid=${dead.stdout} start=1 boot=whatever` },
    })
    const boot = readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim()
    symlinkSync(`pid=${process.pid} start=1 boot=${boot}-earlier`, lock)
    expect((await importSeed(data, `${SEED}# 2\n`)).ok).toBe(true)
    // Our own pid with a start time that is not ours: a reused pid, so the holder is gone too.
    symlinkSync(`pid=${process.pid} start=1 boot=${boot}`, lock)
    expect((await importSeed(data, `${SEED}# 3\n`)).ok).toBe(true)
    expect(existsSync(lock)).toBe(false)
  })
})

describe('atomicnix import, generations, rollback', () => {
  const atomicnix = (args: string[]) => {
    const r = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8' })
    return { code: r.status, stdout: r.stdout, stderr: r.stderr }
  }

  it('import: exit 0 with the generation, 1 with nothing written, 2 for I/O errors', () => {
    const data = freshData()
    const ok = atomicnix(['import', SEED_PATH, '--data', data])
    expect(ok.code).toBe(0)
    expect(ok.stdout).toMatch(/config\.toml: imported as generation g000001-[0-9a-f]{12}\n$/)
    expect(ok.stderr).toContain('warning[publish_port_loopback]')
    const json = JSON.parse(atomicnix(['import', SEED_PATH, '--data', data, '--json']).stdout)
    expect(json).toMatchObject({ ok: true, errors: [], generation: expect.stringMatching(/^g000002-/) })
    const badFile = join(scratch, 'bad.tar')
    writeFileSync(
      badFile,
      tar([
        { name: 'config.toml', content: SEED },
        { name: 'files/l', type: '2', linkName: '/' },
      ]),
    )
    const empty = freshData()
    const bad = atomicnix(['import', badFile, '--data', empty])
    expect(bad.code).toBe(1)
    expect(bad.stderr).toMatch(/bad\.tar error\[bundle_symlink\] files\/l: A symbolic link/)
    expect(readdirSync(empty)).toEqual([])
    const badJson = JSON.parse(atomicnix(['import', badFile, '--data', empty, '--json']).stdout)
    expect(badJson.errors.map((e: { code: string }) => e.code)).toEqual(['bundle_symlink'])
    expect(atomicnix(['import', join(scratch, 'missing.toml'), '--data', empty]).code).toBe(2)
    expect(atomicnix(['import', '--data', empty]).code).toBe(2)
  })

  it('generations lists newest first with the current one marked; rollback switches or exits 1', () => {
    const data = freshData()
    expect(atomicnix(['generations', '--data', data]).stdout).toBe('no generations\n')
    expect(atomicnix(['rollback', '--data', data]).code).toBe(1)
    atomicnix(['import', SEED_PATH, '--data', data])
    const bundle = join(scratch, 'site.tar.gz')
    writeFileSync(bundle, spawnSync('gzip', ['-c'], { input: tar([{ name: 'config.toml', content: SEED }]) }).stdout)
    expect(atomicnix(['import', bundle, '--data', data]).code).toBe(0)
    const listed = atomicnix(['generations', '--data', data]).stdout.trim().split('\n')
    expect(listed).toHaveLength(2)
    expect(listed[0]).toMatch(/^\* g000002-\S+ {2}\S+ {2}cli "site\.tar\.gz" {2}sha256:[0-9a-f]{64}$/)
    expect(listed[1]).toMatch(/^ {2}g000001-/)
    const rolled = atomicnix(['rollback', '--data', data])
    expect(rolled.code).toBe(0)
    expect(rolled.stdout).toMatch(/^rolled back from g000002-\S+ to g000001-\S+\n$/)
    const json = JSON.parse(atomicnix(['generations', '--data', data, '--json']).stdout)
    expect(json.generations.map((g: { current: boolean }) => g.current)).toEqual([false, true])
  })

  it('render writes a bundle (payload included) below the root', () => {
    const root = join(scratch, 'render-root')
    const bundle = join(scratch, 'render.tar')
    writeFileSync(
      bundle,
      tar([
        { name: 'config.toml', content: SEED },
        { name: 'files/a/b.txt', content: 'b' },
      ]),
    )
    const r = atomicnix(['render', bundle, '--root', root])
    expect(r.code).toBe(0)
    expect(readFileSync(join(root, 'data/config/files/a/b.txt'), 'utf8')).toBe('b')
    expect(readFileSync(join(root, 'data/config/config.toml'), 'utf8')).toBe(SEED)
  })
})
