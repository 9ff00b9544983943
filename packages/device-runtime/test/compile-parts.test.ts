import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { locator, normalise } from '../src/bundle/files-references.js'
import { sortByPath, sortedByPosition } from '../src/compile.js'
import { compileDevice } from '../src/index.js'

/** The plain reading of a search: from `from` first, then from the start; lines counted from the top each time. */
function locateFromTop(text: string, needle: string, from: number): { line: number; column: number; at: number } {
  let at = text.indexOf(needle, from)
  if (at === -1) at = text.indexOf(needle)
  if (at === -1) return { line: 0, column: 0, at: from }
  let line = 1
  let start = 0
  for (let i = 0; i < at; i++) {
    if (text[i] === '\n') {
      line++
      start = i + 1
    }
  }
  return { line, column: at - start + 1, at: at + needle.length }
}

describe('locator', () => {
  it('finds each needle where a search from the previous one, then from the top, finds it', () => {
    const alphabet = fc.constantFrom('a', 'b', '\n', '$', 'x')
    const text = fc.array(alphabet, { maxLength: 60 }).map((cs) => cs.join(''))
    const needle = fc.array(alphabet, { minLength: 1, maxLength: 3 }).map((cs) => cs.join(''))
    fc.assert(
      fc.property(text, fc.array(needle, { maxLength: 12 }), (t, needles) => {
        const locate = locator(t)
        let cursor = 0
        for (const n of needles) {
          const expected = locateFromTop(t, n, cursor)
          cursor = expected.at
          expect(locate(n)).toEqual({ line: expected.line, column: expected.column })
        }
      }),
      { numRuns: 2000 },
    )
  })

  it('counts the lines once however many references there are', () => {
    let searched = 0
    const body = `${'x = 1\n'.repeat(1000)}$A\n`.repeat(50)
    // A text that counts its searches; the locator only ever calls indexOf.
    const text = {
      indexOf: (...args: [string, number?]) => {
        searched++
        return body.indexOf(...args)
      },
    }
    const locate = locator(text as unknown as string)
    for (let i = 0; i < 50; i++) locate('$A')
    // One search per line for the line starts, two per reference at most.
    expect(searched).toBeLessThanOrEqual(50 * 1001 + 1 + 2 * 50)
  })
})

describe('FILES_DIR references of a plain config', () => {
  it('are warned about in config order, with their lines and columns', () => {
    const units = Array.from(
      { length: 30 },
      (_, i) =>
        `[container.c${i}]\nprivileged = true\n\n[container.c${i}.Container]\nImage = "img"\nEnvironmentFile = "\${FILES_DIR}/c${i}.env"\nVolume = ["/srv:/srv", "\${FILES_DIR}/c${i}:/data:ro"]\n`,
    )
    const text = `version = 1\n\n[admin]\nssh_keys = ["ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIIHfTcrdK6PyhPLrqKNmRkAO2OkRmpVpUpxvBEthfD0B a@b"]\n\n[firewall.inbound]\ntcp = [443]\nudp = []\n\n${units.join('\n')}`
    const result = compileDevice(text)
    expect(result.ok).toBe(true)
    const warnings = result.warnings.filter((w) => w.code === 'files_reference_unchecked')
    const lines = text.split('\n')
    expect(warnings).toHaveLength(60)
    warnings.forEach((w, i) => {
      const unit = Math.floor(i / 2)
      const ref = i % 2 === 0 ? `\${FILES_DIR}/c${unit}.env` : `\${FILES_DIR}/c${unit}`
      expect(w.path).toBe(
        i % 2 === 0 ? `container.c${unit}.Container.EnvironmentFile` : `container.c${unit}.Container.Volume[1]`,
      )
      expect(lines[w.line! - 1]!.slice(w.column! - 1).startsWith(ref)).toBe(true)
    })
  })
})

describe('sortByPath', () => {
  it('gives the order of Array.prototype.sort, short lists and long', () => {
    const path = fc.string({ unit: fc.constantFrom('a', 'b', '/', '.', '-', 'é'), maxLength: 8 })
    fc.assert(
      fc.property(fc.uniqueArray(path, { maxLength: 40 }), (paths) => {
        const files = paths.map((p) => ({ path: p, contents: '', mode: 0o644 }))
        const expected = [...files].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0))
        sortByPath(files)
        expect(files).toEqual(expected)
      }),
      { numRuns: 2000 },
    )
  })
})

describe('sortedByPosition', () => {
  it('gives a fresh copy in the order of the stable sort by line, then column', () => {
    const issue = fc.record(
      { line: fc.option(fc.nat(4), { nil: undefined }), column: fc.option(fc.nat(4), { nil: undefined }) },
      { requiredKeys: [] },
    )
    fc.assert(
      fc.property(fc.array(issue, { maxLength: 6 }), (drawn) => {
        const issues = drawn.map((at, i) => ({
          code: `c${i}`,
          severity: 'warning' as const,
          path: '',
          message: '',
          ...at,
        }))
        const expected = [...issues].sort((a, b) => (a.line ?? 0) - (b.line ?? 0) || (a.column ?? 0) - (b.column ?? 0))
        const sorted = sortedByPosition(issues)
        expect(sorted).not.toBe(issues)
        expect(sorted.map((i) => i.code)).toEqual(expected.map((i) => i.code))
      }),
      { numRuns: 2000 },
    )
  })
})

describe('normalise', () => {
  /** The path below files/ by splitting on `/`, as first written: the fast path must agree with it. */
  const bySplit = (rest: string): string | undefined => {
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

  it('agrees with splitting on `/` for any text', () => {
    const rest = fc.string({ unit: fc.constantFrom('/', '.', '..', 'a', 'b.c', '.e'), maxLength: 10 })
    fc.assert(
      fc.property(rest, (r) => {
        expect(normalise(r)).toBe(bySplit(r))
      }),
      { numRuns: 5000 },
    )
  })
})
