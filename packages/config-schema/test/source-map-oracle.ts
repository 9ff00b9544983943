// The position scanner config-schema used before its TOML reader logged positions itself (src/source-map.ts at
// d8444c0, unchanged but for this comment and an import path): the oracle of test/toml-reader.test.ts for positions.
import type { PathSegment } from '../src/path.js'

/** A 1-based position in the TOML source. */
export interface Position {
  readonly line: number
  readonly column: number
}

/** A node of the trie of wanted paths, with the offsets found for its path (-1 = not seen). */
interface Node {
  readonly children: Map<PathSegment, Node>
  key: number
  value: number
  /** Headers `[[path]]` seen so far when this path is an array of tables: the index of its current table + 1. */
  tables: number
}

const NONE = -1
const node = (): Node => ({ children: new Map(), key: NONE, value: NONE, tables: 0 })

/**
 * Positions of chosen paths of a TOML document: their key (or table header) and their value.
 *
 * smol-toml returns values without positions, so once validation has found issues, this scanner walks the same text
 * once more. The paths of the issues form a trie; the scanner follows it key by key and records offsets only where
 * it stands on a wanted path, so keys elsewhere cost a comparison, not a string. It trusts that the text is valid
 * TOML (it runs only after smol-toml accepted it) and never throws: on anything unexpected it stops and keeps what it
 * found.
 */
export class SourceMap {
  private readonly root = node()
  private lineStarts: number[] | undefined

  constructor(
    private readonly text: string,
    paths: Iterable<readonly PathSegment[]>,
  ) {
    for (const segments of paths) {
      let at = this.root
      for (const segment of segments) {
        let next = at.children.get(segment)
        if (next === undefined) {
          next = node()
          at.children.set(segment, next)
        }
        at = next
      }
    }
    try {
      new Scanner(text, this.root).document()
    } catch {
      // A scanner bug must never turn a report into a crash; positions found so far remain.
    }
  }

  /** Line and column of an offset. */
  position(offset: number): Position {
    if (this.lineStarts === undefined) {
      this.lineStarts = [0]
      for (let i = this.text.indexOf('\n'); i !== -1; i = this.text.indexOf('\n', i + 1)) this.lineStarts.push(i + 1)
    }
    const starts = this.lineStarts
    let lo = 0
    let hi = starts.length - 1
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1
      if (starts[mid]! <= offset) lo = mid
      else hi = mid - 1
    }
    return { line: lo + 1, column: offset - starts[lo]! + 1 }
  }

  /**
   * The position of `segments` (one of the paths given to the constructor): its value or its key as asked; for a
   * path absent from the source, the key (table header) of its nearest ancestor that is present; else line 1.
   */
  locate(segments: readonly PathSegment[], anchor: 'key' | 'value'): Position {
    const chain: Node[] = []
    let at: Node | undefined = this.root
    for (const segment of segments) {
      at = at.children.get(segment)
      if (at === undefined) break
      chain.push(at)
    }
    const own = chain.length === segments.length ? chain[chain.length - 1] : undefined
    if (own !== undefined) {
      const first = anchor === 'value' ? own.value : own.key
      const offset = first !== NONE ? first : anchor === 'value' ? own.key : own.value
      if (offset !== NONE) return this.position(offset)
    }
    for (let n = segments.length - 2; n >= 0; n--) {
      const parent = chain[n]
      if (parent === undefined) continue
      const offset = parent.key !== NONE ? parent.key : parent.value
      if (offset !== NONE) return this.position(offset)
    }
    return { line: 1, column: 1 }
  }
}

// Character codes the scanner compares against.
const TAB = 9
const LF = 10
const CR = 13
const SPACE = 32
const QUOTE = 34
const HASH = 35
const APOSTROPHE = 39
const COMMA = 44
const DOT = 46
const OPEN_BRACKET = 91
const BACKSLASH = 92
const CLOSE_BRACKET = 93
const OPEN_BRACE = 123
const CLOSE_BRACE = 125

/** 1 for the characters of a bare key (`A-Za-z0-9_-`), by character code: one load per character. */
const BARE_KEY_CHAR = new Uint8Array(128)
for (const c of 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-') BARE_KEY_CHAR[c.charCodeAt(0)] = 1

/**
 * The child of `at` named by the bare key `s[start, end)`. Most keys of a wanted table are not wanted themselves,
 * and a node has few children: comparing them in place rejects such keys without building a string.
 */
function childNamed(at: Node, s: string, start: number, end: number): Node | undefined {
  if (at.children.size > 8) return at.children.get(s.slice(start, end))
  for (const [name, child] of at.children) {
    if (typeof name === 'string' && name.length === end - start && s.startsWith(name, start)) return child
  }
  return undefined
}

class Scanner {
  private i = 0
  /** The next backslash at or after some earlier offset (-1: none left); see `backslashFrom`. */
  private backslash: number

  constructor(
    private readonly s: string,
    private readonly root: Node,
  ) {
    this.backslash = s.indexOf('\\')
  }

  document(): void {
    let table: Node | undefined = this.root
    const s = this.s
    for (;;) {
      this.skipBlank()
      if (this.i >= s.length) return
      if (s.charCodeAt(this.i) === OPEN_BRACKET) {
        const headerAt = this.i
        const isArray = s.charCodeAt(this.i + 1) === OPEN_BRACKET
        this.i += isArray ? 2 : 1
        table = this.header(headerAt, isArray)
        this.i += isArray ? 2 : 1
      } else {
        const at = this.keyPath(table)
        this.skipSpaces()
        this.i++ // '='
        this.skipSpaces()
        this.value(at)
      }
    }
  }

  /**
   * Reads a header's keys, resolving them through earlier arrays of tables, and records the header. Arrays of tables
   * are counted only on wanted paths: below any other path, no node can be wanted either.
   */
  private header(headerAt: number, isArray: boolean): Node | undefined {
    let at: Node | undefined = this.root
    for (;;) {
      this.skipSpaces()
      const keyAt = this.i
      at = this.child(at)
      this.skipSpaces()
      const last = this.s.charCodeAt(this.i) !== DOT
      if (at !== undefined && at.key === NONE) at.key = last ? headerAt : keyAt
      if (last) {
        if (!isArray || at === undefined) return at
        at.tables++
        at = at.children.get(at.tables - 1)
        if (at !== undefined && at.key === NONE) at.key = headerAt
        return at
      }
      if (at !== undefined && at.tables > 0) at = at.children.get(at.tables - 1)
      this.i++ // '.'
    }
  }

  /** Reads the (dotted) key of a key/value pair below `table`, recording each part; returns the value's node. */
  private keyPath(table: Node | undefined): Node | undefined {
    let at = table
    for (;;) {
      this.skipSpaces()
      const keyAt = this.i
      at = this.child(at)
      if (at !== undefined && at.key === NONE) at.key = keyAt
      this.skipSpaces()
      if (this.s.charCodeAt(this.i) !== DOT) return at
      this.i++
    }
  }

  /** Reads one key; returns the node it leads to from `at`, reading the key's text only when `at` has children. */
  private child(at: Node | undefined): Node | undefined {
    const s = this.s
    const wanted = at !== undefined && at.children.size > 0
    const c = s.charCodeAt(this.i)
    if (c === QUOTE || c === APOSTROPHE) {
      const name = this.string(wanted)
      return wanted ? at.children.get(name) : undefined
    }
    const start = this.i
    let i = start
    while (BARE_KEY_CHAR[s.charCodeAt(i)] === 1) i++
    if (i === start) throw new Error('key expected')
    this.i = i
    return wanted ? childNamed(at, s, start, i) : undefined
  }

  private value(at: Node | undefined): void {
    const s = this.s
    if (at !== undefined && at.value === NONE) at.value = this.i
    const c = s.charCodeAt(this.i)
    if (c === QUOTE || c === APOSTROPHE) {
      this.string(false)
    } else if (c === OPEN_BRACKET) {
      this.i++
      for (let index = 0; ; index++) {
        this.skipBlank()
        if (this.i >= s.length || s.charCodeAt(this.i) === CLOSE_BRACKET) break
        this.value(at?.children.get(index))
        this.skipBlank()
        if (s.charCodeAt(this.i) === COMMA) this.i++
      }
      this.i++
    } else if (c === OPEN_BRACE) {
      this.i++
      for (;;) {
        this.skipBlank()
        if (this.i >= s.length || s.charCodeAt(this.i) === CLOSE_BRACE) break
        const inner = this.keyPath(at)
        this.skipSpaces()
        this.i++ // '='
        this.skipSpaces()
        this.value(inner)
        this.skipBlank()
        if (s.charCodeAt(this.i) === COMMA) this.i++
      }
      this.i++
    } else {
      // Numbers, booleans, dates (a date may contain one space, so stop only at delimiters).
      let i = this.i
      for (; i < s.length; i++) {
        const d = s.charCodeAt(i)
        if (d === COMMA || d === CLOSE_BRACKET || d === CLOSE_BRACE || d === HASH || d === LF || d === CR) break
      }
      this.i = i
    }
  }

  /** Reads a string of any of the four kinds: decoded when `decode` (quoted keys), else skipped and ''. */
  private string(decode: boolean): string {
    const s = this.s
    const quote = s.charCodeAt(this.i)
    const multi = s.charCodeAt(this.i + 1) === quote && s.charCodeAt(this.i + 2) === quote
    const literal = quote === APOSTROPHE
    let i = this.i + (multi ? 3 : 1)
    if (!decode) {
      // Values are skipped with indexOf, which is several times faster than a loop over their characters.
      const close = multi ? (literal ? "'''" : '"""') : literal ? "'" : '"'
      // The first candidate close at or after `i`, searched again only once `i` has passed it: a string of many
      // escapes would otherwise be scanned to its end once per escape.
      let end = -2
      for (;;) {
        if (end !== -1 && end < i) end = s.indexOf(close, i)
        const backslash = literal ? -1 : this.backslashFrom(i)
        if (backslash !== -1 && (backslash < end || end === -1)) {
          i = backslash + escapeLength(s, backslash)
          continue
        }
        i = end === -1 ? s.length : end + close.length
        break
      }
      // A multi-line string may end with up to two extra quotes that belong to its content.
      if (multi) for (let extra = 0; extra < 2 && s.charCodeAt(i) === quote; extra++) i++
      this.i = i
      return ''
    }
    let out = ''
    let from = i
    while (i < s.length) {
      const c = s.charCodeAt(i)
      if (c === quote && (!multi || (s.charCodeAt(i + 1) === quote && s.charCodeAt(i + 2) === quote))) {
        out += s.slice(from, i)
        i += multi ? 3 : 1
        if (multi) for (let extra = 0; extra < 2 && s.charCodeAt(i) === quote; extra++) i++
        this.i = i
        return out
      }
      if (!literal && c === BACKSLASH) {
        out += s.slice(from, i) + decodeEscape(s, i)
        i += escapeLength(s, i)
        from = i
        continue
      }
      i++
    }
    this.i = i
    return out
  }

  /** The offset of the first backslash at or after `i`, or -1; one indexOf per backslash of the whole text. */
  private backslashFrom(i: number): number {
    if (this.backslash !== -1 && this.backslash < i) this.backslash = this.s.indexOf('\\', i)
    return this.backslash
  }

  private skipSpaces(): void {
    const s = this.s
    let i = this.i
    let c = s.charCodeAt(i)
    while (c === SPACE || c === TAB) c = s.charCodeAt(++i)
    this.i = i
  }

  private skipBlank(): void {
    const s = this.s
    let i = this.i
    for (;;) {
      const c = s.charCodeAt(i)
      if (c === SPACE || c === TAB || c === LF || c === CR) i++
      else if (c === HASH) {
        const end = s.indexOf('\n', i)
        i = end === -1 ? s.length : end
      } else break
    }
    this.i = i
  }
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
