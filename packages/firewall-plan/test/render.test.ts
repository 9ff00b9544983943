import { type FirewallPlan, type FirewallRule, planFirewall, renderNftables } from '@atomicnix/firewall-plan'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import * as arb from './arbitraries.js'
import { configWith, FIXTURES } from './fixtures.js'
import { expectedOpen, interestingPorts, lanIsAllowlist } from './oracle.js'
import { parseScript } from './parse-script.js'

const withRule = (plan: FirewallPlan, rule: FirewallRule): FirewallPlan => {
  const [input, forward, output] = plan.chains
  return { ...plan, chains: [{ ...input, rules: [...input.rules, rule] }, forward, output] }
}

const seedPlan = planFirewall({ wan: { tcp: [443], udp: [1194] } })

describe('renderNftables', () => {
  it('is deterministic and ends with exactly one newline', () => {
    for (const fixture of FIXTURES) {
      const a = renderNftables(planFirewall(fixture.inbound, fixture.options))
      const b = renderNftables(planFirewall(structuredClone(fixture.inbound), fixture.options))
      expect(a).toBe(b)
      expect(a.endsWith('}\n')).toBe(true)
    }
  })

  it('owns one table, replaces it in one file and never flushes the ruleset', () => {
    const script = renderNftables(seedPlan)
    const statements = script.split('\n').filter((line) => !line.startsWith('#'))
    expect(statements.filter((line) => /flush/.test(line))).toEqual([])
    expect(script.match(/^table inet atomicnix$/gm)).toHaveLength(1)
    expect(script.match(/^delete table inet atomicnix$/gm)).toHaveLength(1)
    expect(script.match(/^table inet atomicnix \{$/gm)).toHaveLength(1)
    expect(script.match(/^(?:add )?table /gm)).toHaveLength(2)
    expect(script.indexOf('table inet atomicnix\n')).toBeLessThan(script.indexOf('delete table'))
    expect(script.indexOf('delete table')).toBeLessThan(script.indexOf('table inet atomicnix {'))
  })

  it('puts a quote-free comment of at most 128 bytes on every rule', () => {
    for (const fixture of FIXTURES) {
      const ruleLines = renderNftables(planFirewall(fixture.inbound, fixture.options))
        .split('\n')
        .filter((line) => line.startsWith('\t\t') && !line.includes(' hook '))
      expect(ruleLines.length).toBeGreaterThan(0)
      for (const line of ruleLines) {
        const comment = /comment "([^"]*)"$/.exec(line)?.[1]
        expect(comment, line).toBeDefined()
        expect(new TextEncoder().encode(comment).length).toBeLessThanOrEqual(128)
      }
    }
  })

  it('writes ports as nft lists them: one value or range bare, a list, intervals once the set has one', () => {
    const line = (tcp: number[]) =>
      renderNftables(planFirewall({ wan: { tcp, udp: [] } }))
        .split('\n')
        .find((l) => l.includes('firewall.inbound.wan.tcp'))
    expect(line([443])).toContain('tcp dport 443 accept')
    expect(line([67, 68])).toContain('tcp dport { 67, 68 } accept')
    expect(line([1, 2, 3])).toContain('tcp dport 1-3 accept')
    expect(line([5, 6, 10, 11, 12, 20])).toContain('tcp dport { 5-6, 10-12, 20 } accept')
    expect(line([65533, 65534, 65535])).toContain('tcp dport 65533-65535 accept')
  })

  it('rejects plans planFirewall cannot make, so no value can inject nft syntax', () => {
    const bad: FirewallRule[] = [
      { iif: 'eth0', verdict: 'accept', source: 'x" drop comment "y' },
      { iif: 'eth0', verdict: 'accept', source: 'a\nflush ruleset' },
      { iif: 'eth0', verdict: 'accept', source: 'a'.repeat(129) },
      { iif: 'eth0', verdict: 'accept', source: '' },
      { iif: 'eth0" accept', verdict: 'accept', source: 'platform' },
      { iif: 'eth0', protocol: 'tcp', ports: [], verdict: 'accept', source: 'platform' },
      { iif: 'eth0', protocol: 'tcp', ports: [0], verdict: 'accept', source: 'platform' },
      { iif: 'eth0', protocol: 'udp', ports: [65536], verdict: 'accept', source: 'platform' },
      { iif: 'eth0', protocol: 'udp', ports: [1.5], verdict: 'accept', source: 'platform' },
      { ctState: [], verdict: 'accept', source: 'platform' },
      { protocol: 'icmp', icmpTypes: ['counter' as 'echo-request'], verdict: 'accept', source: 'platform' },
      { protocol: 'icmp', icmpTypes: ['packet-too-big' as 'echo-request'], verdict: 'accept', source: 'platform' },
      { protocol: 'icmpv6', icmpTypes: [], verdict: 'accept', source: 'platform' },
      { verdict: 'jump x' as 'accept', source: 'platform' },
    ]
    for (const rule of bad)
      expect(() => renderNftables(withRule(seedPlan, rule)), JSON.stringify(rule)).toThrow(TypeError)
    const [input, forward] = seedPlan.chains
    expect(() => renderNftables({ ...seedPlan, chains: [input, forward, forward] })).toThrow(TypeError)
  })

  it('accepts a 128-byte source and nothing longer', () => {
    const ok = renderNftables(withRule(seedPlan, { iif: 'eth9', verdict: 'accept', source: 'a'.repeat(128) }))
    expect(ok).toContain(`comment "${'a'.repeat(128)}"`)
  })
})

describe('renderNftables properties', () => {
  it('never throws for any valid input and always has the expected layout and grammar', () => {
    fc.assert(
      fc.property(arb.inbound, arb.options, (inbound, options) => {
        parseScript(renderNftables(planFirewall(inbound, options)))
      }),
      { numRuns: 1000 },
    )
  })

  it('accepts on each interface exactly what DESIGN section 5 allows', () => {
    fc.assert(
      fc.property(arb.inbound, arb.options, (inbound, options) => {
        const sshOnWan = options?.sshOnWan ?? false
        const wan = options?.wanInterface ?? 'eth0'
        const lan = options?.lanInterface ?? 'eth1'
        const vpn = options?.vpnInterface ?? 'tun0'
        const { accepted, strictInterface } = parseScript(renderNftables(planFirewall(inbound, options)))
        // WAN packets must be addressed to the WAN interface, before any rule can accept them.
        expect(strictInterface).toBe(wan)
        expect([...accepted.keys()].sort()).toEqual(
          [vpn, lan, ...(inbound.wan.tcp.length + inbound.wan.udp.length > 0 || sshOnWan ? [wan] : [])].sort(),
        )
        const lanAccepted = accepted.get(lan)!
        expect(lanAccepted === 'all').toBe(!lanIsAllowlist(inbound))
        if (lanAccepted !== 'all') expect(lanAccepted.icmpEcho).toBe(true)
        const wrong: string[] = []
        for (const [side, name] of [
          ['wan', wan],
          ['vpn', vpn],
          ['lan', lan],
        ] as const) {
          const entry = accepted.get(name) ?? { tcp: new Set<number>(), udp: new Set<number>(), icmpEcho: false }
          if (entry === 'all') continue
          if (side !== 'lan' && entry.icmpEcho) wrong.push(`${side} accepts ICMP echo`)
          for (const protocol of ['tcp', 'udp'] as const) {
            const ports = new Set([...entry[protocol], ...interestingPorts(inbound)])
            for (const port of ports) {
              if (entry[protocol].has(port) !== expectedOpen(inbound, sshOnWan, side, protocol, port)) {
                wrong.push(`${side} ${protocol} ${port}`)
              }
            }
          }
        }
        expect(wrong).toEqual([])
      }),
      { numRuns: 500 },
    )
  })

  it('renders a Config and its firewall-inbound.json form identically', () => {
    fc.assert(
      fc.property(arb.inbound, arb.options, (inbound, options) => {
        expect(renderNftables(planFirewall(configWith(inbound), options))).toBe(
          renderNftables(planFirewall(inbound, options)),
        )
      }),
      { numRuns: 200 },
    )
  })

  it('either rejects a hand-made rule source or renders it as one intact rule line', () => {
    const baseline = renderNftables(seedPlan).split('\n').length
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 200 }), (source) => {
        let script: string
        try {
          script = renderNftables(withRule(seedPlan, { iif: 'eth9', verdict: 'accept', source }))
        } catch (error) {
          expect(error).toBeInstanceOf(TypeError)
          return
        }
        expect(script.split('\n').length).toBe(baseline + 1)
        expect(script).toContain(`\t\tiifname "eth9" accept comment "${source}"\n`)
        expect(source).not.toMatch(/["\\\s]/)
      }),
      { numRuns: 1000 },
    )
  })
})
