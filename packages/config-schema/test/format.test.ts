import { describe, expect, it } from 'vitest'
import { formatIssues, type Issue } from '../src/index.js'

const issue: Issue = {
  code: 'unknown_key',
  severity: 'error',
  path: 'lan.dhcp_strat',
  message: 'Unknown key "dhcp_strat" (did you mean "dhcp_start"?).',
  line: 2,
  column: 3,
}

describe('formatIssues', () => {
  it('prints file:line:col severity[code] path: message and a caret frame', () => {
    expect(formatIssues([issue], '[lan]\n  dhcp_strat = "x"\n')).toBe(
      [
        'config.toml:2:3 error[unknown_key] lan.dhcp_strat: Unknown key "dhcp_strat" (did you mean "dhcp_start"?).',
        ' 2 |   dhcp_strat = "x"',
        '   |   ^',
      ].join('\n'),
    )
  })
  it('keeps tabs so that the caret lines up, and shows control characters as ?', () => {
    const out = formatIssues([{ ...issue, line: 1, column: 3 }], '\t\tx = "\u001b[31m"', 'c.toml')
    expect(out.split('\n').slice(1)).toEqual([' 1 | \t\tx = "?[31m"', '   | \t\t^'])
  })
  it('without positions or source prints one line per issue; colour only on request', () => {
    const { line: _l, column: _c, ...json } = issue
    expect(formatIssues([json, { ...json, path: '', severity: 'warning' }], undefined, 'body.json')).toBe(
      'body.json error[unknown_key] lan.dhcp_strat: Unknown key "dhcp_strat" (did you mean "dhcp_start"?).\n' +
        'body.json warning[unknown_key]: Unknown key "dhcp_strat" (did you mean "dhcp_start"?).',
    )
    expect(formatIssues([issue], 'a\nb', 'f', { color: true })).toContain('\u001b[1;31merror[unknown_key]\u001b[0m')
  })
})
