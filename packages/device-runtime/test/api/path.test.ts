import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { pathOf } from '../../src/api/app.js'

const pathChars = [
  'a',
  'Z',
  '0',
  '-',
  '_',
  '~',
  '.',
  '/',
  '%',
  '2e',
  '?',
  '#',
  '\\',
  ' ',
  '@',
  ':',
  ';',
  'é',
  '\t',
  '..',
]

describe('pathOf', () => {
  it('gives what the URL parser gives, for plain and odd paths alike', () => {
    const authority = fc.constantFrom('127.0.0.1:8080', '[::1]:80', 'gateway.lan:8080', 'a@b', '', 'x y', 'HOST')
    const path = fc.array(fc.constantFrom(...pathChars), { maxLength: 12 }).map((parts) => parts.join(''))
    const scheme = fc.constantFrom('http://', 'https://', 'HTTP://')
    fc.assert(
      fc.property(scheme, authority, path, (s, a, p) => {
        const url = `${s}${a}${p}`
        let expected: string | Error
        try {
          expected = new URL(url).pathname
        } catch (error) {
          expected = error as Error
        }
        if (expected instanceof Error) expect(() => pathOf(url)).toThrow()
        else expect(pathOf(url)).toBe(expected)
      }),
      { numRuns: 5000 },
    )
  })

  it('takes the usual paths as they are, and leaves dot segments to the parser', () => {
    expect(pathOf('http://127.0.0.1:8080/api/validate')).toBe('/api/validate')
    expect(pathOf('http://127.0.0.1:8080/console.js')).toBe('/console.js')
    expect(pathOf('http://127.0.0.1:8080/api/x/../validate')).toBe('/api/validate')
    expect(pathOf('http://127.0.0.1:8080/api/./validate/.')).toBe('/api/validate/')
    expect(pathOf('http://127.0.0.1:8080/api/validate?x=1')).toBe('/api/validate')
    expect(pathOf('http://127.0.0.1:8080')).toBe('/')
  })
})
