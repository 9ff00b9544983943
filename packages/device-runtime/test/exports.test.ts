import { describe, expect, it } from 'vitest'
import * as api from '../src/index.js'

describe('public API', () => {
  it('exports compileDevice, the pure confirmation and upgrade decisions, the journal reader and the errors', () => {
    expect(Object.keys(api).sort()).toEqual([
      'DEFAULT_CONFIRM_POLICY',
      'HttpError',
      'IoError',
      'checkBootEnv',
      'compareVersions',
      'compileDevice',
      'decideCommitted',
      'decideOffer',
      'decideTrial',
      'judgeCheck',
      'parseBootEnv',
      'parseOffer',
      'parseRaucStatus',
      'planHealthChecks',
      'readBootJournal',
    ])
  })
})
