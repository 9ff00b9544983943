/** U-Boot's environment as `fw_printenv` prints it: one `NAME=value` per line. */
export type BootEnv = Readonly<Record<string, string>>

/** RAUC's U-Boot backend's default number of boot attempts (`BOOT_x_LEFT` after mark-good). */
export const DEFAULT_BOOT_ATTEMPTS = 3

/** The argv that reads the boot environment back (all of it: the counters of every slot in BOOT_ORDER matter). */
export const BOOT_ENV_ARGV = ['fw_printenv'] as const

/** Parses `fw_printenv` output; lines without `=` are ignored. */
export function parseBootEnv(text: string): BootEnv {
  const env: Record<string, string> = {}
  for (const line of text.split('\n')) {
    const eq = line.indexOf('=')
    if (eq > 0) env[line.slice(0, eq)] = line.slice(eq + 1).trim()
  }
  return env
}

/**
 * Checks that a mark-good really reached the boot environment: `BOOT_<bootname>_LEFT` is back at the maximum and the
 * slot is the first entry of `BOOT_ORDER` that U-Boot will boot: first in the list, or preceded only by entries whose
 * counter is 0 (U-Boot skips those; a missing counter counts as attempts left). Returns the mismatch, if any.
 */
export function checkBootEnv(env: BootEnv, bootname: string, attempts: number): string | undefined {
  const left = env[`BOOT_${bootname}_LEFT`]
  if (left === undefined) return `BOOT_${bootname}_LEFT is not set`
  if (left !== String(attempts)) return `BOOT_${bootname}_LEFT is ${left}, not ${attempts}`
  const order = env.BOOT_ORDER
  if (order === undefined) return 'BOOT_ORDER is not set'
  const entries = order.split(' ').filter((e) => e !== '')
  for (const entry of entries) {
    if (entry === bootname) return undefined
    const before = env[`BOOT_${entry}_LEFT`]
    if (before === undefined || Number(before) > 0) return `BOOT_ORDER "${order}" puts ${entry} before ${bootname}`
  }
  return `BOOT_ORDER "${order}" does not contain ${bootname}`
}
