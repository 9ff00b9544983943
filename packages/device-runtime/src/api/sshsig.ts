/**
 * Verification of OpenSSH signatures (`ssh-keygen -Y sign`, PROTOCOL.sshsig) with WebCrypto only, so that it runs in
 * any JS runtime: ssh-ed25519, ecdsa-sha2-nistp256/384/521, ssh-rsa (rsa-sha2-256/512), and the FIDO keys
 * sk-ssh-ed25519@openssh.com and sk-ecdsa-sha2-nistp256@openssh.com (user presence required).
 * https://github.com/openssh/openssh-portable/blob/master/PROTOCOL.sshsig
 */

const MAGIC = new TextEncoder().encode('SSHSIG')
const ARMOR_BEGIN = '-----BEGIN SSH SIGNATURE-----'
const ARMOR_END = '-----END SSH SIGNATURE-----'
/** A signature blob larger than this is refused before it is decoded (an RSA-16384 one is about 4 KiB). */
export const MAX_SIGNATURE_CHARS = 16_384

/** Why a signature was refused: a stable code and one sentence. */
export interface SignatureProblem {
  readonly code:
    | 'signature_malformed'
    | 'signature_namespace'
    | 'signature_key_unknown'
    | 'signature_algorithm'
    | 'signature_invalid'
  readonly message: string
}

/** The parts of an SSHSIG blob. */
export interface SshSignature {
  /** The signer's public key in SSH wire format. */
  readonly publicKey: Uint8Array
  readonly namespace: string
  readonly hashAlgorithm: string
  /** The signature field: string algorithm, string signature bytes, and for sk keys flags and counter. */
  readonly signature: Uint8Array
}

/** Reads SSH wire-format fields (RFC 4251: uint32 length-prefixed strings). */
class Wire {
  private at = 0
  constructor(private readonly bytes: Uint8Array) {}
  get done(): boolean {
    return this.at === this.bytes.length
  }
  take(n: number): Uint8Array | undefined {
    if (this.at + n > this.bytes.length) return undefined
    const out = this.bytes.subarray(this.at, this.at + n)
    this.at += n
    return out
  }
  uint32(): number | undefined {
    const b = this.take(4)
    return b === undefined ? undefined : ((b[0]! << 24) | (b[1]! << 16) | (b[2]! << 8) | b[3]!) >>> 0
  }
  string(): Uint8Array | undefined {
    const length = this.uint32()
    return length === undefined ? undefined : this.take(length)
  }
  text(): string | undefined {
    const field = this.string()
    if (field === undefined) return undefined
    for (const byte of field) if (byte < 0x20 || byte > 0x7e) return undefined
    return String.fromCharCode(...field)
  }
}

/** One SSH wire-format string: a uint32 length, then the bytes. */
function wireString(bytes: Uint8Array): Uint8Array {
  const out = new Uint8Array(4 + bytes.length)
  new DataView(out.buffer).setUint32(0, bytes.length)
  out.set(bytes, 4)
  return out
}

function concat(...parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0))
  let at = 0
  for (const part of parts) {
    out.set(part, at)
    at += part.length
  }
  return out
}

/** Decodes standard base64 (whitespace ignored); undefined when it is not base64. */
export function decodeBase64(text: string): Uint8Array | undefined {
  const clean = text.replace(/[\t\n\r ]/g, '')
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(clean) || clean.length % 4 !== 0) return undefined
  try {
    const binary = atob(clean)
    const out = new Uint8Array(binary.length)
    for (let i = 0; i < binary.length; i++) out[i] = binary.charCodeAt(i)
    return out
  } catch {
    return undefined
  }
}

/** Encodes bytes as standard base64. */
export function encodeBase64(bytes: Uint8Array): string {
  let binary = ''
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000))
  return btoa(binary)
}

const malformed = (message: string): { ok: false; problem: SignatureProblem } => ({
  ok: false,
  problem: { code: 'signature_malformed', message },
})

/**
 * Parses a signature: the armored text that `ssh-keygen -Y sign` writes, or its base64 body alone (what fits in an
 * HTTP header).
 */
export function parseSshSignature(
  text: string,
): { ok: true; signature: SshSignature } | { ok: false; problem: SignatureProblem } {
  if (text.length > MAX_SIGNATURE_CHARS) return malformed('The signature is too long.')
  let body = text.trim()
  if (body.startsWith(ARMOR_BEGIN)) {
    const end = body.indexOf(ARMOR_END)
    if (end < 0) return malformed(`The signature has no "${ARMOR_END}" line.`)
    body = body.slice(ARMOR_BEGIN.length, end)
  }
  const bytes = decodeBase64(body)
  if (bytes === undefined) return malformed('The signature is not base64.')
  const r = new Wire(bytes)
  const magic = r.take(MAGIC.length)
  if (magic === undefined || !equalBytes(magic, MAGIC)) return malformed('The signature is not an SSHSIG blob.')
  if (r.uint32() !== 1) return malformed('The signature has an unknown SSHSIG version.')
  const publicKey = r.string()
  const namespace = r.text()
  const reserved = r.string()
  const hashAlgorithm = r.text()
  const signature = r.string()
  if (publicKey === undefined || namespace === undefined || reserved === undefined) {
    return malformed('The signature is truncated.')
  }
  if (hashAlgorithm === undefined || signature === undefined || !r.done) {
    return malformed('The signature is truncated or has trailing data.')
  }
  return { ok: true, signature: { publicKey, namespace, hashAlgorithm, signature } }
}

/** Byte-wise equality. */
export function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false
  let diff = 0
  for (let i = 0; i < a.length; i++) diff |= a[i]! ^ b[i]!
  return diff === 0
}

/** The wire-format blob of an authorized_keys line (`type base64 [comment]`); undefined when malformed. */
export function publicKeyBlob(line: string): Uint8Array | undefined {
  const match = /^\s*(\S+)\s+([A-Za-z0-9+/=]+)/.exec(line)
  if (match === null) return undefined
  const blob = decodeBase64(match[2]!)
  if (blob === undefined) return undefined
  return new Wire(blob).text() === match[1] ? blob : undefined
}

const CURVES: Readonly<Record<string, { name: string; hash: string; size: number }>> = {
  nistp256: { name: 'P-256', hash: 'SHA-256', size: 32 },
  nistp384: { name: 'P-384', hash: 'SHA-384', size: 48 },
  nistp521: { name: 'P-521', hash: 'SHA-512', size: 66 },
}

function withoutLeadingZeros(mpint: Uint8Array): Uint8Array {
  let start = 0
  while (start < mpint.length && mpint[start] === 0) start++
  return mpint.subarray(start)
}

/** An SSH mpint as an unsigned big-endian integer of exactly `size` bytes; undefined when it does not fit. */
function fixedWidth(mpint: Uint8Array, size: number): Uint8Array | undefined {
  const digits = withoutLeadingZeros(mpint)
  if (digits.length > size) return undefined
  const out = new Uint8Array(size)
  out.set(digits, size - digits.length)
  return out
}

function base64url(bytes: Uint8Array): string {
  return encodeBase64(bytes).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '')
}

/** Converts an ECDSA signature blob (mpint r, mpint s) to WebCrypto's r||s form. */
function ecdsaSignature(blob: Uint8Array, size: number): Uint8Array | undefined {
  const r = new Wire(blob)
  const rr = r.string()
  const ss = r.string()
  if (rr === undefined || ss === undefined || !r.done) return undefined
  const a = fixedWidth(rr, size)
  const b = fixedWidth(ss, size)
  return a === undefined || b === undefined ? undefined : concat(a, b)
}

// WebCrypto's typings want ArrayBuffer-backed views; every view here is.
type Bytes = Uint8Array<ArrayBuffer>
const view = (bytes: Uint8Array): Bytes => bytes as Bytes

async function sha(name: 'SHA-256' | 'SHA-512', data: Uint8Array): Promise<Uint8Array> {
  return new Uint8Array(await crypto.subtle.digest(name, view(data)))
}

const invalid: SignatureProblem = { code: 'signature_invalid', message: 'The signature does not verify.' }

/** Verifies `signature` (the SSHSIG signature field) over `data` with the key `publicKey` (wire format). */
async function verifyRaw(
  publicKey: Uint8Array,
  signatureField: Uint8Array,
  data: Uint8Array,
): Promise<SignatureProblem | undefined> {
  const key = new Wire(publicKey)
  const keyType = key.text()
  const sig = new Wire(signatureField)
  const sigType = sig.text()
  const sigBytes = sig.string()
  if (keyType === undefined || sigType === undefined || sigBytes === undefined) {
    return { code: 'signature_malformed', message: 'The signature or its key is malformed.' }
  }
  const algorithm = (message: string): SignatureProblem => ({ code: 'signature_algorithm', message })
  try {
    if (keyType === 'ssh-ed25519' || keyType === 'sk-ssh-ed25519@openssh.com') {
      const point = key.string()
      if (sigType !== keyType) return algorithm(`A ${keyType} key cannot make a ${sigType} signature.`)
      if (point?.length !== 32 || sigBytes.length !== 64) return invalid
      let signed = data
      if (keyType.startsWith('sk-')) {
        const skData = await securityKeyData(key, sig, data)
        if ('code' in skData) return skData
        signed = skData.signed
      }
      if (!key.done || !sig.done) return invalid
      const imported = await crypto.subtle.importKey('raw', view(point), { name: 'Ed25519' }, false, ['verify'])
      const ok = await crypto.subtle.verify({ name: 'Ed25519' }, imported, view(sigBytes), view(signed))
      return ok ? undefined : invalid
    }
    if (keyType.startsWith('ecdsa-sha2-') || keyType === 'sk-ecdsa-sha2-nistp256@openssh.com') {
      const curveName = key.text()
      const point = key.string()
      const curve = curveName === undefined ? undefined : CURVES[curveName]
      if (curve === undefined || point === undefined) return invalid
      if (sigType !== keyType) return algorithm(`A ${keyType} key cannot make a ${sigType} signature.`)
      const rs = ecdsaSignature(sigBytes, curve.size)
      if (rs === undefined) return invalid
      let signed = data
      if (keyType.startsWith('sk-')) {
        const skData = await securityKeyData(key, sig, data)
        if ('code' in skData) return skData
        signed = skData.signed
      }
      if (!key.done || !sig.done) return invalid
      const imported = await crypto.subtle.importKey(
        'raw',
        view(point),
        { name: 'ECDSA', namedCurve: curve.name },
        false,
        ['verify'],
      )
      const ok = await crypto.subtle.verify({ name: 'ECDSA', hash: curve.hash }, imported, view(rs), view(signed))
      return ok ? undefined : invalid
    }
    if (keyType === 'ssh-rsa') {
      const e = key.string()
      const n = key.string()
      if (e === undefined || n === undefined || !key.done || !sig.done) return invalid
      // SHA-1 ("ssh-rsa") signatures are refused, as OpenSSH refuses them for SSHSIG.
      const hash = sigType === 'rsa-sha2-512' ? 'SHA-512' : sigType === 'rsa-sha2-256' ? 'SHA-256' : undefined
      if (hash === undefined) return algorithm(`RSA signatures must be rsa-sha2-256 or rsa-sha2-512, not ${sigType}.`)
      const modulus = withoutLeadingZeros(n)
      const exponent = withoutLeadingZeros(e)
      if (modulus.length === 0 || exponent.length === 0) return invalid
      const imported = await crypto.subtle.importKey(
        'jwk',
        { kty: 'RSA', n: base64url(modulus), e: base64url(exponent), ext: true },
        { name: 'RSASSA-PKCS1-v1_5', hash },
        false,
        ['verify'],
      )
      const padded = fixedWidth(sigBytes, modulus.length)
      if (padded === undefined) return invalid
      const ok = await crypto.subtle.verify({ name: 'RSASSA-PKCS1-v1_5' }, imported, view(padded), view(data))
      return ok ? undefined : invalid
    }
  } catch {
    // WebCrypto rejects keys that are not on the curve, empty RSA moduli and the like.
    return invalid
  }
  return algorithm(`Keys of type ${keyType} are not supported.`)
}

/**
 * What a FIDO authenticator signed: SHA-256(application) || flags || counter || SHA-256(data) (PROTOCOL.u2f).
 * The key's remaining field is the application; the signature's, the flags and the counter.
 */
async function securityKeyData(
  key: Wire,
  sig: Wire,
  data: Uint8Array,
): Promise<{ signed: Uint8Array } | SignatureProblem> {
  const application = key.string()
  const flags = sig.take(1)
  const counter = sig.take(4)
  if (application === undefined || flags === undefined || counter === undefined) return invalid
  if ((flags[0]! & 0x01) === 0) {
    return { code: 'signature_invalid', message: 'The security key signed without user presence (no touch).' }
  }
  return { signed: concat(await sha('SHA-256', application), flags, counter, await sha('SHA-256', data)) }
}

/**
 * Verifies an SSHSIG signature of `message` in `namespace` by one of `allowedKeys` (wire-format blobs). Resolves to
 * the index of the key that signed, or the reason for refusing.
 */
export async function verifySshSignature(
  signatureText: string,
  message: Uint8Array,
  namespace: string,
  allowedKeys: readonly Uint8Array[],
): Promise<{ ok: true; keyIndex: number } | { ok: false; problem: SignatureProblem }> {
  const parsed = parseSshSignature(signatureText)
  if (!parsed.ok) return parsed
  const { signature } = parsed
  if (signature.namespace !== namespace) {
    return {
      ok: false,
      problem: {
        code: 'signature_namespace',
        message: `The signature is for namespace "${signature.namespace}", not "${namespace}".`,
      },
    }
  }
  const keyIndex = allowedKeys.findIndex((k) => equalBytes(k, signature.publicKey))
  if (keyIndex < 0) {
    return {
      ok: false,
      problem: { code: 'signature_key_unknown', message: 'The signing key is not one of the admin keys.' },
    }
  }
  const hash = signature.hashAlgorithm === 'sha512' ? 'SHA-512' : signature.hashAlgorithm === 'sha256' ? 'SHA-256' : ''
  if (hash === '') {
    return {
      ok: false,
      problem: { code: 'signature_algorithm', message: `Unknown hash algorithm "${signature.hashAlgorithm}".` },
    }
  }
  const text = (s: string) => wireString(new TextEncoder().encode(s))
  const signedData = concat(
    MAGIC,
    text(namespace),
    wireString(new Uint8Array(0)),
    text(signature.hashAlgorithm),
    wireString(await sha(hash, message)),
  )
  const problem = await verifyRaw(signature.publicKey, signature.signature, signedData)
  return problem === undefined ? { ok: true, keyIndex } : { ok: false, problem }
}
