import { isIPv4 } from '@atomicnix/config-schema'
import { CHRONY_DRIFT_PATH, DNSMASQ_HOSTS_PATH, DNSMASQ_LEASE_PATH } from '@atomicnix/lan-plan'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { ipv4Slash24Token, isInterfaceName, pathToken } from '../src/guard.js'

/** Whether a guard lets `value` through. */
const passes = (guard: (value: string, what: string) => string, value: string) => {
  try {
    return guard(value, 'value') === value
  } catch (error) {
    if (error instanceof TypeError) return false
    throw error
  }
}

// The guards as first written, by splitting on `/`: the one-pass forms must accept exactly the same texts.
const splitPath = (v: string) => /^(?:\/[A-Za-z0-9_.+@-]+)+$/.test(v) && !v.split('/').some((s) => s === '..')
const splitSlash24 = (v: string) => {
  const [address, prefix, ...rest] = v.split('/')
  return address !== undefined && isIPv4(address) && prefix === '24' && rest.length === 0
}

describe('guards', () => {
  it('the default device paths pass the path guard, so the renderers need not check them', () => {
    for (const path of [DNSMASQ_HOSTS_PATH, DNSMASQ_LEASE_PATH, CHRONY_DRIFT_PATH])
      expect(passes(pathToken, path)).toBe(true)
  })

  it('pathToken accepts what the split form accepts', () => {
    const path = fc.string({ unit: fc.constantFrom('/', '.', '..', 'a', '@', ' ', '#'), maxLength: 12 })
    fc.assert(
      fc.property(path, (p) => {
        expect(passes(pathToken, p)).toBe(splitPath(p))
      }),
      { numRuns: 5000 },
    )
  })

  it('ipv4Slash24Token accepts what the split form accepts', () => {
    const unit = fc.constantFrom('/', '24', '2', '4', '.', '10', '0', '255', '256', 'x')
    fc.assert(
      fc.property(fc.string({ unit, maxLength: 10 }), (v) => {
        expect(passes(ipv4Slash24Token, v)).toBe(splitSlash24(v))
      }),
      { numRuns: 5000 },
    )
    expect(passes(ipv4Slash24Token, '10.0.0.1/24')).toBe(true)
    expect(passes(ipv4Slash24Token, '10.0.0.1/24/24')).toBe(false)
  })
})

describe('isInterfaceName', () => {
  // The regular expression that the loop replaces: the loop must accept exactly what it accepts, but `.` and `..`.
  const INTERFACE_NAME = /^[A-Za-z0-9_.-]{1,15}$/
  const edgy = fc.constantFrom(...'AZaz09_.-@`{/:\\"\' \t\n\u0000\u007f\u00e9\u212a\ud800bM5'.split(''))
  const text = fc.oneof(
    fc.array(edgy, { maxLength: 18 }).map((cs) => cs.join('')),
    fc.string({ maxLength: 18 }),
    fc.constantFrom('', '.', '..', '...', 'a'.repeat(15), 'a'.repeat(16), 'eth1'),
  )

  it('accepts a name exactly when the regular expression does, and not . or ..', () => {
    fc.assert(
      fc.property(text, (s) => {
        expect(isInterfaceName(s)).toBe(INTERFACE_NAME.test(s) && s !== '.' && s !== '..')
      }),
      { numRuns: 20000 },
    )
    for (const value of [undefined, null, 42, ['eth1']]) expect(isInterfaceName(value)).toBe(false)
  })
})
