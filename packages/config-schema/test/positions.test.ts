import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { parseConfig } from '../src/index.js'
import { configText } from './arbitrary-config.js'

/** The text at an issue's line and column. */
function at(text: string, line: number | undefined, column: number | undefined): string {
  const source = text.split('\n')[(line ?? 0) - 1] ?? ''
  return source.slice((column ?? 1) - 1)
}

describe('issue positions', () => {
  it('generated configs without faults are valid', () => {
    fc.assert(
      fc.property(configText(false), ({ text }) => {
        const result = parseConfig(text)
        expect(result.ok ? [] : result.errors).toEqual([])
      }),
      { numRuns: 300 },
    )
  })

  it('one planted fault is reported once, at the line and column of its key or value', () => {
    fc.assert(
      fc.property(configText(true), ({ text, fault, anchor }) => {
        const result = parseConfig(text)
        expect(result.ok).toBe(false)
        if (result.ok || fault === undefined) return
        const hits = result.errors.filter((e) => e.code === fault.code)
        expect(hits, text).toHaveLength(1)
        const issue = hits[0]!
        // The marker occurs once in the document, so the position must be exactly where it stands.
        expect(text.split(fault.marker)).toHaveLength(2)
        // Keys and values alike: the text at the reported column starts with the planted key or literal.
        const there = at(text, issue.line, issue.column)
        expect(there.startsWith(fault.marker), `${anchor} ${issue.path} -> ${there}`).toBe(true)
      }),
      { numRuns: 600 },
    )
  })
})

/** Asserts that the issue with `code` points at `line:column` of `text`. */
function expectAt(text: string, code: string, path: string, line: number, column: number): void {
  const result = parseConfig(text)
  const issues = result.ok ? result.warnings : [...result.errors, ...result.warnings]
  const issue = issues.find((i) => i.code === code && i.path === path)
  expect(issue, JSON.stringify(issues)).toBeDefined()
  expect({ line: issue!.line, column: issue!.column }).toEqual({ line, column })
}

const HEAD = `version = 1
[admin]
ssh_keys = ["ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIIHfTcrdK6PyhPLrqKNmRkAO2OkRmpVpUpxvBEthfD0B a"]
[firewall.inbound]
tcp = [443]
`

describe('hand-written positions', () => {
  it('a value inside an inline table', () => {
    const text = `lan = { domain = "ok", gateway_aliases = ["fine", "bad_one"] }\n${HEAD}[container.a]\nprivileged = false\nContainer = { Image = "x" }\n`
    expectAt(text, 'dns_name_invalid', 'lan.gateway_aliases[1]', 1, 51)
  })

  it('an unknown key inside an inline table', () => {
    const text = `${HEAD}[container.a]\nprivileged = false\nContainer = { Image = "x", Imagee = "y" }\n`
    const result = parseConfig(text)
    expect(result.ok).toBe(false)
    const issue = result.ok ? undefined : result.errors.find((e) => e.path === 'container.a.Container.Imagee')
    expect(issue).toMatchObject({ line: 8, column: 28 })
  })

  it('dotted keys at the root and inside a table', () => {
    const text = `version = 1\nlan.dhcp_end = "172.20.30.300"\n${HEAD.slice(12)}[container.a]\nprivileged = false\nContainer.Image = "x"\nContainer.Unknownkey = 1\n`
    expectAt(text, 'lan_address_invalid', 'lan.dhcp_end', 2, 16)
    const result = parseConfig(text)
    const issue = result.ok ? undefined : result.errors.find((e) => e.path === 'container.a.Container.Unknownkey')
    expect(issue).toMatchObject({ line: 10, column: 11 })
  })

  it('elements of a multi-line array with comments', () => {
    const text = `version = 1\n[admin]\nssh_keys = ["ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIIHfTcrdK6PyhPLrqKNmRkAO2OkRmpVpUpxvBEthfD0B a"]\n[firewall.inbound]\ntcp = [\n  443, # https\n  # nothing here\n  0,\n  22,\n]\n[container.a]\nprivileged = false\nContainer.Image = "x"\n`
    expectAt(text, 'port_out_of_range', 'firewall.inbound.tcp[1]', 8, 3)
  })

  it('an array of tables and a key inside it', () => {
    const text = `${HEAD}[container.a]\nprivileged = false\n[container.a.Container]\nImage = "x"\n[[container.a.Container.Label]]\nname = "x"\n[[container.a.Container.Label]]\nname = "y"\n`
    expectAt(text, 'quadlet_value_type', 'container.a.Container.Label[0]', 10, 1)
  })

  it('keys after arrays of tables resolve to the last element', () => {
    const text = `${HEAD}[[lan]]\n[[lan]]\n`
    expectAt(text, 'wrong_type', 'lan', 6, 1)
  })

  it('a missing key points at its table header', () => {
    const text = `${HEAD}\n  [container.web]   # no privileged\n\n[container.web.Container]\nImage = "x"\n`
    expectAt(text, 'missing_key', 'container.web.privileged', 7, 3)
  })

  it('multi-line strings before the fault do not shift lines', () => {
    const text = `${HEAD}[container.a]\nprivileged = true\n[container.a.Unit]\nDescription = """\nline one \\\n  continued [not.a.table]\n"""\n[container.a.Container]\nImage = '''x'''\nBogus = 1\n`
    const result = parseConfig(text)
    const issue = result.ok ? undefined : result.errors.find((e) => e.path === 'container.a.Container.Bogus')
    expect(issue).toMatchObject({ line: 15, column: 1 })
  })

  it('escaped quotes and backslashes in strings do not end them early', () => {
    const strings = [
      'Description = "say \\"hi\\" [x] \\\\ end"',
      'Documentation = """a \\""" [b] \\\\ c"""',
      "After = 'C:\\ x'",
      "Wants = '''x\\ y'''",
      '"Odd\\".Key" = 1',
    ]
    const text = `${HEAD}[container.a]\nprivileged = true\n[container.a.Unit]\n${strings.join('\n')}\n[container.a.Container]\nImage = "x"\nBogus = 1\n`
    expectAt(text, 'quadlet_key_invalid', 'container.a.Unit."Odd\\".Key"', 13, 1)
    expectAt(text, 'quadlet_key_unknown', 'container.a.Container.Bogus', 16, 1)
  })

  it('quoted keys containing dots, and positions after non-ASCII text', () => {
    const text = `${HEAD}[container.a]\nprivileged = true\n[container.a.Unit]\nDescription = "Grüße 🚀 [x]"\n"Odd.Key" = 1\n`
    expectAt(text, 'quadlet_key_invalid', 'container.a.Unit."Odd.Key"', 10, 1)
  })

  it('a TOML syntax error carries the parser position', () => {
    const result = parseConfig('version = 1\n[admin\n')
    expect(result.ok).toBe(false)
    if (!result.ok) expect(result.errors).toEqual([expect.objectContaining({ code: 'toml_syntax', line: 2 })])
  })
})
