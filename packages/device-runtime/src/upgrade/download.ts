import { existingSize } from '../device.js'
import type { Files, Http, HttpResponse, Log } from '../ports.js'
import { HttpError } from '../ports.js'
import { parseRetryAfter } from './decide.js'
import { redactUrl } from './url.js'

/** One bundle to fetch. */
export interface DownloadRequest {
  readonly url: string
  readonly sha256: string
  readonly size: number
  /** The directory of downloads (`DATA/downloads`). */
  readonly dir: string
  /** Free space that must remain on the file system after the download. */
  readonly reserveBytes: number
  /** Whether `http://` URLs are allowed (the config's server_url is http://). */
  readonly allowHttp: boolean
  /** Attempts within this call; an interrupted transfer is resumed with a Range request. */
  readonly attempts: number
  readonly idleTimeoutMs: number
  readonly headers: Readonly<Record<string, string>>
  readonly nowMs: number
}

/** How a download ended. `partial` is the resumable file left behind on an interruption (the only one kept). */
export type DownloadResult =
  | { ok: true; path: string }
  | { ok: false; reason: string; partial?: string; retryAfterMs?: number }

const MAX_REDIRECTS = 5
const PROGRESS_STEPS = 10

/** The bundle's path once verified, and its resumable partial path. */
export const bundlePaths = (dir: string, sha256: string) => {
  const path = `${dir}/${sha256}.raucb`
  return { path, partial: `${path}.part` }
}

/** Why a URL may not be fetched (scheme), or undefined. */
export function refuseUrl(url: URL, allowHttp: boolean): string | undefined {
  if (url.protocol === 'https:') return undefined
  if (url.protocol === 'http:')
    return allowHttp ? undefined : `${redactUrl(url.href)}: http:// is refused (the server_url is https://)`
  return `${redactUrl(url.href)}: unsupported scheme ${url.protocol}`
}

/** GET following at most MAX_REDIRECTS redirects, each hop checked against the scheme rule. */
async function getFollowing(
  http: Http,
  url: string,
  request: DownloadRequest,
  headers: Record<string, string>,
): Promise<{ response: HttpResponse; url: string } | { error: string }> {
  let current = url
  for (let hop = 0; hop <= MAX_REDIRECTS; hop++) {
    const refused = refuseUrl(new URL(current), request.allowHttp)
    if (refused !== undefined) return { error: refused }
    const response = await http.get({ url: current, headers, idleTimeoutMs: request.idleTimeoutMs })
    const location = response.header('location')
    if (response.status >= 300 && response.status < 400 && location !== undefined) {
      response.cancel()
      current = new URL(location, current).href
      continue
    }
    return { response, url: current }
  }
  return { error: `${redactUrl(url)}: more than ${MAX_REDIRECTS} redirects` }
}

/**
 * Streams a bundle to `<dir>/<sha256>.raucb.part`, checks its size (never more than `size` bytes are written), the free
 * space, and its SHA-256, then renames it to `<dir>/<sha256>.raucb`. A transfer cut short is resumed from the partial
 * file with `Range: bytes=N-` (a 200 answer restarts from zero); after the last attempt the partial file stays for the
 * next poll. Every other failure (digest, size, truncated body, refused URL, HTTP error) removes the partial file.
 */
export async function downloadBundle(
  deps: { files: Files; http: Http; log: Log },
  request: DownloadRequest,
): Promise<DownloadResult> {
  const { files, http, log } = deps
  const { path, partial } = bundlePaths(request.dir, request.sha256)
  const fail = async (reason: string, extra: { retryAfterMs?: number } = {}): Promise<DownloadResult> => {
    await files.remove(partial)
    return { ok: false, reason, ...extra }
  }
  let have = (await existingSize(files, partial)) ?? 0
  if (have > request.size) {
    await files.remove(partial)
    have = 0
  }
  for (let attempt = 1; attempt <= request.attempts; attempt++) {
    const free = await files.freeBytes(request.dir)
    if (free < request.size - have + request.reserveBytes)
      return fail(
        `not enough free space in ${request.dir}: ${free} bytes free, ${request.size - have} needed and ${request.reserveBytes} kept free`,
      )
    const headers: Record<string, string> = { ...request.headers }
    if (have > 0) headers.Range = `bytes=${have}-`
    let got: Awaited<ReturnType<typeof getFollowing>>
    try {
      got = await getFollowing(http, request.url, request, headers)
    } catch (error) {
      if (!(error instanceof HttpError)) throw error
      log.warn('bundle download failed to connect', { url: redactUrl(request.url), attempt, reason: error.message })
      if (attempt < request.attempts) continue
      return have > 0 ? { ok: false, reason: error.message, partial } : fail(error.message)
    }
    if ('error' in got) return fail(got.error)
    const { response } = got
    let truncate = false
    if (response.status === 206 && have > 0) {
      const range = /^bytes (\d+)-(\d+)\/(\d+|\*)$/.exec(response.header('content-range') ?? '')
      if (range === null || Number(range[1]) !== have || (range[3] !== '*' && Number(range[3]) !== request.size)) {
        response.cancel()
        return fail(
          `the server answered the range request with Content-Range "${response.header('content-range') ?? ''}"`,
        )
      }
      log.info('resuming the bundle download', { url: redactUrl(got.url), from: have, size: request.size })
    } else if (response.status === 200) {
      if (have > 0)
        log.info('the server ignored the range request: downloading from the start', {
          url: redactUrl(got.url),
        })
      truncate = true
      have = 0
    } else if (response.status === 416 && have > 0) {
      response.cancel()
      await files.remove(partial)
      have = 0
      continue
    } else {
      response.cancel()
      const retryAfterMs = parseRetryAfter(response.header('retry-after'), request.nowMs)
      const reason = `${redactUrl(got.url)} answered ${response.status}`
      if (have > 0 && (response.status === 429 || response.status >= 500))
        return { ok: false, reason, partial, ...(retryAfterMs === undefined ? {} : { retryAfterMs }) }
      return fail(reason, retryAfterMs === undefined ? {} : { retryAfterMs })
    }
    const length = response.header('content-length')
    if (length !== undefined && /^\d+$/.test(length) && have + Number(length) > request.size) {
      response.cancel()
      return fail(`the bundle is larger than the offered ${request.size} bytes (Content-Length ${length})`)
    }
    const handle = await files.openAppend(partial, 0o600, truncate)
    let written = have
    let reported = Math.floor((written / request.size) * PROGRESS_STEPS)
    let interrupted: string | undefined
    let oversized = false
    try {
      for await (const chunk of response.body) {
        if (written + chunk.length > request.size) {
          oversized = true
          response.cancel()
          break
        }
        await handle.write(chunk)
        written += chunk.length
        const step = Math.floor((written / request.size) * PROGRESS_STEPS)
        if (step > reported) {
          log.info('downloading the bundle', {
            bytes: written,
            size: request.size,
            percent: step * (100 / PROGRESS_STEPS),
          })
          reported = step
        }
      }
    } catch (error) {
      if (!(error instanceof HttpError)) {
        await handle.close().catch(() => undefined)
        await files.remove(partial)
        throw error
      }
      interrupted = error.message
    }
    await handle.sync()
    await handle.close()
    if (oversized) return fail(`the bundle is larger than the offered ${request.size} bytes`)
    if (interrupted !== undefined) {
      have = written
      log.warn('bundle download interrupted', {
        url: redactUrl(got.url),
        bytes: written,
        size: request.size,
        attempt,
        reason: interrupted,
      })
      if (attempt < request.attempts) continue
      return { ok: false, reason: interrupted, partial }
    }
    if (written < request.size) return fail(`the bundle ended after ${written} of ${request.size} bytes`)
    const digest = await files.sha256File(partial)
    if (digest !== request.sha256) return fail(`the bundle's SHA-256 is ${digest}, not the offered ${request.sha256}`)
    await files.rename(partial, path)
    await files.syncDirectory(request.dir)
    return { ok: true, path }
  }
  return have > 0
    ? { ok: false, reason: 'the download did not complete', partial }
    : fail('the download did not complete')
}
