import type { QuadletUnit } from './plan.js'

/**
 * Renders one unit file: `[Unit]`, the unit's own section, `[Install]`, one `Key=value` line per entry, a blank
 * line between sections and a final newline. Values are written as they are: validation has already refused every
 * value that a unit file would read differently (control characters, a trailing backslash that continues the line,
 * edge whitespace that systemd strips), so no escaping is needed and none is done.
 */
export function renderQuadlet(unit: Pick<QuadletUnit, 'sections'>): string {
  let text = ''
  for (const section of unit.sections) {
    text += text === '' ? `[${section.name}]\n` : `\n[${section.name}]\n`
    for (const entry of section.entries) text += `${entry.key}=${entry.value}\n`
  }
  return text
}
