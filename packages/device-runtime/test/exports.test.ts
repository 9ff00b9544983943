import { describe, expect, it } from 'vitest'
import * as api from '../src/index.js'
import * as node from '../src/node/index.js'

describe('public API', () => {
  it('the main entry exports the pure core (the CLI is the bin, not an export)', () => {
    expect(Object.keys(api).sort()).toEqual([
      'APPLY_TIMEOUTS_MS',
      'APPLY_UNITS',
      'BUNDLE_ISSUE_CODES',
      'DEFAULT_BUNDLE_LIMITS',
      'DEFAULT_CONFIRM_POLICY',
      'HttpError',
      'IoError',
      'SEED_NAMES',
      'applyCurrent',
      'checkBootEnv',
      'compareVersions',
      'compileDevice',
      'decideCommitted',
      'decideOffer',
      'decideTrial',
      'detectFormat',
      'downloadBundle',
      'firstBoot',
      'formatApplyReport',
      'importConfig',
      'judgeCheck',
      'openGenerations',
      'parseBootEnv',
      'parseOffer',
      'parseRaucStatus',
      'planHealthChecks',
      'readBootJournal',
      'readBundle',
      'readLastApply',
    ])
  })

  it('the ./node entry exports the Node adapters of the ports', () => {
    expect(Object.keys(node).sort()).toEqual([
      'nodeClock',
      'nodeExec',
      'nodeFiles',
      'nodeHttp',
      'nodeLog',
      'nodeOutput',
    ])
  })
})
