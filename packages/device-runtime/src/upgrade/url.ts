/**
 * A URL as logs and the journal show it: without user info and query (a signed download URL carries its token
 * there). Text that is not a URL is returned as it is.
 */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url)
    return `${u.protocol}//${u.host}${u.pathname}${u.search === '' ? '' : '?…'}`
  } catch {
    return url
  }
}
