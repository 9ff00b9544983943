import { type Config, LineIndex, type Position, type QuadletSection } from '@atomicnix/config-schema'

// biome-ignore lint/suspicious/noTemplateCurlyInString: the config's own placeholder syntax, not a template
const FILES_DIR = '${FILES_DIR}'

/** One `${FILES_DIR}` reference in a unit value: its TOML path and the path below `files/` it names. */
export interface FilesReference {
  readonly path: string
  /** Below `files/`, normalised; `""` for `${FILES_DIR}` itself; undefined when `..` leaves `files/`. */
  readonly target: string | undefined
  /** The reference as written, e.g. `${FILES_DIR}/web/index.html`. */
  readonly text: string
}

/** A reference ends where a Quadlet value separates fields: `:` (Volume), `,` (Mount), whitespace or quotes. */
const END = /[:,\s"'=;]/

/**
 * The path below `files/` that the text after `${FILES_DIR}` names: empty and `.` segments dropped, `..` taking one
 * back; undefined when `..` would leave `files/`.
 */
export function normalise(rest: string): string | undefined {
  // Plain segments only (no empty, `.` or `..` one, and none starting with a dot): the path as written.
  if (rest.indexOf('//') === -1 && rest.indexOf('/.') === -1 && !rest.endsWith('/') && !rest.startsWith('.')) {
    return rest.startsWith('/') ? rest.slice(1) : rest
  }
  const parts: string[] = []
  for (const part of rest.split('/')) {
    if (part === '' || part === '.') continue
    if (part === '..') {
      if (parts.length === 0) return undefined
      parts.pop()
    } else parts.push(part)
  }
  return parts.join('/')
}

function scan(value: string, path: string, out: FilesReference[]): void {
  for (let i = value.indexOf('$'); i !== -1; i = value.indexOf('$', i)) {
    if (value.startsWith('$$', i)) {
      i += 2
      continue
    }
    if (!value.startsWith(FILES_DIR, i)) {
      i++
      continue
    }
    let end = i + FILES_DIR.length
    while (end < value.length && !END.test(value[end]!)) end++
    const text = value.slice(i, end)
    out.push({ path, target: normalise(text.slice(FILES_DIR.length)), text })
    i = end
  }
}

/** True when the value, or an item of it, holds a `$`: only such values can hold a reference. */
function hasDollar(value: unknown): boolean {
  if (typeof value === 'string') return value.indexOf('$') !== -1
  if (!Array.isArray(value)) return false
  for (let i = 0; i < value.length; i++) {
    const item: unknown = value[i]
    if (typeof item === 'string' && item.indexOf('$') !== -1) return true
  }
  return false
}

function sections(kind: string, name: string, unit: Readonly<Record<string, unknown>>, out: FilesReference[]): void {
  for (const section of Object.keys(unit)) {
    const entries = unit[section]
    if (typeof entries !== 'object' || entries === null) continue
    const keys = Object.keys(entries)
    for (let k = 0; k < keys.length; k++) {
      const key = keys[k]!
      const value = (entries as QuadletSection)[key]
      // Most values hold no `$` at all: one search each, and no path built for them.
      if (!hasDollar(value)) continue
      const path = `${kind}.${name}.${section}.${key}`
      if (typeof value === 'string') scan(value, path, out)
      else {
        const items = value as readonly unknown[]
        for (let index = 0; index < items.length; index++) {
          const item = items[index]
          if (typeof item === 'string') scan(item, `${path}[${index}]`, out)
        }
      }
    }
  }
}

/** Every `${FILES_DIR}` reference in the config's unit values, in config order. */
export function filesReferences(config: Config): FilesReference[] {
  const out: FilesReference[] = []
  for (const kind of ['container', 'network', 'volume', 'build'] as const) {
    const group = config[kind] as Readonly<Record<string, unknown>>
    for (const name of Object.keys(group)) {
      sections(kind, name, group[name] as Readonly<Record<string, unknown>>, out)
    }
  }
  return out
}

/** Where a reference was found: line and column (1-based), or 0 and 0 when the text does not hold it as written. */
export type Location = Position

/**
 * Finds references in `text` one after the other: each is looked for from the end of the previous one, then from
 * the start. The line starts are listed once, at the first reference found, and each position is found among them
 * by bisection: linear in the text however many references there are and in whatever order they come.
 */
export function locator(text: string): (needle: string) => Location {
  let cursor = 0
  const lines = new LineIndex(text)
  return (needle) => {
    let at = text.indexOf(needle, cursor)
    if (at === -1) at = text.indexOf(needle)
    if (at === -1) return { line: 0, column: 0 }
    cursor = at + needle.length
    return lines.position(at)
  }
}
