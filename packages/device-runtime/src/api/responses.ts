/** Stable codes of the API's own refusals (the config's issues keep config-schema's codes). */
export type ErrorCode =
  | 'bad_request'
  | 'bad_file_name'
  | 'body_too_large'
  | 'busy'
  | 'challenge_expired'
  | 'challenge_unknown'
  | 'cross_origin'
  | 'host_not_allowed'
  | 'internal_error'
  | 'method_not_allowed'
  | 'not_found'
  | 'not_provisioned'
  | 'request_timeout'
  | 'signature_algorithm'
  | 'signature_invalid'
  | 'signature_key_unknown'
  | 'signature_malformed'
  | 'signature_namespace'
  | 'signature_required'
  | 'too_many_requests'
  | 'unsupported_media_type'

const JSON_HEADERS = {
  'content-type': 'application/json; charset=utf-8',
  'cache-control': 'no-store',
  'x-content-type-options': 'nosniff',
}

/**
 * An answer as plain data: what the app's `Response` carries. An adapter that writes bytes itself (the Node one)
 * sends it as it is; building a WHATWG Response and reading its body stream back would cost more than the answer.
 */
export interface ApiAnswer {
  readonly status: number
  /** Lower-case names; never connection management (that is the adapter's) nor Content-Length. */
  readonly headers: Readonly<Record<string, string>>
  /** JSON or an asset as text, a file as bytes. */
  readonly body: string | Uint8Array
}

/** A JSON answer that no cache keeps. */
export function json(status: number, body: unknown, headers?: Readonly<Record<string, string>>): ApiAnswer {
  return {
    status,
    headers: headers === undefined ? JSON_HEADERS : { ...JSON_HEADERS, ...headers },
    body: `${JSON.stringify(body)}\n`,
  }
}

/** The answer as a WHATWG Response (for the `fetch` form of the app). */
export function toResponse(answer: ApiAnswer): Response {
  return new Response(answer.body as string | Uint8Array<ArrayBuffer>, {
    status: answer.status,
    headers: answer.headers,
  })
}

/**
 * A refusal in the shape of a config answer, `{ok:false, errors:[issue], warnings:[]}`, so that a client prints it
 * like any other issue.
 */
export function apiError(
  status: number,
  code: ErrorCode,
  message: string,
  headers?: Readonly<Record<string, string>>,
): ApiAnswer {
  return json(status, { ok: false, errors: [{ code, severity: 'error', path: '', message }], warnings: [] }, headers)
}
