import type { Issue } from '@atomicnix/config-schema'
import type { Clock, Log } from '../ports.js'
import { CONSOLE_CSS, CONSOLE_HTML, CONSOLE_JS } from './console.js'
import { type ApiAnswer, apiError, type ErrorCode, json, toResponse } from './responses.js'
import {
  CHALLENGE_HEADER,
  Challenges,
  SIGNATURE_HEADER,
  SIGNATURE_NAMESPACE,
  sha256Hex,
  signedMessage,
} from './signed-request.js'
import { publicKeyBlob, verifySshSignature } from './sshsig.js'

/** Validation of an input without persisting it: the CLI's issue objects. */
export type InputCheck =
  | { readonly ok: true; readonly warnings: readonly Issue[] }
  | { readonly ok: false; readonly errors: readonly Issue[]; readonly warnings: readonly Issue[] }

/** What the app says about a persisted generation. */
export interface GenerationSummary {
  readonly id: string
  readonly [field: string]: unknown
}

/**
 * The outcome of persisting an input as a new generation; `provisioned` when the change was unsigned and another
 * change provisioned the device first.
 */
export type PersistResult =
  | { readonly ok: true; readonly generation: GenerationSummary; readonly warnings: readonly Issue[] }
  | { readonly ok: false; readonly errors: readonly Issue[]; readonly warnings: readonly Issue[] }
  | { readonly ok: false; readonly provisioned: true }

/** Whether the device is provisioned, and with which admin keys (authorized_keys lines). */
export type Provisioning =
  | { readonly provisioned: false }
  | { readonly provisioned: true; readonly adminKeys: readonly string[] }

/** Thrown by `persist` when the generations lock stayed busy: answered 503 with Retry-After. */
export class BusyError extends Error {
  override readonly name = 'BusyError'
}

/** The effects the app needs, passed in by the composition root (no I/O of its own). */
export interface ApiDeps {
  readonly clock: Clock
  readonly log: Log
  /** The identity signed changes are bound to. */
  deviceId(): Promise<string>
  provisioning(): Promise<Provisioning>
  /** Checks an input (config.toml or bundle) as `import` would, without writing anything. */
  validate(input: Uint8Array, fileName: string | undefined): Promise<InputCheck>
  /**
   * Validates and persists an input as the new current generation (serialized by the generations lock). With
   * `unsigned`, only while the device is still unprovisioned, checked again where the writes are serialized, so that
   * of concurrent unsigned changes only the first lands.
   */
  persist(
    input: Uint8Array,
    fileName: string | undefined,
    change: { readonly unsigned: boolean },
  ): Promise<PersistResult>
  /** Called once a generation is persisted, e.g. to start an apply in the background; returns what it started. */
  afterPersist?(generation: GenerationSummary): string
  /** The current config.toml, or undefined before provisioning. */
  currentConfig(): Promise<Uint8Array | undefined>
  /** The document of `GET /api/status` (generation, last apply report, boot journal). */
  status(): Promise<Record<string, unknown>>
}

/** Limits and names the app enforces. */
export interface ApiOptions {
  /** The `Host` header values accepted (`name:port`, lower case): the listen address and the gateway's names. */
  allowedHosts(): ReadonlySet<string>
  /** Largest request body accepted, in bytes (default 64 MiB). */
  readonly bodyLimitBytes?: number
  /** Lifetime of a challenge (default 120 s) and how many may be outstanding (default 64). */
  readonly challengeLifetimeMs?: number
  readonly maxChallenges?: number
  /**
   * Requests that carry a body processed at once (default 4); more wait in a queue. A body declared (Content-Length) at
   * most 256 KiB counts as a quarter of one.
   */
  readonly maxActiveBodies?: number
  /** Requests allowed to wait for a slot (default 64); beyond it, 429. */
  readonly maxQueuedBodies?: number
  /** How long a request may wait for a slot before 503 (default 15 s). */
  readonly queueTimeoutMs?: number
}

/** The HTTP app: any runtime's `fetch` handler. */
export type FetchHandler = (request: Request) => Promise<Response>

/**
 * What the app reads of a request. A WHATWG `Request` is one; an adapter may pass a lighter object, with the body
 * as bytes when it has read it already.
 */
export interface ApiRequest {
  readonly method: string
  /** The absolute URL (only its path is used). */
  readonly url: string
  readonly headers: { get(name: string): string | null }
  readonly body: ReadableStream<Uint8Array> | Uint8Array | null
}

/** The app: a `fetch` handler, and the same handler over plain data for adapters that write the bytes themselves. */
export interface ApiApp extends FetchHandler {
  answer(request: ApiRequest): Promise<ApiAnswer>
}

/** Default body limit: 64 MiB. */
export const DEFAULT_BODY_LIMIT = 64 * 1024 * 1024

const CONFIG_TYPES = new Set(['application/toml', 'application/x-toml', 'text/toml', 'text/x-toml'])
const BUNDLE_TYPES = new Set([
  'application/gzip',
  'application/x-gzip',
  'application/x-tar',
  'application/x-gtar',
  'application/zstd',
  'application/x-zstd',
  'application/octet-stream',
])

/** Thrown while reading a body that passes the limit. */
class BodyTooLarge extends Error {}

/** A body the adapter read already, refused when it passes `limit` bytes. */
function bodyBytes(body: Uint8Array, limit: number): Uint8Array {
  if (body.length > limit) throw new BodyTooLarge()
  return body
}

/** Reads a request body into memory, refusing (without reading on) once it passes `limit` bytes. */
async function readBody(request: ApiRequest, limit: number): Promise<Uint8Array> {
  if (request.body === null) return new Uint8Array(0)
  if (request.body instanceof Uint8Array) return bodyBytes(request.body, limit)
  const reader = request.body.getReader()
  const chunks: Uint8Array[] = []
  let total = 0
  for (;;) {
    const { done, value } = await reader.read()
    if (done) break
    total += value.length
    if (total > limit) {
      await reader.cancel().catch(() => undefined)
      throw new BodyTooLarge()
    }
    chunks.push(value)
  }
  if (chunks.length === 1) return chunks[0]!
  const out = new Uint8Array(total)
  let at = 0
  for (const chunk of chunks) {
    out.set(chunk, at)
    at += chunk.length
  }
  return out
}

/**
 * A FIFO of slots for body-carrying requests: bounded work and bounded memory under load. A body of unknown or large
 * size takes a whole slot; one declared at most `SMALL_BODY_BYTES` takes a quarter, so that many small requests (a
 * console checking as someone types) are processed together while the memory bound stays that of the large ones.
 * Waiters all get the same time-out and join in order, so the head of the queue always expires first: one sleeper
 * serves the whole queue (no timer or AbortController per request). It sleeps at most `SWEEP_MS` at a time and stops
 * once the queue is empty, so that it never holds a process that is shutting down for longer than that.
 */
class Gate {
  /** Quarters of a slot in use. */
  private active = 0
  private readonly capacity: number
  private readonly waiting: Array<{
    readonly deadline: number
    readonly weight: number
    readonly settle: (ok: boolean) => void
  }> = []
  private sweeping = false
  constructor(
    private readonly clock: Clock,
    maxActive: number,
    private readonly maxQueued: number,
    private readonly timeoutMs: number,
  ) {
    this.capacity = maxActive * SLOT
  }

  /**
   * 'ok' with a slot held (release it with the same `small`), 'full' when the queue is full, 'timeout' when no slot
   * came in time.
   */
  enter(small: boolean): Promise<'ok' | 'full' | 'timeout'> | 'ok' | 'full' {
    const weight = small ? 1 : SLOT
    if (this.waiting.length === 0 && this.active + weight <= this.capacity) {
      this.active += weight
      return 'ok'
    }
    if (this.waiting.length >= this.maxQueued) return 'full'
    return new Promise((resolve) => {
      this.waiting.push({
        deadline: this.clock.monotonic() + this.timeoutMs,
        weight,
        settle: (ok) => resolve(ok ? 'ok' : 'timeout'),
      })
      if (!this.sweeping) void this.expire()
    })
  }

  /**
   * Times out the head of the queue while there is one. A waiter that joins while it sleeps has a later deadline than
   * the head it sleeps for, so it never oversleeps one.
   */
  private async expire(): Promise<void> {
    this.sweeping = true
    try {
      while (this.waiting.length > 0) {
        const wait = this.waiting[0]!.deadline - this.clock.monotonic()
        if (wait > 0) await this.clock.sleep(Math.min(wait, SWEEP_MS))
        const now = this.clock.monotonic()
        let expired = false
        while (this.waiting.length > 0 && this.waiting[0]!.deadline <= now) {
          this.waiting.shift()!.settle(false)
          expired = true
        }
        // A large head that gave up may have held back small ones behind it that fit now.
        if (expired) this.admit()
      }
    } finally {
      this.sweeping = false
    }
  }

  /** Hands free room to the waiters in order, as long as the next one fits. */
  private admit(): void {
    while (this.waiting.length > 0 && this.active + this.waiting[0]!.weight <= this.capacity) {
      const next = this.waiting.shift()!
      this.active += next.weight
      next.settle(true)
    }
  }

  release(small: boolean): void {
    this.active -= small ? 1 : SLOT
    this.admit()
  }
}

/** A whole slot of the body gate, in quarters; a small body takes one quarter. */
const SLOT = 4
/** A body declared (Content-Length) at most this large is a small one for the body gate. */
const SMALL_BODY_BYTES = 256 * 1024

/** The longest sleep of the body queue's time-out sweeper. */
const SWEEP_MS = 1_000

/** The media type of a Content-Type header, lower case, without parameters. */
function mediaType(request: ApiRequest): string | undefined {
  const value = request.headers.get('content-type')
  if (value === null) return undefined
  return value.split(';')[0]!.trim().toLowerCase()
}

/** The file name a client gave (X-Config-Filename), reduced to a safe base name; undefined when absent or unsafe. */
function clientFileName(request: ApiRequest, type: string): string | undefined | null {
  const given = request.headers.get('x-config-filename')
  if (given === null) return CONFIG_TYPES.has(type) ? 'config.toml' : undefined
  const base = given.split(/[/\\]/).pop() ?? ''
  return /^[A-Za-z0-9._+-]{1,255}$/.test(base) && base !== '.' && base !== '..' ? base : null
}

/** An Origin compared like a Host: lower case, no trailing dot on the name. */
function normalOrigin(origin: string): string {
  const match = /^(https?:\/\/)(.*)$/i.exec(origin)
  return match === null ? origin : `${match[1]!.toLowerCase()}${normalHost(match[2]!)}`
}

/** Normalizes a Host header: lower case, no trailing dot on the name. */
function normalHost(host: string): string {
  return host.toLowerCase().replace(/\.(?=:\d+$)|\.$/, '')
}

const CONFIG_DOWNLOAD_HEADERS = {
  'content-type': 'application/toml; charset=utf-8',
  'content-disposition': 'attachment; filename="config.toml"',
  'cache-control': 'no-store',
  'x-content-type-options': 'nosniff',
}

const CONSOLE_HEADERS = {
  'content-security-policy':
    "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' data:; " +
    "form-action 'none'; frame-ancestors 'none'; base-uri 'none'",
  'x-frame-options': 'DENY',
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'cache-control': 'no-store',
}

function asset(body: string, type: string): ApiAnswer {
  return { status: 200, headers: { 'content-type': `${type}; charset=utf-8`, ...CONSOLE_HEADERS }, body }
}

const CONSOLE_PAGE = asset(CONSOLE_HTML, 'text/html')
const CONSOLE_SCRIPT = asset(CONSOLE_JS, 'text/javascript')
const CONSOLE_STYLE = asset(CONSOLE_CSS, 'text/css')

/**
 * Creates the bootstrap API and console as a `fetch` handler: `GET /` (console), `GET /api/status`,
 * `GET /api/challenge`, `GET /api/config`, `POST /api/validate`, `POST /api/config`.
 */
export function createApiApp(deps: ApiDeps, options: ApiOptions): ApiApp {
  const bodyLimit = options.bodyLimitBytes ?? DEFAULT_BODY_LIMIT
  const challenges = new Challenges(deps.clock, {
    ...(options.challengeLifetimeMs === undefined ? {} : { lifetimeMs: options.challengeLifetimeMs }),
    ...(options.maxChallenges === undefined ? {} : { max: options.maxChallenges }),
  })
  const gate = new Gate(
    deps.clock,
    options.maxActiveBodies ?? 4,
    options.maxQueuedBodies ?? 64,
    options.queueTimeoutMs ?? 15_000,
  )

  /** Host, Origin and content-type checks of a POST; a refusal or the input's media type and file name. */
  function checkPost(request: ApiRequest, host: string): ApiAnswer | { type: string; fileName: string | undefined } {
    const origin = request.headers.get('origin')
    if (origin !== null && origin !== `http://${host}` && normalOrigin(origin) !== `http://${host}`) {
      return apiError(403, 'cross_origin', `Requests from ${origin} may not change this device.`)
    }
    const site = request.headers.get('sec-fetch-site')
    if (site !== null && site !== 'same-origin' && site !== 'none') {
      return apiError(403, 'cross_origin', 'Cross-site requests may not change this device.')
    }
    const type = mediaType(request)
    if (type === undefined || (!CONFIG_TYPES.has(type) && !BUNDLE_TYPES.has(type))) {
      return apiError(
        415,
        'unsupported_media_type',
        `Content-Type ${type ?? '(none)'} is not accepted: send application/toml for a config.toml, ` +
          'application/gzip, application/zstd, application/x-tar or application/octet-stream for a bundle.',
      )
    }
    const fileName = clientFileName(request, type)
    if (fileName === null) return apiError(400, 'bad_file_name', 'X-Config-Filename must be a plain file name.')
    const length = request.headers.get('content-length')
    if (length !== null && !/^\d+$/.test(length)) return apiError(400, 'bad_request', 'Content-Length is not a number.')
    if (length !== null && Number(length) > bodyLimit) return tooLarge(bodyLimit)
    return { type, fileName }
  }

  /** Runs `work` with a gate slot and the body read; maps busy queues, oversized bodies and lock time-outs. */
  async function withBody(request: ApiRequest, work: (body: Uint8Array) => Promise<ApiAnswer>): Promise<ApiAnswer> {
    const length = request.headers.get('content-length')
    const small = length !== null && Number(length) <= SMALL_BODY_BYTES
    const entering = gate.enter(small)
    const entered = typeof entering === 'string' ? entering : await entering
    if (entered === 'full') {
      return apiError(429, 'too_many_requests', 'Too many requests are waiting; try again shortly.', {
        'retry-after': '1',
      })
    }
    if (entered === 'timeout') {
      return apiError(503, 'busy', 'The device is busy with other changes; try again shortly.', { 'retry-after': '5' })
    }
    try {
      let body: Uint8Array
      try {
        // A small body is held to its declared length: the gate counted it as small.
        const limit = small ? Number(length) : bodyLimit
        // Bytes the adapter read already need no turn of the event loop.
        body = request.body instanceof Uint8Array ? bodyBytes(request.body, limit) : await readBody(request, limit)
      } catch (error) {
        if (error instanceof BodyTooLarge && small) {
          return apiError(400, 'bad_request', 'The body is longer than its Content-Length.')
        }
        if (error instanceof BodyTooLarge) return tooLarge(bodyLimit)
        // The client went away or broke the framing mid-body: its fault, not the device's.
        deps.log.warn('request body unreadable', { reason: error instanceof Error ? error.message : String(error) })
        return apiError(400, 'bad_request', 'The request body could not be read to its end.')
      }
      return await work(body)
    } catch (error) {
      if (error instanceof BusyError) {
        return apiError(503, 'busy', 'Another change is being written; try again shortly.', { 'retry-after': '5' })
      }
      throw error
    } finally {
      gate.release(small)
    }
  }

  /** The signature check of a change on a provisioned device, before the body is read: a refusal or a verifier. */
  async function authorize(
    request: ApiRequest,
    path: string,
  ): Promise<ApiAnswer | 'unsigned' | ((body: Uint8Array) => Promise<ApiAnswer | undefined>)> {
    const provisioning = await deps.provisioning()
    if (!provisioning.provisioned) return 'unsigned'
    const challenge = request.headers.get(CHALLENGE_HEADER)
    const signature = request.headers.get(SIGNATURE_HEADER)
    if (challenge === null || signature === null) {
      return signatureRequired()
    }
    const use = challenges.use(challenge)
    if (use !== 'ok') {
      return apiError(
        403,
        use === 'expired' ? 'challenge_expired' : 'challenge_unknown',
        use === 'expired'
          ? 'The challenge has expired; fetch a new one from /api/challenge.'
          : 'The challenge is unknown or was already used; fetch a new one from /api/challenge.',
      )
    }
    const device = await deps.deviceId()
    const keys = provisioning.adminKeys.map(publicKeyBlob).filter((k) => k !== undefined)
    return async (body) => {
      const message = signedMessage({
        challenge,
        method: request.method,
        path,
        device,
        bodySha256: await sha256Hex(body),
      })
      if (message === undefined) return apiError(403, 'signature_invalid', 'The request cannot be signed as sent.')
      const verified = await verifySshSignature(signature, new TextEncoder().encode(message), SIGNATURE_NAMESPACE, keys)
      if (!verified.ok) return apiError(403, verified.problem.code, verified.problem.message)
      deps.log.info('signed change accepted', { key: provisioning.adminKeys[verified.keyIndex]!.split(/\s+/)[2] })
      return undefined
    }
  }

  async function route(request: ApiRequest, path: string): Promise<ApiAnswer> {
    const allowed = options.allowedHosts()
    const given = (request.headers.get('host') ?? '').toLowerCase()
    // The usual Host needs no normalizing (no allowed name ends with a dot): the regex only runs for the others.
    const host = allowed.has(given) ? given : normalHost(given)
    if (!allowed.has(host)) {
      // DNS rebinding: a page on another name that resolves to this device must not reach it.
      return apiError(403, 'host_not_allowed', 'The Host header names neither this device nor its address.')
    }
    const method = request.method
    const allow = (methods: string) =>
      apiError(405, 'method_not_allowed', `${path} accepts ${methods} only.`, { allow: methods })

    switch (path) {
      case '/':
      case '/index.html':
        return method === 'GET' ? CONSOLE_PAGE : allow('GET')
      case '/console.js':
        return method === 'GET' ? CONSOLE_SCRIPT : allow('GET')
      case '/console.css':
        return method === 'GET' ? CONSOLE_STYLE : allow('GET')
      case '/api/status':
        if (method !== 'GET') return allow('GET')
        return json(200, { ok: true, ...(await deps.status()) })
      case '/api/challenge': {
        if (method !== 'GET') return allow('GET')
        const challenge = challenges.issue()
        return json(200, {
          ok: true,
          challenge,
          device: await deps.deviceId(),
          namespace: SIGNATURE_NAMESPACE,
          expiresInMs: challenges.lifetimeMs,
        })
      }
      case '/api/validate': {
        if (method !== 'POST') return allow('POST')
        const checked = checkPost(request, host)
        if ('status' in checked) return checked
        return withBody(request, async (body) => {
          const result = await deps.validate(body, checked.fileName)
          return result.ok
            ? json(200, { ok: true, errors: [], warnings: result.warnings })
            : json(422, { ok: false, errors: result.errors, warnings: result.warnings })
        })
      }
      case '/api/config': {
        if (method === 'GET') {
          const config = await deps.currentConfig()
          if (config === undefined) return apiError(404, 'not_provisioned', 'The device has no config yet.')
          return { status: 200, headers: CONFIG_DOWNLOAD_HEADERS, body: config }
        }
        if (method !== 'POST') return allow('GET, POST')
        const checked = checkPost(request, host)
        if ('status' in checked) return checked
        const verifier = await authorize(request, path)
        if (typeof verifier === 'object') return verifier
        return withBody(request, async (body) => {
          const refused = verifier === 'unsigned' ? undefined : await verifier(body)
          if (refused !== undefined) return refused
          const result = await deps.persist(body, checked.fileName, { unsigned: verifier === 'unsigned' })
          if (!result.ok && 'provisioned' in result) return signatureRequired()
          if (!result.ok) return json(422, { ok: false, errors: result.errors, warnings: result.warnings })
          const apply = deps.afterPersist?.(result.generation) ?? 'disabled'
          return json(200, { ok: true, errors: [], warnings: result.warnings, generation: result.generation, apply })
        })
      }
      default:
        return apiError(404, 'not_found', `There is nothing at ${path}.`)
    }
  }

  async function answer(request: ApiRequest): Promise<ApiAnswer> {
    let path = ''
    try {
      path = pathOf(request.url)
      const answer = await route(request, path)
      if (request.method === 'POST' && answer.status >= 400 && path === '/api/config') {
        // Every refused change is a decision the device took: the log says which and why.
        const body = JSON.parse(answer.body as string) as { errors?: { code?: string }[] }
        deps.log.warn('change refused', { status: answer.status, code: body.errors?.[0]?.code })
      }
      return answer
    } catch (error) {
      // Internals stay in the log; the client learns only that it failed.
      deps.log.error('request failed', {
        method: request.method,
        path,
        error: error instanceof Error ? error.message : String(error),
      })
      return apiError(500, 'internal_error', 'The device could not handle the request; its log says why.')
    }
  }

  const app = async (request: Request) => toResponse(await answer(request))
  return Object.assign(app, { answer })
}

/** A path of plain characters without dot segments, query or fragment: the URL parser would return it unchanged. */
const PLAIN_PATH = /^\/[A-Za-z0-9_~\-/]*(?:\.(?!\.?(?:\/|$))[A-Za-z0-9_~\-/]*)*$/

/** The scheme and authority (`http://host:port`) that the URL parser accepted last. */
let knownOrigin = ''

/**
 * The path of an absolute URL as `new URL(url).pathname` gives it. A plain path after the origin the parser accepted
 * last is taken as it is (the usual request: parsing the whole URL would cost more than routing it); any other URL
 * goes through the parser.
 */
export function pathOf(url: string): string {
  const origin = knownOrigin
  if (origin !== '' && url.startsWith(origin) && url.charCodeAt(origin.length) === 47) {
    const path = url.slice(origin.length)
    if (PLAIN_PATH.test(path)) return path
  }
  const parsed = new URL(url)
  const slash = url.indexOf('/', url.indexOf('//') + 2)
  // Only a URL that spells its origin as the parser does (no user, default port, or case to normalize) is kept.
  if (slash > 0 && url.slice(0, slash) === parsed.origin) knownOrigin = parsed.origin
  return parsed.pathname
}

function signatureRequired(): ApiAnswer {
  return apiError(
    401,
    'signature_required',
    'This device is provisioned: a change must be signed by an admin key (see `atomicnix push`).',
    { 'www-authenticate': `SSHSIG namespace="${SIGNATURE_NAMESPACE}", challenge="/api/challenge"` },
  )
}

function tooLarge(limit: number): ApiAnswer {
  return apiError(413, 'body_too_large', `The body is larger than the limit of ${limit} bytes.`)
}

export type { ApiAnswer, ErrorCode }
