import { execFileSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { describeSystem } from '../../../../test/support/system.js'
import { createApiApp, type FetchHandler } from '../../src/api/app.js'
import { sha256Hex, signedMessage } from '../../src/api/signed-request.js'
import { type Answer, HOST, memoryDevice, options, post } from './memory-device.js'

const SEED = readFileSync(new URL('../../../../examples/seed/config.toml', import.meta.url), 'utf8')
const KEYS = { ed25519: ['-t', 'ed25519'], p256: ['-t', 'ecdsa', '-b', '256'], rsa3072: ['-t', 'rsa', '-b', '3072'] }
const EXTRA = { p384: ['-t', 'ecdsa', '-b', '384'], p521: ['-t', 'ecdsa', '-b', '521'], other: ['-t', 'ed25519'] }
type KeyName = keyof typeof KEYS | keyof typeof EXTRA

describeSystem('signed changes against real ssh-keygen -Y sign output', { commands: ['ssh-keygen'] }, () => {
  let dir: string
  const key = (name: KeyName) => join(dir, name)
  const publicKey = (name: KeyName) => readFileSync(`${key(name)}.pub`, 'utf8').trim()

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'anx-sshsig-'))
    for (const [name, args] of Object.entries({ ...KEYS, ...EXTRA })) {
      execFileSync('ssh-keygen', ['-q', ...args, '-N', '', '-C', `${name}@test`, '-f', join(dir, name)])
    }
  })
  afterAll(() => rmSync(dir, { recursive: true, force: true }))

  /** The seed with the test's admin keys (not the `other` key) and a marker that makes each body different. */
  const config = (marker: string) =>
    SEED.replace(
      /ssh_keys = \[.*\]/,
      `ssh_keys = [${(['ed25519', 'p256', 'rsa3072', 'p384', 'p521'] as const)
        .map((k) => JSON.stringify(publicKey(k)))
        .join(', ')}]`,
    ).replace('tcp = [443]', `tcp = [443] # ${marker}`)

  function sign(name: KeyName, message: string, namespace = 'atomicnix-config@v1'): string {
    const armored = execFileSync('ssh-keygen', ['-Y', 'sign', '-f', key(name), '-n', namespace], {
      input: message,
      encoding: 'utf8',
    })
    return armored
      .split('\n')
      .filter((l) => l !== '' && !l.startsWith('-----'))
      .join('')
  }

  /** A provisioned device (its first config carries the admin keys) and a signed POST helper. */
  async function provisioned(extra: Parameters<typeof options>[0] = {}) {
    const device = memoryDevice()
    const app: FetchHandler = createApiApp(device.deps, options(extra))
    expect((await app(post('/api/config', config('first')))).status).toBe(200)
    const challenge = async () => {
      const response = await app(new Request(`http://${HOST}/api/challenge`, { headers: { host: HOST } }))
      return (await response.json()) as Answer
    }
    const signedPost = async (
      body: string,
      how: { key?: KeyName; namespace?: string; device?: string; signedBody?: string; challenge?: string } = {},
    ) => {
      const issued = await challenge()
      const message = signedMessage({
        challenge: how.challenge ?? issued.challenge,
        method: 'POST',
        path: '/api/config',
        device: how.device ?? issued.device,
        bodySha256: await sha256Hex(new TextEncoder().encode(how.signedBody ?? body)),
      })!
      const signature = sign(how.key ?? 'ed25519', message, how.namespace)
      const headers = { 'x-atomicnix-challenge': issued.challenge, 'x-atomicnix-signature': signature }
      const response = await app(post('/api/config', body, headers))
      return { status: response.status, body: (await response.json()) as Answer, headers }
    }
    return { device, app, signedPost }
  }

  it('accepts changes signed with ed25519, ECDSA P-256/384/521 and RSA 3072 admin keys', async () => {
    const { device, signedPost } = await provisioned()
    for (const name of ['ed25519', 'p256', 'rsa3072', 'p384', 'p521'] as const) {
      const answer = await signedPost(config(name), { key: name })
      expect(answer.status, `${name}: ${JSON.stringify(answer.body.errors)}`).toBe(200)
      expect(device.generations.at(-1)!.input).toBe(config(name))
    }
    expect(device.generations).toHaveLength(6)
  })

  it('refuses a key that is not an admin key', async () => {
    const { device, signedPost } = await provisioned()
    const answer = await signedPost(config('x'), { key: 'other' })
    expect(answer).toMatchObject({ status: 403, body: { errors: [{ code: 'signature_key_unknown' }] } })
    expect(device.generations).toHaveLength(1)
  })

  it('refuses a signature made in another namespace', async () => {
    const { signedPost } = await provisioned()
    const answer = await signedPost(config('x'), { namespace: 'file' })
    expect(answer).toMatchObject({ status: 403, body: { errors: [{ code: 'signature_namespace' }] } })
  })

  it('refuses a body other than the signed one', async () => {
    const { signedPost } = await provisioned()
    const answer = await signedPost(config('sent'), { signedBody: config('signed') })
    expect(answer).toMatchObject({ status: 403, body: { errors: [{ code: 'signature_invalid' }] } })
  })

  it('refuses a signature made for another device', async () => {
    const { signedPost } = await provisioned()
    const answer = await signedPost(config('x'), { device: 'ffffffffffff' })
    expect(answer).toMatchObject({ status: 403, body: { errors: [{ code: 'signature_invalid' }] } })
  })

  it('refuses a replayed challenge and signature', async () => {
    const { app, device, signedPost } = await provisioned()
    const first = await signedPost(config('once'))
    expect(first.status).toBe(200)
    const replay = await app(post('/api/config', config('once'), first.headers))
    expect(replay.status).toBe(403)
    expect(((await replay.json()) as Answer).errors[0]!.code).toBe('challenge_unknown')
    expect(device.generations).toHaveLength(2)
  })

  it('refuses an expired challenge', async () => {
    const { device, app } = await provisioned({ challengeLifetimeMs: 60_000 })
    const issued = (await (
      await app(new Request(`http://${HOST}/api/challenge`, { headers: { host: HOST } }))
    ).json()) as Answer
    const body = config('late')
    const message = signedMessage({
      challenge: issued.challenge,
      method: 'POST',
      path: '/api/config',
      device: issued.device,
      bodySha256: await sha256Hex(new TextEncoder().encode(body)),
    })!
    const signature = sign('ed25519', message)
    device.clock.advance(60_001)
    const late = await app(
      post('/api/config', body, { 'x-atomicnix-challenge': issued.challenge, 'x-atomicnix-signature': signature }),
    )
    expect(late.status).toBe(403)
    expect(((await late.json()) as Answer).errors[0]!.code).toBe('challenge_expired')
  })
})
