import { describe, expect, it } from 'vitest'
import { nodeLog } from '../../src/node/log.js'

describe('nodeLog', () => {
  it('writes one line per event, quoting values that would break the line', () => {
    const lines: string[] = []
    const saved = process.env.JOURNAL_STREAM
    delete process.env.JOURNAL_STREAM
    try {
      const log = nodeLog((text) => lines.push(text))
      log.warn('reverting\nto previous', { generation: 'g2', reason: 'nft -c failed: line 3', skipped: undefined })
      log.info('ok', { n: 1, ok: true })
    } finally {
      if (saved !== undefined) process.env.JOURNAL_STREAM = saved
    }
    expect(lines).toEqual([
      'warning: reverting\\nto previous generation=g2 reason="nft -c failed: line 3"\n',
      'info: ok n=1 ok=true\n',
    ])
  })

  it('uses journald priority prefixes under systemd', () => {
    const lines: string[] = []
    const saved = process.env.JOURNAL_STREAM
    process.env.JOURNAL_STREAM = '8:1234'
    try {
      nodeLog((text) => lines.push(text)).error('mark-bad', { slot: 'B' })
    } finally {
      if (saved === undefined) delete process.env.JOURNAL_STREAM
      else process.env.JOURNAL_STREAM = saved
    }
    expect(lines).toEqual(['<3>mark-bad slot=B\n'])
  })
})
