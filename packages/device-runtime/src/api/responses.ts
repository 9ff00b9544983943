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

const texts = new WeakMap<Response, string>()

/** A JSON response that no cache keeps. */
export function json(status: number, body: unknown, headers: Readonly<Record<string, string>> = {}): Response {
  const text = `${JSON.stringify(body)}\n`
  const response = new Response(text, { status, headers: { ...JSON_HEADERS, ...headers } })
  texts.set(response, text)
  return response
}

/**
 * The text of a response made by `json`, while its body is unread: an adapter may send it without reading the
 * body stream (WHATWG streams cost more than the rest of a small answer). Undefined for any other response.
 */
export function responseText(response: Response): string | undefined {
  return response.bodyUsed ? undefined : texts.get(response)
}

/**
 * A refusal in the shape of a config answer, `{ok:false, errors:[issue], warnings:[]}`, so that a client prints it
 * like any other issue.
 */
export function apiError(
  status: number,
  code: ErrorCode,
  message: string,
  headers: Readonly<Record<string, string>> = {},
): Response {
  return json(status, { ok: false, errors: [{ code, severity: 'error', path: '', message }], warnings: [] }, headers)
}
