import { describe, expect, it } from 'vitest'
import * as api from '../src/index.js'

describe('public API', () => {
  it('exports compileDevice and IoError (the CLI is the bin, not an export)', () => {
    expect(Object.keys(api).sort()).toEqual(['IoError', 'compileDevice'])
  })
})
