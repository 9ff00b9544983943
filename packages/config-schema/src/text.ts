/**
 * True for the characters that would let a config value steer a terminal or hide what follows: C0 controls (newline
 * and ESC among them), DEL, C1 controls (U+009B is a one-character CSI), the line and paragraph separators and the
 * bidirectional overrides and isolates.
 */
function isUnsafe(c: number): boolean {
  return (
    c < 0x20 ||
    (c >= 0x7f && c <= 0x9f) ||
    (c >= 0x2028 && (c <= 0x2029 || (c >= 0x202a && c <= 0x202e) || (c >= 0x2066 && c <= 0x2069)))
  )
}

const TAB = 9

/** The same set as `isUnsafe`, for the native scan that clears most texts at once. */
const ANY_UNSAFE = /[\u0000-\u001f\u007f-\u009f\u2028-\u202e\u2066-\u2069]/

/**
 * `text` with every terminal control character written as a `\uXXXX` escape (tabs kept when `keepTabs`, as a caret
 * frame needs them to line up); text without one comes back as it is, after one pass over its characters.
 */
export function escapeControls(text: string, keepTabs = false): string {
  if (!ANY_UNSAFE.test(text)) return text
  let out = ''
  let from = 0
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i)
    if (!isUnsafe(c) || (keepTabs && c === TAB)) continue
    out += `${text.slice(from, i)}\\u${c.toString(16).padStart(4, '0')}`
    from = i + 1
  }
  return from === 0 ? text : out + text.slice(from)
}

/** ` (it has non-ASCII characters such as U+212A)` for text documented as ASCII, or the empty string. */
export function nonAsciiNote(text: string): string {
  for (let i = 0; i < text.length; i++) {
    const c = text.codePointAt(i)!
    if (c > 0x7e) return ` (it has non-ASCII characters such as U+${c.toString(16).toUpperCase().padStart(4, '0')})`
  }
  return ''
}
