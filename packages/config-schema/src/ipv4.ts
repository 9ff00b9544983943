import ipaddr from 'ipaddr.js'

/** Parses a strict dotted-quad IPv4 address (`10.0.0.1`, no octal, hex or short forms) to a 32-bit number. */
export function parseIpv4(text: string): number | undefined {
  if (!ipaddr.IPv4.isValidFourPartDecimal(text)) return undefined
  return ipaddr.IPv4.parse(text).octets.reduce((n, octet) => n * 256 + octet, 0)
}

/** Formats a 32-bit number as a dotted quad. */
export function formatIpv4(n: number): string {
  return [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.')
}
