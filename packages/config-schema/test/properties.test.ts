import { readFileSync } from 'node:fs'
import fc from 'fast-check'
import { parse as parseToml } from 'smol-toml'
import { describe, expect, it } from 'vitest'
import { MAX_CONFIG_BYTES, parseConfig, stringifyConfig, validateConfig } from '../src/index.js'
import { isDataRecord } from '../src/values.js'
import { configText } from './arbitrary-config.js'
import { loadFixtures } from './fixtures.js'

/** Every issue of a result is well formed: positions inside the text, codes snake_case, one-sentence messages. */
function checkShape(text: string, result: ReturnType<typeof parseConfig>): void {
  const lines = text.split('\n').length
  const issues = result.ok ? result.warnings : [...result.errors, ...result.warnings]
  if (!result.ok) expect(result.errors.length).toBeGreaterThan(0)
  for (const issue of issues) {
    expect(issue.code).toMatch(/^[a-z0-9_]+$/)
    expect(issue.message).not.toMatch(/\n/)
    expect(issue.line).toBeGreaterThanOrEqual(1)
    expect(issue.line).toBeLessThanOrEqual(lines)
    expect(issue.column).toBeGreaterThanOrEqual(1)
  }
}

/** Texts that are mostly valid TOML but wrong in some place: valid fixtures with a slice replaced. */
const mutatedFixture = fc
  .record({
    fixture: fc.constantFrom(...loadFixtures('valid').map((f) => f.text)),
    at: fc.double({ min: 0, max: 1, noNaN: true }),
    cut: fc.nat(40),
    insert: fc.oneof(
      fc.string(),
      fc.constantFrom(
        '[',
        ']',
        '"',
        "'''",
        '{',
        '}',
        '=',
        '.',
        ',',
        '\n',
        '[x]\n',
        '[[x]]\n',
        'a.b = 1\n',
        '0x',
        '1e9',
      ),
    ),
  })
  .map(({ fixture, at, cut, insert }) => {
    const start = Math.floor(at * fixture.length)
    return fixture.slice(0, start) + insert + fixture.slice(start + cut)
  })

describe('parseConfig properties', () => {
  it('never throws and reports well-formed issues for any string', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.string({ unit: 'binary' }), mutatedFixture), (text) => {
        checkShape(text, parseConfig(text))
      }),
      { numRuns: 1500 },
    )
  })

  it('never throws for random bytes decoded as UTF-8', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 512 }), (bytes) => {
        const text = new TextDecoder().decode(bytes)
        checkShape(text, parseConfig(text))
      }),
      { numRuns: 500 },
    )
  })

  it('rejects deep nesting, huge numbers and odd documents with issues, not exceptions', () => {
    const cases = [
      `a = ${'['.repeat(5000)}${']'.repeat(5000)}`,
      `a = ${'{ b = '.repeat(2000)}1${' }'.repeat(2000)}`,
      'version = 99999999999999999999999999',
      'version = 1e400',
      'version = -9223372036854775808',
      'version = inf\n[admin]\nssh_keys = [nan]',
      '\uFEFFversion = 1',
      '',
      '\u0000',
    ]
    for (const text of cases) checkShape(text, parseConfig(text))
  })

  it('refuses input over 1 MiB at once', () => {
    const text = `# ${'x'.repeat(MAX_CONFIG_BYTES)}\n`
    const result = parseConfig(text)
    expect(result.ok).toBe(false)
    if (!result.ok) expect(result.errors.map((e) => e.code)).toEqual(['input_too_large'])
    // Multi-byte characters count as their UTF-8 size.
    const wide = parseConfig(`# ${'é'.repeat(MAX_CONFIG_BYTES / 2)}`)
    expect(wide.ok ? [] : wide.errors.map((e) => e.code)).toEqual(['input_too_large'])
  })

  it('is deterministic', () => {
    fc.assert(
      fc.property(fc.oneof(configText(true), configText(false)), ({ text }) => {
        expect(parseConfig(text)).toEqual(parseConfig(text))
      }),
      { numRuns: 200 },
    )
  })

  it('valid configs stringified back to TOML parse to the same Config', () => {
    const roundTrip = (text: string) => {
      const first = parseConfig(text)
      expect(first.ok).toBe(true)
      if (!first.ok) return
      const again = parseConfig(stringifyConfig(first.value))
      expect(again.ok ? again.value : again.errors).toEqual(first.value)
    }
    for (const fixture of loadFixtures('valid')) roundTrip(fixture.text)
    fc.assert(
      fc.property(configText(false), ({ text }) => roundTrip(text)),
      { numRuns: 300 },
    )
  })

  it('validateConfig applies the same rules to JSON as parseConfig to TOML', () => {
    for (const fixture of [...loadFixtures('valid'), ...loadFixtures('invalid')]) {
      const toml = parseConfig(fixture.text)
      if (!toml.ok) continue
      const viaJson = validateConfig(toJsonDocument(fixture.text))
      expect(viaJson.ok ? viaJson.value : viaJson.errors).toEqual(toml.value)
    }
  })
})

/** The TOML document as a JSON body carries it: what a backend gets when it converts TOML to JSON. */
function toJsonDocument(text: string): unknown {
  return JSON.parse(JSON.stringify(parseToml(text)))
}

describe('prototype pollution', () => {
  it('__proto__ and constructor keys are data, never prototypes', () => {
    const key = readFileSync(new URL('../../../examples/seed/config.toml', import.meta.url), 'utf8')
    const text = `${key}\n[container.toString]\nprivileged = false\n[container.toString.Container]\nImage = "x"\n\n[container.constructor]\nprivileged = false\nContainer = { Image = "y" }\n`
    const result = parseConfig(text)
    expect(result.ok).toBe(true)
    if (!result.ok) return
    expect(Object.keys(result.value.container).sort()).toEqual(['constructor', 'myapp', 'toString'])
    expect(isDataRecord(result.value.container)).toBe(true)
    // The Quadlet sections hold operator keys: they inherit nothing either.
    const section = result.value.container.myapp?.Container as unknown as Record<string, unknown>
    expect(isDataRecord(section)).toBe(true)
    for (const inherited of ['toString', 'constructor', 'hasOwnProperty', '__proto__', 'valueOf'])
      expect(inherited in section).toBe(false)
    expect(({} as Record<string, unknown>).Image).toBeUndefined()
    expect(({} as Record<string, unknown>).privileged).toBeUndefined()
    // A unit name starts with a letter or digit, so `__proto__` is refused, and still pollutes nothing.
    const proto = parseConfig(`${key}\n[container.__proto__]\nprivileged = false\nContainer = { Image = "x" }\n`)
    expect(proto.ok ? [] : proto.errors.map((e) => e.code)).toEqual(['unit_name_invalid'])
    expect(({} as Record<string, unknown>).Image).toBeUndefined()
    const polluted = parseConfig('__proto__ = { polluted = true }\n[constructor.prototype]\npolluted = 1\n')
    expect(polluted.ok).toBe(false)
    expect(({} as Record<string, unknown>).polluted).toBeUndefined()
  })
})

describe('options', () => {
  it('an unsupported Podman target is a programmer error, a newer one adds keys', () => {
    const seed = loadFixtures('valid').find((f) => f.name === 'seed')!.text
    expect(() => parseConfig(seed, { podmanVersion: '4.9' })).toThrow(RangeError)
    expect(() => validateConfig({}, { podmanVersion: 'latest' })).toThrow(RangeError)
    const memory = seed.replace('Image = ', 'Memory = "512m"\nImage = ')
    const old = parseConfig(memory)
    expect(old.ok ? [] : old.errors.map((e) => e.code)).toEqual(['quadlet_key_unknown'])
    expect(parseConfig(memory, { podmanVersion: '5.5' }).ok).toBe(true)
  })
})
