import { describe, expect, it } from 'vitest'
import { validFixtures } from '../../../test/support/config-fixtures.js'
import { compileDevice } from '../src/index.js'

describe('compileDevice', () => {
  for (const fixture of validFixtures()) {
    it(`${fixture.name}: every file once, sorted, relative, with a trailing newline and a device mode`, () => {
      const result = compileDevice(fixture.text, { mac: '02:00:5e:10:20:30' })
      expect(result.ok).toBe(true)
      if (!result.ok) return
      const paths = result.value.files.map((f) => f.path)
      expect(paths).toEqual([...new Set(paths)].sort())
      for (const file of result.value.files) {
        expect(file.path).not.toMatch(/^\/|(^|\/)\.\.?(\/|$)/)
        expect(typeof file.contents, file.path).toBe('string')
        expect((file.contents as string).endsWith('\n'), file.path).toBe(true)
        expect([0o600, 0o644]).toContain(file.mode)
      }
      expect(result.value.files.find((f) => f.path === 'data/config/config.toml')?.contents).toBe(fixture.text)
      expect(compileDevice(fixture.text, { mac: '02:00:5e:10:20:30' })).toEqual(result)
    })
  }

  it('an invalid config yields errors and no files', () => {
    const result = compileDevice('version = 1\n')
    expect(result.ok).toBe(false)
    expect('value' in result).toBe(false)
  })
})
