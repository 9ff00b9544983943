import type { Issue } from './issue.js'
import { escapeControls } from './text.js'

/** Options for `formatIssues`. */
export interface FormatOptions {
  /** Wrap severities and carets in ANSI colours (the CLI sets this only on a TTY without NO_COLOR). */
  readonly color?: boolean
  /** Issues printed before a summary line `… and N more issues` (default 100; `Infinity` prints all). */
  readonly maxIssues?: number
}

/** Issues printed by default before the summary line. */
export const DEFAULT_MAX_ISSUES = 100

/** Characters of the source line shown on each side of the column; longer lines are cut with an ellipsis. */
export const FRAME_WINDOW = 80

const paint = (on: boolean, code: string, text: string) => (on ? `\u001b[${code}m${text}\u001b[0m` : text)

/** True when the code unit at `i` is the second half of a surrogate pair, so that a cut there would split it. */
const isLowSurrogate = (s: string, i: number) => {
  const c = s.charCodeAt(i)
  return c >= 0xdc00 && c <= 0xdfff
}

/**
 * The caret frame of one issue: the source line (at most `FRAME_WINDOW` characters either side of the column, cut
 * with `…`), control characters escaped as in messages, tabs kept, and the caret under the column.
 */
function frame(source: string, line: number, columnIn: number | undefined, color: boolean): string {
  const gutter = String(line)
  const column = Math.max(1, Math.min(columnIn ?? 1, source.length + 1))
  let start = Math.max(0, column - 1 - FRAME_WINDOW)
  let end = Math.min(source.length, column - 1 + FRAME_WINDOW)
  if (start > 0 && isLowSurrogate(source, start)) start--
  if (end < source.length && isLowSurrogate(source, end)) end++
  const lead = start > 0 ? '…' : ''
  const tail = end < source.length ? '…' : ''
  const shown = `${lead}${escapeControls(source.slice(start, end), true)}${tail}`
  // Keep tabs in the caret's indent so it lines up under the same character as the source line.
  const before = `${lead}${escapeControls(source.slice(start, column - 1), true)}`
  const indent = before.replace(/[^\t]/g, ' ')
  return `\n ${gutter} | ${shown}\n ${' '.repeat(gutter.length)} | ${indent}${paint(color, '1;31', '^')}`
}

/**
 * Formats issues for people: `file:line:col severity[code] path: message`, then, when the source text is given, the
 * offending line with a caret under the column. One issue per block, in the order given; control characters in
 * the file name, path and message are escaped, each frame is bounded, and after `maxIssues` issues one line says how
 * many more there are, so the output stays proportional to what is shown whatever the input.
 */
export function formatIssues(
  issues: readonly Issue[],
  sourceText?: string,
  fileName = 'config.toml',
  options: FormatOptions = {},
): string {
  const color = options.color === true
  const max = Math.max(0, options.maxIssues ?? DEFAULT_MAX_ISSUES)
  // A byte order mark is not part of line 1: columns are counted without it.
  const text = sourceText?.charCodeAt(0) === 0xfeff ? sourceText.slice(1) : sourceText
  const lines = text?.split(/\r?\n/)
  const file = escapeControls(fileName)
  const out: string[] = []
  for (const issue of issues.slice(0, Number.isFinite(max) ? max : issues.length)) {
    const where = issue.line === undefined ? file : `${file}:${issue.line}:${issue.column ?? 1}`
    const severity = paint(color, issue.severity === 'error' ? '1;31' : '1;33', `${issue.severity}[${issue.code}]`)
    const path = issue.path === '' ? '' : ` ${escapeControls(issue.path)}`
    let block = `${where} ${severity}${path}: ${escapeControls(issue.message)}`
    const source = issue.line === undefined ? undefined : lines?.[issue.line - 1]
    if (source !== undefined) block += frame(source, issue.line!, issue.column, color)
    out.push(block)
  }
  const more = issues.length - out.length
  if (more > 0) out.push(`… and ${more} more issue${more === 1 ? '' : 's'}`)
  return out.join('\n')
}
