import { describeRun, readBootId, readJsonIfPresent, readMac, readRaucStatus, TIMEOUTS } from '../device.js'
import { appendBootRecord, readBootJournal } from '../journal/journal.js'
import { findCommitted, readSlotRecord, updateSlotRecord } from '../journal/slots.js'
import { type Clock, type Exec, type Files, type Http, HttpError, type Log } from '../ports.js'
import type { RaucStatus } from '../rauc/status.js'
import { backoffMs, decideOffer, parseOffer, parseRetryAfter } from './decide.js'
import { bundlePaths, downloadBundle, refuseUrl } from './download.js'
import { redactUrl } from './url.js'

/** What `upgrade` needs. */
export interface UpgradeDeps {
  readonly files: Files
  readonly exec: Exec
  readonly clock: Clock
  readonly log: Log
  readonly http: Http
}

/** Where `upgrade` reads and writes, and its limits. */
export interface UpgradeOptions {
  readonly dataDir: string
  readonly bootIdPath: string
  readonly macPath: string
  /** Largest bundle accepted. */
  readonly maxBytes: number
  /** Free space kept on /data after the download. */
  readonly reserveBytes: number
  /** Time between polls when nothing failed. */
  readonly pollIntervalMs: number
  readonly idleTimeoutMs: number
}

/** The defaults of `atomicnix upgrade`. */
export const DEFAULT_UPGRADE_LIMITS = {
  maxBytes: 2 * 1024 ** 3,
  reserveBytes: 64 * 1024 ** 2,
  pollIntervalMs: 3600_000,
  idleTimeoutMs: 60_000,
} as const

/** The persisted state of the poller (`DATA/state/upgrade.json`). */
export interface UpgradeState {
  /** Wall-clock milliseconds of the next poll. */
  nextPollAt?: number
  failures: number
  lastResult?: string
  /** A resumable partial download: kept only while the server offers the same bundle. */
  partial?: { path: string; sha256: string; size: number; version: string }
}

/** How one poll ended: `reboot` means a bundle was installed and the reboot was asked for. */
export type UpgradeOutcome =
  | 'not_configured'
  | 'not_due'
  | 'refused'
  | 'nothing'
  | 'skipped'
  | 'failed'
  | 'misconfigured'
  | 'installed'
  | 'reboot_failed'

const STATE = 'state/upgrade.json'
/** An offer document is small; more than this is not an offer. */
const OFFER_LIMIT = 64 * 1024
const DOWNLOAD_ATTEMPTS = 3

async function readState(files: Files, dataDir: string): Promise<UpgradeState> {
  const doc = await readJsonIfPresent(files, `${dataDir}/${STATE}`)
  if (doc === undefined || 'error' in doc || typeof doc.value !== 'object' || doc.value === null) return { failures: 0 }
  const v = doc.value as Record<string, unknown>
  const state: UpgradeState = { failures: typeof v.failures === 'number' && v.failures >= 0 ? v.failures : 0 }
  if (typeof v.nextPollAt === 'number') state.nextPollAt = v.nextPollAt
  if (typeof v.lastResult === 'string') state.lastResult = v.lastResult
  const p = v.partial as Record<string, unknown> | undefined
  if (
    typeof p === 'object' &&
    p !== null &&
    typeof p.path === 'string' &&
    typeof p.sha256 === 'string' &&
    typeof p.size === 'number' &&
    typeof p.version === 'string'
  )
    state.partial = { path: p.path, sha256: p.sha256, size: p.size, version: p.version }
  return state
}

const writeState = (files: Files, dataDir: string, state: UpgradeState) =>
  files.writeFileAtomic(`${dataDir}/${STATE}`, `${JSON.stringify(state, null, 2)}\n`, 0o600)

/** Reads the whole body, at most `limit` bytes; undefined when it is longer or cut. */
async function readBody(body: AsyncIterable<Uint8Array>, limit: number): Promise<string | undefined> {
  const parts: Uint8Array[] = []
  let length = 0
  for await (const chunk of body) {
    length += chunk.length
    if (length > limit) return undefined
    parts.push(chunk)
  }
  const all = new Uint8Array(length)
  let offset = 0
  for (const p of parts) {
    all.set(p, offset)
    offset += p.length
  }
  return new TextDecoder().decode(all)
}

/** The slot RAUC installs into: the other slot of the booted slot's class (A/B), when there is exactly one. */
function inactiveSlot(status: RaucStatus): string | undefined {
  const others = status.slots.filter((s) => s.name !== status.booted.name && s.class === status.booted.class)
  return others.length === 1 ? others[0]!.name : undefined
}

/** Printable ASCII only: anything else cannot go into an HTTP header. */
const headerSafe = (value: string) => /^[\x20-\x7e]{1,256}$/.test(value)

/**
 * One poll of `atomicnix upgrade`: reads `os-upgrade.json`, refuses unless the booted slot is committed, asks the
 * server, and installs only a newer bundle that never rolled back here, after a streamed, size-, space- and
 * digest-checked download; then records the trial and reboots. Every decision is logged with its reason.
 */
export async function runUpgradeOnce(deps: UpgradeDeps, options: UpgradeOptions): Promise<UpgradeOutcome> {
  // One poll at a time per device: two would write the same partial download.
  await deps.files.makeDirectory(`${options.dataDir}/state`, 0o755)
  const lock = await deps.files.tryLock(`${options.dataDir}/state/.upgrade.lock`)
  if (!lock.acquired) {
    deps.log.info('another upgrade is running: not polling', { holder: lock.holder })
    return 'not_due'
  }
  try {
    return await pollOnce(deps, options)
  } finally {
    await lock.release()
  }
}

async function pollOnce(deps: UpgradeDeps, options: UpgradeOptions): Promise<UpgradeOutcome> {
  const { files, exec, clock, log, http } = deps
  const { dataDir } = options
  const config = await readJsonIfPresent(files, `${dataDir}/config/os-upgrade.json`)
  if (config === undefined) {
    log.info('no os-upgrade.json in the current config: OS upgrades are not configured')
    // A partial download of an upgrade that is no longer configured is not kept.
    const state = await readState(files, dataDir)
    if (state.partial !== undefined) {
      await files.remove(state.partial.path)
      delete state.partial
      await writeState(files, dataDir, state)
    }
    return 'not_configured'
  }
  const serverUrl =
    'error' in config || typeof config.value !== 'object' || config.value === null
      ? undefined
      : (config.value as Record<string, unknown>).server_url
  let server: URL
  try {
    if (typeof serverUrl !== 'string') throw new Error('no server_url')
    server = new URL(serverUrl)
  } catch {
    log.error('os-upgrade.json has no valid server_url: no upgrade', { path: `${dataDir}/config/os-upgrade.json` })
    return 'misconfigured'
  }
  const allowHttp = server.protocol === 'http:'
  const refused = refuseUrl(server, allowHttp)
  if (refused !== undefined) {
    log.error('server_url refused: no upgrade', { reason: refused })
    return 'misconfigured'
  }
  if (allowHttp)
    log.warn('server_url is http:// as the config allows: the offer is not authenticated (bundles are still signed)')

  const state = await readState(files, dataDir)
  const now = clock.now()
  // A next-poll time further away than any back-off is a clock that jumped back: poll now.
  if (state.nextPollAt !== undefined && state.nextPollAt > now && state.nextPollAt - now <= 25 * 3600_000) {
    log.info('not polling yet', { nextPoll: new Date(state.nextPollAt).toISOString() })
    return 'not_due'
  }

  const status = await readRaucStatus(exec)
  if (!status.ok) {
    log.error('cannot read the RAUC status: no upgrade', { reason: status.reason })
    return 'refused'
  }
  const booted = status.status.booted
  const bootId = await readBootId(files, options.bootIdPath)
  const record = await readSlotRecord(files, dataDir)
  if (record.trial !== undefined) {
    log.info(
      record.trial.installedInBoot === bootId
        ? 'a bundle installed in this boot waits for the reboot: no upgrade'
        : 'an installed bundle waits for confirm to settle its trial: no upgrade',
      { slot: record.trial.slot, version: record.trial.version },
    )
    return 'refused'
  }
  const bundle = {
    ...(booted.version === undefined ? {} : { version: booted.version }),
    ...(booted.bundleHash === undefined ? {} : { bundleHash: booted.bundleHash }),
  }
  if (findCommitted(record, booted.name, bundle) === undefined) {
    log.info('the booted slot is not committed yet: no upgrade (it could overwrite the only good slot)', {
      slot: booted.name,
      version: booted.version,
    })
    return 'refused'
  }

  const schedule = async (outcome: UpgradeOutcome, result: string, failed: boolean, retryAfterMs?: number) => {
    const failures = failed ? state.failures + 1 : 0
    const delay = retryAfterMs ?? (failed ? backoffMs(failures) : options.pollIntervalMs)
    const next: UpgradeState = { ...state, failures, lastResult: result, nextPollAt: clock.now() + delay }
    await writeState(files, dataDir, next)
    log.info('next poll scheduled', { at: new Date(next.nextPollAt!).toISOString(), failures, result })
    return outcome
  }

  const target = inactiveSlot(status.status)
  if (target === undefined) {
    log.error('RAUC shows no single other slot of the booted class to install into: no upgrade', {
      slot: booted.name,
    })
    return 'refused'
  }

  const mac = await readMac(files, options.macPath)
  const last = (await readBootJournal(files, dataDir, 1))[0]
  const headers: Record<string, string> = { 'X-Device-ID': mac, Accept: 'application/json' }
  if (booted.version !== undefined && headerSafe(booted.version)) headers['X-Current-Version'] = booted.version
  if (last !== undefined) headers['X-Last-Result'] = last.outcome
  const latest = new URL('api/v1/updates/latest', server.href.endsWith('/') ? server.href : `${server.href}/`).href
  let response: Awaited<ReturnType<Http['get']>>
  try {
    response = await http.get({ url: latest, headers, idleTimeoutMs: options.idleTimeoutMs })
  } catch (error) {
    if (!(error instanceof HttpError)) throw error
    log.warn('the update server cannot be reached: backing off', { reason: error.message })
    return schedule('failed', 'unreachable', true)
  }
  if (response.status === 204) {
    response.cancel()
    log.info('the update server has nothing newer (204)')
    return schedule('nothing', 'no_update', false)
  }
  if (response.status !== 200) {
    response.cancel()
    const retryAfterMs = parseRetryAfter(response.header('retry-after'), clock.now())
    log.warn('the update server answered with an error: backing off', {
      status: response.status,
      retryAfterMs,
    })
    return schedule('failed', `http_${response.status}`, true, retryAfterMs)
  }
  let text: string | undefined
  try {
    text = await readBody(response.body, OFFER_LIMIT)
  } catch (error) {
    if (!(error instanceof HttpError)) throw error
    text = undefined
  }
  if (text === undefined) {
    response.cancel()
    log.warn('the offer was cut short or larger than 64 KiB: backing off')
    return schedule('failed', 'bad_offer', true)
  }
  const parsed = parseOffer(text)
  if (!parsed.ok) {
    log.warn('the offer is not valid: backing off', { reason: parsed.reason })
    return schedule('failed', 'bad_offer', true)
  }
  const offer = parsed.offer
  const decision = decideOffer(offer, booted.version, record.rolledBack, options.maxBytes)
  if (!decision.install) {
    log.info('offer skipped', { version: offer.version, reason: decision.reason })
    await dropPartial(files, state, offer.sha256)
    return schedule('skipped', 'skipped', false)
  }
  log.info('installing the offered bundle', { version: offer.version, reason: decision.reason })

  let bundleUrl: URL
  try {
    bundleUrl = new URL(offer.bundle_url, latest)
  } catch {
    log.warn('the offer has an invalid bundle_url: backing off', { bundle_url: redactUrl(offer.bundle_url) })
    return schedule('failed', 'bad_offer', true)
  }
  await dropPartial(files, state, offer.sha256)
  const dir = `${dataDir}/downloads`
  const result = await downloadBundle(
    { files, http, log },
    {
      url: bundleUrl.href,
      sha256: offer.sha256,
      size: offer.size,
      dir,
      reserveBytes: options.reserveBytes,
      allowHttp,
      attempts: DOWNLOAD_ATTEMPTS,
      idleTimeoutMs: options.idleTimeoutMs,
      headers: { 'X-Device-ID': mac },
      nowMs: clock.now(),
    },
  )
  if (!result.ok) {
    if (result.partial !== undefined)
      state.partial = { path: result.partial, sha256: offer.sha256, size: offer.size, version: offer.version }
    else delete state.partial
    log.warn('the bundle download failed: nothing installed', {
      reason: result.reason,
      kept: result.partial ?? 'nothing',
    })
    return schedule('failed', 'download_failed', true, result.retryAfterMs)
  }
  delete state.partial

  const install = await exec.run(['rauc', 'install', result.path], { timeoutMs: TIMEOUTS.install })
  if (install.exitCode !== 0) {
    await files.remove(result.path)
    log.error('rauc install failed: nothing installed', { reason: describeRun(install) })
    return schedule('failed', 'install_failed', true)
  }
  await files.remove(result.path)
  const after = await readRaucStatus(exec)
  // RAUC makes the slot it installed the primary one; if the status cannot be read now, it is the inactive slot.
  const primary = after.ok ? after.status.bootPrimary : undefined
  const slot = primary !== undefined && primary !== booted.name ? primary : target
  const installed = after.ok ? after.status.slots.find((s) => s.name === slot) : undefined
  const trial = {
    slot,
    installedInBoot: bootId,
    at: new Date(clock.now()).toISOString(),
    version: offer.version,
    sha256: offer.sha256,
    ...(installed?.bundleHash === undefined ? {} : { bundleHash: installed.bundleHash }),
  }
  await updateSlotRecord(deps, dataDir, (r) => ({ ...r, committed: r.committed.filter((c) => c.slot !== slot), trial }))
  await appendBootRecord(files, dataDir, {
    bootId,
    time: new Date(clock.now()).toISOString(),
    slot,
    version: offer.version,
    ...(installed?.bundleHash === undefined ? {} : { bundleHash: installed.bundleHash }),
    outcome: 'trial',
    detail: `installed from ${redactUrl(bundleUrl.href)}; rebooting into it`,
  })
  await schedule('installed', 'installed', false)
  log.info('bundle installed: rebooting into the slot on trial', { slot, version: offer.version })
  const reboot = await exec.run(['reboot'], { timeoutMs: TIMEOUTS.reboot })
  if (reboot.exitCode !== 0) {
    log.error('reboot failed: the new slot boots at the next restart', { reason: describeRun(reboot) })
    return 'reboot_failed'
  }
  return 'installed'
}

/** Outcomes after which the loop stops: nothing to do, the device reboots, or it cannot work as configured. */
const FINAL: ReadonlySet<UpgradeOutcome> = new Set(['not_configured', 'installed', 'misconfigured', 'reboot_failed'])
/** The loop never waits less than this between polls. */
const MIN_WAIT_MS = 60_000

/**
 * `atomicnix upgrade` without `--once`: polls, then sleeps until the persisted next-poll time (at least a minute, at
 * most a day), until an outcome in which polling makes no sense (not configured, installed, misconfigured) or
 * `signal` aborts. Returns the last outcome.
 */
export async function runUpgradeLoop(
  deps: UpgradeDeps,
  options: UpgradeOptions,
  signal?: AbortSignal,
): Promise<UpgradeOutcome> {
  // A function, so that the check is made again after each await.
  const aborted = () => signal?.aborted === true
  for (;;) {
    const outcome = await runUpgradeOnce(deps, options)
    if (FINAL.has(outcome) || aborted()) return outcome
    const state = await readState(deps.files, options.dataDir)
    const now = deps.clock.now()
    const next = state.nextPollAt ?? now + options.pollIntervalMs
    const wait = Math.min(Math.max(next - now, MIN_WAIT_MS), 24 * 3600_000)
    deps.log.info('waiting for the next poll', { ms: wait })
    await deps.clock.sleep(wait, signal)
    if (aborted()) return outcome
  }
}

/** Removes a partial download that belongs to another bundle than the one offered now. */
async function dropPartial(files: Files, state: UpgradeState, sha256: string): Promise<void> {
  if (state.partial === undefined || state.partial.sha256 === sha256) return
  await files.remove(state.partial.path)
  delete state.partial
}

/** The path a bundle with this digest is downloaded to (for tests and status). */
export const downloadPaths = (dataDir: string, sha256: string) => bundlePaths(`${dataDir}/downloads`, sha256)
