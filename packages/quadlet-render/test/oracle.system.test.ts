import { parseConfig, validateConfig } from '@atomicnix/config-schema'
import { planQuadlets, renderQuadlet } from '@atomicnix/quadlet-render'
import fc from 'fast-check'
import { expect, it } from 'vitest'
import { validFixtures } from '../../../test/support/config-fixtures.js'
import { describeSystem } from '../../../test/support/system.js'
import { hostileConfig, instantiate } from './arbitraries.js'
import { checkPlans, QUADLET } from './oracle.js'

/** How many generated configs to check; CI runs at least 2,000. */
const RUNS = Number(process.env.QUADLET_ORACLE_RUNS ?? 2_000)
/** A fixed seed, so that CI is reproducible; set QUADLET_ORACLE_SEED to explore. */
const SEED = Number(process.env.QUADLET_ORACLE_SEED ?? 20_260_101)
const BATCH = 100

/** Keeps failure reports readable when a value is 10 KB long. */
function clip(text: string): string {
  return text.length > 300 ? `${text.slice(0, 300)}… (${text.length} chars)` : text
}

describeSystem('Podman Quadlet generator accepts exactly what we mean', { files: [QUADLET] }, () => {
  for (const fixture of validFixtures()) {
    it(`fixture ${fixture.name}: every unit converts, with the boundary intact`, () => {
      expect(checkPlans([planQuadlets(fixture.config)])).toEqual([])
    })
  }

  it(`${RUNS} hostile configs: rejected by validation, or converted with the boundary intact (seed ${SEED})`, () => {
    const docs = fc.sample(hostileConfig, { seed: SEED, numRuns: RUNS })
    let accepted = 0
    let units = 0
    for (let start = 0; start < docs.length; start += BATCH) {
      const batch = docs.slice(start, start + BATCH).map((doc, i) => ({ index: start + i, doc }))
      const plans = []
      const sources = new Map<string, number>()
      for (const { index, doc } of batch) {
        const result = validateConfig(instantiate(doc, `k${index}-`))
        if (!result.ok) continue
        accepted++
        const plan = planQuadlets(result.value)
        units += plan.units.length
        for (const unit of plan.units) sources.set(`${unit.mode}/${unit.filename}`, index)
        plans.push(plan)
      }
      const failures = checkPlans(plans)
      if (failures.length > 0) {
        const first = failures[0]!
        const index = sources.get(first.unit)
        const plan = plans.find((p) => p.units.some((u) => `${u.mode}/${u.filename}` === first.unit))
        const unit = plan?.units.find((u) => `${u.mode}/${u.filename}` === first.unit)
        throw new Error(
          `seed ${SEED}, config #${index}: ${first.unit}: ${clip(first.problems.join('; '))}\n` +
            `${unit ? renderQuadlet(unit).split('\n').map(clip).join('\n') : ''}\n(${failures.length} failing units in this batch)`,
        )
      }
    }
    process.stderr.write(`[quadlet oracle] ${RUNS} configs, ${accepted} accepted, ${units} units converted\n`)
    expect(accepted).toBeGreaterThan(RUNS / 5)
  })

  it('the seed example renders and converts as documented', () => {
    const result = parseConfig(
      [
        'version = 1',
        '[admin]',
        'ssh_keys = ["ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIIHfTcrdK6PyhPLrqKNmRkAO2OkRmpVpUpxvBEthfD0B t"]',
        '[firewall.inbound]',
        'tcp = [443]',
        '[container.myapp]',
        'privileged = false',
        '[container.myapp.Container]',
        'Image = "ghcr.io/example/myapp:latest"',
        'PublishPort = ["10080:8080"]',
      ].join('\n'),
    )
    expect(result.ok).toBe(true)
    if (!result.ok) return
    expect(checkPlans([planQuadlets(result.value)])).toEqual([])
  })
})
