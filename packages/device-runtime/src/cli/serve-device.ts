import {
  type ApiDeps,
  BusyError,
  type GenerationSummary,
  type InputCheck,
  type PersistResult,
  type Provisioning,
} from '../api/app.js'
import { applyCurrent, readLastApply } from '../apply/apply.js'
import { checkDeviceInput } from '../compile.js'
import { type Generation, openGenerations } from '../generations/store.js'
import { importConfig } from '../import.js'
import { readBootJournal } from '../journal/journal.js'
import { readSlotRecord } from '../journal/slots.js'
import { IoError } from '../ports.js'
import type { CliDeps } from './run.js'

/** What `serve` needs beyond the app's dependencies: the LAN MAC for host names, and waiting for a running apply. */
export interface DeviceApi {
  readonly api: ApiDeps
  lanMac(): Promise<string | undefined>
  /** Resolves once no apply is running. */
  idle(): Promise<void>
}

/** Options of the device side of `serve`. */
export interface DeviceApiOptions {
  readonly dataDir: string
  /** The device root that apply writes below. */
  readonly root: string
  /** Whether a persisted generation is applied in the background. */
  readonly apply: boolean
  /** How `/api/validate` checks a body (default: `checkDeviceInput` in this thread). */
  readonly validate?: ApiDeps['validate']
}

/** `checkDeviceInput` in the calling thread, answering the API's `InputCheck`. */
function checkInput(input: Uint8Array, fileName: string | undefined): InputCheck {
  const result = checkDeviceInput(input, fileName === undefined ? {} : { fileName })
  return result.ok
    ? { ok: true, warnings: result.warnings }
    : { ok: false, errors: result.errors, warnings: result.warnings }
}

/**
 * `checkDeviceInput` in the calling thread. The inputs that arrive in one turn of the event loop are checked back to
 * back at the end of it: one check between two requests' HTTP work costs about twice as much CPU as the same checks
 * in a row (the checker's code and data no longer in the caches).
 */
export function inThreadValidate(): ApiDeps['validate'] {
  let queue: Array<{
    readonly input: Uint8Array
    readonly fileName: string | undefined
    readonly resolve: (check: InputCheck) => void
    readonly reject: (error: unknown) => void
  }> = []
  const run = () => {
    const jobs = queue
    queue = []
    for (const job of jobs) {
      try {
        job.resolve(checkInput(job.input, job.fileName))
      } catch (error) {
        job.reject(error)
      }
    }
  }
  return (input, fileName) =>
    new Promise<InputCheck>((resolve, reject) => {
      queue.push({ input, fileName, resolve, reject })
      if (queue.length === 1) setImmediate(run)
    })
}

const MAC = /^([0-9a-f]{2}:){5}[0-9a-f]{2}$/

/** The generation as the API shows it: id, time, source. */
function summary(generation: Generation): GenerationSummary {
  const { id, created, source } = generation.manifest
  return { id, created, source }
}

/**
 * The API's dependencies on a real device, through the CLI's ports: generations and import (the one persistence
 * path), the admin keys of the current generation, the device identity, and apply in the background.
 */
export async function deviceApiDeps(deps: CliDeps, options: DeviceApiOptions): Promise<DeviceApi> {
  const { files, clock, log } = deps
  const { dataDir } = options
  const store = openGenerations({ files, clock, log }, dataDir)

  /** An interface's MAC as 12 lower-case hex digits (the kernel's view), undefined without one. */
  async function mac(iface: string): Promise<string | undefined> {
    const found = await files.readIfExists(`/sys/class/net/${iface}/address`, 64).catch(() => undefined)
    const value = found === undefined ? '' : new TextDecoder().decode(found.contents).trim().toLowerCase()
    return MAC.test(value) && value !== '00:00:00:00:00:00' ? value.replace(/:/g, '') : undefined
  }

  /** The WAN MAC (eth0) as 12 hex digits, as the upgrade client says it; else a random id kept under DATA/state. */
  async function findDeviceId(): Promise<string> {
    const wan = await mac('eth0')
    if (wan !== undefined) return wan
    const path = `${dataDir}/state/device-id`
    const kept = await files.readIfExists(path, 256)
    const keptId = kept === undefined ? '' : new TextDecoder().decode(kept.contents).trim()
    if (/^[0-9a-f]{32}$/.test(keptId)) return keptId
    let fresh = ''
    for (const byte of crypto.getRandomValues(new Uint8Array(16))) fresh += byte.toString(16).padStart(2, '0')
    await files.writeFileAtomic(path, `${fresh}\n`, 0o644)
    log.info('no WAN MAC: made a device id', { path, device: fresh })
    return fresh
  }
  let identity: Promise<string> | undefined
  const deviceId = () => {
    identity ??= findDeviceId()
    return identity
  }

  async function provisioning(): Promise<Provisioning> {
    const current = await store.current()
    if (current === undefined) return { provisioned: false }
    // Fails closed: a provisioned device whose keys cannot be read accepts no change (the read rejects: 500).
    const text = new TextDecoder().decode(
      await files.readRegularFile(`${current.dir}/ssh-authorized-keys/admin`, 1 << 20),
    )
    return { provisioned: true, adminKeys: text.split('\n').filter((line) => line.trim() !== '') }
  }

  let running: Promise<void> | undefined
  let again = false
  let lastError: string | undefined
  /** One apply at a time; a change that lands during an apply gets one more run after it. */
  function startApply(): void {
    if (running !== undefined) {
      again = true
      return
    }
    running = (async () => {
      do {
        again = false
        try {
          const lan = await mac('eth1')
          const report = await applyCurrent(
            { files, exec: deps.exec, clock, log, generations: store },
            { dataDir, root: options.root, ...(lan === undefined ? {} : { mac: lan }) },
          )
          log.info('background apply finished', { ok: report.ok, reverted: report.reverted?.to })
          lastError = undefined
        } catch (error) {
          lastError = error instanceof Error ? error.message : String(error)
          log.error('background apply failed', { error: lastError })
        }
      } while (again)
    })().finally(() => {
      running = undefined
    })
  }

  /** One import through the one persistence path; an unsigned one only while nothing is provisioned. */
  async function persist(input: Uint8Array, fileName: string | undefined, unsigned: boolean): Promise<PersistResult> {
    if (unsigned && (await store.current()) !== undefined) {
      log.warn('unsigned change refused: the device was provisioned meanwhile')
      return { ok: false, provisioned: true }
    }
    try {
      const result = await importConfig(
        { files, clock, log },
        { dataDir, input, source: 'api', ...(fileName === undefined ? {} : { fileName }), lockTimeoutMs: 10_000 },
      )
      if (!result.ok) return { ok: false, errors: result.errors, warnings: result.warnings }
      log.info('config imported from the API', { generation: result.generation.id, signed: !unsigned })
      return { ok: true, generation: summary(result.generation), warnings: result.warnings }
    } catch (error) {
      if (error instanceof IoError && error.message.includes('another writer holds it')) {
        throw new BusyError(error.message)
      }
      throw error
    }
  }
  let persisting: Promise<unknown> = Promise.resolve()

  const api: ApiDeps = {
    clock,
    log,
    deviceId,
    provisioning,
    validate: options.validate ?? inThreadValidate(),
    persist(input, fileName, change) {
      // Persisting is serialized in this process, so that "still unprovisioned?" and the write are one step for
      // unsigned changes; the generations lock serializes it against other processes.
      const turn = persisting.then(() => persist(input, fileName, change.unsigned))
      persisting = turn.catch(() => undefined)
      return turn
    },
    afterPersist() {
      if (!options.apply) return 'disabled'
      startApply()
      return 'started'
    },
    async currentConfig() {
      const current = await store.current()
      return current === undefined ? undefined : files.readRegularFile(`${current.dir}/config.toml`, 1 << 20)
    },
    async status() {
      const current = await store.current()
      return {
        provisioned: current !== undefined,
        device: await deviceId(),
        generation: current === undefined ? null : summary(current),
        apply: {
          state: !options.apply ? 'disabled' : running !== undefined ? 'running' : 'idle',
          last: (await readLastApply(files, dataDir)) ?? null,
          ...(lastError === undefined ? {} : { error: lastError }),
        },
        slots: await readSlotRecord(files, dataDir),
        bootJournal: await readBootJournal(files, dataDir, 20),
      }
    },
  }
  return { api, lanMac: () => mac('eth1'), idle: async () => await running }
}
