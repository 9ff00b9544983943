// Derived from smol-toml 1.9's stringify (BSD-3-Clause, Copyright (c) Squirrel Chat et al.; the notice is in this
// package's LICENSE): the same rules, restructured.
/**
 * Writes plain data as a TOML document, byte for byte as smol-toml 1.9's `stringify` does for such data (strings,
 * numbers, bigints, booleans, Dates, arrays, tables; no Temporal objects): key/value pairs of a table first, then
 * its subtables as `[a.b]` sections and arrays of tables as `[[a.b]]`; other arrays and tables nested in arrays
 * inline. Keys and values that are null or undefined are left out. Throws a TypeError or RangeError for what TOML
 * cannot hold (a symbol, a function, null in an array, an invalid date, a key with a lone surrogate).
 */
export function writeToml(document: object, maxDepth = 1000): string {
  if (kindOf(document) !== 'object') throw new TypeError('stringify can only be called with an object')
  const out = table(undefined, document as Record<string, unknown>, '', maxDepth)
  return out.endsWith('\n') ? out : `${out}\n`
}

const BARE_KEY = /^[a-z0-9-_]+$/i

function kindOf(value: unknown): string {
  const type = typeof value
  if (type === 'object' && value !== null) {
    if (Array.isArray(value)) return 'array'
    if (value instanceof Date) return 'date'
  }
  return type
}

function isArrayOfTables(array: readonly unknown[]): boolean {
  for (const item of array) if (kindOf(item) !== 'object') return false
  return array.length !== 0
}

/** The ES2024 string methods, typed here for the ES2022 library this package compiles against. */
type WellFormed = { isWellFormed(): boolean; toWellFormed(): string }

function quote(s: string): string {
  return JSON.stringify(s).replaceAll('\x7f', '\\u007f')
}

function key(k: string): string {
  if (BARE_KEY.test(k)) return k
  if (!(k as unknown as WellFormed).isWellFormed()) throw new RangeError('key contains illegal lone surrogates')
  return quote(k)
}

function tooDeep(): never {
  throw new Error('Could not stringify the object: maximum object depth exceeded')
}

function value(v: unknown, kind: string, depth: number): string {
  if (depth === 0) tooDeep()
  switch (kind) {
    case 'number': {
      const n = v as number
      if (Number.isNaN(n)) return 'nan'
      if (n === Number.POSITIVE_INFINITY) return 'inf'
      if (n === Number.NEGATIVE_INFINITY) return '-inf'
      if (Number.isInteger(n) && !Number.isSafeInteger(n)) return n.toFixed(1)
      return n.toString()
    }
    case 'bigint':
    case 'boolean':
      return (v as bigint | boolean).toString()
    case 'string':
      return quote((v as unknown as WellFormed).toWellFormed())
    case 'date':
      if (Number.isNaN((v as Date).getTime())) throw new TypeError('cannot serialize invalid date')
      return (v as Date).toISOString()
    case 'object':
      return inlineTable(v as Record<string, unknown>, depth)
    case 'array':
      return inlineArray(v as unknown[], depth)
  }
  return undefined as unknown as string
}

function inlineTable(t: Record<string, unknown>, depth: number): string {
  const keys = Object.keys(t)
  if (keys.length === 0) return '{}'
  let out = '{ '
  for (let i = 0; i < keys.length; i++) {
    const k = keys[i]!
    if (i) out += ', '
    out += `${key(k)} = ${value(t[k], kindOf(t[k]), depth - 1)}`
  }
  return `${out} }`
}

function inlineArray(array: readonly unknown[], depth: number): string {
  if (array.length === 0) return '[]'
  let out = '[ '
  for (let i = 0; i < array.length; i++) {
    if (i) out += ', '
    if (array[i] === null || array[i] === undefined)
      throw new TypeError('arrays cannot contain null or undefined values')
    out += value(array[i], kindOf(array[i]), depth - 1)
  }
  return `${out} ]`
}

function arrayOfTables(array: readonly Record<string, unknown>[], name: string, depth: number): string {
  if (depth === 0) tooDeep()
  let out = ''
  for (const item of array) {
    out += `${out && '\n'}[[${name}]]\n`
    out += table(undefined, item, name, depth)
  }
  return out
}

function table(name: string | undefined, t: Record<string, unknown>, prefix: string, depth: number): string {
  if (depth === 0) tooDeep()
  let preamble = ''
  let tables = ''
  for (const k of Object.keys(t)) {
    const v = t[k]
    if (v === null || v === undefined) continue
    const kind = kindOf(v)
    if (kind === 'symbol' || kind === 'function') throw new TypeError(`cannot serialize values of type '${kind}'`)
    const written = key(k)
    if (kind === 'array' && isArrayOfTables(v as unknown[])) {
      const full = prefix ? `${prefix}.${written}` : written
      tables += (tables && '\n') + arrayOfTables(v as Record<string, unknown>[], full, depth - 1)
    } else if (kind === 'object') {
      const full = prefix ? `${prefix}.${written}` : written
      tables += (tables && '\n') + table(full, v as Record<string, unknown>, full, depth - 1)
    } else {
      preamble += `${written} = ${value(v, kind, depth)}\n`
    }
  }
  // A section header only where it is needed: for pairs of its own, or for an empty table.
  if (name && (preamble || !tables)) preamble = preamble ? `[${name}]\n${preamble}` : `[${name}]`
  return preamble && tables ? `${preamble}\n${tables}` : preamble || tables
}
