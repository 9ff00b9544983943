/**
 * applyCurrent with in-memory ports: the cases that real programs cannot be made to produce on demand (a write that
 * fails, a command that times out, a generation marked failed, none at all). The end-to-end behaviour with real nft
 * and recording programs is in apply.system.test.ts.
 */
import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { type ApplyGeneration, type ApplyGenerations, applyCurrent, readLastApply } from '../../src/apply/apply.js'
import type { Clock, Exec, ExecResult, Files, Log } from '../../src/ports.js'
import { IoError } from '../../src/ports.js'

const SEED = readFileSync(new URL('../../../../examples/seed/config.toml', import.meta.url), 'utf8')
const encoder = new TextEncoder()

/** A file system in a Map: regular files only, directories implied by paths. */
function memoryFiles(failWrites: (path: string) => boolean = () => false) {
  const store = new Map<string, { contents: Uint8Array; mode: number }>()
  const files: Files = {
    async readRegularFile(path, limit) {
      const f = store.get(path)
      if (f === undefined) throw new IoError(`cannot read ${path}: no such file`)
      return f.contents.slice(0, limit)
    },
    async readIfExists(path, limit) {
      const f = store.get(path)
      return f === undefined ? undefined : { contents: f.contents.slice(0, limit), mode: f.mode }
    },
    async writeFileAtomic(path, contents, mode) {
      if (failWrites(path)) throw new IoError(`cannot write ${path}: no space left on device`)
      store.set(path, { contents: typeof contents === 'string' ? encoder.encode(contents) : contents, mode })
    },
    async inspect(path) {
      const f = store.get(path)
      if (f !== undefined) return { kind: 'file', size: f.contents.length, mode: f.mode }
      return [...store.keys()].some((k) => k.startsWith(`${path}/`))
        ? { kind: 'directory', size: 0, mode: 0o755 }
        : undefined
    },
    async remove(path) {
      store.delete(path)
    },
    async syncDirectory() {},
    async makeDirectory() {},
    async tryLock() {
      return { acquired: true, release: async () => undefined }
    },
    readDirectory: async (path) => ([...store.keys()].some((k) => k.startsWith(`${path}/`)) ? [] : undefined),
    readSymlink: async () => undefined,
    writeNewFile: async () => undefined,
    symlink: async () => undefined,
    rename: async () => undefined,
    readStandardInput: async () => new Uint8Array(),
    // The boot journal's and the upgrade's operations: apply never calls them.
    appendDurable: async () => {
      throw new Error('not used by apply')
    },
    openAppend: async () => {
      throw new Error('not used by apply')
    },
    freeBytes: async () => {
      throw new Error('not used by apply')
    },
    sha256File: async () => {
      throw new Error('not used by apply')
    },
  }
  return { files, store }
}

/** An Exec that records argv and answers by a function. */
function recordingExec(answer: (argv: readonly string[]) => Partial<ExecResult> = () => ({})) {
  const calls: string[] = []
  const exec: Exec = {
    async run(argv) {
      calls.push(argv.join(' '))
      return {
        argv,
        exitCode: 0,
        signal: null,
        stdout: '',
        stderr: '',
        durationMs: 1,
        timedOut: false,
        ...answer(argv),
      }
    },
  }
  return { exec, calls }
}

/** Generations in memory: a list, newest last, and the current one. */
function memoryGenerations(ids: string[], dataDir: string) {
  const gens = new Map<string, ApplyGeneration>(ids.map((id) => [id, { id, dir: `${dataDir}/generations/${id}` }]))
  let current = ids[ids.length - 1]
  const generations: ApplyGenerations = {
    current: async () => (current === undefined ? undefined : gens.get(current)),
    previous: async () => [...gens.values()].reverse().find((g) => g.id !== current && g.failed === undefined),
    rollback: async () => {
      const target = await generations.previous()
      if (target === undefined) throw new IoError('no previous generation')
      current = target.id
      return target
    },
    markFailed: async (id, reason) => {
      gens.set(id, { ...gens.get(id)!, failed: { at: 'now', reason } })
    },
  }
  const add = (id: string) => gens.set(id, { id, dir: `${dataDir}/generations/${id}` })
  const switchTo = (id: string) => {
    current = id
  }
  return { generations, gens, current: () => current, add, switchTo }
}

const clock: Clock = { now: () => Date.UTC(2026, 11, 1), monotonic: () => 0, sleep: async () => undefined }
const log: Log = { info: () => undefined, warn: () => undefined, error: () => undefined }
const DATA = '/data'
const ROOT = '/root'
const passwd = (store: Map<string, { contents: Uint8Array; mode: number }>) =>
  store.set(`${ROOT}/etc/passwd`, {
    contents: encoder.encode('appsvc:x:990:990::/var/lib/appsvc:/bin/sh\n'),
    mode: 0o644,
  })
const config = (store: Map<string, { contents: Uint8Array; mode: number }>, id: string, text: string) =>
  store.set(`${DATA}/generations/${id}/config.toml`, { contents: encoder.encode(text), mode: 0o600 })

describe('applyCurrent', () => {
  it('a write that fails is a failed step: nothing after it runs, and the config change is reverted', async () => {
    let full = false
    const { files, store } = memoryFiles((path) => full && path.endsWith('/dnsmasq.conf'))
    passwd(store)
    config(store, 'g1', SEED)
    const first = memoryGenerations(['g1'], DATA)
    const { exec } = recordingExec()
    expect(
      (await applyCurrent({ files, exec, clock, log, generations: first.generations }, { dataDir: DATA, root: ROOT }))
        .ok,
    ).toBe(true)

    // g2 changes the DHCP range; the disk is full when dnsmasq.conf is written.
    config(store, 'g2', SEED.replace('dhcp_end = "172.20.30.254"', 'dhcp_end = "172.20.30.200"'))
    const { generations, gens, current } = memoryGenerations(['g1', 'g2'], DATA)
    full = true
    const report = await applyCurrent({ files, exec, clock, log, generations }, { dataDir: DATA, root: ROOT })
    expect(report.ok).toBe(false)
    expect(report.runs[0]!.steps).toEqual([
      {
        name: 'write',
        durationMs: 0,
        files: ['etc/atomicnix/dnsmasq.conf'],
        ok: false,
        error: `cannot write ${ROOT}/etc/atomicnix/dnsmasq.conf: no space left on device`,
      },
      {
        name: 'dnsmasq-restart',
        argv: ['systemctl', 'restart', 'dnsmasq.service'],
        durationMs: 0,
        files: ['etc/atomicnix/dnsmasq.conf'],
        ok: false,
        skipped: 'an earlier step failed',
      },
    ])
    expect(report.reverted).toMatchObject({ from: 'g2', to: 'g1' })
    expect(gens.get('g2')?.failed?.reason).toContain('no space left on device')
    expect(current()).toBe('g1')
    // g1's files are all still in place (the failed write changed nothing): the second run does nothing.
    expect(report.runs[1]).toEqual({ generation: 'g1', steps: [], written: [], removed: [], ok: true })
    expect(await readLastApply(files, DATA)).toEqual(report)
  })

  it('a command that times out fails with the limit in its error', async () => {
    const { files, store } = memoryFiles()
    passwd(store)
    config(store, 'g1', SEED)
    const { generations } = memoryGenerations(['g1'], DATA)
    const { exec } = recordingExec((argv) =>
      argv[0] === 'networkctl' ? { exitCode: null, signal: 'SIGTERM', timedOut: true } : {},
    )
    const report = await applyCurrent({ files, exec, clock, log, generations }, { dataDir: DATA, root: ROOT })
    expect(report.runs[0]!.steps.find((s) => s.name === 'networkd-reload')).toMatchObject({
      ok: false,
      exitCode: null,
      error: 'timed out after 30000 ms',
    })
    // The only generation: nothing to revert to, and it is not marked failed.
    expect(report.reverted).toBeUndefined()
    expect(report.error).toMatch(/^not reverted: no earlier generation/)
  })

  it('a program that cannot start fails its step with the reason', async () => {
    const { files, store } = memoryFiles()
    passwd(store)
    config(store, 'g1', SEED)
    const { generations } = memoryGenerations(['g1'], DATA)
    const { exec } = recordingExec((argv) =>
      argv[0] === 'nft' ? { exitCode: null, spawnError: 'nft: not found on PATH' } : {},
    )
    const report = await applyCurrent({ files, exec, clock, log, generations }, { dataDir: DATA, root: ROOT })
    expect(report.runs[0]!.steps[1]).toMatchObject({ name: 'nft-check', ok: false, error: 'nft: not found on PATH' })
    expect(report.runs[0]!.steps.slice(2).every((s) => s.skipped === 'an earlier step failed')).toBe(true)
  })

  it('refuses a current generation marked failed, and reports when there is none', async () => {
    const { files, store } = memoryFiles()
    config(store, 'g1', SEED)
    const { generations, gens } = memoryGenerations(['g1'], DATA)
    gens.set('g1', { ...gens.get('g1')!, failed: { at: 'then', reason: 'dnsmasq did not start' } })
    const { exec, calls } = recordingExec()
    const refused = await applyCurrent({ files, exec, clock, log, generations }, { dataDir: DATA, root: ROOT })
    expect(refused).toMatchObject({ ok: false, runs: [] })
    expect(refused.error).toContain('g1 is marked failed (dnsmasq did not start)')
    const none = await applyCurrent(
      { files, exec, clock, log, generations: memoryGenerations([], DATA).generations },
      { dataDir: DATA, root: ROOT },
    )
    expect(none).toMatchObject({ ok: false, runs: [], error: 'no current generation in /data' })
    expect(calls).toEqual([])
  })

  it('refuses a data directory that does not exist, and creates nothing', async () => {
    const { files, store } = memoryFiles()
    const { exec } = recordingExec()
    await expect(
      applyCurrent(
        { files, exec, clock, log, generations: memoryGenerations([], '/nowhere').generations },
        {
          dataDir: '/nowhere',
          root: ROOT,
        },
      ),
    ).rejects.toThrow(IoError)
    expect(store.size).toBe(0)
  })

  it('a generation imported during a failing run is not rolled back; the failed one is marked', async () => {
    const { files, store } = memoryFiles()
    passwd(store)
    config(store, 'g1', SEED)
    const { generations, gens, current, add, switchTo } = memoryGenerations(['g1'], DATA)
    const { exec } = recordingExec()
    expect((await applyCurrent({ files, exec, clock, log, generations }, { dataDir: DATA, root: ROOT })).ok).toBe(true)
    config(store, 'g2', SEED.replace('dhcp_end = "172.20.30.254"', 'dhcp_end = "172.20.30.200"'))
    add('g2')
    switchTo('g2')
    // While dnsmasq restarts (and fails), g3 is imported and becomes current.
    const racing = recordingExec((argv) => {
      if (argv.join(' ') !== 'systemctl restart dnsmasq.service') return {}
      add('g3')
      switchTo('g3')
      return { exitCode: 1, stderr: 'Job for dnsmasq.service failed.' }
    })
    const report = await applyCurrent(
      { files, exec: racing.exec, clock, log, generations },
      { dataDir: DATA, root: ROOT },
    )
    expect(report.ok).toBe(false)
    expect(report.runs).toHaveLength(1)
    expect(report.reverted).toBeUndefined()
    expect(report.error).toContain('g3 became current meanwhile')
    expect(gens.get('g2')?.failed).toBeDefined()
    expect(current()).toBe('g3')
  })

  it('a run cut short (a crash after the firewall) leaves the next apply running every step again', async () => {
    const { files, store } = memoryFiles()
    passwd(store)
    config(store, 'g1', SEED)
    const { generations } = memoryGenerations(['g1'], DATA)
    const crashing: Exec = {
      async run(argv) {
        if (argv[0] === 'networkctl') throw new Error('power cut')
        return { argv, exitCode: 0, signal: null, stdout: '', stderr: '', durationMs: 1, timedOut: false }
      },
    }
    await expect(
      applyCurrent({ files, exec: crashing, clock, log, generations }, { dataDir: DATA, root: ROOT }),
    ).rejects.toThrow('power cut')
    // Every file is on disk now, but only nft ever read one.
    const { exec, calls } = recordingExec()
    const report = await applyCurrent({ files, exec, clock, log, generations }, { dataDir: DATA, root: ROOT })
    expect(report.ok).toBe(true)
    expect(calls).toContain('networkctl reload')
    expect(calls).toContain('systemctl restart dnsmasq.service')
    expect(calls).toHaveLength(9)
  })
})
