/**
 * A strict reader for the scripts renderNftables writes: it accepts exactly the expected layout and grammar and
 * returns what each interface lets in, so properties can compare a script with the oracle without trusting the plan.
 */

/** Ports accepted on one interface: `all` for an open interface, else per-protocol port sets. */
export type Accepted = 'all' | { tcp: Set<number>; udp: Set<number>; icmpEcho: boolean }

const HEADER = [
  'table inet atomicnix',
  'delete table inet atomicnix',
  '',
  'table inet atomicnix {',
  '\tchain input {',
  '\t\ttype filter hook input priority filter; policy drop;',
]
const FOOTER = [
  '\t}',
  '',
  '\tchain forward {',
  '\t\ttype filter hook forward priority filter; policy drop;',
  '\t}',
  '',
  '\tchain output {',
  '\t\ttype filter hook output priority filter; policy accept;',
  '\t}',
  '}',
  '',
]
const LOOPBACK = '\t\tiifname "lo" accept comment "platform"'
const FOREIGN_DESTINATION =
  /^\t\tiifname "([A-Za-z0-9_.-]{1,15})" fib daddr \. iif type != \{ local, broadcast, multicast \} drop comment "platform"$/
const PLATFORM = [
  '\t\tct state established,related accept comment "platform"',
  '\t\tct state invalid drop comment "platform"',
  '\t\ticmpv6 type { nd-router-solicit, nd-router-advert, nd-neighbor-solicit, nd-neighbor-advert } ip6 hoplimit 255 accept comment "platform"',
  '\t\ticmp type { destination-unreachable, time-exceeded, parameter-problem } accept comment "platform"',
  '\t\ticmpv6 type { destination-unreachable, packet-too-big, time-exceeded, parameter-problem } accept comment "platform"',
]
const RULE =
  /^\t\tiifname "([A-Za-z0-9_.-]{1,15})" (?:(tcp|udp) dport (\d+|\d+-\d+|\{ [\d, -]+ \}) |(icmp|icmpv6) type echo-request )?accept comment "([A-Za-z0-9_.[\]-]{1,128})"$/

/** The parsed script: accepted traffic per interface, and each rule's comment. */
export interface ParsedScript {
  /** The interface whose packets must be addressed to that interface itself (the WAN). */
  readonly strictInterface: string
  readonly accepted: Map<string, Accepted>
  readonly comments: string[]
}

function expandSet(text: string): number[] {
  const items = text.startsWith('{') ? text.slice(2, -2).split(', ') : [text]
  return items.flatMap((item) => {
    const [from, to] = item.split('-').map(Number) as [number, number | undefined]
    if (to === undefined) return [from]
    if (!(to - from >= 1)) throw new Error(`bad interval ${item}`)
    return Array.from({ length: to - from + 1 }, (_, i) => from + i)
  })
}

/** Parses a rendered script or throws describing the first line that does not fit. */
export function parseScript(script: string): ParsedScript {
  const lines = script.split('\n')
  let i = 0
  while (lines[i]?.startsWith('# ')) i++
  const expectLines = (expected: readonly string[]) => {
    for (const line of expected) {
      if (lines[i] !== line)
        throw new Error(`line ${i + 1}: expected ${JSON.stringify(line)}, got ${JSON.stringify(lines[i])}`)
      i++
    }
  }
  expectLines(HEADER)
  expectLines([LOOPBACK])
  const strict = FOREIGN_DESTINATION.exec(lines[i] ?? '')
  if (!strict) throw new Error(`line ${i + 1}: expected the foreign-destination drop, got ${JSON.stringify(lines[i])}`)
  i++
  expectLines(PLATFORM)
  const accepted = new Map<string, Accepted>()
  const comments: string[] = []
  while (lines[i] !== '\t}') {
    const match = RULE.exec(lines[i] ?? '')
    if (!match) throw new Error(`line ${i + 1}: not a rule: ${JSON.stringify(lines[i])}`)
    const [, iif, protocol, set, icmp, comment] = match as unknown as (string | undefined)[]
    comments.push(comment!)
    let entry = accepted.get(iif!)
    if (entry === 'all') throw new Error(`line ${i + 1}: rule after an open interface`)
    if (protocol === undefined && icmp === undefined) {
      if (entry !== undefined) throw new Error(`line ${i + 1}: open interface after port rules`)
      accepted.set(iif!, 'all')
    } else {
      entry ??= { tcp: new Set(), udp: new Set(), icmpEcho: false }
      accepted.set(iif!, entry)
      if (icmp !== undefined) entry.icmpEcho = true
      else for (const port of expandSet(set!)) entry[protocol as 'tcp' | 'udp'].add(port)
    }
    i++
  }
  expectLines(FOOTER)
  if (i !== lines.length) throw new Error('text after the table')
  return { strictInterface: strict[1]!, accepted, comments }
}
