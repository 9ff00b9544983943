import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { dirname } from 'node:path'
import { fileURLToPath } from 'node:url'
import { lanDeviceFiles, planLan, renderHostsBlock } from '@atomicnix/lan-plan'
import { describe, expect, it } from 'vitest'
import { configWith, FIXTURES } from './fixtures.js'

const GOLDEN = fileURLToPath(new URL('./golden/', import.meta.url))
const UPDATE = process.env.UPDATE_GOLDEN === '1'

/** Compares with the golden file byte for byte, or rewrites it under UPDATE_GOLDEN=1. */
function expectGolden(file: string, actual: string): void {
  const path = `${GOLDEN}${file}`
  if (UPDATE) {
    mkdirSync(dirname(path), { recursive: true })
    writeFileSync(path, actual)
    return
  }
  expect(existsSync(path), `${file} is missing; run with UPDATE_GOLDEN=1 and review it`).toBe(true)
  expect(actual, file).toBe(readFileSync(path, 'utf8'))
}

/** Every file below a directory, as paths relative to it. */
function listFiles(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => `${entry.parentPath}/${entry.name}`.slice(dir.length))
    .sort()
}

/** The golden tree of one fixture: the device files at their paths, plus the `/etc/hosts` block. */
function goldenTree(fixture: (typeof FIXTURES)[number]): Map<string, string> {
  const plan = planLan(configWith(fixture.lan), fixture.options)
  const tree = new Map<string, string>()
  for (const file of lanDeviceFiles(plan)) tree.set(`${fixture.name}/${file.path}`, file.contents)
  tree.set(`${fixture.name}/etc-hosts-block`, renderHostsBlock(plan))
  return tree
}

describe('golden LAN files', () => {
  for (const fixture of FIXTURES) {
    it(fixture.name, () => {
      const tree = goldenTree(fixture)
      for (const [file, contents] of tree) expectGolden(file, contents)
      // The device rebuilds from lan-settings.json: the bare settings must give the same bytes.
      const fromSettings = planLan(fixture.lan, fixture.options)
      expect(lanDeviceFiles(fromSettings)).toEqual(lanDeviceFiles(planLan(configWith(fixture.lan), fixture.options)))
    })
  }

  it('has no golden file without a fixture', () => {
    const expected = new Set(FIXTURES.flatMap((f) => [...goldenTree(f).keys()]))
    expect(listFiles(GOLDEN).filter((f) => !expected.has(f))).toEqual([])
  })
})
