import { readdirSync, readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { parseConfig } from '../src/index.js'
import { loadFixtures } from './fixtures.js'

describe('valid fixtures', () => {
  for (const fixture of loadFixtures('valid')) {
    it(`${fixture.name} parses without errors`, () => {
      const result = parseConfig(fixture.text)
      expect(result.ok ? [] : result.errors).toEqual([])
    })
  }
})

describe('invalid fixtures', () => {
  const fixtures = loadFixtures('invalid')
  for (const fixture of fixtures) {
    it(`${fixture.name} reports exactly the expected issues`, () => {
      expect(fixture.expect.length, 'the fixture states its expectations').toBeGreaterThan(0)
      const result = parseConfig(fixture.text)
      expect(result.ok).toBe(false)
      const issues = result.ok ? result.warnings : [...result.errors, ...result.warnings]
      const got = issues.map((i) => ({ severity: i.severity, code: i.code, path: i.path, line: i.line }))
      const want = fixture.expect.map((e) => ({ ...e, line: e.line ?? expect.any(Number) }))
      expect(got).toEqual(expect.arrayContaining(want))
      expect(got).toHaveLength(want.length)
      for (const issue of issues) {
        expect(issue.line).toBeGreaterThanOrEqual(1)
        expect(issue.column).toBeGreaterThanOrEqual(1)
      }
    })
  }

  it('every issue code that validation can raise has an invalid fixture', () => {
    const src = fileURLToPath(new URL('../src/', import.meta.url))
    const raised = new Set<string>()
    for (const file of readdirSync(src).filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'))) {
      const text = readFileSync(src + file, 'utf8')
      // Codes of runtime-file readers are tested in runtime-files.test.ts; they never come from config.toml.
      if (file === 'runtime-files.ts') continue
      for (const m of text.matchAll(/\.(?:error|warning)\(\s*'([a-z0-9_]+)'/g)) raised.add(m[1]!)
      for (const m of text.matchAll(/code: '([a-z0-9_]+)'/g)) raised.add(m[1]!)
    }
    for (const m of readFileSync(`${src}parse.ts`, 'utf8').matchAll(/failure\('([a-z_]+)'/g)) raised.add(m[1]!)
    // Raised only for inputs that a .toml fixture cannot hold: too large, or not a string at all.
    raised.delete('input_too_large')
    const covered = new Set(fixtures.flatMap((f) => f.expect.map((e) => e.code)))
    const missing = [...raised].filter((code) => !covered.has(code)).sort()
    expect(missing).toEqual([])
  })
})
