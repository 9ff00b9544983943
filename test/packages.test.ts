import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'

const root = new URL('../', import.meta.url)
const read = (path: string) => readFileSync(new URL(path, root), 'utf8')
const workspaces: string[] = JSON.parse(read('package.json')).workspaces

// What a user of the published packages relies on; `npm run check:packages` then packs and loads each one.
describe.each(workspaces)('%s/package.json', (dir) => {
  const manifest = JSON.parse(read(`${dir}/package.json`))

  it('states its licence, repository and engines, and carries the LICENSE', () => {
    expect(manifest.license).toBe('MIT')
    expect(manifest.repository).toEqual({ ...JSON.parse(read('package.json')).repository, directory: dir })
    expect(manifest.engines).toEqual(JSON.parse(read('package.json')).engines)
    expect(manifest.files).toContain('LICENSE')
    // The package's LICENSE is the root's, followed by the notices of any code its build inlines.
    expect(read(`${dir}/LICENSE`).startsWith(read('LICENSE'))).toBe(true)
    expect(read('LICENSE')).toMatch(/^MIT License\n\nCopyright \(c\) \d{4} AtomicNix contributors\n/)
  })

  it('exports ./package.json and every entry for import and require, each with its own types', () => {
    expect(manifest.exports['./package.json']).toBe('./package.json')
    for (const [subpath, target] of Object.entries<unknown>(manifest.exports)) {
      if (typeof target === 'string') continue
      const { import: esm, require: cjs } = target as Record<string, Record<string, string>>
      expect(esm?.types, subpath).toMatch(/\.d\.ts$/)
      expect(esm?.default, subpath).toMatch(/\.js$/)
      expect(cjs?.types, subpath).toMatch(/\.d\.cts$/)
      expect(cjs?.default, subpath).toMatch(/\.cjs$/)
    }
  })
})
