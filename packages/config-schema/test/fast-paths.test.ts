import fc from 'fast-check'
import { stringify } from 'smol-toml'
import { describe, expect, it } from 'vitest'
import { type Issue, parseConfig, parseSshPublicKey, type Result, validateConfig } from '../src/index.js'
import { keyLineParts, keyLinePartsByPattern } from '../src/ssh-key.js'
import { ED25519_KEY } from './arbitrary-config.js'

// The checks keep TOML sections that pass unchanged, skip values that no text rule can fault, and read ASCII key
// lines without a pattern. These properties hold each fast path to the general one on generated input.

const text = (pieces: readonly string[], maxLength = 6) =>
  fc.array(fc.constantFrom(...pieces), { maxLength }).map((parts) => parts.join(''))

/** Issues without positions, in one order: TOML issues come sorted by position, JSON ones in rule order. */
function plain(result: Result<unknown>): { value?: unknown; issues: Omit<Issue, 'line' | 'column'>[] } {
  const issues = [...(result.ok ? [] : result.errors), ...result.warnings].map(({ code, severity, path, message }) => ({
    code,
    severity,
    path,
    message,
  }))
  issues.sort((a, b) => (a.path + a.code + a.message < b.path + b.code + b.message ? -1 : 1))
  return result.ok ? { value: result.value, issues } : { issues }
}

/** Characters that each text rule and value rule looks for, and some that none does. */
const VALUE_PIECES = [
  'a',
  'Z',
  '/',
  ':',
  ' ',
  '\t',
  '\n',
  '\u0085',
  '\u00a0',
  '\u2028',
  '\ufeff',
  '"',
  "'",
  '\\',
  '$',
  '$$',
  // biome-ignore lint/suspicious/noTemplateCurlyInString: the config's own placeholder syntax, not a template
  '${FILES_DIR}',
  '%',
  '%%',
  '%h',
  '10080:8080',
  'x.volume',
  'type=bind,source=/a',
]

const scalar = fc.oneof(text(VALUE_PIECES), fc.boolean(), fc.bigInt({ min: -3n, max: 2n ** 60n }))
const sectionValue = fc.oneof(
  { weight: 3, arbitrary: scalar },
  { weight: 1, arbitrary: fc.array(scalar, { maxLength: 3 }) },
)
const sectionKey = fc.constantFrom(
  'Image',
  'Environment',
  'Volume',
  'Mount',
  'PublishPort',
  'Label',
  'Network',
  'HealthCmd',
  'Description',
  'WantedBy',
  'bad_key',
  '1x',
)
const section = fc.dictionary(sectionKey, sectionValue, { maxKeys: 5 })

/** A document with one container whose sections are generated; integers become numbers for the JSON side. */
const documentArb = fc.record({
  privileged: fc.boolean(),
  Unit: fc.option(section, { nil: undefined }),
  Container: section,
  Install: fc.option(section, { nil: undefined }),
})

function asJson(value: unknown): unknown {
  return JSON.parse(JSON.stringify(value, (_, v) => (typeof v === 'bigint' ? Number(v) : v)))
}

describe('fast paths agree with the general ones', () => {
  it('kept TOML sections and skipped values give what copied JSON sections give', () => {
    fc.assert(
      fc.property(documentArb, ({ privileged, Unit, Container, Install }) => {
        const unit: Record<string, unknown> = { privileged }
        if (Unit !== undefined) unit.Unit = Unit
        unit.Container = { Image: 'ghcr.io/example/app:1', ...Container }
        if (Install !== undefined) unit.Install = Install
        const document = {
          version: 1n,
          admin: { ssh_keys: [ED25519_KEY] },
          firewall: { inbound: { tcp: [443n] } },
          container: { app: unit },
        }
        const viaToml = parseConfig(stringify(document))
        const viaJson = validateConfig(asJson(document))
        // Integers beyond 2^53 lose precision on the JSON side, and its message says so differently: compare
        // only documents whose integers JSON carries exactly.
        fc.pre(!JSON.stringify(asJson(document)).match(/\d{16}/))
        expect(plain(viaToml)).toEqual(plain(viaJson))
      }),
      { numRuns: 1500 },
    )
  })

  it('ASCII key lines are read as the pattern reads them', () => {
    const pieces = [' ', '  ', 'a', 'b=', '+/', 'ssh-ed25519', 'AAAA', '\u00a0', '\u2028', '\u3000', 'é', '\ufeff']
    fc.assert(
      fc.property(text(pieces, 10), (line) => {
        expect(keyLineParts(line)).toEqual(keyLinePartsByPattern(line))
      }),
      { numRuns: 5000 },
    )
    for (const line of ['', ' ', 'a', 'a ', ' a b', 'a b ', 'a  b  c  d ', 'a b\u2028c', 'a\u00a0b c']) {
      expect(keyLineParts(line), JSON.stringify(line)).toEqual(keyLinePartsByPattern(line))
    }
  })

  it('key lines with odd whitespace give the single-spaced line', () => {
    const [type, blob] = ED25519_KEY.split(' ')
    const result = parseSshPublicKey(`  ${type}   ${blob}   two  words\u00a0here  `)
    expect(result).toEqual({
      ok: true,
      key: { type, blob, comment: 'two words here', line: `${type} ${blob} two words here` },
    })
  })
})
