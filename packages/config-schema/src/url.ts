import { isIPv4, isIPv6, isIpv4UrlHost } from './address.js'
import { normalizeDnsName } from './dns-name.js'
import { nonAsciiNote } from './text.js'

/** What `checkServerUrl` found; `host` is the host as a DNS name (lower case) or an address, without brackets. */
export type UrlCheck = { ok: true; secure: boolean; host: string } | { ok: false; reason: string }

const URL_SHAPE = /^(https?):\/\/(\[[0-9A-Fa-f:.]+\]|[^/?#:@\s]+)(?::(\d{1,5}))?([/?#][\x21-\x7e]*)?$/

/**
 * Checks an update server URL: absolute `https://` (or `http://`, reported as insecure), an ASCII DNS name, a
 * dotted-quad IPv4 or a bracketed IPv6 host, an optional port 1..65535, no credentials and only printable ASCII.
 * A host that WHATWG URL or curl would read as IPv4 in another spelling (`127.1`, `0x7f000001`, `0177.0.0.1`) is
 * refused rather than taken for a name: only the dotted quad means the same address to every client. Written here
 * because the WHATWG `URL` class is not part of the ES2022 library that pure packages compile against, and it
 * accepts far more than an update server needs.
 */
export function checkServerUrl(text: string): UrlCheck {
  const match = URL_SHAPE.exec(text)
  if (match === null) return { ok: false, reason: 'it is not an absolute http(s) URL with a host' }
  const [, scheme, rawHost, port] = match
  let host: string | undefined
  if (rawHost!.startsWith('[')) {
    const inner = rawHost!.slice(1, -1)
    host = isIPv6(inner) ? inner.toLowerCase() : undefined
  } else if (isIPv4(rawHost!)) host = rawHost
  else if (isIpv4UrlHost(rawHost!)) {
    return {
      ok: false,
      reason: 'the host is an IPv4 address in a spelling other than a.b.c.d; write it as a dotted quad',
    }
  } else host = normalizeDnsName(rawHost!)
  if (host === undefined) {
    return { ok: false, reason: `the host is not a valid ASCII host name or address${nonAsciiNote(rawHost!)}` }
  }
  if (port !== undefined && (Number(port) < 1 || Number(port) > 65535)) {
    return { ok: false, reason: `port ${port} is out of range` }
  }
  return { ok: true, secure: scheme === 'https', host }
}
