import type { Issue } from './issue.js'

/** Options for `formatIssues`. */
export interface FormatOptions {
  /** Wrap severities and carets in ANSI colours (the CLI sets this only on a TTY without NO_COLOR). */
  readonly color?: boolean
}

const paint = (on: boolean, code: string, text: string) => (on ? `\u001b[${code}m${text}\u001b[0m` : text)

/** Control characters would let a config line repaint the terminal; the frame shows them as `?`. */
const printable = (line: string) => line.replace(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g, '?')

/**
 * Formats issues for people: `file:line:col severity[code] path: message`, then, when the source text is given, the
 * offending line with a caret under the column. One issue per block, in the order given.
 */
export function formatIssues(
  issues: readonly Issue[],
  sourceText?: string,
  fileName = 'config.toml',
  options: FormatOptions = {},
): string {
  const color = options.color === true
  const lines = sourceText?.split(/\r?\n/)
  return issues
    .map((issue) => {
      const where = issue.line === undefined ? fileName : `${fileName}:${issue.line}:${issue.column ?? 1}`
      const severity = paint(color, issue.severity === 'error' ? '1;31' : '1;33', `${issue.severity}[${issue.code}]`)
      const path = issue.path === '' ? '' : ` ${issue.path}`
      let text = `${where} ${severity}${path}: ${issue.message}`
      const source = issue.line === undefined ? undefined : lines?.[issue.line - 1]
      if (source !== undefined) {
        const gutter = String(issue.line)
        const column = Math.max(1, Math.min(issue.column ?? 1, source.length + 1))
        // Keep tabs in the caret's indent so it lines up under the same character as the source line.
        const indent = source.slice(0, column - 1).replace(/[^\t]/g, ' ')
        text += `\n ${gutter} | ${printable(source)}\n ${' '.repeat(gutter.length)} | ${indent}${paint(color, '1;31', '^')}`
      }
      return text
    })
    .join('\n')
}
