import { type Exec, type ExecResult, type Files, IoError } from './ports.js'
import { parseRaucStatus, RAUC_STATUS_ARGV, type RaucStatus } from './rauc/status.js'

/** Where the kernel publishes this boot's id. */
export const BOOT_ID_PATH = '/proc/sys/kernel/random/boot_id'
/** Where the WAN interface's MAC address is read (the device id of the update server). */
export const WAN_MAC_PATH = '/sys/class/net/eth0/address'

/** Time limits of the programs the device services run. */
export const TIMEOUTS = { status: 30_000, mark: 30_000, check: 10_000, install: 3_600_000, reboot: 60_000 } as const

/** One line saying how a program run failed, for logs and the journal. */
export function describeRun(run: ExecResult): string {
  if (run.spawnError !== undefined) return run.spawnError
  if (run.timedOut) return `${run.argv.join(' ')} timed out`
  const err = run.stderr.trim().split('\n').slice(-1)[0] ?? ''
  return `${run.argv.join(' ')} exited ${run.exitCode ?? run.signal}${err === '' ? '' : `: ${err}`}`
}

/** This boot's id, trimmed. */
export async function readBootId(files: Files, path: string): Promise<string> {
  const text = new TextDecoder().decode(await files.readRegularFile(path, 256)).trim()
  if (!/^[0-9a-f-]{8,64}$/i.test(text)) throw new IoError(`${path} holds no boot id`)
  return text.toLowerCase()
}

/** The WAN MAC as 12 lower-case hex digits. */
export async function readMac(files: Files, path: string): Promise<string> {
  const text = new TextDecoder()
    .decode(await files.readRegularFile(path, 256))
    .trim()
    .toLowerCase()
  const hex = text.replace(/[:-]/g, '')
  if (!/^[0-9a-f]{12}$/.test(hex)) throw new IoError(`${path} holds no MAC address`)
  return hex
}

/** Runs `rauc status --detailed --output-format=json` and parses it; the reason when that fails. */
export async function readRaucStatus(
  exec: Exec,
): Promise<{ ok: true; status: RaucStatus } | { ok: false; reason: string }> {
  const run = await exec.run(RAUC_STATUS_ARGV, { timeoutMs: TIMEOUTS.status })
  if (run.exitCode !== 0) return { ok: false, reason: describeRun(run) }
  return parseRaucStatus(run.stdout)
}

/**
 * The size of the file at `path`, undefined when nothing is there; a symlink counts as present (0: readers follow
 * it). A directory or device is an IoError.
 */
export async function existingSize(files: Files, path: string): Promise<number | undefined> {
  const info = await files.inspect(path)
  if (info === undefined) return undefined
  if (info.kind === 'file') return info.size
  if (info.kind === 'symlink') return 0
  throw new IoError(`${path} is not a regular file`)
}

/** A JSON document that may be absent: `undefined` when there is no file, `{ error }` when it is not JSON. */
export async function readJsonIfPresent(
  files: Files,
  path: string,
  limit = 1 << 20,
): Promise<{ value: unknown } | { error: string } | undefined> {
  if ((await existingSize(files, path)) === undefined) return undefined
  const text = new TextDecoder().decode(await files.readRegularFile(path, limit))
  try {
    return { value: JSON.parse(text) }
  } catch {
    return { error: `${path} is not JSON` }
  }
}
