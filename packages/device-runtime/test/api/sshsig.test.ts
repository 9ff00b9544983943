import { describe, expect, it } from 'vitest'
import { encodeBase64, parseSshSignature, publicKeyBlob, verifySshSignature } from '../../src/api/sshsig.js'

// FIDO (sk-) keys need a security key to sign, which a test machine lacks; these signatures are built here exactly as
// PROTOCOL.u2f and PROTOCOL.sshsig describe, with WebCrypto standing in for the authenticator.
const text = new TextEncoder()
const NAMESPACE = 'atomicnix-config@v1'

function wire(...fields: (string | Uint8Array)[]): Uint8Array {
  const parts = fields.map((f) => (typeof f === 'string' ? text.encode(f) : f))
  const out = new Uint8Array(parts.reduce((n, p) => n + 4 + p.length, 0))
  const view = new DataView(out.buffer)
  let at = 0
  for (const part of parts) {
    view.setUint32(at, part.length)
    out.set(part, at + 4)
    at += 4 + part.length
  }
  return out
}
const concat = (...parts: Uint8Array[]) => {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0))
  let at = 0
  for (const p of parts) {
    out.set(p, at)
    at += p.length
  }
  return out
}
const digest = async (name: string, data: Uint8Array) =>
  new Uint8Array(await crypto.subtle.digest(name, data as Uint8Array<ArrayBuffer>))
/** An unsigned big-endian integer as an SSH mpint (a leading zero when the top bit is set). */
const mpint = (bytes: Uint8Array) => {
  let i = 0
  while (i < bytes.length - 1 && bytes[i] === 0) i++
  const digits = bytes.subarray(i)
  return digits[0]! & 0x80 ? concat(new Uint8Array([0]), digits) : digits
}

async function skSignature(kind: 'ed25519' | 'ecdsa', message: Uint8Array, flags: number, namespace = NAMESPACE) {
  const application = 'ssh:'
  const pair = (
    kind === 'ed25519'
      ? await crypto.subtle.generateKey({ name: 'Ed25519' }, true, ['sign', 'verify'])
      : await crypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, true, ['sign', 'verify'])
  ) as CryptoKeyPair
  const raw = new Uint8Array(await crypto.subtle.exportKey('raw', pair.publicKey))
  const type = kind === 'ed25519' ? 'sk-ssh-ed25519@openssh.com' : 'sk-ecdsa-sha2-nistp256@openssh.com'
  const publicKey = kind === 'ed25519' ? wire(type, raw, application) : wire(type, 'nistp256', raw, application)
  const signedData = concat(text.encode('SSHSIG'), wire(namespace, '', 'sha512', await digest('SHA-512', message)))
  const counter = new Uint8Array([0, 0, 0, 7])
  const toSign = concat(
    await digest('SHA-256', text.encode(application)),
    new Uint8Array([flags]),
    counter,
    await digest('SHA-256', signedData),
  )
  const algorithm = kind === 'ed25519' ? { name: 'Ed25519' } : { name: 'ECDSA', hash: 'SHA-256' }
  const sig = new Uint8Array(await crypto.subtle.sign(algorithm, pair.privateKey, toSign as Uint8Array<ArrayBuffer>))
  const sigBlob = kind === 'ed25519' ? sig : wire(mpint(sig.subarray(0, 32)), mpint(sig.subarray(32)))
  const signatureField = concat(wire(type, sigBlob), new Uint8Array([flags]), counter)
  const blob = concat(
    text.encode('SSHSIG'),
    new Uint8Array([0, 0, 0, 1]),
    wire(publicKey, namespace, '', 'sha512', signatureField),
  )
  const armored = `-----BEGIN SSH SIGNATURE-----\n${encodeBase64(blob).replace(/.{70}/g, '$&\n')}\n-----END SSH SIGNATURE-----\n`
  return { armored, keyLine: `${type} ${encodeBase64(publicKey)} key@sk` }
}

describe('SSHSIG verification', () => {
  for (const kind of ['ed25519', 'ecdsa'] as const) {
    it(`verifies a sk-${kind} (FIDO) signature with user presence, refuses one without`, async () => {
      const message = text.encode('a signed change\n')
      const touched = await skSignature(kind, message, 0x01)
      const key = publicKeyBlob(touched.keyLine)!
      expect(await verifySshSignature(touched.armored, message, NAMESPACE, [key])).toEqual({ ok: true, keyIndex: 0 })
      const changed = await verifySshSignature(touched.armored, text.encode('another change\n'), NAMESPACE, [key])
      expect(changed).toMatchObject({ ok: false, problem: { code: 'signature_invalid' } })
      const untouched = await skSignature(kind, message, 0x00)
      const refused = await verifySshSignature(untouched.armored, message, NAMESPACE, [
        publicKeyBlob(untouched.keyLine)!,
      ])
      expect(refused).toMatchObject({ ok: false, problem: { code: 'signature_invalid' } })
    })
  }

  it('reports malformed input with a code, never throwing', async () => {
    for (const input of ['', 'AAAA', '-----BEGIN SSH SIGNATURE-----\nAAAA', '!!!', 'U1NIU0lH', 'x'.repeat(20_000)]) {
      const parsed = parseSshSignature(input)
      expect(parsed.ok, input.slice(0, 20)).toBe(false)
      const verified = await verifySshSignature(input, new Uint8Array(), NAMESPACE, [])
      expect(verified).toMatchObject({ ok: false, problem: { code: 'signature_malformed' } })
    }
  })

  it('publicKeyBlob refuses a line whose blob names another type', () => {
    const ed = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIIHfTcrdK6PyhPLrqKNmRkAO2OkRmpVpUpxvBEthfD0B x'
    expect(publicKeyBlob(ed)).toBeInstanceOf(Uint8Array)
    expect(publicKeyBlob(ed.replace('ssh-ed25519', 'ssh-rsa'))).toBeUndefined()
  })
})
