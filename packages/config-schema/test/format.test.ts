import { describe, expect, it } from 'vitest'
import { formatIssues, type Issue, parseConfig } from '../src/index.js'

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
  it('keeps tabs so that the caret lines up, and escapes control characters', () => {
    const out = formatIssues([{ ...issue, line: 1, column: 9 }], '\t\u001bx = "\u001b[31m"', 'c.toml')
    expect(out.split('\n').slice(1)).toEqual([' 1 | \t\\u001bx = "\\u001b[31m"', `   | \t${' '.repeat(17)}^`])
  })
  it('without positions or source prints one line per issue; colour only on request', () => {
    const { line: _l, column: _c, ...json } = issue
    expect(formatIssues([json, { ...json, path: '', severity: 'warning' }], undefined, 'body.json')).toBe(
      'body.json error[unknown_key] lan.dhcp_strat: Unknown key "dhcp_strat" (did you mean "dhcp_start"?).\n' +
        'body.json warning[unknown_key]: Unknown key "dhcp_strat" (did you mean "dhcp_start"?).',
    )
    expect(formatIssues([issue], 'a\nb', 'f', { color: true })).toContain('\u001b[1;31merror[unknown_key]\u001b[0m')
  })

  it('never prints a raw control character, whatever the file name, path, message or source holds', () => {
    const evil = 'a\u001b[2K\r\nvalid\u009b31m\u202e\u0007'
    const out = formatIssues(
      [{ ...issue, path: evil, message: `Unknown key "${evil}".`, line: 1, column: 2 }],
      `${evil} = 1`,
      evil,
    )
    expect(out).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e]/)
    // Line breaks come from the frame only: header, source line, caret line.
    expect(out.split('\n')).toHaveLength(3)
    expect(out).toContain('\\u001b[2K\\u000d\\u000avalid\\u009b31m\\u202e\\u0007')
  })

  it('bounds each frame to a window around the column, and the whole output', () => {
    const line = `${'a'.repeat(5000)}X${'b'.repeat(5000)}`
    const [, shown, caret] = formatIssues([{ ...issue, line: 1, column: 5001 }], line).split('\n')
    expect(shown).toBe(` 1 | …${'a'.repeat(80)}X${'b'.repeat(79)}…`)
    expect(caret!.indexOf('^')).toBe(shown!.indexOf('X'))
    const many = Array.from({ length: 5000 }, (_, i) => ({ ...issue, line: 1, column: i + 1 }))
    const out = formatIssues(many, line)
    expect(out.split('\n')).toHaveLength(3 * 100 + 1)
    expect(out.endsWith('… and 4900 more issues')).toBe(true)
    expect(out.length).toBeLessThan(100 * 500)
    expect(formatIssues(many.slice(0, 3), line, 'f', { maxIssues: 2 }).endsWith('… and 1 more issue')).toBe(true)
    expect(
      formatIssues(many.slice(0, 300), line, 'f', { maxIssues: Number.POSITIVE_INFINITY }).split('\n'),
    ).toHaveLength(900)
  })

  it('does not split a surrogate pair at the edge of the window', () => {
    const line = `${'😀'.repeat(100)}`
    const [, shown] = formatIssues([{ ...issue, line: 1, column: 101 }], line).split('\n')
    expect(shown).not.toMatch(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/)
  })
})

describe('a leading byte order mark', () => {
  it('is no column of line 1, in issues and in frames', () => {
    const text = '\ufeffversion = 2\n'
    const result = parseConfig(text)
    const unsupported = result.ok ? undefined : result.errors.find((e) => e.code === 'unsupported_version')
    expect(unsupported).toMatchObject({ line: 1, column: 11 })
    expect(parseConfig(text.slice(1)).ok ? undefined : parseConfig(text.slice(1))).toMatchObject({
      errors: expect.arrayContaining([expect.objectContaining({ code: 'unsupported_version', column: 11 })]),
    })
    const syntax = parseConfig('\ufeffversion = = 1\n')
    expect(syntax.ok ? undefined : syntax.errors[0]).toMatchObject({ code: 'toml_syntax', line: 1 })
    const plain = parseConfig('version = = 1\n')
    expect(syntax.ok || plain.ok ? 0 : syntax.errors[0]!.column).toBe(plain.ok ? -1 : plain.errors[0]!.column)
    const [, shown, caret] = formatIssues([unsupported!], text).split('\n')
    expect(shown).toBe(' 1 | version = 2')
    expect(caret!.indexOf('^')).toBe(shown!.indexOf('2'))
  })

  it('messages from the rules carry no control characters either', () => {
    const result = parseConfig('version = 1\n"\\u001b[2Kvalid" = 1\n')
    const unknown = result.ok ? undefined : result.errors.find((e) => e.code === 'unknown_key')
    expect(unknown?.message).toContain('\\u001b[2Kvalid')
    expect(unknown?.message).not.toContain('\u001b')
    expect(unknown?.path).toBe('"\\u001b[2Kvalid"')
  })
})
