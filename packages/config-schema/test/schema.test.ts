import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { build } from 'esbuild'
import { parse } from 'smol-toml'
import { Compile } from 'typebox/compile'
import { describe, expect, it } from 'vitest'
import { CONFIG_SCHEMA_ID, configJsonSchema } from '../src/schema.js'
import { loadFixtures } from './fixtures.js'

const SHIPPED = new URL('../config.schema.json', import.meta.url)

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

describe('the shipped config.schema.json', () => {
  it('is what TypeBox builds, with $schema and a stable $id first', () => {
    const text = readFileSync(SHIPPED, 'utf8')
    const shipped = JSON.parse(text)
    const stale = 'config.schema.json differs from src/schema.ts: run `npm run build` and commit the file'
    expect(shipped, stale).toEqual(JSON.parse(JSON.stringify(configJsonSchema)))
    expect(Object.keys(shipped).slice(0, 3)).toEqual(['$schema', '$id', 'title'])
    expect(shipped.$schema).toBe('https://json-schema.org/draft/2020-12/schema')
    expect(shipped.$id).toBe('urn:atomicnix:config:v1')
    expect(CONFIG_SCHEMA_ID).toBe(shipped.$id)
    expect(text).toBe(`${JSON.stringify(shipped, null, 2)}\n`)
  })

  it('is exported as @atomicnix/config-schema/config.schema.json and packed', () => {
    const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'))
    expect(pkg.exports['./config.schema.json']).toBe('./config.schema.json')
    expect(pkg.files).toContain('config.schema.json')
  })
})

describe('the main entry', () => {
  it('imports neither TypeBox nor the schema module', async () => {
    const result = await build({
      entryPoints: [fileURLToPath(new URL('../src/index.ts', import.meta.url))],
      bundle: true,
      write: false,
      metafile: true,
      platform: 'browser',
      logLevel: 'silent',
    })
    const inputs = Object.keys(result.metafile.inputs)
    expect(inputs.some((path) => path.includes('src/index.ts'))).toBe(true)
    expect(inputs.filter((path) => /typebox|src\/schema\.ts/.test(path))).toEqual([])
  })
})
