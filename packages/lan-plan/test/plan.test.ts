import { normaliseMac, planLan, renderChronyConf, UPSTREAM_POOL } from '@atomicnix/lan-plan'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { dnsNameToken } from '../src/guard.js'
import { lanSettings, mac } from './arbitraries.js'
import { configWith, DEFAULT_LAN, PLANT_LAN } from './fixtures.js'

describe('planLan', () => {
  it('plans the default LAN on eth1 without a MAC', () => {
    const plan = planLan(configWith(DEFAULT_LAN))
    expect(plan.interface).toBe('eth1')
    expect(plan.mac).toBeUndefined()
    expect(plan.hostname).toBeUndefined()
    expect(plan.settings).toEqual(DEFAULT_LAN)
    expect(plan.gatewayNames).toEqual([['atomicnix', 'atomicnix.local']])
    expect(plan.leaseTime).toBe('24h')
  })

  it('accepts a Config or the bare LanSettings alike', () => {
    fc.assert(
      fc.property(lanSettings, (lan) => {
        expect(planLan(lan)).toEqual(planLan(configWith(lan)))
      }),
    )
  })

  it('names the gateway after its MAC only when the pattern and the MAC are both there', () => {
    expect(planLan(PLANT_LAN, { mac: '02-a4-6b-00-1f-9e' }).hostname).toBe('rock64-02a46b001f9e')
    expect(planLan(PLANT_LAN).hostname).toBeUndefined()
    expect(planLan(DEFAULT_LAN, { mac: '02a46b001f9e' }).hostname).toBeUndefined()
    expect(planLan({ ...PLANT_LAN, hostname_pattern: '{mac}.{mac}' }, { mac: '0123456789AB' }).hostname).toBe(
      '0123456789ab.0123456789ab',
    )
  })

  it('lists each name then its name.domain form, without repeating a name', () => {
    const plan = planLan(
      { ...PLANT_LAN, domain: 'site', gateway_aliases: ['gw', 'gw.site', 'time'] },
      { mac: '0'.repeat(12) },
    )
    expect(plan.gatewayNames).toEqual([
      ['rock64-000000000000', 'rock64-000000000000.site'],
      ['gw', 'gw.site'],
      ['gw.site.site'],
      ['time', 'time.site'],
    ])
  })

  it('leaves out a name.domain form longer than a DNS name may be', () => {
    const long = ['a'.repeat(63), 'b'.repeat(63), 'c'.repeat(63), 'd'.repeat(61)].join('.')
    expect(long).toHaveLength(253)
    const plan = planLan({ ...DEFAULT_LAN, gateway_aliases: [long] })
    expect(plan.gatewayNames).toEqual([[long]])
  })

  it('defaults the interface and normalises every accepted MAC spelling', () => {
    fc.assert(
      fc.property(mac, (m) => {
        expect(normaliseMac(m.spelled)).toBe(m.normal)
        expect(planLan(DEFAULT_LAN, { mac: m.spelled }).mac).toBe(m.normal)
      }),
    )
    expect(normaliseMac('01:23-45:6789:AB')).toBe('0123456789ab')
    expect(planLan(DEFAULT_LAN, { interface: 'lan0' }).interface).toBe('lan0')
  })

  it('throws TypeError for options that are programmer errors', () => {
    for (const iface of ['', 'lo', 'eth 1', 'eth1\n', 'a'.repeat(16), '.', '..', 'eth/1', 'eth:1']) {
      expect(() => planLan(DEFAULT_LAN, { interface: iface }), iface).toThrow(TypeError)
    }
    for (const bad of [
      '',
      '0123456789a',
      '0123456789abc',
      '01:23:45:67:89',
      '01::23:45:67:89:ab',
      '0:123:45:67:89:ab',
      '0g:23:45:67:89:ab',
      '01.23.45.67.89.ab',
      '0123456789ab\n',
    ]) {
      expect(() => planLan(DEFAULT_LAN, { mac: bad }), bad).toThrow(TypeError)
    }
  })

  it('groups names as the loop over each name and its name.domain form does', () => {
    /** The grouping as first written: a pair per name, each kept when short enough and not yet listed. */
    const reference = (sources: readonly string[], domain: string): string[][] => {
      const seen = new Set<string>()
      const groups: string[][] = []
      for (const source of sources) {
        const group: string[] = []
        for (const name of [source, `${source}.${domain}`]) {
          if (name.length <= 253 && !seen.has(name)) {
            seen.add(name)
            group.push(name)
          }
        }
        if (group.length > 0) groups.push(group)
      }
      return groups
    }
    const piece = fc.constantFrom('a', 'b', 'a.b', 'b.a', '', 'x'.repeat(120), 'y'.repeat(250), 'z'.repeat(253))
    const name = fc.array(piece, { minLength: 1, maxLength: 3 }).map((parts) => parts.join('.'))
    fc.assert(
      fc.property(fc.array(name, { maxLength: 6 }), piece, (aliases, domain) => {
        const plan = planLan({ ...DEFAULT_LAN, domain, gateway_aliases: aliases })
        expect(plan.gatewayNames).toEqual(reference(aliases, domain))
      }),
      { numRuns: 3000 },
    )
  })

  it("the planner's upstream pool, which chrony.conf does not check again, passes the DNS name guard", () => {
    expect(dnsNameToken(UPSTREAM_POOL, 'upstreamPool')).toBe(UPSTREAM_POOL)
    const plan = { ...planLan(DEFAULT_LAN), upstreamPool: 'not a name' }
    expect(() => renderChronyConf(plan)).toThrow(TypeError)
  })
})
