import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
  type Config,
  jsonString,
  jsonStrings,
  renderAuthorizedKeys,
  renderFirewallInboundJson,
  renderHealthRequiredJson,
  renderOsUpgradeJson,
  toJsonFile,
} from '../src/index.js'

// Every kind of code unit: the escaped ones (quote, backslash, controls, lone surrogates) next to plain and non-ASCII.
const text = fc.oneof(
  fc.string({ unit: 'binary' }),
  fc.string({
    unit: fc.constantFrom('a', '"', '\\', '\n', '\u0000', '\u001f', '\u007f', '\u2028', '\ud800', '\udfff', 'é'),
  }),
)
const ports = fc.array(fc.integer({ min: 1, max: 65535 }), { maxLength: 6 })
const portSet = fc.record({ tcp: ports, udp: ports })

describe('hand-written JSON equals JSON.stringify', () => {
  it('jsonString for any string', () => {
    fc.assert(
      fc.property(text, (s) => {
        expect(jsonString(s)).toBe(JSON.stringify(s))
      }),
      { numRuns: 5000 },
    )
  })

  it('jsonStrings for any list, at the top and nested', () => {
    fc.assert(
      fc.property(fc.array(text, { maxLength: 5 }), (list) => {
        expect(jsonStrings(list, '')).toBe(JSON.stringify(list, null, 2))
        expect(`{\n  "k": ${jsonStrings(list, '  ')}\n}`).toBe(JSON.stringify({ k: list }, null, 2))
      }),
    )
  })

  it('the runtime files: firewall-inbound, health-required, os-upgrade, the admin keys', () => {
    fc.assert(
      fc.property(portSet, fc.option(portSet, { nil: undefined }), fc.array(text), text, (wan, lan, required, url) => {
        const flat = { tcp: wan.tcp, udp: wan.udp }
        const scoped = lan === undefined ? flat : { wan: flat, lan: { tcp: lan.tcp, udp: lan.udp } }
        expect(renderFirewallInboundJson(lan === undefined ? { wan } : { wan, lan })).toBe(toJsonFile(scoped))
        const config = { health: { required }, os_upgrade: { server_url: url } } as unknown as Config
        expect(renderHealthRequiredJson(config)).toBe(toJsonFile(required))
        expect(renderOsUpgradeJson(config)).toBe(toJsonFile({ server_url: url }))
        expect(renderOsUpgradeJson({} as Config)).toBeUndefined()
        const keys = { admin: { ssh_keys: required } } as unknown as Config
        expect(renderAuthorizedKeys(keys)).toBe(required.map((k) => `${k}\n`).join(''))
      }),
    )
  })
})
