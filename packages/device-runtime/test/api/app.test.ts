import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { type ApiDeps, BusyError, createApiApp } from '../../src/api/app.js'
import { type Answer, get, HOST, memoryDevice, options, post } from './memory-device.js'

const SEED = readFileSync(new URL('../../../../examples/seed/config.toml', import.meta.url), 'utf8')
const ORIGIN = `http://${HOST}`

async function answer(response: Response) {
  return { status: response.status, body: (await response.json()) as Answer }
}

describe('bootstrap API in-process', () => {
  it('serves the console with a strict Content-Security-Policy and no external assets', async () => {
    const app = createApiApp(memoryDevice().deps, options())
    const page = await app(get('/'))
    expect(page.status).toBe(200)
    expect(page.headers.get('content-security-policy')).toContain("default-src 'none'")
    const html = await page.text()
    expect(html).not.toMatch(/https?:\/\//)
    for (const asset of ['/console.js', '/console.css']) {
      const response = await app(get(asset))
      expect(response.status).toBe(200)
      expect(await response.text()).not.toMatch(/https?:\/\/(?!\$)/)
    }
  })

  it('validates without persisting: 200 with warnings, 422 with lines and columns', async () => {
    const { deps, generations } = memoryDevice()
    const app = createApiApp(deps, options())
    const ok = await answer(await app(post('/api/validate', SEED)))
    expect(ok).toMatchObject({ status: 200, body: { ok: true, errors: [] } })
    expect(ok.body.warnings).toEqual([expect.objectContaining({ code: 'publish_port_loopback', line: 26, column: 16 })])
    const bad = await answer(await app(post('/api/validate', SEED.replace('dhcp_start', 'dhcp_strat'))))
    expect(bad.status).toBe(422)
    expect(bad.body.errors).toContainEqual(
      expect.objectContaining({ code: 'unknown_key', path: 'lan.dhcp_strat', line: 12, column: 1 }),
    )
    expect(generations).toHaveLength(0)
  })

  it('persists an unprovisioned change from the LAN, then wants a signature (401)', async () => {
    const { deps, generations } = memoryDevice({ afterPersist: () => 'started' })
    const app = createApiApp(deps, options())
    const first = await answer(await app(post('/api/config', SEED, { origin: ORIGIN })))
    expect(first).toMatchObject({
      status: 200,
      body: { ok: true, errors: [], generation: { id: 'g000001' }, apply: 'started' },
    })
    expect(first.body.warnings).toHaveLength(1)
    expect(generations).toHaveLength(1)
    const unsigned = await app(post('/api/config', SEED))
    expect(unsigned.status).toBe(401)
    expect(unsigned.headers.get('www-authenticate')).toContain('atomicnix-config@v1')
    expect((await answer(unsigned)).body.errors[0]!.code).toBe('signature_required')
    const download = await app(get('/api/config'))
    expect(download.headers.get('content-disposition')).toBe('attachment; filename="config.toml"')
    expect(await download.text()).toBe(SEED)
  })

  it('of concurrent unsigned changes to an unprovisioned device only the first lands; the others get 401', async () => {
    const { deps, generations } = memoryDevice()
    const app = createApiApp(deps, options({ maxActiveBodies: 8 }))
    const bodies = Array.from({ length: 20 }, (_, i) => SEED.replace('tcp = [443]', `tcp = [${1000 + i}]`))
    const statuses = await Promise.all(bodies.map(async (body) => (await app(post('/api/config', body))).status))
    expect(statuses.filter((s) => s === 200)).toHaveLength(1)
    expect(statuses.filter((s) => s === 401)).toHaveLength(19)
    expect(generations).toHaveLength(1)
    expect(bodies).toContain(generations[0]!.input)
  })

  it('refuses an invalid config with 422 and writes nothing', async () => {
    const { deps, generations } = memoryDevice()
    const app = createApiApp(deps, options())
    const bad = await answer(await app(post('/api/config', 'version = 2\n')))
    expect(bad.status).toBe(422)
    expect(bad.body.ok).toBe(false)
    expect(generations).toHaveLength(0)
    expect((await answer(await app(get('/api/config')))).status).toBe(404)
  })

  it('refuses a forged signature and an unknown challenge with 403', async () => {
    const { deps } = memoryDevice()
    const app = createApiApp(deps, options())
    await app(post('/api/config', SEED))
    const { body } = await answer(await app(get('/api/challenge')))
    expect(body).toMatchObject({ ok: true, device: '0a1b2c3d4e5f', namespace: 'atomicnix-config@v1' })
    const forged = await answer(
      await app(
        post('/api/config', SEED, { 'x-atomicnix-challenge': body.challenge, 'x-atomicnix-signature': 'AAAA' }),
      ),
    )
    expect(forged.status).toBe(403)
    expect(forged.body.errors[0]!.code).toBe('signature_malformed')
    const reused = await answer(
      await app(
        post('/api/config', SEED, { 'x-atomicnix-challenge': body.challenge, 'x-atomicnix-signature': 'AAAA' }),
      ),
    )
    expect(reused.body.errors[0]!.code).toBe('challenge_unknown')
  })

  it('refuses an expired challenge with 403 (monotonic clock)', async () => {
    const { deps, clock } = memoryDevice()
    const app = createApiApp(deps, options({ challengeLifetimeMs: 1_000 }))
    await app(post('/api/config', SEED))
    const { body } = await answer(await app(get('/api/challenge')))
    clock.advance(1_001)
    const late = await answer(
      await app(
        post('/api/config', SEED, { 'x-atomicnix-challenge': body.challenge, 'x-atomicnix-signature': 'AAAA' }),
      ),
    )
    expect(late.status).toBe(403)
    expect(late.body.errors[0]!.code).toBe('challenge_expired')
  })

  it('415 for simple and missing content types, before reading the body', async () => {
    const app = createApiApp(memoryDevice().deps, options())
    for (const type of ['text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x']) {
      const refused = await answer(await app(post('/api/config', SEED, { 'content-type': type })))
      expect(refused.status, type).toBe(415)
      expect(refused.body.errors[0]!.code).toBe('unsupported_media_type')
    }
    const none = new Request(`http://${HOST}/api/config`, {
      method: 'POST',
      headers: { host: HOST },
      body: new Blob([SEED]),
    })
    expect((await app(none)).status).toBe(415)
  })

  it('cross-site requests are refused: a form post, a text/plain fetch, a rebinding Host', async () => {
    const { deps, generations } = memoryDevice()
    const app = createApiApp(deps, options())
    const form = await answer(
      await app(
        post('/api/config', 'a=b', {
          'content-type': 'application/x-www-form-urlencoded',
          origin: 'http://evil.example',
          'sec-fetch-site': 'cross-site',
        }),
      ),
    )
    expect(form).toMatchObject({ status: 403, body: { errors: [{ code: 'cross_origin' }] } })
    const fetchText = await app(
      post('/api/config', SEED, { 'content-type': 'text/plain', origin: 'http://evil.example' }),
    )
    expect(fetchText.status).toBe(403)
    const sameSiteOtherPort = await app(post('/api/config', SEED, { origin: 'http://172.20.30.1:9999' }))
    expect(sameSiteOtherPort.status).toBe(403)
    const nullOrigin = await app(post('/api/config', SEED, { origin: 'null' }))
    expect(nullOrigin.status).toBe(403)
    const rebinding = await answer(await app(post('/api/config', SEED, { host: 'evil.example:8080' })))
    expect(rebinding).toMatchObject({ status: 403, body: { errors: [{ code: 'host_not_allowed' }] } })
    const rebindingRead = await app(get('/api/status', { host: 'evil.example:8080' }))
    expect(rebindingRead.status).toBe(403)
    expect(generations).toHaveLength(0)
    // The gateway's names are accepted, with or without a trailing dot.
    const dotted = { host: 'atomicnix.local.:8080', origin: 'http://ATOMICNIX.local.:8080' }
    expect((await app(post('/api/validate', SEED, dotted))).status).toBe(200)
    expect((await app(get('/api/status', { host: 'atomicnix.local.:8080' }))).status).toBe(200)
    expect(
      (await app(post('/api/validate', SEED, { host: 'ATOMICNIX:8080', origin: 'http://atomicnix:8080' }))).status,
    ).toBe(200)
  })

  it('413 on a declared length over the limit without reading, and on a stream that passes it', async () => {
    const app = createApiApp(memoryDevice().deps, options({ bodyLimitBytes: 1024 }))
    let pulled = 0
    const endless = () =>
      new ReadableStream<Uint8Array>({
        pull(controller) {
          pulled++
          controller.enqueue(new Uint8Array(512))
        },
      })
    const declared = await app(post('/api/config', endless(), { 'content-length': '4096' }))
    expect(declared.status).toBe(413)
    expect(pulled).toBeLessThanOrEqual(1)
    const streamed = await answer(await app(post('/api/validate', endless())))
    expect(streamed).toMatchObject({ status: 413, body: { errors: [{ code: 'body_too_large' }] } })
    expect(pulled).toBeLessThan(10)
  })

  it('400 for a body that breaks off (the client went away), not 500', async () => {
    const { deps, log } = memoryDevice()
    const app = createApiApp(deps, options())
    const broken = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(new TextEncoder().encode('version = 1\n'))
        controller.error(new Error('client aborted'))
      },
    })
    const answer = await app(post('/api/validate', broken))
    expect(answer.status).toBe(400)
    expect(log.lines.join('\n')).toContain('request body unreadable')
  })

  it('405 with Allow, 404 elsewhere', async () => {
    const app = createApiApp(memoryDevice().deps, options())
    const wrong = await app(new Request(`http://${HOST}/api/status`, { method: 'DELETE', headers: { host: HOST } }))
    expect(wrong.status).toBe(405)
    expect(wrong.headers.get('allow')).toBe('GET')
    expect((await app(get('/api/nothing'))).status).toBe(404)
    expect((await app(get('/api/validate'))).status).toBe(405)
  })

  it('429 when the queue is full, 503 when a slot does not come in time or the lock stays busy', async () => {
    let release!: () => void
    const blocked = new Promise<void>((resolve) => {
      release = resolve
    })
    const { deps } = memoryDevice()
    const slow: ApiDeps = {
      ...deps,
      validate: async (input) => {
        await blocked
        return deps.validate(input, undefined)
      },
    }
    const app = createApiApp(slow, options({ maxActiveBodies: 1, maxQueuedBodies: 1, queueTimeoutMs: 200 }))
    const first = app(post('/api/validate', SEED))
    const second = app(post('/api/validate', SEED))
    const third = await app(post('/api/validate', SEED))
    expect(third.status).toBe(429)
    expect(third.headers.get('retry-after')).toBe('1')
    expect((await second).status).toBe(503)
    release()
    expect((await first).status).toBe(200)

    const busy = createApiApp(
      memoryDevice({
        persist: async () => {
          throw new BusyError('lock busy')
        },
      }).deps,
      options(),
    )
    const refused = await busy(post('/api/config', SEED))
    expect(refused.status).toBe(503)
    expect(refused.headers.get('retry-after')).toBe('5')
  })

  it('processes four small declared bodies in the room of one large one, in order, with the memory bound kept', async () => {
    let release!: () => void
    const blocked = new Promise<void>((resolve) => {
      release = resolve
    })
    let running = 0
    let most = 0
    const { deps } = memoryDevice()
    const slow: ApiDeps = {
      ...deps,
      validate: async (input) => {
        most = Math.max(most, ++running)
        await blocked
        running--
        return deps.validate(input, undefined)
      },
    }
    const app = createApiApp(slow, options({ maxActiveBodies: 1, maxQueuedBodies: 8, queueTimeoutMs: 5_000 }))
    const declared = { 'content-length': String(Buffer.byteLength(SEED)) }
    const small = Array.from({ length: 4 }, () => app(post('/api/validate', SEED, declared)))
    const large = app(post('/api/validate', SEED)) // no declared length: a whole slot
    const later = app(post('/api/validate', SEED, declared)) // behind the large one: FIFO
    await new Promise((resolve) => setTimeout(resolve, 50))
    expect(running).toBe(4)
    release()
    const statuses = await Promise.all([...small, large, later].map(async (r) => (await r).status))
    expect(statuses).toEqual([200, 200, 200, 200, 200, 200])
    expect(most).toBe(4)
    // A body longer than its declared small length is refused, not read on.
    const lying = await app(
      post('/api/validate', `${SEED}${'#'.repeat(1000)}`, { 'content-length': String(Buffer.byteLength(SEED)) }),
    )
    expect(lying.status).toBe(400)
  })

  it('500 with no internals; the log has the reason', async () => {
    const { deps, log } = memoryDevice({
      persist: async () => {
        throw new Error('EIO: secret internal path /data/x')
      },
    })
    const app = createApiApp(deps, options())
    const failed = await app(post('/api/config', SEED))
    expect(failed.status).toBe(500)
    const text = await failed.text()
    expect(text).not.toContain('secret')
    expect(text).toContain('internal_error')
    expect(log.lines.join('\n')).toContain('secret internal path')
  })
})
