import { decodeBase64Into, decodedLength } from './base64.js'

/** OpenSSH public key types accepted for `[admin] ssh_keys`. */
export const SSH_KEY_TYPES: readonly string[] = [
  'ssh-ed25519',
  'ecdsa-sha2-nistp256',
  'ecdsa-sha2-nistp384',
  'ecdsa-sha2-nistp521',
  'sk-ssh-ed25519@openssh.com',
  'sk-ecdsa-sha2-nistp256@openssh.com',
  'ssh-rsa',
]

/** Smallest RSA modulus accepted, in bits. */
export const MIN_RSA_BITS = 2048

/** A public key line that passed every check. */
export interface SshPublicKey {
  readonly type: string
  readonly blob: string
  readonly comment: string
  /** `type blob` or `type blob comment`, single-spaced: the line written to authorized_keys. */
  readonly line: string
}

/** Why a key line was refused: the issue code and a sentence. */
export interface SshKeyProblem {
  readonly code: 'ssh_key_invalid' | 'ssh_key_type_unsupported' | 'ssh_key_type_mismatch' | 'ssh_key_too_short'
  readonly message: string
}

const CONTROL = /[\u0000-\u001f\u007f]/

/**
 * Reads the SSH wire format: uint32 length-prefixed strings and mpints. A field is read as its offset and length in
 * the blob (no view is made of it), as this runs for every key of every config.
 */
class WireReader {
  private at = 0
  /** Offset of the field that `field` read last. */
  start = 0
  /** The blob is `bytes[0, end)`. */
  constructor(
    readonly bytes: Uint8Array,
    private readonly end: number,
  ) {}
  get done(): boolean {
    return this.at === this.end
  }
  /** Reads the next field; its length (it starts at `start`), or -1 when the blob ends first. */
  field(): number {
    const b = this.bytes
    if (this.at + 4 > this.end) return -1
    const length = ((b[this.at]! << 24) | (b[this.at + 1]! << 16) | (b[this.at + 2]! << 8) | b[this.at + 3]!) >>> 0
    this.at += 4
    if (this.at + length > this.end) return -1
    this.start = this.at
    this.at += length
    return length
  }
  /** Reads the next field as printable ASCII text; undefined when it is missing or is not such text. */
  text(): string | undefined {
    const length = this.field()
    if (length < 0 || !this.isPrintable(length)) return undefined
    let out = ''
    for (let i = this.start; i < this.start + length; i++) out += String.fromCharCode(this.bytes[i]!)
    return out
  }
  /** Reads the next field; true when it is printable ASCII text (what `text` would return, without building it). */
  skipText(): boolean {
    const length = this.field()
    return length >= 0 && this.isPrintable(length)
  }
  /** Reads the next field; true when it is exactly `expected`, a printable ASCII text. */
  textIs(expected: string): boolean {
    const length = this.field()
    if (length !== expected.length) return false
    for (let i = 0; i < length; i++) if (this.bytes[this.start + i] !== expected.charCodeAt(i)) return false
    return true
  }
  private isPrintable(length: number): boolean {
    for (let i = this.start; i < this.start + length; i++) {
      const byte = this.bytes[i]!
      if (byte < 0x20 || byte > 0x7e) return false
    }
    return true
  }
}

/** Bit length of the SSH mpint at `bytes[start, start + length)` (big-endian, a leading zero byte keeps it positive). */
function mpintBits(bytes: Uint8Array, start: number, length: number): number {
  let i = start
  const end = start + length
  while (i < end && bytes[i] === 0) i++
  if (i === end) return 0
  return (end - i - 1) * 8 + (32 - Math.clz32(bytes[i]!))
}

/** The curve of each ECDSA key type, and the size of its uncompressed point. */
const ECDSA_CURVES: Readonly<Record<string, { readonly curve: string; readonly pointBytes: number }>> = {
  'ecdsa-sha2-nistp256': { curve: 'nistp256', pointBytes: 65 },
  'ecdsa-sha2-nistp384': { curve: 'nistp384', pointBytes: 97 },
  'ecdsa-sha2-nistp521': { curve: 'nistp521', pointBytes: 133 },
  'sk-ecdsa-sha2-nistp256@openssh.com': { curve: 'nistp256', pointBytes: 65 },
}

function malformed(type: string): SshKeyProblem {
  return { code: 'ssh_key_invalid', message: `The ${type} key data is malformed.` }
}

/** Checks the decoded key blob `blob[0, end)` for its type (one of `SSH_KEY_TYPES`); returns a problem or undefined. */
function checkBlob(type: string, blob: Uint8Array, end: number): SshKeyProblem | undefined {
  const r = new WireReader(blob, end)
  if (!r.textIs(type)) {
    // Read again for the message: what the blob names instead, if it names anything.
    const named = new WireReader(blob, end).text()
    if (named === undefined) return { code: 'ssh_key_invalid', message: 'The key data is not an OpenSSH public key.' }
    return { code: 'ssh_key_type_mismatch', message: `The key says "${type}" but its data is a "${named}" key.` }
  }
  if (type === 'ssh-rsa') {
    const e = r.field()
    const eStart = r.start
    const n = r.field()
    if (e < 0 || n < 0 || !r.done || mpintBits(blob, eStart, e) === 0) return malformed(type)
    const bits = mpintBits(blob, r.start, n)
    if (bits < MIN_RSA_BITS) {
      return {
        code: 'ssh_key_too_short',
        message: `The RSA key has ${bits} bits; at least ${MIN_RSA_BITS} are required.`,
      }
    }
    return undefined
  }
  const sk = type.startsWith('sk-')
  if (type === 'ssh-ed25519' || type === 'sk-ssh-ed25519@openssh.com') {
    if (r.field() !== 32) return malformed(type)
    if (sk && !r.skipText()) return malformed(type)
    return r.done ? undefined : malformed(type)
  }
  // ecdsa-sha2-<curve> and sk-ecdsa-sha2-nistp256@openssh.com
  const { curve, pointBytes } = ECDSA_CURVES[type]!
  if (!r.textIs(curve) || r.field() !== pointBytes || blob[r.start] !== 4) return malformed(type)
  if (sk && !r.skipText()) return malformed(type)
  return r.done ? undefined : malformed(type)
}

/**
 * Blobs are decoded into one buffer that every call reuses (reading a key is synchronous), as a typed array of its
 * own per key costs more than decoding it; a blob larger than `SCRATCH_LIMIT` bytes gets an array of its own.
 */
let scratch = new Uint8Array(1024)
const SCRATCH_LIMIT = 16 * 1024

/** The shared buffer, grown to hold `length` bytes. */
function scratchOf(length: number): Uint8Array {
  if (scratch.length < length) scratch = new Uint8Array(SCRATCH_LIMIT)
  return scratch
}

/** The three parts of a key line as `KEY_LINE` reads them, or undefined when it does not match. */
interface KeyLineParts {
  readonly type: string
  readonly blob: string
  /** Whitespace-trimmed, not yet single-spaced. */
  readonly comment: string
}

/** `type base64 [comment]` between optional whitespace: the general reading of a key line. */
const KEY_LINE = /^\s*(\S+)\s+(\S+)(?:\s+(.*?))?\s*$/

/** Any character outside ASCII: a line without one has only the space as `\s` (control characters are refused). */
const NON_ASCII = /[^\u0000-\u007f]/

/** Anything but printable ASCII and the space. */
const NOT_PRINTABLE = /[^\u0020-\u007e]/

/** Reads a key line with `KEY_LINE`. */
export function keyLinePartsByPattern(text: string): KeyLineParts | undefined {
  const match = KEY_LINE.exec(text)
  return match === null ? undefined : { type: match[1]!, blob: match[2]!, comment: match[3] ?? '' }
}

/**
 * Reads a key line free of control characters as `keyLinePartsByPattern` does: for an ASCII line, where the only
 * whitespace is the space, by finding the spaces; for any other line, with the pattern.
 */
export function keyLineParts(text: string): KeyLineParts | undefined {
  return NON_ASCII.test(text) ? keyLinePartsByPattern(text) : asciiKeyLineParts(text)
}

/** `keyLineParts` of a line of printable ASCII and spaces. */
function asciiKeyLineParts(text: string): KeyLineParts | undefined {
  let i = 0
  while (text.charCodeAt(i) === 32) i++
  const typeEnd = text.indexOf(' ', i)
  if (typeEnd === -1) return undefined
  let blobStart = typeEnd + 1
  while (text.charCodeAt(blobStart) === 32) blobStart++
  if (blobStart === text.length) return undefined
  const space = text.indexOf(' ', blobStart)
  const blobEnd = space === -1 ? text.length : space
  const type = text.slice(i, typeEnd)
  const blob = text.slice(blobStart, blobEnd)
  let end = text.length
  while (end > blobEnd && text.charCodeAt(end - 1) === 32) end--
  let start = blobEnd
  while (start < end && text.charCodeAt(start) === 32) start++
  return { type, blob, comment: text.slice(start, end) }
}

/** `comment` with each run of whitespace as one space. */
function singleSpaced(comment: string): string {
  return MORE_THAN_ONE_SPACE.test(comment) ? comment.replace(/\s+/g, ' ') : comment
}

/** Whitespace that `singleSpaced` would change: two in a row, or any but the space. */
const MORE_THAN_ONE_SPACE = /\s\s|[^\S ]/

/**
 * Parses one `authorized_keys`-style public key line (`type base64 [comment]`, no options) and checks that the blob
 * decodes and names the same type, with the size rules of the accepted types.
 */
export function parseSshPublicKey(
  text: string,
): { ok: true; key: SshPublicKey } | { ok: false; problem: SshKeyProblem } {
  // Most lines are printable ASCII and spaces, which one scan tells: no control character, only spaces as `\s`.
  const printable = !NOT_PRINTABLE.test(text)
  if (!printable && CONTROL.test(text)) {
    return { ok: false, problem: { code: 'ssh_key_invalid', message: 'The key contains a control character.' } }
  }
  const parts = printable ? asciiKeyLineParts(text) : keyLinePartsByPattern(text)
  if (parts === undefined) {
    return {
      ok: false,
      problem: { code: 'ssh_key_invalid', message: 'A key must read "type base64 [comment]".' },
    }
  }
  const { type, blob } = parts
  const comment = printable && !parts.comment.includes('  ') ? parts.comment : singleSpaced(parts.comment)
  if (!SSH_KEY_TYPES.includes(type)) {
    const message =
      type === 'ssh-dss'
        ? 'DSA keys (ssh-dss) are not accepted; use an ed25519 key.'
        : `Key type "${type}" is not accepted; use ssh-ed25519, ecdsa-sha2-nistp256/384/521, an sk- key or ssh-rsa.`
    return { ok: false, problem: { code: 'ssh_key_type_unsupported', message } }
  }
  const length = decodedLength(blob)
  const bytes = length <= SCRATCH_LIMIT ? scratchOf(length) : new Uint8Array(length)
  if (length < 0 || !decodeBase64Into(blob, bytes)) {
    return { ok: false, problem: { code: 'ssh_key_invalid', message: 'The key data is not valid base64.' } }
  }
  const problem = checkBlob(type, bytes, length)
  if (problem) return { ok: false, problem }
  const line = comment === '' ? `${type} ${blob}` : `${type} ${blob} ${comment}`
  return { ok: true, key: { type, blob, comment, line } }
}
