// Our TOML 1.0 reader. Its verdicts, values and error sentences are held to smol-toml 1.9 (the reader this package
// used before, kept as the test oracle); the sentences are smol-toml's, so its notice stays in this package's LICENSE.

import { emptyRecord } from '../values.js'
import { type DateKind, LOCAL_DATE, LOCAL_DATE_TIME, LOCAL_TIME, OFFSET_DATE_TIME, TomlDate } from './date.js'
import { PositionLog } from './positions.js'

/** A TOML table as the reader returns it: a record that inherits nothing (`emptyRecord`), so any key (even `__proto__`) is plain data. */
export type TomlTable = Record<string, unknown>

/** A syntax error: a sentence and the offset (UTF-16 code units into the text) where it was found. */
export class TomlSyntaxError extends Error {
  constructor(
    message: string,
    readonly offset: number,
  ) {
    super(message)
  }
}

/** What `readToml` returns: the document and where each of its keys and values stands in the text. */
export interface TomlDocument {
  readonly value: TomlTable
  readonly positions: PositionLog
}

// How a table came to be, for TOML's rules on defining it again (the same states as smol-toml's reader).
const DOTTED = 0
const EXPLICIT = 1
const ARRAY = 2
const ARRAY_DOTTED = 3

/** Added to a state's type once its table was defined (by a header naming it). */
const DEFINED = 4

/**
 * What the reader knows of a table (or array of tables) that it created from a header or a dotted key: how it was
 * created (the type, the low two bits) and whether it was defined (`DEFINED`). Keys holding values have no state: a
 * key that is present in a table and whose value has no state holds a value (or an inline table or array) that
 * nothing may extend.
 */
type State = number

const table = (): TomlTable => emptyRecord<unknown>()

// Character codes.
const TAB = 0x09
const LF = 0x0a
const CR = 0x0d
const SPACE = 0x20
const QUOTE = 0x22
const HASH = 0x23
const APOSTROPHE = 0x27
const PLUS = 0x2b
const COMMA = 0x2c
const MINUS = 0x2d
const DOT = 0x2e
const ZERO = 0x30
const COLON = 0x3a
const EQUALS = 0x3d
const OPEN_BRACKET = 0x5b
const BACKSLASH = 0x5c
const CLOSE_BRACKET = 0x5d
const UNDERSCORE = 0x5f
const OPEN_BRACE = 0x7b
const CLOSE_BRACE = 0x7d
const DEL = 0x7f

/** The characters of a bare key (`A-Za-z0-9_-`), 64 of them. */
const BARE_CHARACTERS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-'

/** The number (0-63) of each character of a bare key, -1 for the other characters below 128. */
const BARE_NUMBER = new Int8Array(128).fill(-1)
for (let i = 0; i < BARE_CHARACTERS.length; i++) BARE_NUMBER[BARE_CHARACTERS.charCodeAt(i)] = i

/** The transitions of a trie without words: states 0 and 1, every character leading to 0. */
const EMPTY_TRIE = new Uint16Array(128)

/** Most states a `KeyTable` has (its transitions are 16-bit). */
const MAX_STATES = 0x10000

/**
 * Words a reader may meet as bare keys (a schema's key names), made once: the reader hands out these strings for
 * such keys instead of slicing the text, so that they need not be interned again as property names on every read.
 * They are found with a trie that the reader walks while it scans a key's characters, so nothing is compared
 * afterwards. Only a speed-up: any key reads the same with or without the table.
 */
export class KeyTable {
  /**
   * The trie's transitions: 64 per state, one per bare-key character. State 1 is the start, state 0 is the prefix
   * of no word (its transitions all lead back to 0).
   */
  next: Uint16Array = EMPTY_TRIE
  /** The word that ends at each state, or undefined. */
  readonly words: (string | undefined)[] = [undefined, undefined]
  /** The words, until the trie is built (on the first read, so that importing the package does not pay for it). */
  private pending: Iterable<string> | undefined

  constructor(words: Iterable<string>) {
    this.pending = words
  }

  /** Builds the trie if it is not built yet; returns the table. */
  ready(): this {
    if (this.pending === undefined) return this
    const words = this.pending
    this.pending = undefined
    const next: number[] = new Array(128).fill(0)
    for (const word of words) {
      if (word.length === 0 || [...word].some((c) => c.charCodeAt(0) >= 128 || BARE_NUMBER[c.charCodeAt(0)]! < 0)) {
        continue
      }
      // The prefixes the word adds, at most one state per character; a word that does not fit is left out.
      if (this.words.length + word.length > MAX_STATES) continue
      let state = 1
      for (let i = 0; i < word.length; i++) {
        const slot = state * 64 + BARE_NUMBER[word.charCodeAt(i)]!
        if (next[slot] === 0) {
          next[slot] = this.words.length
          this.words.push(undefined)
          for (let j = 0; j < 64; j++) next.push(0)
        }
        state = next[slot]!
      }
      this.words[state] = word
    }
    this.next = Uint16Array.from(next)
    return this
  }
}

/** The trie of a reader without words: every key is sliced from the text. */
const NO_WORDS = new KeyTable([])

/** 1 for the characters of a bare key (`A-Za-z0-9_-`). */
const BARE = new Uint8Array(128)
for (const c of BARE_CHARACTERS) BARE[c.charCodeAt(0)] = 1

/** Characters below 128 that end the plain run of a basic string (controls but tab, DEL, `"`, `\`). */
const STOP_BASIC = new Uint8Array(128)
/** The same for a literal string: controls but tab, DEL, `'`. */
const STOP_LITERAL = new Uint8Array(128)
for (let c = 0; c < 0x20; c++) if (c !== TAB) STOP_BASIC[c] = STOP_LITERAL[c] = 1
STOP_BASIC[DEL] = STOP_LITERAL[DEL] = 1
STOP_BASIC[QUOTE] = STOP_BASIC[BACKSLASH] = 1
STOP_LITERAL[APOSTROPHE] = 1

function isDigit(c: number): boolean {
  return c > 0x2f && c < 0x3a
}

function isDigitOf(c: number, base: number): boolean {
  return base === 16
    ? (c > 0x2f && c < 0x3a) || (c > 0x40 && c < 0x47) || (c > 0x60 && c < 0x67)
    : c > 0x2f && c < ZERO + base
}

/** Whitespace, a comment, or (inside an array or inline table) its end or a comma: where a bare value stops. */
function isEndOfValue(c: number, end: number): boolean {
  return c === SPACE || c === TAB || c === LF || c === CR || (end !== 0 && (c === end || c === COMMA)) || c === HASH
}

const REDEFINED_TABLE = 'Trying to redefine an already defined table or value.'
const REDEFINED_VALUE = 'Trying to redefine an already defined value.'
const INVALID_VALUE = 'Invalid value.'
const ILLEGAL_NUMBER_CHARACTER = 'Illegal character in numeric literal.'
const UNFINISHED_NUMBER = 'Unfinished numeric value.'

/**
 * Reads a TOML 1.0 document. Accepts and refuses exactly what smol-toml 1.9 (`integersAsBigInt: true`, legacy dates)
 * does and returns the same values (tables as records that inherit nothing, where smol-toml has null-prototype objects), arrays, strings, bigint integers, number floats,
 * booleans, `TomlDate`s; throws `TomlSyntaxError` (and nothing else) at the offset smol-toml reports. While reading,
 * it logs the offset of every key and value for `PositionLog.locate`.
 *
 * Time is linear in the text; recursion is bounded by `maxDepth` nested arrays and inline tables.
 */
export function readToml(text: string, maxDepth = 1000, known?: KeyTable): TomlDocument {
  const reader = new Reader(text, maxDepth, (known ?? NO_WORDS).ready())
  return { value: reader.document(), positions: reader.log }
}

class Reader {
  p = 0
  readonly n: number
  readonly log = new PositionLog()
  /** Parts of the key read last by `key()`, and the offset of each. */
  private readonly parts: string[] = []
  private readonly partsAt: number[] = []
  /**
   * How each table and array of tables made from headers and dotted keys came to be, but for the most common, a
   * table that a header opened (`EXPLICIT | DEFINED`): `stateOf` tells those from values.
   */
  private readonly states = new Map<unknown, State>()
  /** The inline tables read so far (made on the first): values, though tables. */
  private inlineTables: Set<unknown> | undefined
  /**
   * The parts of the last header and the table each of them led to (the last one: the table it opened). Nothing
   * between two headers changes which table these parts lead to (key/value pairs only add to the opened table and
   * below it), so the next header starts from the longest prefix it shares with them.
   */
  private readonly chainKeys: string[] = []
  private readonly chain: TomlTable[] = []
  private chainLength = 0

  constructor(
    private readonly s: string,
    private depth: number,
    private readonly known: KeyTable,
  ) {
    this.n = s.length
  }

  private fail(message: string, offset: number = this.p): never {
    throw new TomlSyntaxError(message, offset)
  }

  document(): TomlTable {
    const s = this.s
    const n = this.n
    const root = table()
    const states = this.states
    let current = root
    // A byte order mark is whitespace before the first key.
    if (s.charCodeAt(0) === 0xfeff) this.p++
    this.skipVoid()
    while (this.p < n) {
      if (s.charCodeAt(this.p) === OPEN_BRACKET) {
        const headerAt = this.p
        const isArray = s.charCodeAt(++this.p) === OPEN_BRACKET
        if (isArray) this.p++
        const keyAt = this.p
        const count = this.key(CLOSE_BRACKET)
        if (isArray) {
          if (s.charCodeAt(this.p) !== CLOSE_BRACKET) this.fail('Expected end of table array declaration.')
          this.p++
        }
        current = this.header(root, count, isArray ? ARRAY : EXPLICIT, headerAt, keyAt)
      } else {
        const keyAt = this.p
        const count = this.key(EQUALS)
        const parts = this.parts
        const partsAt = this.partsAt
        let t = current
        for (let i = 0; i < count - 1; i++) {
          // A dotted key creates tables or extends tables that dotted keys created, nothing else.
          const k = parts[i]!
          const existing = t[k]
          if (existing !== undefined) {
            const state = this.stateOf(existing)
            if (state === undefined || (state & 3) === EXPLICIT || (state & 3) === ARRAY)
              this.fail(REDEFINED_TABLE, keyAt)
            this.log.add(t, k, partsAt[i]!, -1)
            t = existing as TomlTable
          } else {
            const created = table()
            states.set(created, DOTTED)
            t[k] = created
            this.log.add(t, k, partsAt[i]!, -1)
            t = created
          }
        }
        const k = parts[count - 1]!
        if (t[k] !== undefined) this.fail(REDEFINED_TABLE, keyAt)
        this.skipSpaces()
        this.log.add(t, k, partsAt[count - 1]!, this.p)
        t[k] = this.value(0)
      }
      this.skipVoidInLine()
      if (this.p < n) {
        const c = s.charCodeAt(this.p)
        if (c !== LF && (c !== CR || s.charCodeAt(this.p + 1) !== LF)) {
          this.fail('Each key-value declaration must be followed by an end-of-line.')
        }
      }
      this.skipVoid()
    }
    return root
  }

  /** Resolves a `[table]` or `[[array]]` header of `count` parts; the table that key/value pairs then go to. */
  private header(root: TomlTable, count: number, type: number, headerAt: number, keyAt: number): TomlTable {
    const parts = this.parts
    const partsAt = this.partsAt
    const states = this.states
    const chain = this.chain
    const chainKeys = this.chainKeys
    let t = root
    let i = 0
    // The parts shared with the last header lead where they led then; they and their log entries are not repeated
    // (a second entry of a part, with no value offset, would change nothing in the log's index).
    const shared = Math.min(count - 1, this.chainLength)
    while (i < shared && parts[i] === chainKeys[i]) t = chain[i++]!
    for (; i < count - 1; i++) {
      const k = parts[i]!
      const existing = t[k]
      if (existing !== undefined) {
        const state = this.stateOf(existing)
        if (state === undefined) this.fail(REDEFINED_TABLE, keyAt)
        this.log.add(t, k, partsAt[i]!, -1)
        if ((state & 3) === ARRAY) {
          // A header below an array of tables continues its last table.
          const list = existing as TomlTable[]
          t = list[list.length - 1]!
        } else t = existing as TomlTable
      } else {
        const created = table()
        states.set(created, type === ARRAY ? ARRAY_DOTTED : type)
        t[k] = created
        this.log.add(t, k, partsAt[i]!, -1)
        t = created
      }
      chainKeys[i] = k
      chain[i] = t
    }
    const opened = this.open(t, count, type, headerAt, keyAt)
    chainKeys[count - 1] = parts[count - 1]!
    chain[count - 1] = opened
    this.chainLength = count
    return opened
  }

  /** The table that the last part of a header opens, below the table `t` its other parts led to. */
  private open(t: TomlTable, count: number, type: number, headerAt: number, keyAt: number): TomlTable {
    const states = this.states
    const k = this.parts[count - 1]!
    const existing = t[k]
    this.log.add(t, k, headerAt, -1)
    if (type === ARRAY) {
      let list = existing as TomlTable[] | undefined
      if (list === undefined) {
        list = []
        states.set(list, ARRAY | DEFINED)
        t[k] = list
      } else {
        const state = this.stateOf(list)
        if (state === undefined || (state & 3) !== ARRAY) this.fail(REDEFINED_TABLE, keyAt)
      }
      const created = table()
      this.log.add(list, list.length, headerAt, -1)
      list.push(created)
      return created
    }
    if (existing === undefined) {
      const created = table()
      t[k] = created
      return created
    }
    const state = this.stateOf(existing)
    // A table that a header named as a parent, or created as the parent of an array of tables, may be defined once.
    if (state === undefined || (state !== EXPLICIT && state !== ARRAY_DOTTED)) this.fail(REDEFINED_TABLE, keyAt)
    states.set(existing, state | DEFINED)
    return existing as TomlTable
  }

  /**
   * The state of `value`, found in a table that headers or dotted keys reach; undefined for a value, which nothing
   * may extend. Tables that a header opened have no entry in `states`: they are the objects that are none of the
   * values (arrays, dates, inline tables).
   */
  private stateOf(value: unknown): State | undefined {
    const state = this.states.get(value)
    if (state !== undefined) return state
    if (typeof value !== 'object' || value === null || Array.isArray(value) || value instanceof Date) return undefined
    return this.inlineTables?.has(value) ? undefined : EXPLICIT | DEFINED
  }

  /**
   * Reads a key up to `end` (`=` or `]`), which it consumes, into `parts`/`partsAt`; returns the number of parts.
   * The same states and errors as smol-toml's parseKey.
   */
  private key(end: number): number {
    const s = this.s
    const parts = this.parts
    const partsAt = this.partsAt
    const startPtr = this.p
    let p = startPtr
    let count = 0
    // 0: before a part, 1: in a bare part, 2: after a part.
    let state = 0
    if (p >= this.n) this.fail('Incomplete key-value: cannot find end of key.', startPtr)
    let c = s.charCodeAt(p)
    for (;;) {
      if (c === end) {
        if (state === 0) this.fail('Unexpected end of key.', p)
        if (state === 1) count++
        this.p = p + 1
        return count
      }
      if (c === DOT) {
        if (state === 0) this.fail('Illegal empty bare key.', p)
        if (state === 1) count++
        state = 0
      } else if (state === 0 && (c === QUOTE || c === APOSTROPHE)) {
        if (c === s.charCodeAt(p + 1) && c === s.charCodeAt(p + 2)) {
          this.fail('Illegal quoted key: multiline strings are not allowed.', p)
        }
        this.p = p
        parts[count] = this.string()
        partsAt[count++] = p
        p = this.p
        state = 2
        c = s.charCodeAt(p)
        if (!c) this.fail('Incomplete key-value: cannot find end of key.', startPtr)
        continue
      } else if (c === SPACE || c === TAB) {
        if (state === 1) {
          count++
          state = 2
        }
      } else if (state === 2 || c >= 128 || BARE[c] === 0) {
        this.fail('Illegal character in key.', p)
      } else if (state === 0) {
        state = 1
        const partStart = p
        // The rest of the bare part at once; it is counted as a part once the character after it allows.
        // The rest of the bare part at once, walking the trie of known words along.
        const next = this.known.next
        let node = next[64 + BARE_NUMBER[c]!]!
        for (let d = s.charCodeAt(p + 1); d < 128; d = s.charCodeAt(p + 1)) {
          const number = BARE_NUMBER[d]!
          if (number < 0) break
          node = next[node * 64 + number]!
          p++
        }
        parts[count] = (node === 0 ? undefined : this.known.words[node]) ?? s.slice(partStart, p + 1)
        partsAt[count] = partStart
      }
      c = s.charCodeAt(++p)
      if (!c) this.fail('Incomplete key-value: cannot find end of key.', startPtr)
    }
  }

  /** Reads a value; `end` is the closing character of the enclosing array or inline table (0 at top level). */
  private value(end: number): unknown {
    const s = this.s
    const start = this.p
    const c = s.charCodeAt(start)
    if (c === OPEN_BRACKET || c === OPEN_BRACE) {
      if (this.depth-- === 0) this.fail('Document contains excessively nested structures. aborting.')
      const value = c === OPEN_BRACKET ? this.array() : this.inlineTable()
      this.depth++
      return value
    }
    if (c === QUOTE || c === APOSTROPHE) return this.string()
    if (c === 0x74) {
      // Only `true` starts with t.
      if (s.charCodeAt(start + 1) !== 0x72 || s.charCodeAt(start + 2) !== 0x75 || s.charCodeAt(start + 3) !== 0x65) {
        this.fail(INVALID_VALUE, start)
      }
      this.p = start + 4
      return true
    }
    if (c === 0x66) {
      if (
        s.charCodeAt(start + 1) !== 0x61 ||
        s.charCodeAt(start + 2) !== 0x6c ||
        s.charCodeAt(start + 3) !== 0x73 ||
        s.charCodeAt(start + 4) !== 0x65
      ) {
        this.fail(INVALID_VALUE, start)
      }
      this.p = start + 5
      return false
    }
    if (c === PLUS || c === MINUS) {
      this.p = start + 1
      return this.number(start, s.charCodeAt(start + 1), 0x2c - c, end)
    }
    if (s.charCodeAt(start + 4) === MINUS && s.charCodeAt(start + 7) === MINUS) return this.date(c, end)
    if (s.charCodeAt(start + 2) === COLON) return this.time(c, end)
    return this.number(start, c, 0, end)
  }

  private array(): unknown[] {
    const s = this.s
    const startPtr = this.p++
    const out: unknown[] = []
    while (this.p < this.n) {
      this.skipVoid()
      if (s.charCodeAt(this.p) === CLOSE_BRACKET) {
        this.p++
        return out
      }
      this.log.item(out, this.p)
      out.push(this.value(CLOSE_BRACKET))
      this.skipVoid()
      const c = s.charCodeAt(this.p++)
      if (c === CLOSE_BRACKET) return out
      if (c !== COMMA) this.fail('Expected comma or end of structure.', this.p - 1)
    }
    this.fail('Unfinished array.', startPtr)
  }

  private inlineTable(): TomlTable {
    const s = this.s
    const startPtr = this.p++
    const out = table()
    this.inlineTables ??= new Set()
    this.inlineTables.add(out)
    // Tables created by dotted keys of this inline table: the only values a later dotted key may extend.
    let implicit: Set<unknown> | undefined
    while (this.p < this.n) {
      this.skipVoid()
      if (s.charCodeAt(this.p) === CLOSE_BRACE) {
        this.p++
        return out
      }
      const errPtr = this.p
      const count = this.key(EQUALS)
      const parts = this.parts
      const partsAt = this.partsAt
      let t = out
      for (let i = 0; i < count - 1; i++) {
        const k = parts[i]!
        const existing = t[k]
        if (existing !== undefined) {
          if (typeof existing !== 'object' || implicit === undefined || !implicit.has(existing)) {
            this.fail(REDEFINED_VALUE, errPtr)
          }
          this.log.add(t, k, partsAt[i]!, -1)
          t = existing as TomlTable
        } else {
          const created = table()
          implicit ??= new Set()
          implicit.add(created)
          t[k] = created
          this.log.add(t, k, partsAt[i]!, -1)
          t = created
        }
      }
      const k = parts[count - 1]!
      if (t[k] !== undefined) this.fail(REDEFINED_VALUE, errPtr)
      const keyAt = partsAt[count - 1]!
      this.skipSpaces()
      this.log.add(t, k, keyAt, this.p)
      t[k] = this.value(CLOSE_BRACE)
      this.skipVoid()
      const c = s.charCodeAt(this.p++)
      if (c === CLOSE_BRACE) return out
      if (c !== COMMA) this.fail('Expected comma or end of structure.', this.p - 1)
    }
    this.fail('Unfinished table.', startPtr)
  }

  /** Reads a string of any of the four kinds at `p`; the same states and errors as smol-toml's parseString. */
  private string(): string {
    const s = this.s
    const n = this.n
    const startPtr = this.p
    let p = startPtr
    const first = s.charCodeAt(p++)
    const literal = first === APOSTROPHE
    const stop = literal ? STOP_LITERAL : STOP_BASIC
    const multi = first === s.charCodeAt(p) && first === s.charCodeAt(p + 1)
    if (multi) {
      p += 2
      const c = s.charCodeAt(p)
      if (c === LF) p++
      else if (c === CR && s.charCodeAt(p + 1) === LF) p += 2
    }
    let parsed = ''
    let sliceStart = p
    // 0: plain, 1: after a backslash, 2: line-ending backslash before its newline, 3: after its newline.
    let state = 0
    for (; p < n; p++) {
      let c = s.charCodeAt(p)
      if (state === 0) {
        // The plain run at once: nothing to decide for its characters.
        while (c >= 128 || stop[c] === 0) {
          if (++p >= n) this.fail('Unfinished string.', startPtr)
          c = s.charCodeAt(p)
        }
      }
      if (multi && (c === LF || (c === CR && s.charCodeAt(p + 1) === LF))) {
        if (state !== 0) state = 3
      } else if ((c < 0x20 && c !== TAB) || c === DEL) {
        this.fail('Control characters are not allowed in strings.', p)
      } else if (
        (state === 0 || state === 3) &&
        c === first &&
        (!multi || (s.charCodeAt(p + 1) === first && s.charCodeAt(p + 2) === first))
      ) {
        if (multi) {
          // Four or five quotes: the first one or two belong to the string.
          if (s.charCodeAt(p + 3) === first) p++
          if (s.charCodeAt(p + 3) === first) p++
        }
        if (state === 0) {
          const piece = s.slice(sliceStart, p)
          parsed = parsed ? parsed + piece : piece
        }
        this.p = p + (multi ? 3 : 1)
        return parsed
      } else if (state === 0) {
        if (!literal && c === BACKSLASH) {
          parsed += s.slice(sliceStart, p)
          sliceStart = p
          state = 1
        }
      } else if (state === 1) {
        if (c === 0x78 || c === 0x75 || c === 0x55) {
          // \xHH, \uHHHH, \UHHHHHHHH
          const errPtr = p++ - 1
          let value = 0
          const length = c === 0x78 ? 2 : c === 0x75 ? 4 : 8
          for (let j = 0; j < length; j++, p++) {
            const h = s.charCodeAt(p)
            const digit =
              h >= 0x30 && h <= 0x39
                ? h - 0x30
                : h >= 0x41 && h <= 0x46
                  ? h - 0x37
                  : h >= 0x61 && h <= 0x66
                    ? h - 0x57
                    : -1
            if (digit < 0) this.fail('Invalid non-hex character in unicode escape.', p)
            value = (value << 4) | digit
          }
          // Bitwise arithmetic is signed 32-bit: 0x8zzzzzzz and above are negative here.
          if (value < 0 || value > 0x10ffff || (value >= 0xd800 && value <= 0xdfff)) {
            this.fail('Invalid unicode escape.', errPtr)
          }
          parsed += String.fromCodePoint(value)
          sliceStart = p--
          state = 0
        } else if (multi && (c === SPACE || c === TAB)) {
          state = 2
        } else {
          if (c === 0x62) parsed += '\b'
          else if (c === 0x74) parsed += '\t'
          else if (c === 0x6e) parsed += '\n'
          else if (c === 0x66) parsed += '\f'
          else if (c === 0x72) parsed += '\r'
          else if (c === 0x65) parsed += '\u001b'
          else if (c === QUOTE) parsed += '"'
          else if (c === BACKSLASH) parsed += '\\'
          else this.fail('Unrecognised escape sequence.', p)
          sliceStart = p + 1
          state = 0
        }
      } else if (c !== SPACE && c !== TAB) {
        if (state === 2) this.fail('Invalid escape: only line-ending whitespace may be escaped.', sliceStart)
        state = !literal && c === BACKSLASH ? 1 : 0
        sliceStart = p
      }
    }
    this.fail('Unfinished string.', startPtr)
  }

  /**
   * Reads an integer or float whose first character after any sign is `first` at `p`; `start` is the offset of the
   * sign or first digit, `sign` is 1 or -1 after a sign, else 0. The states of smol-toml's parseNumber: underscores
   * are allowed in odd states only.
   */
  private number(start: number, first: number, sign: number, end: number): unknown {
    const s = this.s
    const n = this.n
    let c = first
    let state = 0
    let underscores = false
    if (c === 0x69) {
      // inf
      if (s.charCodeAt(++this.p) !== 0x6e || s.charCodeAt(++this.p) !== 0x66) this.fail(INVALID_VALUE, start)
      this.p++
      return (sign || 1) / 0
    }
    if (c === 0x6e) {
      // nan
      if (s.charCodeAt(++this.p) !== 0x61 || s.charCodeAt(++this.p) !== 0x6e) this.fail(INVALID_VALUE, start)
      this.p++
      return Number.NaN
    }
    if (c === ZERO) {
      this.p++
      c = s.charCodeAt(this.p)
      if (this.p >= n || isEndOfValue(c, end)) return 0n
      if (!sign) {
        if (c === 0x78) return this.integerOfBase(start, 16, end)
        if (c === 0x62) return this.integerOfBase(start, 2, end)
        if (c === 0x6f) return this.integerOfBase(start, 8, end)
      }
      if (c === DOT) state = 2
      else if (c === 0x65 || c === 0x45) state = 4
      else this.fail('Illegal leading zero.', start)
    } else if (!isDigit(c)) this.fail(INVALID_VALUE, start)
    else {
      // The common case at once: up to 15 plain digits, which a double holds exactly.
      let value = c - ZERO
      let q = this.p + 1
      let d = s.charCodeAt(q)
      while (d >= ZERO && d <= 0x39 && q - this.p < 15) {
        value = value * 10 + d - ZERO
        d = s.charCodeAt(++q)
      }
      if (q >= n || isEndOfValue(d, end)) {
        this.p = q
        return BigInt(sign < 0 ? -value : value)
      }
    }
    let p = this.p
    while (++p < n) {
      c = s.charCodeAt(p)
      if (isEndOfValue(c, end)) break
      if (state === 0) state = 1
      if (c === UNDERSCORE) {
        if (!(state & 1)) this.fail('Illegal underscore.', p)
        state += 11
        underscores = true
      } else if (state === 1 && c === DOT) state = 2
      else if ((state === 1 || state === 3) && (c === 0x65 || c === 0x45)) state = 4
      else if (state === 4 && (c === PLUS || c === MINUS)) state = 6
      else if (!isDigit(c)) this.fail(ILLEGAL_NUMBER_CHARACTER, p)
      else if (state > 9) state -= 11
      else if (!(state & 1)) state++
    }
    this.p = p
    if (state === 0) return BigInt((first - ZERO) * (sign || 1))
    if (!(state & 1)) this.fail(UNFINISHED_NUMBER, start)
    let text = s.slice(start, p)
    if (underscores) text = text.replaceAll('_', '')
    return state > 1 ? Number.parseFloat(text) : BigInt(text)
  }

  /** Reads the digits of `0x`, `0o` or `0b` (`p` is at the letter). */
  private integerOfBase(start: number, base: number, end: number): bigint {
    const s = this.s
    const n = this.n
    let p = this.p
    let underscore = 1
    while (++p < n) {
      const c = s.charCodeAt(p)
      if (isEndOfValue(c, end)) break
      if (c === UNDERSCORE) {
        if (underscore & 1) this.fail('Illegal underscore.', p)
        underscore = 3
      } else if (!isDigitOf(c, base)) this.fail(ILLEGAL_NUMBER_CHARACTER, p)
      else if (underscore & 1) underscore--
    }
    this.p = p
    if (underscore & 1) this.fail(UNFINISHED_NUMBER, p)
    let digits = s.slice(start + 2, p)
    if (underscore) digits = digits.replaceAll('_', '')
    return BigInt((base === 2 ? '0b' : base === 8 ? '0o' : '0x') + digits)
  }

  /** Reads a date or date-time, or a number that looked like one (`p` is at its first character `c`). */
  private date(first: number, end: number): unknown {
    const s = this.s
    const start = this.p
    let p = start + 1
    if (!isDigit(first) || !isDigit(s.charCodeAt(p++)) || !isDigit(s.charCodeAt(p++)) || !isDigit(s.charCodeAt(p++))) {
      this.p = start
      return this.number(start, first, 0, end)
    }
    p += 5
    if (!isDigit(s.charCodeAt(p++))) this.fail('Invalid date-time: date part is malformed.', start)
    let c = s.charCodeAt(p)
    // A space separates a date from a time only when a digit follows it.
    const spaced = c === SPACE
    if (p >= this.n || ((!spaced || !isDigit(s.charCodeAt(p + 1))) && c !== 0x54 && c !== 0x74)) {
      this.p = p
      return this.makeDate(s.slice(start, p), LOCAL_DATE, false, start)
    }
    p += 3
    if (s.charCodeAt(p) !== COLON) this.fail('Invalid date-time: time part is malformed.', start)
    p += 3
    if (s.charCodeAt(p) === COLON) p += 3
    if (s.charCodeAt(p) === DOT) while (isDigit(s.charCodeAt(++p)));
    c = s.charCodeAt(p)
    if (c) {
      if (c === 0x5a || c === 0x7a) {
        this.p = ++p
        return this.makeDate(s.slice(start, p), OFFSET_DATE_TIME, spaced, start)
      }
      if (c === PLUS || c === MINUS) {
        p += 6
        this.p = p
        return this.makeDate(s.slice(start, p), OFFSET_DATE_TIME, spaced, start)
      }
    }
    this.p = p
    return this.makeDate(s.slice(start, p), LOCAL_DATE_TIME, spaced, start)
  }

  /** Reads a local time, or a number that looked like one. */
  private time(first: number, end: number): unknown {
    const s = this.s
    const start = this.p
    // smol-toml steps back one character before reporting a value that starts with neither a digit nor a sign here.
    if (!isDigit(first)) this.fail(INVALID_VALUE, start - 1)
    if (!isDigit(s.charCodeAt(start + 1))) return this.number(start, first, 0, end)
    let p = start + 1
    p += 4
    if (s.charCodeAt(p) === COLON) p += 3
    if (s.charCodeAt(p) === DOT) while (isDigit(s.charCodeAt(++p)));
    this.p = p
    return this.makeDate(s.slice(start, p), LOCAL_TIME, false, start)
  }

  private makeDate(text: string, kind: DateKind, spaced: boolean, start: number): TomlDate {
    const date = new TomlDate(text, kind, spaced)
    if (!date.isValid()) this.fail('Invalid date.', start)
    return date
  }

  /** Skips spaces and tabs. */
  private skipSpaces(): void {
    const s = this.s
    let p = this.p
    let c = s.charCodeAt(p)
    while (c === SPACE || c === TAB) c = s.charCodeAt(++p)
    this.p = p
  }

  /** Skips spaces, tabs and a comment, not the end of the line. */
  private skipVoidInLine(): void {
    this.skipSpaces()
    if (this.s.charCodeAt(this.p) === HASH) this.skipComment()
  }

  /** Skips whitespace, newlines and comments. */
  private skipVoid(): void {
    const s = this.s
    const n = this.n
    let p = this.p
    for (;;) {
      let c = s.charCodeAt(p)
      while (c === SPACE || c === TAB || c === LF || (c === CR && s.charCodeAt(p + 1) === LF)) c = s.charCodeAt(++p)
      if (c !== HASH || p >= n) break
      this.p = p
      this.skipComment()
      p = this.p
    }
    this.p = p
  }

  /** Skips a comment up to its line end (`p` stays at the `\n`); control characters are refused. */
  private skipComment(): void {
    const s = this.s
    const n = this.n
    let p = this.p
    for (; p < n; p++) {
      const c = s.charCodeAt(p)
      if (c === LF) break
      if (c === CR && s.charCodeAt(p + 1) === LF) {
        p++
        break
      }
      if ((c < 0x20 && c !== TAB) || c === DEL) this.fail('Control characters are not allowed in comments.', p)
    }
    this.p = p
  }
}
