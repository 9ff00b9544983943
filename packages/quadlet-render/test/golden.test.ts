import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { planQuadlets, renderQuadlet, renderQuadletRuntime } from '@atomicnix/quadlet-render'
import { describe, expect, it } from 'vitest'
import { validFixtures } from '../../../test/support/config-fixtures.js'

const GOLDEN = fileURLToPath(new URL('./golden/', import.meta.url))
const update = process.env.UPDATE_GOLDEN === '1'

describe('golden unit files', () => {
  for (const fixture of validFixtures()) {
    it(`${fixture.name} renders byte for byte`, () => {
      const plan = planQuadlets(fixture.config)
      const files = new Map<string, string>(plan.units.map((u) => [u.filename, renderQuadlet(u)]))
      files.set('quadlet-runtime.json', renderQuadletRuntime(plan))
      const dir = `${GOLDEN}${fixture.name}/`
      if (update) {
        rmSync(dir, { recursive: true, force: true })
        mkdirSync(dir, { recursive: true })
        for (const [name, text] of files) writeFileSync(dir + name, text)
      }
      expect(existsSync(dir), `${dir} exists (UPDATE_GOLDEN=1 writes it)`).toBe(true)
      expect(readdirSync(dir).sort()).toEqual([...files.keys()].sort())
      for (const [name, text] of files) expect(text, name).toBe(readFileSync(dir + name, 'utf8'))
    })
  }
})
