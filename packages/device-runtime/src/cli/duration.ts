import { UsageError } from './run.js'

const UNITS: Readonly<Record<string, number>> = { ms: 1, s: 1000, m: 60_000, h: 3600_000 }

/** Parses `60s`, `500ms`, `10m`, `1h` (a bare number is seconds) into milliseconds; a usage error otherwise. */
export function parseDuration(option: string, text: string): number {
  const match = /^(\d+)(ms|s|m|h)?$/.exec(text.trim())
  if (match === null) throw new UsageError(`--${option} must be a duration like 60s, 500ms, 10m or 1h, not "${text}"`)
  const ms = Number(match[1]) * (UNITS[match[2] ?? 's'] ?? 1000)
  if (!Number.isSafeInteger(ms)) throw new UsageError(`--${option} is too large`)
  return ms
}
