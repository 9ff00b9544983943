import { readdirSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import type { FirewallInbound } from '@atomicnix/config-schema'
import { parseFirewallInbound } from '@atomicnix/config-schema'
import { planFirewall, renderNftables } from '@atomicnix/firewall-plan'
import { describe, expect, it } from 'vitest'
import { validFixtures } from '../../../test/support/config-fixtures.js'
import { expectGolden as expectGoldenIn } from '../../../test/support/golden.js'
import { configWith, FIXTURES } from './fixtures.js'

const GOLDEN = fileURLToPath(new URL('./golden/', import.meta.url))
const TOML_FIXTURES = validFixtures()
/** `firewall-inbound.json` as DESIGN section 4 writes it: flat for WAN-only configs, scoped once a LAN scope exists. */
function runtimeJson(inbound: FirewallInbound): unknown {
  return JSON.parse(JSON.stringify(inbound.lan ? inbound : inbound.wan))
}

const expectGolden = (file: string, actual: string) => expectGoldenIn(GOLDEN, file, actual)

describe('golden nftables scripts', () => {
  for (const fixture of FIXTURES) {
    it(fixture.name, () => {
      const script = renderNftables(planFirewall(configWith(fixture.inbound), fixture.options))
      expectGolden(`${fixture.name}.nft`, script)
      // The device rebuilds from firewall-inbound.json: the same inbound must give the same bytes.
      expect(renderNftables(planFirewall(fixture.inbound, fixture.options))).toBe(script)
    })
  }

  it('has no golden file without a fixture', () => {
    const names = new Set([
      ...FIXTURES.map((f) => `${f.name}.nft`),
      ...TOML_FIXTURES.map((f) => `config-schema/${f.name}.nft`),
    ])
    const goldens = readdirSync(GOLDEN, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.nft'))
    expect(goldens.filter((f) => !names.has(f))).toEqual([])
  })
})

describe('golden nftables scripts for the config-schema valid fixtures', () => {
  it('finds the fixtures', () => {
    expect(TOML_FIXTURES.length).toBeGreaterThan(0)
  })

  for (const { file, name, config } of TOML_FIXTURES) {
    it(file, () => {
      const script = renderNftables(planFirewall(config))
      expectGolden(`config-schema/${name}.nft`, script)
      // What the device reads back at boot must give the same firewall as the config it came from.
      const json = parseFirewallInbound(runtimeJson(config.firewall.inbound))
      if (!json.ok) throw new Error(`firewall-inbound.json does not parse: ${JSON.stringify(json.errors)}`)
      expect(renderNftables(planFirewall(json.value))).toBe(script)
    })
  }
})
