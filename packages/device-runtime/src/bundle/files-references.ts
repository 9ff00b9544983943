import type { Config, QuadletSection } from '@atomicnix/config-schema'

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

function normalise(rest: string): string | undefined {
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

function sections(kind: string, name: string, unit: Readonly<Record<string, unknown>>, out: FilesReference[]): void {
  for (const [section, entries] of Object.entries(unit)) {
    if (typeof entries !== 'object' || entries === null) continue
    for (const [key, value] of Object.entries(entries as QuadletSection)) {
      const base = `${kind}.${name}.${section}.${key}`
      if (typeof value === 'string') scan(value, base, out)
      else if (Array.isArray(value)) {
        value.forEach((item, index) => {
          if (typeof item === 'string') scan(item, `${base}[${index}]`, out)
        })
      }
    }
  }
}

/** Every `${FILES_DIR}` reference in the config's unit values, in config order. */
export function filesReferences(config: Config): FilesReference[] {
  const out: FilesReference[] = []
  for (const kind of ['container', 'network', 'volume', 'build'] as const) {
    for (const [name, unit] of Object.entries(config[kind])) {
      sections(kind, name, unit as unknown as Readonly<Record<string, unknown>>, out)
    }
  }
  return out
}

/** Line and column (1-based) of the first occurrence of `needle` at or after `from` in `text`. */
export function locate(text: string, needle: string, from: number): { line: number; column: number; at: number } {
  let at = text.indexOf(needle, from)
  if (at === -1) at = text.indexOf(needle)
  if (at === -1) return { line: 0, column: 0, at: from }
  let line = 1
  let start = 0
  for (let i = text.indexOf('\n'); i !== -1 && i < at; i = text.indexOf('\n', i + 1)) {
    line++
    start = i + 1
  }
  return { line, column: at - start + 1, at: at + needle.length }
}
