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

/** A JSON response that no cache keeps. */
export function json(status: number, body: unknown, headers: Readonly<Record<string, string>> = {}): Response {
  return new Response(`${JSON.stringify(body)}\n`, { status, headers: { ...JSON_HEADERS, ...headers } })
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
