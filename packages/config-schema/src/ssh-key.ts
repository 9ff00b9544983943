import { decodeBase64 } from './base64.js'

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

/** Reads the SSH wire format: uint32 length-prefixed strings and mpints. */
class WireReader {
  private at = 0
  constructor(private readonly bytes: Uint8Array) {}
  get done(): boolean {
    return this.at === this.bytes.length
  }
  bytesField(): Uint8Array | undefined {
    if (this.at + 4 > this.bytes.length) return undefined
    const b = this.bytes
    const length = ((b[this.at]! << 24) | (b[this.at + 1]! << 16) | (b[this.at + 2]! << 8) | b[this.at + 3]!) >>> 0
    this.at += 4
    if (this.at + length > b.length) return undefined
    const field = b.subarray(this.at, this.at + length)
    this.at += length
    return field
  }
  text(): string | undefined {
    const field = this.bytesField()
    if (field === undefined) return undefined
    let out = ''
    for (let i = 0; i < field.length; i++) {
      const byte = field[i]!
      if (byte < 0x20 || byte > 0x7e) return undefined
      out += String.fromCharCode(byte)
    }
    return out
  }
}

/** Bit length of an SSH mpint (big-endian, a leading zero byte keeps it positive). */
function mpintBits(field: Uint8Array): number {
  let i = 0
  while (i < field.length && field[i] === 0) i++
  if (i === field.length) return 0
  return (field.length - i - 1) * 8 + (32 - Math.clz32(field[i]!))
}

const CURVE_POINT_BYTES: Readonly<Record<string, number>> = { nistp256: 65, nistp384: 97, nistp521: 133 }

/** Checks the decoded key blob for its type; returns a problem or undefined. */
function checkBlob(type: string, blob: Uint8Array): SshKeyProblem | undefined {
  const r = new WireReader(blob)
  const named = r.text()
  if (named === undefined) return { code: 'ssh_key_invalid', message: 'The key data is not an OpenSSH public key.' }
  if (named !== type) {
    return { code: 'ssh_key_type_mismatch', message: `The key says "${type}" but its data is a "${named}" key.` }
  }
  const malformed: SshKeyProblem = { code: 'ssh_key_invalid', message: `The ${type} key data is malformed.` }
  if (type === 'ssh-rsa') {
    const e = r.bytesField()
    const n = r.bytesField()
    if (e === undefined || n === undefined || !r.done || mpintBits(e) === 0) return malformed
    const bits = mpintBits(n)
    if (bits < MIN_RSA_BITS) {
      return {
        code: 'ssh_key_too_short',
        message: `The RSA key has ${bits} bits; at least ${MIN_RSA_BITS} are required.`,
      }
    }
    return undefined
  }
  if (type === 'ssh-ed25519' || type === 'sk-ssh-ed25519@openssh.com') {
    const key = r.bytesField()
    if (key?.length !== 32) return malformed
    if (type.startsWith('sk-') && r.text() === undefined) return malformed
    return r.done ? undefined : malformed
  }
  // ecdsa-sha2-<curve> and sk-ecdsa-sha2-nistp256@openssh.com
  const curve = type
    .replace(/^sk-/, '')
    .replace(/@openssh\.com$/, '')
    .replace('ecdsa-sha2-', '')
  const blobCurve = r.text()
  const point = r.bytesField()
  if (blobCurve !== curve || point === undefined || point.length !== CURVE_POINT_BYTES[curve] || point[0] !== 4) {
    return malformed
  }
  if (type.startsWith('sk-') && r.text() === undefined) return malformed
  return r.done ? undefined : malformed
}

/**
 * Parses one `authorized_keys`-style public key line (`type base64 [comment]`, no options) and checks that the blob
 * decodes and names the same type, with the size rules of the accepted types.
 */
export function parseSshPublicKey(
  text: string,
): { ok: true; key: SshPublicKey } | { ok: false; problem: SshKeyProblem } {
  if (CONTROL.test(text)) {
    return { ok: false, problem: { code: 'ssh_key_invalid', message: 'The key contains a control character.' } }
  }
  const match = /^\s*(\S+)\s+(\S+)(?:\s+(.*?))?\s*$/.exec(text)
  if (match === null) {
    return {
      ok: false,
      problem: { code: 'ssh_key_invalid', message: 'A key must read "type base64 [comment]".' },
    }
  }
  const type = match[1]!
  const blob = match[2]!
  const comment = (match[3] ?? '').replace(/\s+/g, ' ')
  if (!SSH_KEY_TYPES.includes(type)) {
    const message =
      type === 'ssh-dss'
        ? 'DSA keys (ssh-dss) are not accepted; use an ed25519 key.'
        : `Key type "${type}" is not accepted; use ssh-ed25519, ecdsa-sha2-nistp256/384/521, an sk- key or ssh-rsa.`
    return { ok: false, problem: { code: 'ssh_key_type_unsupported', message } }
  }
  const bytes = decodeBase64(blob)
  if (bytes === undefined) {
    return { ok: false, problem: { code: 'ssh_key_invalid', message: 'The key data is not valid base64.' } }
  }
  const problem = checkBlob(type, bytes)
  if (problem) return { ok: false, problem }
  const line = comment === '' ? `${type} ${blob}` : `${type} ${blob} ${comment}`
  return { ok: true, key: { type, blob, comment, line } }
}
