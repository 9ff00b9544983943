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
