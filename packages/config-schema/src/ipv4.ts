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

/** Formats a 32-bit number as a dotted quad. */
export function formatIpv4(n: number): string {
  return `${n >>> 24}.${(n >>> 16) & 255}.${(n >>> 8) & 255}.${n & 255}`
}
