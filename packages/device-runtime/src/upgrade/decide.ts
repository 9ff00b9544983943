import type { RolledBackBundle } from '../journal/slots.js'
import { compareVersions } from './version.js'

/** What the update server offers: `GET <server_url>/api/v1/updates/latest` answering 200. */
export interface UpdateOffer {
  version: string
  /** Absolute, or relative to the server URL. */
  bundle_url: string
  /** SHA-256 of the bundle file, lower-case hex. */
  sha256: string
  size: number
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v)

/** Checks the offer's shape: non-empty version and URL, 64 hex digits, a positive integer size. */
export function parseOffer(text: string): { ok: true; offer: UpdateOffer } | { ok: false; reason: string } {
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch {
    return { ok: false, reason: 'the offer is not JSON' }
  }
  if (!isObject(value)) return { ok: false, reason: 'the offer is not a JSON object' }
  const { version, bundle_url, sha256, size } = value
  if (typeof version !== 'string' || version.trim() === '' || version.length > 128)
    return { ok: false, reason: 'the offer has no version' }
  if (typeof bundle_url !== 'string' || bundle_url === '') return { ok: false, reason: 'the offer has no bundle_url' }
  if (typeof sha256 !== 'string' || !/^[0-9a-fA-F]{64}$/.test(sha256))
    return { ok: false, reason: 'the offer has no sha256 of 64 hex digits' }
  if (typeof size !== 'number' || !Number.isSafeInteger(size) || size <= 0)
    return { ok: false, reason: 'the offer has no positive integer size' }
  return { ok: true, offer: { version, bundle_url, sha256: sha256.toLowerCase(), size } }
}

/** Whether to install an offer, and why not. */
export type OfferDecision = { install: true; reason: string } | { install: false; reason: string }

/**
 * Decides on an offer (pure): only a version newer by order (`compareVersions`) than the booted one, never one
 * recorded as rolled back (same version by order, or same SHA-256), never larger than `maxBytes`. An unknown booted
 * version (a slot written outside RAUC) accepts any offer that passes the other rules.
 */
export function decideOffer(
  offer: UpdateOffer,
  current: string | undefined,
  rolledBack: readonly RolledBackBundle[],
  maxBytes: number,
): OfferDecision {
  const abandoned = rolledBack.find(
    (r) => (r.version !== undefined && compareVersions(r.version, offer.version) === 0) || r.sha256 === offer.sha256,
  )
  if (abandoned !== undefined)
    return { install: false, reason: `${offer.version} rolled back on this device before (${abandoned.reason})` }
  if (current !== undefined) {
    const order = compareVersions(offer.version, current)
    if (order === 0) return { install: false, reason: `${offer.version} is the booted version` }
    if (order < 0) return { install: false, reason: `${offer.version} is older than the booted ${current}` }
  }
  if (offer.size > maxBytes) return { install: false, reason: `${offer.size} bytes exceeds the limit of ${maxBytes}` }
  return {
    install: true,
    reason:
      current === undefined
        ? `${offer.version} offered; the booted version is unknown`
        : `${offer.version} is newer than ${current}`,
  }
}

/** The longest wait a server can ask for with Retry-After; longer values are cut to this. */
export const MAX_RETRY_AFTER_MS = 24 * 3600_000

/** Milliseconds until a Retry-After value (delay seconds or an HTTP date), at most a day; undefined if unreadable. */
export function parseRetryAfter(value: string | undefined, nowMs: number): number | undefined {
  if (value === undefined) return undefined
  const text = value.trim()
  let ms: number
  if (/^\d+$/.test(text)) ms = Number(text) * 1000
  else {
    const date = Date.parse(text)
    if (Number.isNaN(date)) return undefined
    ms = date - nowMs
  }
  return Math.min(Math.max(ms, 0), MAX_RETRY_AFTER_MS)
}

/** Back-off after consecutive failures: 5 min doubled per failure, at most 6 h. */
export function backoffMs(failures: number): number {
  return Math.min(5 * 60_000 * 2 ** Math.max(0, Math.min(failures - 1, 16)), 6 * 3600_000)
}
