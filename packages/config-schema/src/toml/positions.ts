import type { PathSegment } from '../path.js'

/** A 1-based position in the TOML source: lines end at `\n`, columns count UTF-16 code units. */
export interface Position {
  readonly line: number
  readonly column: number
}

const NONE = -1

/**
 * Where the keys and values of one document stand, logged by the reader as it reads: one entry per key part, table
 * header and array item, naming its container (the table or array object of the document), its key or index, and
 * the offsets of the key (a header's `[` for a table it names) and of the value (-1 for none). Logging is a few array
 * pushes; the index that answers `locate` is built from the log only when the first issue asks.
 */
export class PositionLog {
  /**
   * Four slots per entry, in one array so that logging is one push: container, key or index, key offset, value
   * offset (small integers, which an array of any kind holds unboxed).
   */
  private readonly entries: unknown[] = []
  /**
   * The items of static arrays, apart: the offset of each item's value (the index is their order), preceded by its
   * array where it differs from the previous item's.
   */
  private readonly items: unknown[] = []
  private lastArray: unknown
  /** Per container, per key: the first key offset and first value offset seen for it (built on first use). */
  private index: Map<object, Map<PathSegment, number>> | undefined
  private firstKey: number[] = []
  private firstValue: number[] = []
  /** Set by `prepare` for a few paths: `locate` walks the log instead of building the index. */
  private direct = false
  /** The first key and value offsets of the last `find`. */
  private foundKey = NONE
  private foundValue = NONE

  /** Logs `name` of `owner`, its key at offset `key` and its value at `value` (-1: none). */
  add(owner: object, name: PathSegment, key: number, value: number): void {
    this.entries.push(owner, name, key, value)
  }

  /** Logs the next item of the static array `owner`, its value at offset `value`. */
  item(owner: unknown[], value: number): void {
    if (owner === this.lastArray) this.items.push(value)
    else {
      this.items.push(owner, value)
      this.lastArray = owner
    }
  }

  /**
   * Prepares `locate` for `paths` below `root` (the document this log was read with): indexes only the entries on
   * those paths (per container on them, the keys or indexes they name there), so that a few issues in a large
   * document cost a pass over the log and little else. Without it, `locate` indexes every entry on first use.
   */
  prepare(root: object, paths: readonly (readonly PathSegment[])[]): void {
    // A few issues (the common case: a warning or two) are found by walking the log once per path segment, which
    // is cheaper than building an index of the containers on their paths; the bound keeps the time linear.
    let segments = 0
    for (const path of paths) segments += path.length
    if (paths.length <= DIRECT_PATHS && segments <= DIRECT_SEGMENTS) {
      this.direct = true
      return
    }
    this.direct = false
    const wanted = new Map<unknown, Set<PathSegment>>()
    for (const path of paths) {
      let at: unknown = root
      for (const segment of path) {
        if (typeof at !== 'object' || at === null) break
        let names = wanted.get(at)
        if (names === undefined) {
          names = new Set()
          wanted.set(at, names)
        }
        names.add(segment)
        at = (at as Record<PathSegment, unknown>)[segment]
      }
    }
    this.index = this.build(wanted)
  }

  /** The index of the log: of every entry, or of the names `wanted` lists per container. */
  private build(wanted?: ReadonlyMap<unknown, ReadonlySet<PathSegment>>): Map<object, Map<PathSegment, number>> {
    const index = new Map<object, Map<PathSegment, number>>()
    const firstKey: number[] = []
    const firstValue: number[] = []
    const log = this.entries
    // Entries come in runs of one container: what is wanted of it is looked up once per run.
    let owner: unknown
    let names: ReadonlySet<PathSegment> | undefined
    let entries: Map<PathSegment, number> | undefined
    for (let i = 0; i < log.length; i += 4) {
      if (log[i] !== owner) {
        owner = log[i]
        names = wanted?.get(owner)
        entries = wanted === undefined || names !== undefined ? index.get(owner as object) : undefined
      }
      const name = log[i + 1] as PathSegment
      if (wanted !== undefined && (names === undefined || !names.has(name))) continue
      if (entries === undefined) {
        entries = new Map()
        index.set(owner as object, entries)
      }
      let slot = entries.get(name)
      if (slot === undefined) {
        slot = firstKey.length
        entries.set(name, slot)
        firstKey.push(NONE)
        firstValue.push(NONE)
      }
      // The first occurrence in the text wins, for the key and for the value alike.
      if (firstKey[slot] === NONE) firstKey[slot] = log[i + 2] as number
      if (firstValue[slot] === NONE) firstValue[slot] = log[i + 3] as number
    }
    // A static array's items are logged in order, so an item's index is the count of its array's items before it.
    const items = this.items
    const counts = new Map<unknown, number>()
    let array: unknown
    // Whether the items of `array` are indexed (and so counted); `next` is the index of its next item.
    let counted = false
    let next = 0
    for (let i = 0; i < items.length; i++) {
      if (typeof items[i] !== 'number') {
        if (counted) counts.set(array, next)
        array = items[i++]
        names = wanted?.get(array)
        counted = wanted === undefined || names !== undefined
        if (!counted) continue
        next = counts.get(array) ?? 0
        entries = index.get(array as object)
      }
      if (!counted) continue
      const item = next++
      if (names !== undefined && !names.has(item)) continue
      if (entries === undefined) {
        entries = new Map()
        index.set(array as object, entries)
      }
      entries.set(item, firstKey.length)
      firstKey.push(NONE)
      firstValue.push(items[i] as number)
    }
    this.firstKey = firstKey
    this.firstValue = firstValue
    return index
  }

  /**
   * The offset for `segments` below `root` (the document this log was read with; one of the paths given to
   * `prepare`, if it was called): its value or its key as asked,
   * else the other one; for a path absent from the source, the key (table header) of its nearest ancestor that is
   * present, else its value; -1 when no part of the path is in the source.
   */
  locate(root: object, segments: readonly PathSegment[], anchor: 'key' | 'value'): number {
    if (this.direct) return this.locateDirect(root, segments, anchor)
    this.index ??= this.build()
    const index = this.index
    const slots: number[] = []
    let at: unknown = root
    for (const segment of segments) {
      const slot = typeof at === 'object' && at !== null ? index.get(at)?.get(segment) : undefined
      if (slot === undefined) break
      slots.push(slot)
      at = (at as Record<PathSegment, unknown>)[segment]
    }
    if (slots.length === segments.length && slots.length > 0) {
      const own = slots[slots.length - 1]!
      const first = anchor === 'value' ? this.firstValue[own]! : this.firstKey[own]!
      const offset = first !== NONE ? first : anchor === 'value' ? this.firstKey[own]! : this.firstValue[own]!
      if (offset !== NONE) return offset
    }
    for (let n = Math.min(slots.length, segments.length - 1) - 1; n >= 0; n--) {
      const slot = slots[n]!
      const offset = this.firstKey[slot] !== NONE ? this.firstKey[slot]! : this.firstValue[slot]!
      if (offset !== NONE) return offset
    }
    return NONE
  }

  /** `locate` without the index: the same answers, from one pass over the log per segment of the path. */
  private locateDirect(root: object, segments: readonly PathSegment[], anchor: 'key' | 'value'): number {
    const keys: number[] = []
    const values: number[] = []
    let at: unknown = root
    for (const segment of segments) {
      if (typeof at !== 'object' || at === null || !this.find(at, segment)) break
      keys.push(this.foundKey)
      values.push(this.foundValue)
      at = (at as Record<PathSegment, unknown>)[segment]
    }
    const found = keys.length
    if (found === segments.length && found > 0) {
      const key = keys[found - 1]!
      const value = values[found - 1]!
      const first = anchor === 'value' ? value : key
      const offset = first !== NONE ? first : anchor === 'value' ? key : value
      if (offset !== NONE) return offset
    }
    for (let n = Math.min(found, segments.length - 1) - 1; n >= 0; n--) {
      const offset = keys[n] !== NONE ? keys[n]! : values[n]!
      if (offset !== NONE) return offset
    }
    return NONE
  }

  /**
   * Finds `name` of `owner` as `build` would index it: a static array's item by its count among that array's items
   * (which take precedence, as in `build`), else the first key offset and first value offset among the log's
   * entries for it. Leaves them in `foundKey`/`foundValue`; false when the log has no entry for it.
   */
  private find(owner: object, name: PathSegment): boolean {
    if (typeof name === 'number' && Array.isArray(owner)) {
      const items = this.items
      let mine = false
      let count = 0
      for (let i = 0; i < items.length; i++) {
        if (typeof items[i] !== 'number') {
          mine = items[i++] === owner
          if (!mine) continue
        }
        if (!mine) continue
        if (count++ === name) {
          this.foundKey = NONE
          this.foundValue = items[i] as number
          return true
        }
      }
    }
    const log = this.entries
    let seen = false
    let key = NONE
    let value = NONE
    for (let i = 0; i < log.length; i += 4) {
      if (log[i] !== owner || log[i + 1] !== name) continue
      seen = true
      if (key === NONE) key = log[i + 2] as number
      if (value === NONE) value = log[i + 3] as number
      if (key !== NONE && value !== NONE) break
    }
    this.foundKey = key
    this.foundValue = value
    return seen
  }
}

/** How many paths, of how many segments in all, `prepare` leaves to `locateDirect` (a pass over the log each). */
const DIRECT_PATHS = 4
const DIRECT_SEGMENTS = 24

/** Turns offsets into lines and columns with a table of line starts, built once on first use. */
export class LineIndex {
  private starts: number[] | undefined

  constructor(private readonly text: string) {}

  /** Line and column of an offset. */
  position(offset: number): Position {
    if (this.starts === undefined) {
      const starts = [0]
      const text = this.text
      for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) starts.push(i + 1)
      this.starts = starts
    }
    const starts = this.starts
    let lo = 0
    let hi = starts.length - 1
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1
      if (starts[mid]! <= offset) lo = mid
      else hi = mid - 1
    }
    return { line: lo + 1, column: offset - starts[lo]! + 1 }
  }
}
