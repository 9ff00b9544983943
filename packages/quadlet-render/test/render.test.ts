import { readdirSync, readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { validateConfig } from '@atomicnix/config-schema'
import * as api from '@atomicnix/quadlet-render'
import { planQuadlets, quadletDeviceFiles, renderQuadlet, renderQuadletRuntime } from '@atomicnix/quadlet-render'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { validFixtures } from '../../../test/support/config-fixtures.js'
import { hostileConfig, instantiate } from './arbitraries.js'

const units = validFixtures().find((f) => f.name === 'units')!.config

describe('planQuadlets', () => {
  it('names files and services and sets the mode of every unit', () => {
    const plan = planQuadlets(units)
    expect(plan.units.map((u) => [u.filename, u.service, u.mode])).toContainEqual([
      'pgdata.volume',
      'pgdata-volume.service',
      'rootful',
    ])
    expect(plan.units.find((u) => u.name === 'app')?.mode).toBe('rootless')
  })

  it('carries the rewrite warnings with validation’s codes and paths', () => {
    const plan = planQuadlets(units)
    expect(plan.warnings).toEqual([
      expect.objectContaining({ code: 'publish_port_loopback_random', path: 'container.app.Container.PublishPort[1]' }),
    ])
  })

  it('expands placeholders against the configured root', () => {
    const plan = planQuadlets(units, { configRoot: '/srv/cfg' })
    expect(renderQuadlet(plan.units.find((u) => u.name === 'proxy')!)).toContain(
      'Volume=/srv/cfg/files/proxy/Caddyfile:/etc/caddy/Caddyfile:ro',
    )
  })

  it('refuses malformed options', () => {
    expect(() => planQuadlets(units, { configRoot: 'relative' })).toThrow(RangeError)
    expect(() => planQuadlets(units, { configRoot: '/a b' })).toThrow(RangeError)
    expect(() => planQuadlets(units, { podmanVersion: '4.9' })).toThrow(RangeError)
  })
})

describe('renderQuadlet', () => {
  it('renders the seed example as documented', () => {
    const seed = validFixtures().find((f) => f.name === 'seed')!.config
    expect(renderQuadlet(planQuadlets(seed).units[0]!)).toBe(
      '[Container]\nImage=ghcr.io/example/myapp:latest\nPublishPort=127.0.0.1:10080:8080\nNetwork=pasta\n',
    )
  })

  it('writes exactly one line per entry for any accepted config, whatever its strings hold', () => {
    fc.assert(
      fc.property(hostileConfig, (doc) => {
        const result = validateConfig(instantiate(doc, 'p-'))
        if (!result.ok) return
        for (const unit of planQuadlets(result.value).units) {
          const text = renderQuadlet(unit)
          const lines = text.split('\n')
          const entries = unit.sections.reduce((n, s) => n + s.entries.length, 0)
          expect(lines.length).toBe(entries + unit.sections.length * 2)
          expect(lines.filter((l) => l.startsWith('[')).length).toBe(unit.sections.length)
          expect(text).not.toMatch(/\\\n/)
        }
      }),
      { numRuns: 300 },
    )
  })
})

describe('device files', () => {
  it('places canonical, rootful and rootless copies with their modes', () => {
    const files = quadletDeviceFiles(planQuadlets(units))
    const byPath = new Map(files.map((f) => [f.path, f]))
    expect(byPath.get('data/config/quadlet/app.container')?.mode).toBe(0o644)
    expect(byPath.get('data/config/quadlet-runtime.json')?.mode).toBe(0o600)
    expect(byPath.has('etc/containers/systemd/db.container')).toBe(true)
    expect(byPath.has('var/lib/appsvc/.config/containers/systemd/app.container')).toBe(true)
    expect(byPath.has('etc/containers/systemd/app.container')).toBe(false)
  })

  it('writes quadlet-runtime.json in the documented shape', () => {
    const doc = JSON.parse(renderQuadletRuntime(planQuadlets(units)))
    expect(doc.app_user).toBe('appsvc')
    expect(doc.rootless_network).toBe('pasta')
    expect(doc.units[0]).toEqual({
      name: 'proxy',
      filename: 'proxy.container',
      service: 'proxy.service',
      mode: 'rootful',
    })
  })
})

describe('package surface', () => {
  it('exports exactly the documented API', () => {
    expect(Object.keys(api).sort()).toEqual([
      'planQuadlets',
      'quadletDeviceFiles',
      'renderQuadlet',
      'renderQuadletRuntime',
    ])
  })

  it('is pure: no node: imports, no process, clock or randomness in src', () => {
    const src = fileURLToPath(new URL('../src/', import.meta.url))
    for (const file of readdirSync(src)) {
      const text = readFileSync(src + file, 'utf8')
      expect(text, file).not.toMatch(/from 'node:|process\.|Date\.|Math\.random/)
    }
  })
})
