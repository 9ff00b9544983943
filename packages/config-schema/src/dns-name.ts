const LABEL = '[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?'
/** Labels joined by single dots, matched in one pass rather than label by label after a split. */
const DNS_NAME = new RegExp(`^${LABEL}(?:\\.${LABEL})*$`)

/** A last label that URL parsers (WHATWG, curl) read as a number, which makes the whole name an IPv4 address. */
const NUMERIC_LABEL = /(?:^|\.)(?:[0-9]+|0[xX][0-9A-Fa-f]*)$/

/**
 * Checks an ASCII DNS name and normalises it (lower case, no trailing dot): labels of 1..63 characters from
 * `[A-Za-z0-9-]`, not starting or ending with `-`, at most 253 characters in all, and a last label that is not a
 * number (`10.0.0.1`, `host.123` and `a.0x1f` are addresses to a URL parser, never names). The check runs on the text
 * as written, before any case folding (`toLowerCase` turns U+212A KELVIN SIGN into `k`). Undefined when invalid.
 */
export function normalizeDnsName(input: string): string | undefined {
  const name = input.endsWith('.') ? input.slice(0, -1) : input
  if (name.length === 0 || name.length > 253 || !DNS_NAME.test(name) || NUMERIC_LABEL.test(name)) return undefined
  return name.toLowerCase()
}
