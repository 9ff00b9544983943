import { existingSize } from '../device.js'
import { type Files, IoError } from '../ports.js'

/** What became of one boot (or of one step of it): the boot journal's outcomes. */
export type BootOutcome = 'trial' | 'committed' | 'rolled_back' | 'failed_check' | 'marked_bad'

/** One line of the boot journal. */
export interface BootRecord {
  /** The kernel's boot id (`/proc/sys/kernel/random/boot_id`) of the boot that wrote the line. */
  bootId: string
  /** ISO time from the Clock (may be wrong right after boot: the order of the lines is the truth). */
  time: string
  /** The RAUC slot the record is about (for `trial`, the slot that was just installed). */
  slot: string
  version?: string
  bundleHash?: string
  outcome: BootOutcome
  detail?: string
}

/** Where the journal lives below the data directory. */
export const BOOT_JOURNAL = 'state/boot-journal.jsonl'
/** The journal is read from its last this many bytes at most; older lines stay on disk but are not shown. */
const READ_LIMIT = 4 << 20
const OUTCOMES: ReadonlySet<string> = new Set(['trial', 'committed', 'rolled_back', 'failed_check', 'marked_bad'])

const journalPath = (dataDir: string) => `${dataDir}/${BOOT_JOURNAL}`

/** Parses one journal line; undefined for a torn or foreign line (a power cut can leave the last one half written). */
export function parseBootRecord(line: string): BootRecord | undefined {
  let value: unknown
  try {
    value = JSON.parse(line)
  } catch {
    return undefined
  }
  if (typeof value !== 'object' || value === null) return undefined
  const r = value as Record<string, unknown>
  const str = (key: string) => (typeof r[key] === 'string' ? (r[key] as string) : undefined)
  const bootId = str('bootId')
  const time = str('time')
  const slot = str('slot')
  const outcome = str('outcome')
  if (bootId === undefined || time === undefined || slot === undefined || !OUTCOMES.has(outcome ?? '')) return undefined
  const record: BootRecord = { bootId, time, slot, outcome: outcome as BootOutcome }
  const version = str('version')
  const bundleHash = str('bundleHash')
  const detail = str('detail')
  if (version !== undefined) record.version = version
  if (bundleHash !== undefined) record.bundleHash = bundleHash
  if (detail !== undefined) record.detail = detail
  return record
}

/** The boot journal, oldest first (newest last); at most `limit` records, the newest ones. Missing file: empty. */
export async function readBootJournal(files: Files, dataDir: string, limit?: number): Promise<BootRecord[]> {
  let bytes: Uint8Array
  try {
    if ((await existingSize(files, journalPath(dataDir))) === undefined) return []
    bytes = await files.readRegularFile(journalPath(dataDir), READ_LIMIT)
  } catch (error) {
    if (error instanceof IoError) throw error
    throw new IoError(`cannot read ${journalPath(dataDir)}: ${String(error)}`)
  }
  const text = new TextDecoder('utf-8', { fatal: false }).decode(bytes)
  const records: BootRecord[] = []
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue
    const record = parseBootRecord(line)
    if (record !== undefined) records.push(record)
  }
  return limit === undefined ? records : records.slice(Math.max(0, records.length - limit))
}

/** Appends one record as one JSON line and fsyncs it. A torn previous line is ended first so this one stays whole. */
export async function appendBootRecord(files: Files, dataDir: string, record: BootRecord): Promise<void> {
  const path = journalPath(dataDir)
  const size = await existingSize(files, path)
  let prefix = ''
  if (size !== undefined && size > 0) {
    // Only the last byte matters: a line cut by a power cut has no newline.
    const all = await files.readRegularFile(path, READ_LIMIT)
    if (all.length > 0 && all[all.length - 1] !== 0x0a) prefix = '\n'
  }
  await files.appendDurable(path, `${prefix}${JSON.stringify(record)}\n`, 0o600)
}
