import { formatIssues, type Issue } from '@atomicnix/config-schema'
import type { Output } from '../ports.js'

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`

/** Prints issues with their caret frames on stderr, then a one-line summary. */
export function reportIssues(
  output: Output,
  file: string,
  text: string,
  errors: readonly Issue[],
  warnings: readonly Issue[],
): void {
  const issues = [...errors, ...warnings]
  if (issues.length === 0) return
  output.stderr(`${formatIssues(issues, text, file, { color: output.color })}\n`)
  output.stderr(`${file}: ${plural(errors.length, 'error')}, ${plural(warnings.length, 'warning')}\n`)
}

/** The `--json` document: `{"ok":bool,"errors":[...],"warnings":[...]}`. */
export function jsonReport(ok: boolean, errors: readonly Issue[], warnings: readonly Issue[]): string {
  return `${JSON.stringify({ ok, errors, warnings }, null, 2)}\n`
}
