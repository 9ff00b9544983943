import { describe, expect, it } from 'vitest'
import * as api from '../src/index.js'
import * as node from '../src/node/index.js'

describe('public API', () => {
  it('the main entry exports the pure core (the CLI is the bin, not an export)', () => {
    expect(Object.keys(api).sort()).toEqual([
      'APPLY_TIMEOUTS_MS',
      'APPLY_UNITS',
      'BUNDLE_ISSUE_CODES',
      'BusyError',
      'CHALLENGE_HEADER',
      'DEFAULT_BODY_LIMIT',
      'DEFAULT_BUNDLE_LIMITS',
      'DEFAULT_CONFIRM_POLICY',
      'HttpError',
      'IoError',
      'SEED_NAMES',
      'SIGNATURE_HEADER',
      'SIGNATURE_NAMESPACE',
      'applyCurrent',
      'checkBootEnv',
      'checkDeviceInput',
      'compareVersions',
      'compileDevice',
      'createApiApp',
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
      'parseSshSignature',
      'planHealthChecks',
      'readBootJournal',
      'readBundle',
      'readLastApply',
      'sha256Hex',
      'signedMessage',
      'verifySshSignature',
    ])
  })

  it('the ./node entry exports the Node adapters of the ports', () => {
    expect(Object.keys(node).sort()).toEqual([
      'DEFAULT_LIMITS',
      'ListenError',
      'listenHttp',
      'nodeClock',
      'nodeExec',
      'nodeFiles',
      'nodeHttp',
      'nodeLog',
      'nodeOutput',
    ])
  })
})
