const LABEL = '[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?'
/** Labels joined by single dots, matched in one pass rather than label by label after a split. */
const DNS_NAME = new RegExp(`^${LABEL}(?:\\.${LABEL})*$`)

/**
 * Normalises an ASCII DNS name (lower case, no trailing dot) and checks it: labels of 1..63 characters from
 * `[a-z0-9-]`, not starting or ending with `-`, at most 253 characters in all. Returns undefined when invalid.
 */
export function normalizeDnsName(input: string): string | undefined {
  const lower = input.toLowerCase()
  const name = lower.endsWith('.') ? lower.slice(0, -1) : lower
  if (name.length === 0 || name.length > 253) return undefined
  return DNS_NAME.test(name) ? name : undefined
}
