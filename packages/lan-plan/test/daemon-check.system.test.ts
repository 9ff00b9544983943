/**
 * The daemons as oracles: `dnsmasq --test` and `chronyd -p` must accept every rendered configuration, for every
 * fixture and for generated `[lan]` tables. `chronyd -p` prints the directives it parsed, so it also shows that no
 * value added or split a directive.
 */
import { execFile } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { type LanPlan, planLan, renderChronyConf, renderDnsmasqConf } from '@atomicnix/lan-plan'
import fc from 'fast-check'
import { afterAll, expect, it } from 'vitest'
import { describeSystem, findCommand } from '../../../test/support/system.js'
import { lanPlanOptions, lanSettings } from './arbitraries.js'
import { configWith, FIXTURES } from './fixtures.js'
import { tomlFixtures } from './toml-fixtures.js'

const run = promisify(execFile)
const GENERATED_RUNS = 300

/** The non-comment, non-blank lines of a configuration. */
function directiveLines(text: string): string[] {
  return text.split('\n').filter((line) => line !== '' && !line.startsWith('#'))
}

describeSystem('dnsmasq and chronyd accept the rendered files', { commands: ['dnsmasq', 'chronyd'] }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'lan-plan-check-'))
  afterAll(() => rmSync(dir, { recursive: true, force: true }))
  let count = 0

  /** Writes both configurations and runs both checks; returns nothing, throws with the daemon's words. */
  async function check(plan: LanPlan): Promise<void> {
    count += 1
    const dnsmasqConf = join(dir, `dnsmasq-${count}.conf`)
    const chronyConf = join(dir, `chrony-${count}.conf`)
    const chrony = renderChronyConf(plan)
    writeFileSync(dnsmasqConf, renderDnsmasqConf(plan))
    writeFileSync(chronyConf, chrony)
    const dnsmasq = await run(findCommand('dnsmasq')!, ['--test', '-C', dnsmasqConf])
    expect(dnsmasq.stderr).toContain('syntax check OK')
    const parsed = await run(findCommand('chronyd')!, ['-p', '-f', chronyConf])
    expect(parsed.stdout.split('\n').filter(Boolean)).toEqual(directiveLines(chrony))
  }

  for (const fixture of FIXTURES) {
    it(fixture.name, () => check(planLan(configWith(fixture.lan), fixture.options)))
  }

  for (const fixture of tomlFixtures()) {
    it(fixture.name, () => check(planLan(fixture.config, fixture.options)))
  }

  it(`${GENERATED_RUNS} generated [lan] tables`, async () => {
    await fc.assert(
      fc.asyncProperty(lanSettings, lanPlanOptions, (lan, options) => check(planLan(lan, options))),
      { numRuns: GENERATED_RUNS },
    )
  })
})
