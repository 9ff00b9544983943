/** Shape tests for parsed TOML or JSON values. smol-toml hands integers over as bigint, JSON as number. */

/** A TOML table or JSON object: not an array, not a date, not null. */
export function isTable(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Date)
}

/** An integer from TOML (bigint) or JSON (a number without fraction). Floats such as `443.0` are not integers. */
export function isInteger(value: unknown): value is bigint | number {
  return typeof value === 'bigint' || (typeof value === 'number' && Number.isInteger(value))
}

/** Describes a value's type for messages: `string`, `integer`, `float`, `boolean`, `date`, `array`, `table`. */
export function typeName(value: unknown): string {
  if (typeof value === 'bigint') return 'integer'
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'float'
  if (typeof value === 'string' || typeof value === 'boolean') return typeof value
  if (value instanceof Date) return 'date'
  if (Array.isArray(value)) return 'array'
  if (value === null) return 'null'
  if (typeof value === 'object') return 'table'
  return typeof value
}

/** Own enumerable keys: never walks the prototype, so `__proto__` or `constructor` keys are plain data. */
export function ownKeys(table: Record<string, unknown>): string[] {
  return Object.keys(table)
}

/** Reads an own property only. */
export function own(table: Record<string, unknown>, key: string): unknown {
  return Object.hasOwn(table, key) ? table[key] : undefined
}

/** A record without a prototype, so that any key (even `__proto__`) is stored as data. */
export function emptyRecord<T>(): Record<string, T> {
  return Object.create(null) as Record<string, T>
}
