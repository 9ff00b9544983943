import { existingSize } from '../device.js'
import { type Clock, type Files, IoError } from '../ports.js'

/** A bundle as RAUC and the upgrade know it: its version, RAUC's bundle hash, the download's SHA-256. */
export interface BundleId {
  version?: string
  bundleHash?: string
  sha256?: string
}

/** A slot that proved itself on this device with this bundle. */
export interface CommittedSlot extends BundleId {
  slot: string
  at: string
}

/** A bundle that was installed and then abandoned (U-Boot fell back, or confirmation marked it bad). */
export interface RolledBackBundle extends BundleId {
  slot: string
  at: string
  reason: string
}

/** An installed bundle waiting for its first boot and confirmation. */
export interface PendingTrial extends BundleId {
  slot: string
  /** The boot that installed it: a confirm in that same boot has not rebooted into it yet. */
  installedInBoot: string
  at: string
}

/** The device's own record of its slots (`DATA/state/slots.json`): what confirmation and upgrade decide from. */
export interface SlotRecord {
  committed: CommittedSlot[]
  rolledBack: RolledBackBundle[]
  trial?: PendingTrial
  /** The checks that failed on the last committed boot: they do not count against the next trial. */
  baseline?: { bootId: string; slot: string; failing: string[]; at: string }
}

/** Where the record lives below the data directory. */
export const SLOT_RECORD = 'state/slots.json'
/** How many rolled-back bundles are remembered (oldest forgotten first). */
const ROLLED_BACK_KEPT = 64

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v)
const optString = (v: unknown) => (typeof v === 'string' ? v : undefined)

function bundleOf(r: Record<string, unknown>): BundleId {
  const id: BundleId = {}
  const version = optString(r.version)
  const bundleHash = optString(r.bundleHash)
  const sha256 = optString(r.sha256)
  if (version !== undefined) id.version = version
  if (bundleHash !== undefined) id.bundleHash = bundleHash
  if (sha256 !== undefined) id.sha256 = sha256
  return id
}

/** Parses the record; throws an IoError for a file that is not the record (nothing is guessed from a broken one). */
export function parseSlotRecord(text: string, path = SLOT_RECORD): SlotRecord {
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch {
    throw new IoError(`${path} is not JSON`)
  }
  if (!isObject(value)) throw new IoError(`${path} is not a JSON object`)
  const list = (key: string) => (Array.isArray(value[key]) ? (value[key] as unknown[]).filter(isObject) : [])
  const record: SlotRecord = {
    committed: list('committed')
      .filter((c) => typeof c.slot === 'string')
      .map((c) => ({ slot: c.slot as string, at: optString(c.at) ?? '', ...bundleOf(c) })),
    rolledBack: list('rolledBack')
      .filter((c) => typeof c.slot === 'string')
      .map((c) => ({
        slot: c.slot as string,
        at: optString(c.at) ?? '',
        reason: optString(c.reason) ?? '',
        ...bundleOf(c),
      })),
  }
  const trial = value.trial
  if (isObject(trial) && typeof trial.slot === 'string' && typeof trial.installedInBoot === 'string')
    record.trial = {
      slot: trial.slot,
      installedInBoot: trial.installedInBoot,
      at: optString(trial.at) ?? '',
      ...bundleOf(trial),
    }
  const b = value.baseline
  if (isObject(b) && typeof b.bootId === 'string' && typeof b.slot === 'string' && Array.isArray(b.failing))
    record.baseline = {
      bootId: b.bootId,
      slot: b.slot,
      failing: b.failing.filter((f): f is string => typeof f === 'string'),
      at: optString(b.at) ?? '',
    }
  return record
}

/** The record, or an empty one when the device never wrote it (a fresh flash). */
export async function readSlotRecord(files: Files, dataDir: string): Promise<SlotRecord> {
  const path = `${dataDir}/${SLOT_RECORD}`
  if ((await existingSize(files, path)) === undefined) return { committed: [], rolledBack: [] }
  const bytes = await files.readRegularFile(path, 1 << 20)
  return parseSlotRecord(new TextDecoder().decode(bytes), path)
}

/** Writes the record atomically (temporary file, fsync, rename). */
export async function writeSlotRecord(files: Files, dataDir: string, record: SlotRecord): Promise<void> {
  const kept = { ...record, rolledBack: record.rolledBack.slice(-ROLLED_BACK_KEPT) }
  await files.writeFileAtomic(`${dataDir}/${SLOT_RECORD}`, `${JSON.stringify(kept, null, 2)}\n`, 0o600)
}

const LOCK = 'state/.slots.lock'
const LOCK_TIMEOUT_MS = 30_000
const LOCK_POLL_MS = 20

/**
 * Changes the record under a cross-process lock: reads the newest record, applies `change`, writes it atomically.
 * `confirm` and `upgrade` may run at once; neither loses the other's change.
 */
export async function updateSlotRecord(
  deps: { files: Files; clock: Clock },
  dataDir: string,
  change: (record: SlotRecord) => SlotRecord,
): Promise<SlotRecord> {
  const { files, clock } = deps
  await files.makeDirectory(`${dataDir}/state`, 0o755)
  const deadline = clock.monotonic() + LOCK_TIMEOUT_MS
  for (;;) {
    const lock = await files.tryLock(`${dataDir}/${LOCK}`)
    if (lock.acquired) {
      try {
        const next = change(await readSlotRecord(files, dataDir))
        await writeSlotRecord(files, dataDir, next)
        return next
      } finally {
        await lock.release()
      }
    }
    if (clock.monotonic() >= deadline)
      throw new IoError(`cannot lock ${dataDir}/${LOCK}: held by ${lock.holder} for ${LOCK_TIMEOUT_MS} ms`)
    await clock.sleep(LOCK_POLL_MS)
  }
}

/** Whether two bundle ids name the same bundle: by RAUC's hash when both have one, else by version. */
export function sameBundle(a: BundleId, b: BundleId): boolean {
  const unknown = (x: BundleId) => x.bundleHash === undefined && x.version === undefined && x.sha256 === undefined
  // A slot written outside RAUC (the factory image) carries no bundle data: it is the same unknown bundle.
  if (unknown(a) && unknown(b)) return true
  if (a.bundleHash !== undefined && b.bundleHash !== undefined) return a.bundleHash === b.bundleHash
  if (a.sha256 !== undefined && b.sha256 !== undefined && a.sha256 === b.sha256) return true
  return a.version !== undefined && a.version === b.version
}

/** The committed entry for this slot and bundle, if the device committed it before. */
export function findCommitted(record: SlotRecord, slot: string, bundle: BundleId): CommittedSlot | undefined {
  return record.committed.find((c) => c.slot === slot && sameBundle(c, bundle))
}

/** Records a slot as committed with this bundle: one entry per slot (a slot holds one bundle at a time). */
export function withCommitted(record: SlotRecord, entry: CommittedSlot): SlotRecord {
  return { ...record, committed: [...record.committed.filter((c) => c.slot !== entry.slot), entry] }
}
