import type { LanSettings } from '@atomicnix/config-schema'
import { type LanPlan, planLan, renderLanSettingsJson } from '@atomicnix/lan-plan'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { lanSettings } from './arbitraries.js'

/** What the file was before it was written by hand: the nine fields in order, as JSON.stringify writes them. */
function stringified(s: LanSettings): string {
  const ordered = {
    gateway_cidr: s.gateway_cidr,
    gateway_ip: s.gateway_ip,
    subnet_cidr: s.subnet_cidr,
    netmask: s.netmask,
    dhcp_start: s.dhcp_start,
    dhcp_end: s.dhcp_end,
    domain: s.domain,
    hostname_pattern: s.hostname_pattern,
    gateway_aliases: [...s.gateway_aliases],
  }
  return `${JSON.stringify(ordered, null, 2)}\n`
}

const anyText = fc.string({ unit: 'binary', maxLength: 12 })

describe('lan-settings.json is what JSON.stringify writes', () => {
  it('for valid settings', () => {
    fc.assert(
      fc.property(lanSettings, (settings) => {
        expect(renderLanSettingsJson(planLan(settings))).toBe(stringified(settings))
      }),
    )
  })

  it('for any strings in a hand-built plan (escapes, controls, lone surrogates)', () => {
    fc.assert(
      fc.property(
        lanSettings,
        fc.array(anyText, { minLength: 9, maxLength: 9 }),
        fc.array(anyText),
        (base, t, aliases) => {
          const settings: LanSettings = {
            ...base,
            gateway_cidr: t[0]!,
            gateway_ip: t[1]!,
            subnet_cidr: t[2]!,
            netmask: t[3]!,
            dhcp_start: t[4]!,
            dhcp_end: t[5]!,
            domain: t[6]!,
            hostname_pattern: t[7]!,
            gateway_aliases: aliases,
          }
          const plan = { ...planLan(base), settings } as LanPlan
          expect(renderLanSettingsJson(plan)).toBe(stringified(settings))
        },
      ),
    )
  })

  it('when exactly one field needs an escape, whichever it is', () => {
    const fields = [
      'gateway_cidr',
      'gateway_ip',
      'subnet_cidr',
      'netmask',
      'dhcp_start',
      'dhcp_end',
      'domain',
      'hostname_pattern',
    ] as const
    const escaped = fc.constantFrom('"', '\\', '\n', '\u0000', '\u001f', '\ud800', '\udfff', 'a"b')
    fc.assert(
      fc.property(lanSettings, fc.constantFrom(...fields), escaped, (base, field, text) => {
        const settings: LanSettings = { ...base, [field]: text }
        const plan = { ...planLan(base), settings } as LanPlan
        expect(renderLanSettingsJson(plan)).toBe(stringified(settings))
      }),
      { numRuns: 500 },
    )
  })
})
