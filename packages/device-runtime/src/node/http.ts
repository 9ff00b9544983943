import { request as httpRequest, type IncomingMessage } from 'node:http'
import { request as httpsRequest } from 'node:https'
import { type Http, HttpError, type HttpResponse } from '../ports.js'
import { redactUrl } from '../upgrade/url.js'

const message = (error: unknown): string => {
  const code = (error as NodeJS.ErrnoException | undefined)?.code
  const text = error instanceof Error ? error.message : String(error)
  return code !== undefined && !text.includes(code) ? `${code}: ${text}` : text
}

/** Streams an IncomingMessage; a body cut before its end (reset, early close, idle timeout) throws an HttpError. */
async function* chunks(response: IncomingMessage, url: string): AsyncGenerator<Uint8Array> {
  const shown = redactUrl(url)
  try {
    for await (const chunk of response) yield chunk as Buffer
  } catch (error) {
    throw new HttpError(`${shown}: transfer interrupted: ${message(error)}`)
  }
  // Node ends the stream without an error on some early closes; `complete` tells a full body from a cut one.
  if (!response.complete) throw new HttpError(`${shown}: transfer interrupted before the end of the body`)
}

/** HTTP and HTTPS GET with `node:http`/`node:https` (system CA store of Node), streaming, no redirects followed. */
export const nodeHttp: Http = {
  get({ url, headers, idleTimeoutMs, signal }) {
    const shown = redactUrl(url)
    return new Promise<HttpResponse>((resolve, reject) => {
      let parsed: URL
      try {
        parsed = new URL(url)
      } catch {
        reject(new HttpError(`${shown}: not a URL`))
        return
      }
      const send = parsed.protocol === 'https:' ? httpsRequest : parsed.protocol === 'http:' ? httpRequest : undefined
      if (send === undefined) {
        reject(new HttpError(`${shown}: unsupported scheme ${parsed.protocol}`))
        return
      }
      let req: ReturnType<typeof send>
      try {
        req = send(parsed, { method: 'GET', headers: { ...headers }, signal, timeout: idleTimeoutMs })
      } catch (error) {
        // An invalid header value is refused by Node before anything is sent.
        reject(new HttpError(`${shown}: ${message(error)}`))
        return
      }
      req.on('timeout', () => req.destroy(new Error(`no data for ${idleTimeoutMs} ms`)))
      req.on('error', (error) => reject(new HttpError(`${shown}: ${message(error)}`)))
      req.on('response', (response) => {
        // A reset before the body is read must not crash the process; the body's iterator reports it.
        response.on('error', () => undefined)
        response.setTimeout(idleTimeoutMs, () => response.destroy(new Error(`no data for ${idleTimeoutMs} ms`)))
        resolve({
          status: response.statusCode ?? 0,
          header: (name) => {
            const value = response.headers[name.toLowerCase()]
            return Array.isArray(value) ? value.join(', ') : value
          },
          body: chunks(response, url),
          cancel: () => {
            response.destroy()
            req.destroy()
          },
        })
      })
      req.end()
    })
  },
}
