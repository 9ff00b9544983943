import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { planFirewall, renderNftables } from '@atomicnix/firewall-plan'
import { describe, expect, it } from 'vitest'
import { configWith, FIXTURES } from './fixtures.js'

const GOLDEN = fileURLToPath(new URL('./golden/', import.meta.url))
const UPDATE = process.env.UPDATE_GOLDEN === '1'

/** Compares with the golden file byte for byte, or rewrites it under UPDATE_GOLDEN=1. */
function expectGolden(file: string, actual: string): void {
  const path = `${GOLDEN}${file}`
  if (UPDATE) {
    mkdirSync(GOLDEN, { recursive: true })
    writeFileSync(path, actual)
    return
  }
  expect(existsSync(path), `${file} is missing; run with UPDATE_GOLDEN=1 and review it`).toBe(true)
  expect(actual).toBe(readFileSync(path, 'utf8'))
}

describe('golden nftables scripts', () => {
  for (const fixture of FIXTURES) {
    it(fixture.name, () => {
      const script = renderNftables(planFirewall(configWith(fixture.inbound), fixture.options))
      expectGolden(`${fixture.name}.nft`, script)
      // The device rebuilds from firewall-inbound.json: the same inbound must give the same bytes.
      expect(renderNftables(planFirewall(fixture.inbound, fixture.options))).toBe(script)
    })
  }

  it('has no golden file without a fixture', () => {
    const names = new Set(FIXTURES.map((f) => `${f.name}.nft`))
    const stale = readdirSync(GOLDEN).filter((f) => f.endsWith('.nft') && !names.has(f))
    expect(stale).toEqual([])
  })
})
