import { type FirewallPlan, type FirewallRule, planFirewall, renderNftables } from '@atomicnix/firewall-plan'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { FIXED_RULES } from '../src/plan-firewall.js'
import * as arb from './arbitraries.js'

/** The plan with every rule replaced by a structural copy, so that the renderer meets no fixed rule at all. */
const copied = (plan: FirewallPlan): FirewallPlan => {
  const copy = (rule: FirewallRule) =>
    Object.fromEntries(Object.entries(rule).map(([k, v]) => [k, Array.isArray(v) ? [...v] : v])) as FirewallRule
  const [input, forward, output] = plan.chains
  return { ...plan, chains: [{ ...input, rules: input.rules.map(copy) }, forward, output] }
}

describe('the fixed rules', () => {
  it('are frozen, arrays included, so that their lines rendered once stay true', () => {
    for (const rule of FIXED_RULES) {
      expect(Object.isFrozen(rule)).toBe(true)
      for (const value of Object.values(rule)) if (Array.isArray(value)) expect(Object.isFrozen(value)).toBe(true)
    }
  })

  it('render as their copies do, in any plan', () => {
    fc.assert(
      fc.property(arb.inbound, arb.options, (inbound, options) => {
        const plan = planFirewall(inbound, options)
        for (const rule of FIXED_RULES) expect(plan.chains[0].rules).toContain(rule)
        expect(renderNftables(plan)).toBe(renderNftables(copied(plan)))
      }),
    )
  })

  it('a copy of one is still checked', () => {
    const plan = copied(planFirewall({ wan: { tcp: [443], udp: [] } }))
    const rules = plan.chains[0].rules.map((r) => (r.ctState?.[0] === 'invalid' ? { ...r, ctState: ['bogus'] } : r))
    const tampered = { ...plan, chains: [{ ...plan.chains[0], rules }, plan.chains[1], plan.chains[2]] }
    expect(() => renderNftables(tampered as unknown as FirewallPlan)).toThrow(TypeError)
  })

  it('render as their copies do in any order, runs cut short, repeated or interleaved with other rules', () => {
    const base = planFirewall({ wan: { tcp: [443], udp: [1194] } })
    const others = base.chains[0].rules.filter((rule) => !FIXED_RULES.includes(rule))
    const rule = fc.oneof(fc.constantFrom(...FIXED_RULES), fc.constantFrom(...others))
    const n = FIXED_RULES.length
    const cut = fc.tuple(fc.integer({ min: 0, max: n - 1 }), fc.integer({ min: 1, max: n }))
    const runs = fc
      .array(cut, { maxLength: 4 })
      .map((cuts) => cuts.flatMap(([from, to]) => FIXED_RULES.slice(from, to)))
    fc.assert(
      fc.property(
        fc.array(
          fc.oneof(
            rule.map((r) => [r]),
            runs,
          ),
          { maxLength: 8 },
        ),
        (pieces) => {
          const rules = pieces.flat()
          const plan: FirewallPlan = {
            ...base,
            chains: [{ ...base.chains[0], rules }, base.chains[1], base.chains[2]],
          }
          expect(renderNftables(plan)).toBe(renderNftables(copied(plan)))
        },
      ),
      { numRuns: 1000 },
    )
  })
})
