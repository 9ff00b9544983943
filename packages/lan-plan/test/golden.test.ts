import { readdirSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { type LanPlan, lanDeviceFiles, planLan, renderHostsBlock, renderLanSettingsJson } from '@atomicnix/lan-plan'
import { describe, expect, it } from 'vitest'
import { expectGolden as expectGoldenIn } from '../../../test/support/golden.js'
import { configWith, FIXTURES } from './fixtures.js'
import { tomlFixtures } from './toml-fixtures.js'

const GOLDEN = fileURLToPath(new URL('./golden/', import.meta.url))

const expectGolden = (file: string, actual: string) => expectGoldenIn(GOLDEN, file, actual)

/** Every file below a directory, as paths relative to it. */
function listFiles(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => `${entry.parentPath}/${entry.name}`.slice(dir.length))
    .sort()
}

/** The golden tree of one plan: the device files at their paths, plus the `/etc/hosts` block. */
function goldenTree(name: string, plan: LanPlan): Map<string, string> {
  const tree = new Map<string, string>()
  for (const file of lanDeviceFiles(plan)) tree.set(`${name}/${file.path}`, file.contents)
  tree.set(`${name}/etc-hosts-block`, renderHostsBlock(plan))
  return tree
}

const TOML = tomlFixtures()
const TREES = [
  ...FIXTURES.map((f) => goldenTree(f.name, planLan(configWith(f.lan), f.options))),
  ...TOML.map((f) => goldenTree(f.name, planLan(f.config, f.options))),
]

describe('golden LAN files', () => {
  for (const fixture of FIXTURES) {
    it(fixture.name, () => {
      const tree = goldenTree(fixture.name, planLan(configWith(fixture.lan), fixture.options))
      for (const [file, contents] of tree) expectGolden(file, contents)
      // The device rebuilds from lan-settings.json: the bare settings must give the same bytes.
      const fromSettings = planLan(fixture.lan, fixture.options)
      expect(lanDeviceFiles(fromSettings)).toEqual(lanDeviceFiles(planLan(configWith(fixture.lan), fixture.options)))
    })
  }

  it('has no golden file without a fixture', () => {
    const expected = new Set(TREES.flatMap((tree) => [...tree.keys()]))
    expect(listFiles(GOLDEN).filter((f) => !expected.has(f))).toEqual([])
  })
})

describe('golden LAN files for the config-schema valid fixtures', () => {
  it('finds the fixtures', () => {
    expect(TOML.length).toBeGreaterThan(0)
  })

  for (const fixture of TOML) {
    it(fixture.name, () => {
      const plan = planLan(fixture.config, fixture.options)
      for (const [file, contents] of goldenTree(fixture.name, plan)) expectGolden(file, contents)
      // What the device reads back from lan-settings.json must give the same files as the config it came from.
      const settings = JSON.parse(renderLanSettingsJson(plan))
      expect(lanDeviceFiles(planLan(settings, fixture.options))).toEqual(lanDeviceFiles(plan))
    })
  }
})
