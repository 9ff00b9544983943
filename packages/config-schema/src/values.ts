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

/**
 * The constructor of data records. Its prototype is an empty, frozen object without a prototype of its own, so a
 * record inherits nothing (no `__proto__` accessor, no `constructor`, no `toString`): any key is stored as data.
 * Unlike `Object.create(null)`, which V8 keeps as a slow dictionary, records made by `new` get fast hidden classes:
 * reading and listing the keys of a parsed config is about three times cheaper.
 */
const DataRecord = function DataRecord() {} as unknown as new () => Record<string, unknown>
DataRecord.prototype = Object.freeze(Object.create(null))

/** A record that inherits nothing, so that any key (even `__proto__`) is stored as data. */
export function emptyRecord<T>(): Record<string, T> {
  return new DataRecord() as Record<string, T>
}

/** Whether `value` is a record that inherits nothing: one from `emptyRecord` or `Object.create(null)`. */
export function isDataRecord(value: object): boolean {
  const proto = Object.getPrototypeOf(value)
  return proto === null || proto === DataRecord.prototype
}
