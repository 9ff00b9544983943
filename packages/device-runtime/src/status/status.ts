import { readJsonIfPresent } from '../device.js'
import { openGenerations } from '../generations/store.js'
import { type BootRecord, readBootJournal } from '../journal/journal.js'
import { readSlotRecord, type SlotRecord } from '../journal/slots.js'
import type { Clock, Files, Log } from '../ports.js'

/** The current generation as its manifest names it. */
export interface GenerationSummary {
  id: string
  created?: string
  source?: string
  /** When applying it failed, and why. */
  failed?: string
}

/** What reading the status needs. */
export interface StatusDeps {
  readonly files: Files
  readonly clock: Clock
  readonly log: Log
}

/** The last apply as `DATA/state/last-apply.json` holds it, read tolerantly. */
export interface ApplySummary {
  ok: boolean | undefined
  dryRun?: boolean
  started?: string
  generations: string[]
  reverted?: string
  /** Set when the file exists but is not an apply report. */
  unreadable?: string
}

/** What `atomicnix status` shows. */
export interface DeviceStatus {
  generation: GenerationSummary | null
  lastApply: ApplySummary | null
  slots: SlotRecord
  /** The upgrade poller's state: its last result and when it polls next. */
  upgrade: { lastResult?: string; nextPoll?: string; failures: number } | null
  journal: BootRecord[]
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v)
const optString = (v: unknown) => (typeof v === 'string' ? v : undefined)

/** The current generation as the generation store sees it (the `DATA/config` symlink and its manifest). */
async function currentGeneration(deps: StatusDeps, dataDir: string): Promise<GenerationSummary | null> {
  const current = await openGenerations(deps, dataDir).current()
  if (current === undefined) return null
  const { manifest } = current
  const summary: GenerationSummary = { id: current.id, created: manifest.created, source: manifest.source.kind }
  if (manifest.failed !== undefined) summary.failed = `${manifest.failed.at}: ${manifest.failed.reason}`
  return summary
}

/** The last apply report, tolerant of fields it does not know and of ones that are missing. */
async function lastApply(files: Files, dataDir: string): Promise<ApplySummary | null> {
  const doc = await readJsonIfPresent(files, `${dataDir}/state/last-apply.json`)
  if (doc === undefined) return null
  if ('error' in doc || !isObject(doc.value)) return { ok: undefined, generations: [], unreadable: 'not a JSON object' }
  const v = doc.value
  const summary: ApplySummary = {
    ok: typeof v.ok === 'boolean' ? v.ok : undefined,
    generations: Array.isArray(v.runs)
      ? v.runs.flatMap((r) => (isObject(r) && typeof r.generation === 'string' ? [r.generation] : []))
      : [],
  }
  if (typeof v.dryRun === 'boolean') summary.dryRun = v.dryRun
  const started = optString(v.started)
  if (started !== undefined) summary.started = started
  if (isObject(v.reverted))
    summary.reverted = `${optString(v.reverted.from) ?? '?'} -> ${optString(v.reverted.to) ?? '?'}: ${optString(v.reverted.reason) ?? ''}`
  return summary
}

async function upgradeState(files: Files, dataDir: string): Promise<DeviceStatus['upgrade']> {
  const doc = await readJsonIfPresent(files, `${dataDir}/state/upgrade.json`)
  if (doc === undefined || 'error' in doc || !isObject(doc.value)) return null
  const v = doc.value
  const state: NonNullable<DeviceStatus['upgrade']> = { failures: typeof v.failures === 'number' ? v.failures : 0 }
  if (typeof v.lastResult === 'string') state.lastResult = v.lastResult
  if (typeof v.nextPollAt === 'number' && Number.isFinite(v.nextPollAt))
    state.nextPoll = new Date(v.nextPollAt).toISOString()
  return state
}

/** Gathers the device status: current generation, last apply, the slot record and the newest journal records. */
export async function readDeviceStatus(deps: StatusDeps, dataDir: string, limit: number): Promise<DeviceStatus> {
  const { files } = deps
  const [generation, apply, slots, upgrade, journal] = await Promise.all([
    currentGeneration(deps, dataDir),
    lastApply(files, dataDir),
    readSlotRecord(files, dataDir),
    upgradeState(files, dataDir),
    readBootJournal(files, dataDir, limit),
  ])
  return { generation, lastApply: apply, slots, upgrade, journal }
}

/** The status for people: a few lines, then the journal, newest last. */
export function formatDeviceStatus(status: DeviceStatus): string {
  const lines: string[] = []
  const g = status.generation
  lines.push(
    g === null
      ? 'generation: none'
      : `generation: ${g.id}${g.created === undefined ? '' : ` (created ${g.created}${g.source === undefined ? '' : `, from ${g.source}`})`}` +
          `${g.failed === undefined ? '' : `; apply FAILED ${g.failed}`}`,
  )
  const a = status.lastApply
  if (a === null) lines.push('last apply: none')
  else if (a.unreadable !== undefined) lines.push(`last apply: unreadable (${a.unreadable})`)
  else
    lines.push(
      `last apply: ${a.ok === true ? 'ok' : a.ok === false ? 'FAILED' : 'unknown'}${a.dryRun ? ' (dry run)' : ''}` +
        `${a.started === undefined ? '' : ` at ${a.started}`}${a.generations.length > 0 ? `, generation ${a.generations.join(' then ')}` : ''}` +
        `${a.reverted === undefined ? '' : `; reverted ${a.reverted}`}`,
    )
  const committed = status.slots.committed.map((c) => `${c.slot}${c.version === undefined ? '' : ` ${c.version}`}`)
  lines.push(`committed slots: ${committed.length === 0 ? 'none' : committed.join(', ')}`)
  const t = status.slots.trial
  if (t !== undefined)
    lines.push(`on trial: ${t.slot}${t.version === undefined ? '' : ` ${t.version}`} (installed ${t.at})`)
  if (status.slots.rolledBack.length > 0)
    lines.push(
      `rolled back: ${status.slots.rolledBack.map((r) => `${r.version ?? r.sha256?.slice(0, 12) ?? r.slot}`).join(', ')}`,
    )
  const u = status.upgrade
  if (u !== null)
    lines.push(
      `upgrade: ${u.lastResult ?? 'no poll yet'}${u.failures > 0 ? ` (${u.failures} failures in a row)` : ''}` +
        `${u.nextPoll === undefined ? '' : `, next poll ${u.nextPoll}`}`,
    )
  lines.push(status.journal.length === 0 ? 'boot journal: empty' : 'boot journal (newest last):')
  for (const r of status.journal)
    lines.push(
      `  ${r.time} boot ${r.bootId.slice(0, 8)} ${r.slot}${r.version === undefined ? '' : ` ${r.version}`} ${r.outcome}${r.detail === undefined ? '' : `: ${r.detail}`}`,
    )
  return `${lines.join('\n')}\n`
}
