import { describe, expect, it } from 'vitest'
import { SEED_LAN_SETTINGS } from '../../../test/support/lan-settings.js'
import {
  parseConfig,
  parseFirewallInbound,
  parseHealthRequired,
  parseLanSettings,
  parseOsUpgrade,
  parseQuadletRuntime,
  type Result,
  renderFirewallInboundJson,
  renderHealthRequiredJson,
  renderOsUpgradeJson,
} from '../src/index.js'
import { loadFixtures } from './fixtures.js'

const codes = (r: Result<unknown>) => (r.ok ? [] : r.errors.map((e) => e.code))

const SEED_LAN = SEED_LAN_SETTINGS

describe('runtime files read back what is written', () => {
  for (const fixture of loadFixtures('valid')) {
    it(`${fixture.name}: firewall, LAN, health and update files round-trip`, () => {
      const parsed = parseConfig(fixture.text)
      if (!parsed.ok) throw new Error('fixture must be valid')
      const config = parsed.value
      const firewall = parseFirewallInbound(renderFirewallInboundJson(config.firewall.inbound))
      expect(firewall).toEqual({ ok: true, value: config.firewall.inbound, warnings: [] })
      expect(parseLanSettings(JSON.stringify(config.lan))).toEqual({ ok: true, value: config.lan, warnings: [] })
      expect(parseHealthRequired(renderHealthRequiredJson(config))).toEqual({
        ok: true,
        value: config.health.required,
        warnings: [],
      })
      const upgrade = renderOsUpgradeJson(config)
      if (upgrade !== undefined) expect(parseOsUpgrade(upgrade).ok).toBe(true)
    })
  }
})

describe('parseFirewallInbound', () => {
  it('reads the seed flat form as WAN ports', () => {
    expect(parseFirewallInbound('{"tcp":[443],"udp":[1194]}')).toEqual({
      ok: true,
      value: { wan: { tcp: [443], udp: [1194] } },
      warnings: [],
    })
  })
  it('reads the scoped form and an empty object', () => {
    const scoped = parseFirewallInbound({ wan: { tcp: [443] }, lan: { udp: [161] } })
    expect(scoped.ok && scoped.value).toEqual({ wan: { tcp: [443], udp: [] }, lan: { tcp: [], udp: [161] } })
    expect(parseFirewallInbound('{}').ok).toBe(true)
  })
  it('rejects bad JSON, bad ports and unknown keys', () => {
    expect(codes(parseFirewallInbound('{"tcp":[443'))).toEqual(['json_syntax'])
    expect(codes(parseFirewallInbound('{"tcp":[0, 1.5, "80"]}'))).toEqual([
      'port_out_of_range',
      'wrong_type',
      'wrong_type',
    ])
    expect(codes(parseFirewallInbound('{"wan":{"tcp":[1]},"dmz":{}}'))).toEqual(['unknown_key'])
    expect(codes(parseFirewallInbound('[443]'))).toEqual(['wrong_type'])
  })
})

describe('parseLanSettings', () => {
  it('accepts the seed LAN JSON with all nine fields', () => {
    expect(parseLanSettings(JSON.stringify(SEED_LAN))).toEqual({ ok: true, value: SEED_LAN, warnings: [] })
  })
  it('requires every field and consistent derived fields', () => {
    const { netmask: _, ...eight } = SEED_LAN
    expect(codes(parseLanSettings(eight))).toEqual(['missing_key'])
    expect(codes(parseLanSettings({ ...SEED_LAN, gateway_ip: '172.20.30.2' }))).toEqual(['lan_settings_inconsistent'])
    expect(codes(parseLanSettings({ ...SEED_LAN, subnet_cidr: '10.0.0.0/24' }))).toEqual(['lan_settings_inconsistent'])
    expect(codes(parseLanSettings({ ...SEED_LAN, domain: 'LOCAL' }))).toEqual(['lan_settings_inconsistent'])
    expect(codes(parseLanSettings({ ...SEED_LAN, dhcp_start: '172.20.30.1' }))).toEqual(['dhcp_range_contains_gateway'])
  })
})

describe('parseHealthRequired, parseOsUpgrade, parseQuadletRuntime', () => {
  it('health: an array of container names', () => {
    expect(parseHealthRequired('["a","b"]')).toEqual({ ok: true, value: ['a', 'b'], warnings: [] })
    expect(codes(parseHealthRequired('["a b"]'))).toEqual(['unit_name_invalid'])
    expect(codes(parseHealthRequired('{"a":1}'))).toEqual(['wrong_type'])
  })
  it('os-upgrade: https, or http with a warning', () => {
    expect(parseOsUpgrade('{"server_url":"https://u.example/x"}').ok).toBe(true)
    const http = parseOsUpgrade('{"server_url":"http://u.example"}')
    expect(http.ok && http.warnings.map((w) => w.code)).toEqual(['server_url_insecure'])
    expect(codes(parseOsUpgrade('{"server_url":"ftp://u.example"}'))).toEqual(['server_url_invalid'])
  })
  it('quadlet-runtime: names, files, services and modes agree', () => {
    const good = {
      app_user: 'appsvc',
      rootless_network: 'pasta',
      units: [
        { name: 'web', filename: 'web.container', service: 'web.service', mode: 'rootless' },
        { name: 'lan', filename: 'lan.network', service: 'lan-network.service', mode: 'rootful' },
      ],
    }
    expect(parseQuadletRuntime(JSON.stringify(good))).toEqual({ ok: true, value: good, warnings: [] })
    const bad = { ...good, units: [{ name: 'lan', filename: 'lan.network', service: 'lan.service', mode: 'rootless' }] }
    expect(codes(parseQuadletRuntime(bad))).toEqual(['runtime_value_invalid', 'runtime_value_invalid'])
    expect(codes(parseQuadletRuntime({ ...good, rootless_network: 'host' }))).toEqual(['runtime_value_invalid'])
  })
})
