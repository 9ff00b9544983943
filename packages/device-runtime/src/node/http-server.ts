import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { Socket } from 'node:net'
import type { ApiApp, ApiRequest } from '../api/app.js'
import { type ApiAnswer, apiError } from '../api/responses.js'
import type { Log } from '../ports.js'

/** The limits the adapter enforces on every connection and request. */
export interface ServerLimits {
  /** Largest request head (request line and headers); larger ones get 431 from Node. Default 16 KiB. */
  readonly maxHeaderBytes: number
  /** Largest body; a larger Content-Length is refused before a byte of the body is read. Default 64 MiB. */
  readonly bodyLimitBytes: number
  /** The whole request head must arrive within this from the connection's first byte (slow clients). Default 10 s. */
  readonly headersTimeoutMs: number
  /** The whole request, body included, must arrive within this. Default 120 s. */
  readonly requestTimeoutMs: number
  /** A connection on which nothing moves for this long is closed. Default 30 s. */
  readonly idleTimeoutMs: number
  /** An idle keep-alive connection is closed after this. Default 5 s. */
  readonly keepAliveTimeoutMs: number
  /** Connections beyond this many are dropped at once. Default 64. */
  readonly maxConnections: number
}

/** The limits used unless the caller gives others. */
export const DEFAULT_LIMITS: ServerLimits = {
  maxHeaderBytes: 16 * 1024,
  bodyLimitBytes: 64 * 1024 * 1024,
  headersTimeoutMs: 10_000,
  requestTimeoutMs: 120_000,
  idleTimeoutMs: 30_000,
  keepAliveTimeoutMs: 5_000,
  maxConnections: 64,
}

/** A body up to this size with a Content-Length is read before the handler runs (one copy, no stream). */
const EAGER_BODY_BYTES = 256 * 1024
/** After refusing a body, unread bytes are discarded for at most this long before the socket is closed. */
const LINGER_MS = 2_000

/** How often one kind of refusal is logged at most; the others are counted into the next line. */
const NOTE_INTERVAL_MS = 10_000

/** Logs the adapter's own refusals (cut-off clients, dropped connections), at most once per interval per kind. */
function refusalLog(log: Log) {
  const last = new Map<string, { at: number; suppressed: number }>()
  return (kind: string, message: string, fields: Record<string, string | number> = {}) => {
    const now = performance.now()
    const seen = last.get(kind)
    if (seen !== undefined && now - seen.at < NOTE_INTERVAL_MS) {
      seen.suppressed++
      return
    }
    log.warn(message, { ...fields, ...(seen?.suppressed ? { alsoSince: seen.suppressed } : {}) })
    last.set(kind, { at: now, suppressed: 0 })
  }
}

/** A server listening on one address. */
export interface HttpListener {
  readonly host: string
  readonly port: number
  /** Stops accepting, closes idle connections, and resolves once every connection is gone. */
  close(): Promise<void>
}

/** Raised by `listenHttp` when the address cannot be bound; `code` is Node's (EADDRNOTAVAIL, EADDRINUSE, …). */
export class ListenError extends Error {
  override readonly name = 'ListenError'
  constructor(
    message: string,
    readonly code: string | undefined,
  ) {
    super(message)
  }
}

/**
 * The request's headers as the app reads them, straight from Node's raw list: names compared without case, repeated
 * fields joined with ", " as WHATWG Headers does (so that two Host headers never pass as one of them).
 */
class RawHeaders {
  constructor(private readonly raw: readonly string[]) {}

  get(name: string): string | null {
    const raw = this.raw
    const want = name.toLowerCase()
    let found: string | null = null
    for (let i = 0; i + 1 < raw.length; i += 2) {
      const key = raw[i]!
      if (key.length === want.length && key.toLowerCase() === want) {
        found = found === null ? raw[i + 1]! : `${found}, ${raw[i + 1]!}`
      }
    }
    return found
  }
}

/** The body as a stream that pulls from the socket only as the handler reads, and stops at the limit. */
function bodyStream(req: IncomingMessage, limit: number): ReadableStream<Uint8Array> {
  let received = 0
  return new ReadableStream<Uint8Array>(
    {
      start(controller) {
        req.pause()
        req.on('data', (chunk: Buffer) => {
          received += chunk.length
          controller.enqueue(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.length))
          if (received > limit || (controller.desiredSize ?? 0) <= 0) req.pause()
        })
        req.on('end', () => controller.close())
        req.on('error', (error) => controller.error(error))
        req.on('aborted', () => controller.error(new Error('client aborted')))
      },
      pull() {
        if (received <= limit) req.resume()
      },
      cancel() {
        req.pause()
      },
    },
    { highWaterMark: 4 },
  )
}

/** Reads a body of known, small length fully; undefined when the client stops early. */
function readSmallBody(req: IncomingMessage, length: number): Promise<Buffer | undefined> {
  return new Promise((resolve) => {
    const buffer = Buffer.allocUnsafe(length)
    let at = 0
    req.on('data', (chunk: Buffer) => {
      const room = length - at
      chunk.copy(buffer, at, 0, Math.min(room, chunk.length))
      at += Math.min(room, chunk.length)
    })
    req.on('end', () => resolve(at === length ? buffer : undefined))
    req.on('error', () => resolve(undefined))
    req.on('aborted', () => resolve(undefined))
  })
}

/** Writes an answer: head and a text body leave in one write, with their Content-Length. */
function send(res: ServerResponse, answer: ApiAnswer): void {
  const head: string[] = []
  for (const key in answer.headers) head.push(key, answer.headers[key]!)
  const body = answer.body
  head.push('content-length', String(typeof body === 'string' ? Buffer.byteLength(body) : body.length))
  res.writeHead(answer.status, head)
  res.end(body)
}

/**
 * After answering a request whose body was not read (refused), half-close and discard what the client still sends
 * for a moment, then close: closing at once would make the kernel reset the connection, and a client still sending
 * would lose the answer with it.
 */
function linger(req: IncomingMessage, res: ServerResponse): void {
  const socket = req.socket
  req.removeAllListeners('data')
  req.on('data', () => undefined)
  req.resume()
  res.once('finish', () => {
    socket.end()
    const timer = setTimeout(() => socket.destroy(), LINGER_MS)
    timer.unref()
    socket.once('close', () => clearTimeout(timer))
  })
}

/**
 * Serves the app on `host:port` with Node's http server and the given limits. Requests reach the app as plain data
 * (`app.answer`): no WHATWG Request or Response is built per request.
 */
export function listenHttp(
  app: ApiApp,
  address: { host: string; port: number },
  options: { limits?: Partial<ServerLimits>; log: Log },
): Promise<HttpListener> {
  const limits: ServerLimits = { ...DEFAULT_LIMITS, ...options.limits }
  const { log } = options
  const sockets = new Set<Socket>()
  const origin = `http://${address.host.includes(':') ? `[${address.host}]` : address.host}:${address.port}`

  const server: Server = createServer(
    {
      maxHeaderSize: limits.maxHeaderBytes,
      headersTimeout: limits.headersTimeoutMs,
      requestTimeout: limits.requestTimeoutMs,
      keepAliveTimeout: limits.keepAliveTimeoutMs,
      // How often Node checks the two time-outs above; the default (30 s) would let a slow client stay far longer.
      connectionsCheckingInterval: Math.max(50, Math.min(1_000, limits.headersTimeoutMs / 4)),
      requireHostHeader: false,
    },
    (req, res) => {
      handle(req, res).catch((error: unknown) => {
        log.error('http adapter failed', { error: error instanceof Error ? error.message : String(error) })
        if (!res.headersSent) {
          res.writeHead(500, { 'content-type': 'application/json; charset=utf-8', connection: 'close' })
          res.end(
            '{"ok":false,"errors":[{"code":"internal_error","severity":"error","path":"","message":"Internal error."}],"warnings":[]}\n',
          )
        } else res.destroy()
      })
    },
  )
  const note = refusalLog(log)
  server.maxConnections = limits.maxConnections
  server.on('drop', (data?: { remoteAddress?: string }) => {
    note('drop', 'connection dropped: too many connections', {
      limit: limits.maxConnections,
      from: data?.remoteAddress ?? '?',
    })
  })
  server.timeout = limits.idleTimeoutMs
  server.on('connection', (socket) => {
    sockets.add(socket)
    socket.once('close', () => sockets.delete(socket))
  })
  server.on('clientError', (error: NodeJS.ErrnoException, socket) => {
    // Node answers malformed requests, oversized heads (431) and slow heads (408) here; we only close politely.
    if (!socket.writable) return socket.destroy()
    const status = error.code === 'HPE_HEADER_OVERFLOW' ? 431 : error.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? 408 : 400
    const text = status === 431 ? 'Request Header Fields Too Large' : status === 408 ? 'Request Timeout' : 'Bad Request'
    note(`client-${status}`, status === 408 ? 'slow client cut off' : 'malformed request refused', {
      status,
      from: (socket as Socket).remoteAddress ?? '?',
      reason: error.code ?? error.message,
    })
    socket.end(`HTTP/1.1 ${status} ${text}\r\nconnection: close\r\ncontent-length: 0\r\n\r\n`)
  })

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const target = req.url ?? ''
    if (!target.startsWith('/')) {
      linger(req, res)
      return send(res, apiError(400, 'bad_request', 'The request target must be a path.'))
    }
    const url = `${origin}${target}`
    const method = req.method ?? 'GET'
    const hasBody = method !== 'GET' && method !== 'HEAD'
    const lengthHeader = req.headers['content-length']
    const length = lengthHeader === undefined ? undefined : Number(lengthHeader)

    let body: Uint8Array | ReadableStream<Uint8Array> | null = null
    if (hasBody && length !== undefined && length > limits.bodyLimitBytes) {
      // Refused on the declared length alone: not one byte of the body is read.
      note('too-large', 'body refused: over the limit', { length: lengthHeader!, limit: limits.bodyLimitBytes })
      linger(req, res)
      return send(res, tooLarge(limits.bodyLimitBytes))
    }
    if (hasBody && length !== undefined && length <= EAGER_BODY_BYTES) {
      const small = await readSmallBody(req, length)
      if (small === undefined) return void req.socket.destroy()
      body = small
    } else if (hasBody && (length === undefined || length > 0)) {
      body = bodyStream(req, limits.bodyLimitBytes)
    }
    const request: ApiRequest = { method, url, headers: new RawHeaders(req.rawHeaders), body }
    const answer = await app.answer(request)
    const unread = hasBody && !req.complete
    if (res.destroyed || req.socket.destroyed) return
    if (unread) linger(req, res)
    send(res, answer)
  }

  return new Promise((resolve, reject) => {
    const onError = (error: NodeJS.ErrnoException) => {
      reject(new ListenError(`cannot listen on ${address.host}:${address.port}: ${error.message}`, error.code))
    }
    server.once('error', onError)
    server.listen({ host: address.host, port: address.port, exclusive: true }, () => {
      server.off('error', onError)
      server.on('error', (error) => log.error('http server error', { error: error.message }))
      const bound = server.address()
      const port = typeof bound === 'object' && bound !== null ? bound.port : address.port
      resolve({
        host: address.host,
        port,
        close: () =>
          new Promise<void>((done) => {
            server.close(() => done())
            server.closeIdleConnections()
            // Connections still busy get a moment to finish, then go.
            setTimeout(() => {
              for (const socket of sockets) socket.destroy()
            }, 1_000).unref()
          }),
      })
    })
  })
}

function tooLarge(limit: number): ApiAnswer {
  return apiError(413, 'body_too_large', `The body is larger than the limit of ${limit} bytes.`)
}
