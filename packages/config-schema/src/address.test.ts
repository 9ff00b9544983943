import fc from 'fast-check'
import ipaddr from 'ipaddr.js'
import { describe, expect, it } from 'vitest'
import { formatIpv4, parseIpv4 } from './address.js'

describe('parseIpv4', () => {
  it('agrees with ipaddr.js on strict dotted quads and round-trips', () => {
    fc.assert(
      fc.property(fc.ipV4(), (text) => {
        const n = parseIpv4(text)
        expect(n).toBe(ipaddr.IPv4.parse(text).octets.reduce((a, o) => a * 256 + o, 0))
        expect(formatIpv4(n!)).toBe(text)
      }),
    )
  })
  it('refuses every other form', () => {
    for (const text of [
      '',
      '1.2.3',
      '1.2.3.4.5',
      '01.2.3.4',
      '1.2.3.256',
      '0x1.2.3.4',
      '1..2.3',
      ' 1.2.3.4',
      '1.2.3.4/24',
      '१.2.3.4',
      '1.2.3.4.',
    ]) {
      expect(parseIpv4(text), text).toBeUndefined()
    }
  })
  it('never accepts what ipaddr.js refuses as a four-part decimal', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^[0-9.x]{1,16}$/), (text) => {
        if (parseIpv4(text) !== undefined) expect(ipaddr.IPv4.isValidFourPartDecimal(text)).toBe(true)
      }),
    )
  })
})
