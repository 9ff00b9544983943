import type { Clock } from '../ports.js'

/** The SSHSIG namespace of every signed change: a signature made for anything else never verifies here. */
export const SIGNATURE_NAMESPACE = 'atomicnix-config@v1'
/** Request header carrying the challenge that the signature binds. */
export const CHALLENGE_HEADER = 'x-atomicnix-challenge'
/** Request header carrying the SSHSIG signature: the base64 body of `ssh-keygen -Y sign`'s armor, on one line. */
export const SIGNATURE_HEADER = 'x-atomicnix-signature'

/** What a signed change binds. */
export interface SignedRequestParts {
  readonly challenge: string
  readonly method: string
  /** The request path without the query, e.g. `/api/config`. */
  readonly path: string
  /** The device's identity (`GET /api/challenge` says it; DESIGN: the WAN MAC as 12 lower-case hex digits). */
  readonly device: string
  /** SHA-256 of the request body, lower-case hex. */
  readonly bodySha256: string
}

const TOKEN = /^[A-Za-z0-9_-]{1,128}$/
const PATH = /^\/[\x21-\x7e]{0,1023}$/

/**
 * The canonical message that `ssh-keygen -Y sign -n atomicnix-config@v1` signs: six LF-terminated lines, fields in
 * this order, no time stamps (the device's clock may be wrong after boot; the challenge is what makes it fresh).
 * Undefined when a part holds a character that could forge another line.
 */
export function signedMessage(parts: SignedRequestParts): string | undefined {
  if (!TOKEN.test(parts.challenge) || !TOKEN.test(parts.device) || !/^[A-Z]{1,16}$/.test(parts.method)) return undefined
  if (!PATH.test(parts.path) || !/^[0-9a-f]{64}$/.test(parts.bodySha256)) return undefined
  return (
    `${SIGNATURE_NAMESPACE}\n` +
    `challenge ${parts.challenge}\n` +
    `method ${parts.method}\n` +
    `path ${parts.path}\n` +
    `device ${parts.device}\n` +
    `body-sha256 ${parts.bodySha256}\n`
  )
}

/** Lower-case hex SHA-256 of bytes (WebCrypto). */
export async function sha256Hex(bytes: Uint8Array): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', bytes as Uint8Array<ArrayBuffer>))
  let hex = ''
  for (const byte of digest) hex += byte.toString(16).padStart(2, '0')
  return hex
}

/** Options of the challenge store. */
export interface ChallengeOptions {
  /** How long a challenge stays usable, measured on the monotonic clock. */
  readonly lifetimeMs?: number
  /** At most this many are outstanding; issuing one more forgets the oldest. */
  readonly max?: number
}

/** Outcome of presenting a challenge. */
export type ChallengeUse = 'ok' | 'unknown' | 'expired'

/**
 * Single-use, short-lived challenges. Lifetimes are measured with the monotonic clock, never the wall clock, which
 * may jump after boot. A challenge is spent by its first use, whether the request then verifies or not.
 */
export class Challenges {
  private readonly issued = new Map<string, number>()
  readonly lifetimeMs: number
  private readonly max: number

  constructor(
    private readonly clock: Clock,
    options: ChallengeOptions = {},
  ) {
    this.lifetimeMs = options.lifetimeMs ?? 120_000
    this.max = options.max ?? 64
  }

  /** A new random challenge (256 bits, base64url). */
  issue(): string {
    const bytes = crypto.getRandomValues(new Uint8Array(32))
    let binary = ''
    for (const byte of bytes) binary += String.fromCharCode(byte)
    const challenge = btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '')
    while (this.issued.size >= this.max) this.issued.delete(this.issued.keys().next().value!)
    this.issued.set(challenge, this.clock.monotonic())
    return challenge
  }

  /** Spends a challenge: `ok` once, then `unknown`; `expired` when it outlived its lifetime. */
  use(challenge: string): ChallengeUse {
    const at = this.issued.get(challenge)
    if (at === undefined) return 'unknown'
    this.issued.delete(challenge)
    return this.clock.monotonic() - at > this.lifetimeMs ? 'expired' : 'ok'
  }
}
