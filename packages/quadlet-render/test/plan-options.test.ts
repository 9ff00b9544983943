import { DEFAULT_CONFIG_ROOT, DEFAULT_PODMAN_VERSION, isSupportedPodmanVersion } from '@atomicnix/config-schema'
import { planQuadlets } from '@atomicnix/quadlet-render'
import { describe, expect, it } from 'vitest'
import { validFixtures } from '../../../test/support/config-fixtures.js'
import { isConfigRoot } from '../src/plan.js'

const units = validFixtures().find((f) => f.name === 'units')!.config

describe('planQuadlets options', () => {
  it('a Podman version without a catalogue is a RangeError; the default has one', () => {
    expect(isSupportedPodmanVersion(DEFAULT_PODMAN_VERSION)).toBe(true)
    expect(() => planQuadlets(units, { podmanVersion: '4.9' })).toThrow(RangeError)
    expect(() => planQuadlets(units, { podmanVersion: 'five' })).toThrow(RangeError)
    expect(planQuadlets(units, { podmanVersion: DEFAULT_PODMAN_VERSION })).toEqual(planQuadlets(units))
  })

  it('the plan lists every unit warning once, in unit order', () => {
    const plan = planQuadlets(units)
    expect(plan.warnings).toEqual(plan.units.flatMap((u) => u.warnings))
  })

  it('the default config root, which is not checked again per plan, is one that the check accepts', () => {
    expect(isConfigRoot(DEFAULT_CONFIG_ROOT)).toBe(true)
    for (const root of ['relative', '/', '/a b', '/a/', '//a', '/a/"b"']) expect(isConfigRoot(root), root).toBe(false)
  })
})
