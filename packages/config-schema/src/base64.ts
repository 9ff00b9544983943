const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/'
/** The value of each Latin-1 character, -1 for those outside the alphabet (`=` among them). */
const VALUES = new Int32Array(256).fill(-1)
for (let i = 0; i < ALPHABET.length; i++) VALUES[ALPHABET.charCodeAt(i)] = i

/** The value of character code `c`, or -1 when it is not in the alphabet. */
const sextet = (c: number): number => (c > 255 ? -1 : VALUES[c]!)

/** The number of bytes `text` decodes to, or -1 when its length is not that of padded base64. */
export function decodedLength(text: string): number {
  const n = text.length
  if (n === 0 || n % 4 !== 0) return -1
  return (n / 4) * 3 - (text.charCodeAt(n - 1) !== 61 ? 0 : text.charCodeAt(n - 2) === 61 ? 2 : 1)
}

/**
 * Decodes canonical standard base64 (with `=` padding, no whitespace); undefined for anything else. Written here
 * because pure packages have neither `Buffer` nor DOM's `atob` in their types.
 */
export function decodeBase64(text: string): Uint8Array | undefined {
  const length = decodedLength(text)
  if (length < 0) return undefined
  const out = new Uint8Array(length)
  return decodeBase64Into(text, out) ? out : undefined
}

/**
 * Decodes `text` (of `decodedLength(text)` >= 0 bytes) into the start of `out`, which holds at least that many;
 * false when a character is not base64. Four characters at a time: a value of -1 anywhere makes the 24-bit group
 * negative, so one test per group finds a character outside the alphabet.
 */
export function decodeBase64Into(text: string, out: Uint8Array): boolean {
  const n = text.length
  const padding = text.charCodeAt(n - 1) !== 61 ? 0 : text.charCodeAt(n - 2) === 61 ? 2 : 1
  const length = (n / 4) * 3 - padding
  let o = 0
  for (let i = 0; i < n - 4; i += 4) {
    const group =
      (sextet(text.charCodeAt(i)) << 18) |
      (sextet(text.charCodeAt(i + 1)) << 12) |
      (sextet(text.charCodeAt(i + 2)) << 6) |
      sextet(text.charCodeAt(i + 3))
    if (group < 0) return false
    out[o++] = group >> 16
    out[o++] = (group >> 8) & 0xff
    out[o++] = group & 0xff
  }
  // The last group, whose last one or two characters may be the padding.
  const c = padding === 2 ? 0 : sextet(text.charCodeAt(n - 2))
  const d = padding === 0 ? sextet(text.charCodeAt(n - 1)) : 0
  const group = (sextet(text.charCodeAt(n - 4)) << 18) | (sextet(text.charCodeAt(n - 3)) << 12) | (c << 6) | d
  if (group < 0) return false
  out[o++] = group >> 16
  if (o < length) out[o++] = (group >> 8) & 0xff
  if (o < length) out[o++] = group & 0xff
  return true
}
