import { FIREWALL_NFT_PATH, isInterfaceName, planFirewall } from '@atomicnix/firewall-plan'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import * as arb from './arbitraries.js'
import { configWith, FIXTURES } from './fixtures.js'

const SOURCE = /^(platform|ssh-wan-enabled|firewall\.inbound\.lan|firewall\.inbound\.(wan|lan)\.(tcp|udp))$/

describe('planFirewall', () => {
  it('gives every rule the config path or built-in that caused it', () => {
    fc.assert(
      fc.property(arb.inbound, arb.options, (inbound, options) => {
        for (const chain of planFirewall(inbound, options).chains) {
          for (const rule of chain.rules) expect(rule.source).toMatch(SOURCE)
        }
      }),
    )
  })

  it('names the operator scope for each provisioned rule', () => {
    const plan = planFirewall(configWith({ wan: { tcp: [443], udp: [1194] }, lan: { tcp: [502], udp: [161] } }))
    const bySource = new Map(plan.chains[0].rules.map((r) => [r.source, r]))
    expect(bySource.get('firewall.inbound.wan.tcp')).toEqual({
      iif: 'eth0',
      protocol: 'tcp',
      ports: [443],
      verdict: 'accept',
      source: 'firewall.inbound.wan.tcp',
    })
    expect(bySource.get('firewall.inbound.wan.udp')).toMatchObject({ iif: 'eth0', protocol: 'udp', ports: [1194] })
    expect(bySource.get('firewall.inbound.lan.tcp')).toMatchObject({ iif: 'eth1', protocol: 'tcp', ports: [502] })
    expect(bySource.get('firewall.inbound.lan.udp')).toMatchObject({ iif: 'eth1', protocol: 'udp', ports: [161] })
    expect(plan.lanMode).toBe('allowlist')
  })

  it('leaves the LAN open without a scope or with an empty one, naming which', () => {
    const lanRule = (plan: ReturnType<typeof planFirewall>) => plan.chains[0].rules.filter((r) => r.iif === 'eth1')
    const none = planFirewall({ wan: { tcp: [443], udp: [] } })
    const empty = planFirewall({ wan: { tcp: [443], udp: [] }, lan: { tcp: [], udp: [] } })
    expect(none.lanMode).toBe('open')
    expect(empty.lanMode).toBe('open')
    expect(lanRule(none)).toEqual([{ iif: 'eth1', verdict: 'accept', source: 'platform' }])
    expect(lanRule(empty)).toEqual([{ iif: 'eth1', verdict: 'accept', source: 'firewall.inbound.lan' }])
  })

  it('keeps the LAN services and ICMP echo in every LAN allowlist', () => {
    for (const lan of [
      { tcp: [502], udp: [] },
      { tcp: [], udp: [161] },
    ]) {
      const rules = planFirewall({ wan: { tcp: [], udp: [] }, lan }).chains[0].rules.filter((r) => r.iif === 'eth1')
      expect(rules).toContainEqual({
        iif: 'eth1',
        protocol: 'tcp',
        ports: [22, 53, 8080],
        verdict: 'accept',
        source: 'platform',
      })
      expect(rules).toContainEqual({
        iif: 'eth1',
        protocol: 'udp',
        ports: [53, 67, 68, 123],
        verdict: 'accept',
        source: 'platform',
      })
      expect(rules).toContainEqual({
        iif: 'eth1',
        protocol: 'icmp',
        icmpTypes: ['echo-request'],
        verdict: 'accept',
        source: 'platform',
      })
      expect(rules.some((r) => r.verdict === 'accept' && r.protocol === undefined)).toBe(false)
    }
  })

  it('drops by default on input and forward, accepts output, and forwards nothing', () => {
    for (const fixture of FIXTURES) {
      const [input, forward, output] = planFirewall(fixture.inbound, fixture.options).chains
      expect([input.name, input.hook, input.policy, input.priority]).toEqual(['input', 'input', 'drop', 0])
      expect(forward).toEqual({ name: 'forward', hook: 'forward', priority: 0, policy: 'drop', rules: [] })
      expect(output).toEqual({ name: 'output', hook: 'output', priority: 0, policy: 'accept', rules: [] })
    }
  })

  it('opens TCP 22 on the WAN only with the SSH flag, and always on the VPN', () => {
    const wanSsh = (sshOnWan: boolean) =>
      planFirewall({ wan: { tcp: [443], udp: [] } }, { sshOnWan }).chains[0].rules.filter(
        (r) => r.iif === 'eth0' && r.protocol === 'tcp' && r.ports.includes(22),
      )
    expect(wanSsh(false)).toEqual([])
    expect(wanSsh(true)).toEqual([
      { iif: 'eth0', protocol: 'tcp', ports: [22], verdict: 'accept', source: 'ssh-wan-enabled' },
    ])
    expect(planFirewall({ wan: { tcp: [], udp: [] } }).chains[0].rules).toContainEqual({
      iif: 'tun0',
      protocol: 'tcp',
      ports: [22],
      verdict: 'accept',
      source: 'platform',
    })
  })

  it('puts loopback, the WAN destination check, conntrack and ICMP essentials before any interface rule', () => {
    const rules = planFirewall({ wan: { tcp: [443], udp: [] } }).chains[0].rules
    expect(rules.slice(0, 4)).toEqual([
      { iif: 'lo', verdict: 'accept', source: 'platform' },
      { iif: 'eth0', foreignDestination: true, verdict: 'drop', source: 'platform' },
      { ctState: ['established', 'related'], verdict: 'accept', source: 'platform' },
      { ctState: ['invalid'], verdict: 'drop', source: 'platform' },
    ])
    expect(rules[4]).toMatchObject({
      protocol: 'icmpv6',
      hopLimit: 255,
      icmpTypes: expect.arrayContaining(['nd-neighbor-solicit']),
    })
  })

  it('uses the interface names it is given', () => {
    const plan = planFirewall(
      { wan: { tcp: [1], udp: [] } },
      { wanInterface: 'end0', lanInterface: 'br-lan', vpnInterface: 'wg0' },
    )
    expect(plan.interfaces).toEqual({ wan: 'end0', lan: 'br-lan', vpn: 'wg0' })
    expect(new Set(plan.chains[0].rules.map((r) => r.iif))).toEqual(new Set([undefined, 'lo', 'end0', 'br-lan', 'wg0']))
  })

  it('throws TypeError for invalid or clashing interface names, a programmer error', () => {
    const inbound = { wan: { tcp: [443], udp: [] } }
    for (const name of ['', 'a'.repeat(16), 'eth 0', 'eth0"', 'eth0\n', 'eth/0', 'eth:0', '.', '..', 'lo', 'eth*']) {
      expect(() => planFirewall(inbound, { wanInterface: name }), JSON.stringify(name)).toThrow(TypeError)
      expect(() => planFirewall(inbound, { lanInterface: name }), JSON.stringify(name)).toThrow(TypeError)
      expect(() => planFirewall(inbound, { vpnInterface: name }), JSON.stringify(name)).toThrow(TypeError)
    }
    expect(() => planFirewall(inbound, { lanInterface: 'eth0' })).toThrow(TypeError)
    expect(() => planFirewall(inbound, { vpnInterface: 'eth1' })).toThrow(TypeError)
    expect(() => planFirewall(inbound, { sshOnWan: 'yes' as unknown as boolean })).toThrow(TypeError)
    expect(planFirewall(inbound, { wanInterface: 'a'.repeat(15) }).interfaces.wan).toBe('a'.repeat(15))
  })

  it('validates interface tokens as documented', () => {
    expect(['eth0', 'enp1s0', 'br-lan', 'eth0.100', 'wg_0', '...'].every(isInterfaceName)).toBe(true)
    expect(['', '.', '..', 'a b', 'a'.repeat(16), 42, undefined].some(isInterfaceName)).toBe(false)
  })

  it('names where device-runtime places the script', () => {
    expect(FIREWALL_NFT_PATH).toBe('etc/atomicnix/firewall.nft')
  })
})
