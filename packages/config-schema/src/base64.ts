const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/'
const VALUES = new Int16Array(128).fill(-1)
for (let i = 0; i < ALPHABET.length; i++) VALUES[ALPHABET.charCodeAt(i)] = i

/**
 * Decodes canonical standard base64 (with `=` padding, no whitespace); undefined for anything else. Written here
 * because pure packages have neither `Buffer` nor DOM's `atob` in their types.
 */
export function decodeBase64(text: string): Uint8Array | undefined {
  if (text.length === 0 || text.length % 4 !== 0) return undefined
  const padding = text.endsWith('==') ? 2 : text.endsWith('=') ? 1 : 0
  const out = new Uint8Array((text.length / 4) * 3 - padding)
  let o = 0
  for (let i = 0; i < text.length; i += 4) {
    let chunk = 0
    for (let j = 0; j < 4; j++) {
      const code = text.charCodeAt(i + j)
      const isPad = code === 61 && i + j >= text.length - padding
      const v = isPad ? 0 : code < 128 ? VALUES[code]! : -1
      if (v < 0) return undefined
      chunk = (chunk << 6) | v
    }
    if (o < out.length) out[o++] = (chunk >> 16) & 0xff
    if (o < out.length) out[o++] = (chunk >> 8) & 0xff
    if (o < out.length) out[o++] = chunk & 0xff
  }
  return out
}
