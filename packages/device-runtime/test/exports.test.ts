import { describe, expect, it } from 'vitest'
import * as api from '../src/index.js'
import * as node from '../src/node/index.js'

describe('public API', () => {
  it('the main entry exports the pure core (the CLI is the bin, not an export)', () => {
    expect(Object.keys(api).sort()).toEqual([
      'BUNDLE_ISSUE_CODES',
      'DEFAULT_BUNDLE_LIMITS',
      'IoError',
      'compileDevice',
      'detectFormat',
      'importConfig',
      'openGenerations',
      'readBundle',
    ])
  })

  it('the ./node entry exports the Node adapters of the ports', () => {
    expect(Object.keys(node).sort()).toEqual(['nodeClock', 'nodeExec', 'nodeFiles', 'nodeLog', 'nodeOutput'])
  })
})
