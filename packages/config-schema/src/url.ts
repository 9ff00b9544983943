import ipaddr from 'ipaddr.js'
import { normalizeDnsName } from './dns-name.js'
import { parseIpv4 } from './ipv4.js'

/** What `checkServerUrl` found. */
export type UrlCheck = { ok: true; secure: boolean } | { ok: false; reason: string }

const URL_SHAPE = /^(https?):\/\/(\[[0-9A-Fa-f:.]+\]|[^/?#:@\s]+)(?::(\d{1,5}))?([/?#][\x21-\x7e]*)?$/

/**
 * Checks an update server URL: absolute `https://` (or `http://`, reported as insecure), a DNS name, IPv4 or
 * bracketed IPv6 host, an optional port 1..65535, no credentials and only printable ASCII. Written here because
 * the WHATWG `URL` class is not part of the ES2022 library that pure packages compile against, and it accepts far
 * more than an update server needs.
 */
export function checkServerUrl(text: string): UrlCheck {
  const match = URL_SHAPE.exec(text)
  if (match === null) return { ok: false, reason: 'it is not an absolute http(s) URL with a host' }
  const [, scheme, host, port] = match
  const hostOk = host!.startsWith('[')
    ? ipaddr.IPv6.isValid(host!.slice(1, -1)) && !host!.includes('%')
    : parseIpv4(host!) !== undefined || (!/^[\d.]+$/.test(host!) && normalizeDnsName(host!) !== undefined)
  if (!hostOk) return { ok: false, reason: `"${host}" is not a valid host name or address` }
  if (port !== undefined && (Number(port) < 1 || Number(port) > 65535)) {
    return { ok: false, reason: `port ${port} is out of range` }
  }
  return { ok: true, secure: scheme === 'https' }
}
