/**
 * Characters that would let a config value steer a terminal or hide what follows: C0 controls (newline and ESC among
 * them), DEL, C1 controls (U+009B is a one-character CSI), the line and paragraph separators and the bidirectional
 * overrides and isolates.
 */
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g
/** The same without the tab, which a caret frame keeps so that its caret lines up. */
const UNSAFE_BUT_TAB = /[\u0000-\u0008\u000a-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g

const unicodeEscape = (c: string) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`

/** `text` with every terminal control character written as a `\uXXXX` escape; plain text comes back as it is. */
export function escapeControls(text: string, keepTabs = false): string {
  const pattern = keepTabs ? UNSAFE_BUT_TAB : UNSAFE
  pattern.lastIndex = 0
  return pattern.test(text) ? text.replace(pattern, unicodeEscape) : text
}
