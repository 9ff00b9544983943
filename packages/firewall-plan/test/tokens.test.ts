import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { isCommentText, isInterfaceName } from '../src/options.js'

// The regular expressions that the character loops replace: the loops must accept exactly what these accept.
const INTERFACE_NAME = /^[A-Za-z0-9_.-]{1,15}$/
const COMMENT = /^[A-Za-z0-9_.[\]-]+$/

// Characters at and around the edges of each accepted range, and some that need quoting or escaping.
const edgy = fc.constantFrom(
  ...'AZaz09_.-[]@`{/:\\"\' \t\n\u0000\u007f\u00e9\u0130\u212a\ud800'.split(''),
  'b',
  'M',
  '5',
)
const text = fc.oneof(
  fc.array(edgy, { maxLength: 20 }).map((cs) => cs.join('')),
  fc.string({ maxLength: 20 }),
  fc.constantFrom('', '.', '..', '...', 'a'.repeat(15), 'a'.repeat(16), 'eth0', 'firewall.inbound.wan.tcp'),
)

describe('token checks', () => {
  it('accept an interface name exactly when the regular expression does (and not . or ..)', () => {
    fc.assert(
      fc.property(text, (s) => {
        expect(isInterfaceName(s)).toBe(INTERFACE_NAME.test(s) && s !== '.' && s !== '..')
      }),
      { numRuns: 20000 },
    )
  })

  it('accept a comment exactly when the regular expression does', () => {
    fc.assert(
      fc.property(text, (s) => {
        expect(isCommentText(s)).toBe(COMMENT.test(s))
      }),
      { numRuns: 20000 },
    )
  })

  it('refuse what is not a string', () => {
    for (const value of [undefined, null, 42, ['eth0'], { toString: () => 'eth0' }]) {
      expect(isInterfaceName(value)).toBe(false)
      expect(isCommentText(value as unknown as string)).toBe(false)
    }
  })
})
