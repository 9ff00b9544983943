import { readJsonIfPresent } from '../device.js'
import { type BootRecord, readBootJournal } from '../journal/journal.js'
import { readSlotRecord, type SlotRecord } from '../journal/slots.js'
import type { Files } from '../ports.js'

/** The current generation as its manifest names it. */
export interface GenerationSummary {
  id: string
  created?: string
  source?: string
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
  journal: BootRecord[]
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v)
const optString = (v: unknown) => (typeof v === 'string' ? v : undefined)

/** The current generation from its manifest (`DATA/config/generation.json`), null when there is none. */
async function currentGeneration(files: Files, dataDir: string): Promise<GenerationSummary | null> {
  const doc = await readJsonIfPresent(files, `${dataDir}/config/generation.json`)
  if (doc === undefined || 'error' in doc || !isObject(doc.value) || typeof doc.value.id !== 'string') return null
  const summary: GenerationSummary = { id: doc.value.id }
  const created = optString(doc.value.created)
  const source = isObject(doc.value.source) ? optString(doc.value.source.kind) : undefined
  if (created !== undefined) summary.created = created
  if (source !== undefined) summary.source = source
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

/** Gathers the device status: current generation, last apply, the slot record and the newest journal records. */
export async function readDeviceStatus(files: Files, dataDir: string, limit: number): Promise<DeviceStatus> {
  const [generation, apply, slots, journal] = await Promise.all([
    currentGeneration(files, dataDir),
    lastApply(files, dataDir),
    readSlotRecord(files, dataDir),
    readBootJournal(files, dataDir, limit),
  ])
  return { generation, lastApply: apply, slots, journal }
}

/** The status for people: a few lines, then the journal, newest last. */
export function formatDeviceStatus(status: DeviceStatus): string {
  const lines: string[] = []
  const g = status.generation
  lines.push(
    g === null
      ? 'generation: none'
      : `generation: ${g.id}${g.created === undefined ? '' : ` (created ${g.created}${g.source === undefined ? '' : `, from ${g.source}`})`}`,
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
  lines.push(status.journal.length === 0 ? 'boot journal: empty' : 'boot journal (newest last):')
  for (const r of status.journal)
    lines.push(
      `  ${r.time} boot ${r.bootId.slice(0, 8)} ${r.slot}${r.version === undefined ? '' : ` ${r.version}`} ${r.outcome}${r.detail === undefined ? '' : `: ${r.detail}`}`,
    )
  return `${lines.join('\n')}\n`
}
