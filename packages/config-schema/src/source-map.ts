import { formatPath, type PathSegment } from './path.js'

/** A 1-based position in the TOML source. */
export interface Position {
  readonly line: number
  readonly column: number
}

/** Where a path's key and value stand in the source. Tables defined by a header have the header's position. */
interface Entry {
  key?: number
  value?: number
}

/**
 * Positions of every key, table header and value of a TOML document, by formatted path.
 *
 * smol-toml returns plain values without positions, so after a successful parse this scanner walks the same text once
 * more and records offsets. It trusts that the text is valid TOML (it only runs after smol-toml accepted it) and
 * never throws: on anything unexpected it stops and keeps what it found.
 */
export class SourceMap {
  private readonly entries = new Map<string, Entry>()
  private readonly lineStarts: number[] = [0]

  constructor(text: string) {
    for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) === 10) this.lineStarts.push(i + 1)
    try {
      new Scanner(text, this.entries).document()
    } catch {
      // A scanner bug must never turn a report into a crash; positions found so far remain.
    }
  }

  /** Line and column of an offset. */
  position(offset: number): Position {
    let lo = 0
    let hi = this.lineStarts.length - 1
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1
      if (this.lineStarts[mid]! <= offset) lo = mid
      else hi = mid - 1
    }
    return { line: lo + 1, column: offset - this.lineStarts[lo]! + 1 }
  }

  /**
   * The position of `segments`: its value or its key as asked; for a path absent from the source, the key (table
   * header) of its nearest ancestor that is present; the document start for the root.
   */
  locate(segments: readonly PathSegment[], anchor: 'key' | 'value'): Position {
    const entry = this.entries.get(formatPath(segments))
    if (entry) {
      const offset = anchor === 'value' ? (entry.value ?? entry.key) : (entry.key ?? entry.value)
      if (offset !== undefined) return this.position(offset)
    }
    for (let n = segments.length - 1; n > 0; n--) {
      const parent = this.entries.get(formatPath(segments.slice(0, n)))
      const offset = parent?.key ?? parent?.value
      if (offset !== undefined) return this.position(offset)
    }
    return { line: 1, column: 1 }
  }
}

const isBareKeyChar = (c: number) =>
  (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 45 || c === 95

class Scanner {
  private i = 0
  /** Arrays of tables seen so far, by formatted path, with their current length. */
  private readonly arrays = new Map<string, number>()

  constructor(
    private readonly s: string,
    private readonly entries: Map<string, Entry>,
  ) {}

  document(): void {
    let table: PathSegment[] = []
    for (;;) {
      this.skipBlank(true)
      if (this.i >= this.s.length) return
      if (this.s[this.i] === '[') {
        const headerAt = this.i
        const isArray = this.s[this.i + 1] === '['
        this.i += isArray ? 2 : 1
        const keys = this.keyPath()
        this.i += isArray ? 2 : 1
        table = this.header(keys, headerAt, isArray)
      } else {
        const keys = this.keyPath()
        this.skipSpaces()
        this.i++ // '='
        this.skipSpaces()
        const path = this.defineKeys(table, keys)
        this.value(path)
      }
    }
  }

  /** Resolves a header's keys through earlier arrays of tables and records the header. */
  private header(keys: readonly Key[], headerAt: number, isArray: boolean): PathSegment[] {
    const path: PathSegment[] = []
    keys.forEach((key, n) => {
      path.push(key.name)
      const last = n === keys.length - 1
      const formatted = formatPath(path)
      if (last && isArray) {
        const count = this.arrays.get(formatted) ?? 0
        this.arrays.set(formatted, count + 1)
        this.record(path, last ? headerAt : key.at)
        path.push(count)
        this.record(path, headerAt)
        return
      }
      this.record(path, last ? headerAt : key.at)
      const count = this.arrays.get(formatted)
      if (count !== undefined) path.push(count - 1)
    })
    return path
  }

  /** Records the dotted keys of a key/value pair under the current table; returns the value's path. */
  private defineKeys(table: readonly PathSegment[], keys: readonly Key[]): PathSegment[] {
    const path = [...table]
    for (const key of keys) {
      path.push(key.name)
      this.record(path, key.at)
    }
    return path
  }

  private record(path: readonly PathSegment[], keyAt: number): void {
    const formatted = formatPath(path)
    if (!this.entries.has(formatted)) this.entries.set(formatted, { key: keyAt })
  }

  private recordValue(path: readonly PathSegment[], at: number): void {
    const formatted = formatPath(path)
    const entry = this.entries.get(formatted)
    if (entry === undefined) this.entries.set(formatted, { value: at })
    else if (entry.value === undefined) entry.value = at
  }

  private value(path: readonly PathSegment[]): void {
    this.recordValue(path, this.i)
    const c = this.s[this.i]
    if (c === '"' || c === "'") {
      this.string()
    } else if (c === '[') {
      this.i++
      for (let index = 0; ; index++) {
        this.skipBlank(true)
        if (this.s[this.i] === ']' || this.i >= this.s.length) break
        this.value([...path, index])
        this.skipBlank(true)
        if (this.s[this.i] === ',') this.i++
      }
      this.i++
    } else if (c === '{') {
      this.i++
      for (;;) {
        this.skipBlank(true)
        if (this.s[this.i] === '}' || this.i >= this.s.length) break
        const keys = this.keyPath()
        this.skipSpaces()
        this.i++ // '='
        this.skipSpaces()
        this.value(this.defineKeys(path, keys))
        this.skipBlank(true)
        if (this.s[this.i] === ',') this.i++
      }
      this.i++
    } else {
      // Numbers, booleans, dates (a date may contain one space, so stop only at delimiters).
      while (this.i < this.s.length && !',]}#\n\r'.includes(this.s[this.i]!)) this.i++
    }
  }

  /** Skips a string of any of the four kinds, returning its decoded text (used for quoted keys). */
  private string(): string {
    const s = this.s
    const quote = s[this.i]!
    const multi = s.startsWith(quote.repeat(3), this.i)
    const literal = quote === "'"
    this.i += multi ? 3 : 1
    let out = ''
    while (this.i < s.length) {
      const c = s[this.i]!
      if (multi ? s.startsWith(quote.repeat(3), this.i) : c === quote) {
        this.i += multi ? 3 : 1
        // A multi-line string may end with up to two extra quotes that belong to its content.
        if (multi) for (let extra = 0; extra < 2 && s[this.i] === quote; extra++) this.i++
        return out
      }
      if (!literal && c === '\\') {
        out += decodeEscape(s, this.i)
        this.i += escapeLength(s, this.i)
        continue
      }
      out += c
      this.i++
    }
    return out
  }

  private keyPath(): Key[] {
    const keys: Key[] = []
    for (;;) {
      this.skipSpaces()
      const at = this.i
      const c = this.s[this.i]
      let name: string
      if (c === '"' || c === "'") name = this.string()
      else {
        while (this.i < this.s.length && isBareKeyChar(this.s.charCodeAt(this.i))) this.i++
        name = this.s.slice(at, this.i)
        if (this.i === at) throw new Error('key expected')
      }
      keys.push({ name, at })
      this.skipSpaces()
      if (this.s[this.i] !== '.') return keys
      this.i++
    }
  }

  private skipSpaces(): void {
    while (this.s[this.i] === ' ' || this.s[this.i] === '\t') this.i++
  }

  private skipBlank(newlines: boolean): void {
    for (;;) {
      const c = this.s[this.i]
      if (c === ' ' || c === '\t' || (newlines && (c === '\n' || c === '\r'))) this.i++
      else if (c === '#') while (this.i < this.s.length && this.s[this.i] !== '\n') this.i++
      else return
    }
  }
}

interface Key {
  readonly name: string
  readonly at: number
}

const SIMPLE_ESCAPES: Readonly<Record<string, string>> = {
  b: '\b',
  t: '\t',
  n: '\n',
  f: '\f',
  r: '\r',
  e: '\u001b',
  '"': '"',
  '\\': '\\',
}

/** Length of the escape sequence at `i` (a backslash), including a line-ending backslash's whitespace. */
function escapeLength(s: string, i: number): number {
  const c = s[i + 1]
  if (c === 'u') return 6
  if (c === 'U') return 10
  if (c === 'x') return 4
  if (c === ' ' || c === '\t' || c === '\n' || c === '\r') {
    let j = i + 1
    while (j < s.length && ' \t\r\n'.includes(s[j]!)) j++
    return j - i
  }
  return 2
}

function decodeEscape(s: string, i: number): string {
  const c = s[i + 1] ?? ''
  if (c === 'u' || c === 'U' || c === 'x') {
    const digits = s.slice(i + 2, i + escapeLength(s, i))
    const code = Number.parseInt(digits, 16)
    return Number.isFinite(code) && code <= 0x10ffff ? String.fromCodePoint(code) : ''
  }
  return SIMPLE_ESCAPES[c] ?? ''
}
