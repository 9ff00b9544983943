/**
 * Checks an ASCII DNS name and normalises it (lower case, no trailing dot): labels of 1..63 characters from
 * `[A-Za-z0-9-]`, not starting or ending with `-`, at most 253 characters in all, and a last label that is not a
 * number (`10.0.0.1`, `host.123` and `a.0x1f` are addresses to a URL parser, never names). The check runs on the text
 * as written, before any case folding (`toLowerCase` turns U+212A KELVIN SIGN into `k`), in one pass over it.
 * Undefined when invalid.
 */
export function normalizeDnsName(input: string): string | undefined {
  const length = input.charCodeAt(input.length - 1) === 46 ? input.length - 1 : input.length
  if (length === 0 || length > 253) return undefined
  let labelStart = 0
  let upper = false
  // Whether the current label is still all decimal digits, or `0x` and hex digits.
  let decimal = true
  let hex = false
  for (let i = 0; i <= length; i++) {
    const c = i === length ? 46 : input.charCodeAt(i)
    if (c === 46) {
      const size = i - labelStart
      if (size === 0 || size > 63 || input.charCodeAt(i - 1) === 45) return undefined
      if (i === length && (decimal || hex)) return undefined
      labelStart = i + 1
      decimal = true
      hex = false
      continue
    }
    const lower = c | 32
    const letter = lower >= 97 && lower <= 122
    const digit = c >= 48 && c <= 57
    if (letter) {
      if (c < 97) upper = true
      hex = hex ? lower <= 102 : decimal && lower === 120 && i === labelStart + 1 && input.charCodeAt(labelStart) === 48
    } else if (digit) {
      // Digits keep a decimal label decimal and a hex label hex.
    } else if (c === 45 && i !== labelStart) {
      hex = false
    } else return undefined
    if (!digit) decimal = false
  }
  const name = length === input.length ? input : input.slice(0, length)
  return upper ? name.toLowerCase() : name
}

/** The twelve hex digits that stand for `{mac}` when a hostname pattern is checked. */
export const SAMPLE_MAC = '001122334455'

/**
 * True when `normalizeDnsName(pattern.replaceAll('{mac}', SAMPLE_MAC))` is defined, read in place: each `{mac}`
 * reads as the twelve digits of `SAMPLE_MAC`, so that checking a pattern builds no string.
 */
export function isDnsNameWithMac(pattern: string): boolean {
  let macs = 0
  for (let i = pattern.indexOf('{mac}'); i !== -1; i = pattern.indexOf('{mac}', i + 5)) macs++
  const total = pattern.length + macs * (SAMPLE_MAC.length - 5)
  const length = pattern.charCodeAt(pattern.length - 1) === 46 ? total - 1 : total
  if (length === 0 || length > 253) return false
  // `p` reads the pattern, `mac` the sample while inside a `{mac}` (-1 outside), `v` the replaced text.
  let p = 0
  let mac = -1
  let labelStart = 0
  let labelFirst = 0
  let previous = 0
  let decimal = true
  let hex = false
  for (let v = 0; v <= length; v++) {
    let c: number
    if (v === length) c = 46
    else if (mac !== -1) {
      c = SAMPLE_MAC.charCodeAt(mac++)
      if (mac === SAMPLE_MAC.length) mac = -1
    } else if (pattern.charCodeAt(p) === 123 && pattern.startsWith('{mac}', p)) {
      c = SAMPLE_MAC.charCodeAt(0)
      mac = 1
      p += 5
    } else c = pattern.charCodeAt(p++)
    if (c === 46) {
      const size = v - labelStart
      if (size === 0 || size > 63 || previous === 45) return false
      if (v === length && (decimal || hex)) return false
      labelStart = v + 1
      decimal = true
      hex = false
      previous = c
      continue
    }
    if (v === labelStart) labelFirst = c
    const lower = c | 32
    const letter = lower >= 97 && lower <= 122
    const digit = c >= 48 && c <= 57
    if (letter) {
      hex = hex ? lower <= 102 : decimal && lower === 120 && v === labelStart + 1 && labelFirst === 48
    } else if (digit) {
      // Digits keep a decimal label decimal and a hex label hex.
    } else if (c === 45 && v !== labelStart) {
      hex = false
    } else return false
    if (!digit) decimal = false
    previous = c
  }
  return true
}
