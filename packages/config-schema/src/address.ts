/**
 * The one reading of IP addresses for every package: strict dotted-quad IPv4, IPv6 as Go's `net.ParseIP` reads it
 * (what Podman parses), the IPv4 blocks that are not usable unicast, and the URL hosts that URL parsers read as IPv4.
 */

/**
 * Parses a strict dotted-quad IPv4 address (`10.0.0.1`: four decimal parts 0..255, no leading zeros, no octal, hex
 * or short forms) to a 32-bit number; undefined otherwise. Hand-written rather than ipaddr.js's parser because it
 * runs for every address of every config and this form needs no more than one pass over the characters.
 */
export function parseIpv4(text: string): number | undefined {
  let value = 0
  let part = 0
  let digits = 0
  let parts = 0
  for (let i = 0; i <= text.length; i++) {
    const c = i === text.length ? 46 : text.charCodeAt(i)
    if (c === 46) {
      if (digits === 0 || part > 255) return undefined
      value = value * 256 + part
      parts++
      part = 0
      digits = 0
    } else if (c >= 48 && c <= 57) {
      if (digits > 0 && part === 0) return undefined
      part = part * 10 + (c - 48)
      if (++digits > 3) return undefined
    } else return undefined
  }
  return parts === 4 ? value : undefined
}

/** True for a strict dotted-quad IPv4 address (see `parseIpv4`). */
export function isIPv4(text: string): boolean {
  return parseIpv4(text) !== undefined
}

const HEX_GROUP = /^[0-9A-Fa-f]{1,4}$/

/**
 * True for an IPv6 address in the textual forms that Go's `net.ParseIP` accepts (no zone, no brackets); an embedded
 * IPv4 part is a strict dotted quad, as WHATWG URL's IPv6 parser also requires (ipaddr.js accepts `::ffff:01.2.3.4`).
 */
export function isIPv6(text: string): boolean {
  let body = text
  let groups = 8
  const embedded = /^(.*:)([^:]*\.[^:]*)$/.exec(text)
  if (embedded) {
    if (!isIPv4(embedded[2]!)) return false
    body = embedded[1]!.endsWith('::') ? embedded[1]! : embedded[1]!.slice(0, -1)
    groups = 6
  }
  const halves = body.split('::')
  if (halves.length > 2) return false
  const count = (half: string): number | undefined => {
    if (half === '') return 0
    const parts = half.split(':')
    return parts.every((g) => HEX_GROUP.test(g)) ? parts.length : undefined
  }
  if (halves.length === 1) return count(halves[0]!) === groups
  const a = count(halves[0]!)
  const b = count(halves[1]!)
  return a !== undefined && b !== undefined && a + b < groups
}

/** The block that makes a 32-bit IPv4 address unusable as a unicast LAN address, or undefined when it is usable. */
export function ipv4NotUnicast(address: number): string | undefined {
  const first = address >>> 24
  if (first === 0) return '0.0.0.0/8, "this network"'
  if (first === 127) return '127.0.0.0/8, loopback'
  if (first === 169 && ((address >>> 16) & 255) === 254) {
    return '169.254.0.0/16, link-local (self-assigned, never given out by DHCP)'
  }
  if (first >= 224 && first < 240) return '224.0.0.0/4, multicast'
  if (first >= 240) return '240.0.0.0/4, reserved (with the limited broadcast 255.255.255.255)'
  return undefined
}

/**
 * True when WHATWG URL (and curl, which follows it) would read a host as an IPv4 address: its last label (after one
 * trailing dot) is a decimal number or `0x` hex, as in `127.1`, `2130706433`, `0x7f.0.0.1` or `0177.0.0.1`.
 */
export function isIpv4UrlHost(host: string): boolean {
  const end = host.endsWith('.') ? host.length - 1 : host.length
  return isNumericLabel(host, host.lastIndexOf('.', end - 1) + 1, end)
}

/** True when `text[start, end)` is a decimal number or `0x`/`0X` followed by hex digits (possibly none). */
export function isNumericLabel(text: string, start: number, end: number): boolean {
  if (start >= end) return false
  let i = start
  let hex = false
  if (end - start >= 2 && text.charCodeAt(i) === 48 && (text.charCodeAt(i + 1) | 32) === 120) {
    hex = true
    i += 2
  }
  for (; i < end; i++) {
    const c = text.charCodeAt(i)
    const digit = c >= 48 && c <= 57
    if (!digit && !(hex && (c | 32) >= 97 && (c | 32) <= 102)) return false
  }
  return true
}

/** Formats a 32-bit number as a dotted quad. */
export function formatIpv4(n: number): string {
  return `${n >>> 24}.${(n >>> 16) & 255}.${(n >>> 8) & 255}.${n & 255}`
}
