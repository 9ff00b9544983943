import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { expandPlaceholders, normalizeDnsName, referencedUnit, validateConfig, volumeHostSource } from '../src/index.js'
import { hasBareDollar } from '../src/quadlet-paths.js'

// The validators use index- and pattern-based forms of these checks; the plain definitions below are the oracles.

const LABEL = /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?$/
const SUFFIXES = ['.container', '.network', '.volume', '.build', '.image', '.pod', '.kube']

/** ASCII labels as written (no case folding first), and a last label that is no number (decimal or 0x hex). */
function dnsNameOracle(input: string): string | undefined {
  const name = input.replace(/\.$/, '')
  if (name.length === 0 || name.length > 253) return undefined
  const labels = name.split('.')
  if (!labels.every((label) => LABEL.test(label))) return undefined
  if (/^(?:[0-9]+|0x[0-9a-f]*)$/i.test(labels[labels.length - 1]!)) return undefined
  return name.toLowerCase()
}

function volumeInvalidOracle(value: string): boolean {
  const parts = value.split(':')
  return parts[parts.length === 1 ? 0 : 1] === ''
}

const text = (chars: string, maxLength = 12) =>
  fc.array(fc.constantFrom(...chars.split('')), { maxLength }).map((cs) => cs.join(''))

describe('fast forms agree with the plain definitions', () => {
  it('DNS names', () => {
    fc.assert(
      fc.property(fc.oneof(text('aZ0x-.'), text('a.', 300), text('aK\u212A\u0130.'), fc.string()), (name) => {
        expect(normalizeDnsName(name)).toBe(dnsNameOracle(name))
      }),
      { numRuns: 2000 },
    )
    expect(normalizeDnsName(`${'a'.repeat(63)}.b`)).toBe(`${'a'.repeat(63)}.b`)
    expect(normalizeDnsName(`${'a'.repeat(64)}.b`)).toBeUndefined()
    // U+212A KELVIN SIGN lower-cases to "k": the name is checked as written, so it is refused.
    expect(normalizeDnsName('\u212Aiosk')).toBeUndefined()
    expect(normalizeDnsName('\u212Aiosk'.toLowerCase())).toBe('kiosk')
    for (const name of ['127.1', '2130706433', '0x7f000001', '0x7f.0.0.1', 'host.123', '10.0.0.1.']) {
      expect(normalizeDnsName(name), name).toBeUndefined()
    }
  })

  it('unit references', () => {
    const value = fc.oneof(
      fc.tuple(text('ab.'), fc.constantFrom(...SUFFIXES, '.containers', '.vol', '')).map(([a, b]) => a + b),
      fc.string(),
    )
    fc.assert(
      fc.property(value, (v) => {
        const expected = SUFFIXES.some((s) => v.endsWith(s) && v.length > s.length) ? v : undefined
        expect(referencedUnit(v)).toBe(expected)
      }),
      { numRuns: 2000 },
    )
  })

  it('volume host sources and empty destinations', () => {
    fc.assert(
      fc.property(text('/.a:'), (v) => {
        const parts = v.split(':')
        const source = parts.length < 2 ? undefined : parts[0]!
        expect(volumeHostSource(v)).toBe(source?.startsWith('/') || source?.startsWith('.') ? source : undefined)
        const result = validateConfig({
          version: 1,
          admin: { ssh_keys: ['ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIIHfTcrdK6PyhPLrqKNmRkAO2OkRmpVpUpxvBEthfD0B t'] },
          firewall: { inbound: { tcp: [443] } },
          container: { app: { privileged: true, Container: { Image: 'x', Volume: v } } },
        })
        const codes = result.ok ? [] : result.errors.map((e) => e.code)
        expect(codes.includes('quadlet_volume_invalid')).toBe(volumeInvalidOracle(v))
      }),
      { numRuns: 500 },
    )
  })

  it('bare dollar signs', () => {
    const pieces = ['$', '$$', 'a', '{', '}', '$' + '{CONFIG_DIR}', '$' + '{FILES_DIR}', 'CONFIG_DIR']
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...pieces), { maxLength: 8 }), (parts) => {
        const value = parts.join('')
        expect(hasBareDollar(value)).toBe(expandPlaceholders(value).replaceAll('$$', '').includes('$'))
      }),
      { numRuns: 3000 },
    )
  })
})
