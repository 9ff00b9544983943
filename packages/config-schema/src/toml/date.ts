/** The four kinds of TOML date and time, as the reader finds them in the text. */
export type DateKind = 1 | 2 | 3 | 4
export const OFFSET_DATE_TIME = 1
export const LOCAL_DATE_TIME = 2
export const LOCAL_DATE = 3
export const LOCAL_TIME = 4

/**
 * A TOML date or time: a `Date` (so that `instanceof Date` tells it from a table) that remembers which of the four
 * kinds it is and prints itself back as written (`toISOString`). The same validity rules as smol-toml's TomlDate:
 * the text must be one that `Date` reads, and hours above 23 are refused.
 */
export class TomlDate extends Date {
  #hasDate = false
  #hasTime = false
  #offset: string | null = null

  /** `text` as the reader sliced it; `spaceSeparated` when a space stands between the date and the time. */
  constructor(text: string, kind: DateKind, spaceSeparated: boolean) {
    let date = text
    let offset: string | null = 'Z'
    if (kind === OFFSET_DATE_TIME || kind === LOCAL_DATE_TIME) {
      if (+date.slice(11, 13) > 23) date = ''
      else {
        if (kind === LOCAL_DATE_TIME) {
          offset = null
          date += 'Z'
        } else {
          const c = date.charCodeAt(date.length - 1)
          if (c !== 0x5a && c !== 0x7a) offset = date.slice(date.length - 6)
        }
        if (spaceSeparated) date = `${date.slice(0, 10)}T${date.slice(11)}`
      }
    } else if (kind === LOCAL_TIME) {
      date = +date.slice(0, 2) > 23 ? '' : `0000-01-01T${date}Z`
    }
    super(date)
    if (!Number.isNaN(this.getTime())) {
      this.#hasDate = kind !== LOCAL_TIME
      this.#hasTime = kind !== LOCAL_DATE
      this.#offset = offset
    }
  }

  /** A date with a time (local or with an offset). */
  isDateTime(): boolean {
    return this.#hasDate && this.#hasTime
  }

  /** A local date, time or date-time: no offset. */
  isLocal(): boolean {
    return !this.#hasDate || !this.#hasTime || !this.#offset
  }

  /** A local date only. */
  isDate(): boolean {
    return this.#hasDate && !this.#hasTime
  }

  /** A local time only. */
  isTime(): boolean {
    return this.#hasTime && !this.#hasDate
  }

  /** False when the text named no real date or time. */
  isValid(): boolean {
    return this.#hasDate || this.#hasTime
  }

  /** The value as TOML writes it: the kind's own form, an offset as it was written. */
  override toISOString(): string {
    const iso = super.toISOString()
    if (this.isDate()) return iso.slice(0, 10)
    if (this.isTime()) return iso.slice(11, 23)
    if (this.#offset === null) return iso.slice(0, -1)
    if (this.#offset === 'Z' || this.#offset === 'z') return iso
    let minutes = +this.#offset.slice(1, 3) * 60 + +this.#offset.slice(4, 6)
    minutes = this.#offset[0] === '-' ? minutes : -minutes
    return new Date(this.getTime() - minutes * 60e3).toISOString().slice(0, -1) + this.#offset
  }
}
