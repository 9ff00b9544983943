import { parse } from 'smol-toml'
import { Compile } from 'typebox/compile'
import { describe, expect, it } from 'vitest'
import { configJsonSchema } from '../src/index.js'
import { loadFixtures } from './fixtures.js'

const check = Compile(configJsonSchema)
const asJson = (text: string) => JSON.parse(JSON.stringify(parse(text)))

describe('configJsonSchema', () => {
  it('is plain JSON Schema with every top-level key of config.toml v1', () => {
    const schema = JSON.parse(JSON.stringify(configJsonSchema))
    expect(schema.type).toBe('object')
    expect(schema.additionalProperties).toBe(false)
    expect(Object.keys(schema.properties)).toEqual([
      'version',
      'admin',
      'firewall',
      'lan',
      'health',
      'os_upgrade',
      'container',
      'network',
      'volume',
      'build',
    ])
    expect(schema.required).toEqual(['version', 'admin', 'firewall', 'container'])
  })
  it('accepts every valid fixture', () => {
    for (const fixture of loadFixtures('valid')) expect(check.Check(asJson(fixture.text)), fixture.name).toBe(true)
  })
  it('rejects shape errors that an editor can flag', () => {
    const seed = asJson(loadFixtures('valid').find((f) => f.name === 'seed')!.text)
    expect(check.Check({ ...seed, version: 2 })).toBe(false)
    expect(check.Check({ ...seed, lan: { ...seed.lan, dhcp_strat: 'x' } })).toBe(false)
    expect(check.Check({ ...seed, firewall: { inbound: { tcp: [70000] } } })).toBe(false)
    expect(check.Check({ ...seed, container: {} })).toBe(false)
    expect(check.Check({ ...seed, container: { 'a b': seed.container.myapp } })).toBe(false)
  })
})
