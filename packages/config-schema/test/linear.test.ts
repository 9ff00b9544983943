import { describe, expect, it } from 'vitest'
import { largeConfig } from '../../../test/support/large-config.mjs'
import { formatIssues, parseConfig } from '../src/index.js'
import { suggestionWork } from '../src/suggest.js'

/**
 * Work done by `fn`, counted rather than timed: elements visited by the array searches and iterations that a rule
 * could run once per item (includes, indexOf, some, find, filter, forEach, map, ...), characters passed over by
 * string searches, and Levenshtein cells. A rule that is quadratic in its input shows up as work that grows 16-fold
 * when the input grows 4-fold.
 */
function work(fn: () => void): number {
  const arrays = [
    'includes',
    'indexOf',
    'lastIndexOf',
    'some',
    'every',
    'find',
    'findIndex',
    'filter',
    'forEach',
    'map',
    'flatMap',
    'reduce',
  ] as const
  const proto = Array.prototype as unknown as Record<string, (...args: unknown[]) => unknown>
  const saved = arrays.map((name) => proto[name]!)
  const stringIndexOf = String.prototype.indexOf
  const stringIncludes = String.prototype.includes
  let visited = 0
  arrays.forEach((name, i) => {
    const original = saved[i]!
    proto[name] = function (this: unknown[], ...args: unknown[]) {
      visited += this.length
      return original.apply(this, args)
    }
  })
  String.prototype.indexOf = function (this: string, search: string, from?: number) {
    const at = stringIndexOf.call(this, search, from)
    visited += (at === -1 ? this.length : at) - Math.max(0, from ?? 0)
    return at
  }
  String.prototype.includes = function (this: string, search: string, from?: number) {
    visited += this.length - Math.max(0, from ?? 0)
    return stringIncludes.call(this, search, from)
  }
  const cells = suggestionWork.cells
  try {
    fn()
  } finally {
    arrays.forEach((name, i) => {
      proto[name] = saved[i]!
    })
    String.prototype.indexOf = stringIndexOf
    String.prototype.includes = stringIncludes
  }
  return visited + (suggestionWork.cells - cells)
}

describe('every rule is linear in its input', () => {
  it('validation and formatting of a generated config do about 4 times the work for 4 times the input', () => {
    const small = largeConfig(64 * 1024)
    const big = largeConfig(256 * 1024)
    const run = (text: string) => () => {
      const result = parseConfig(text)
      expect(result.ok).toBe(false)
      const issues = result.ok ? result.warnings : [...result.errors, ...result.warnings]
      expect(issues.length).toBeGreaterThan(text.length / 100)
      formatIssues(issues, text)
    }
    const a = work(run(small))
    const b = work(run(big))
    expect(a).toBeGreaterThan(0)
    // Linear gives 4; n log n a little more; a quadratic rule gives 16.
    expect(b / a).toBeLessThan(6)
  })
})
