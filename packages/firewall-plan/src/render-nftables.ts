import { FIREWALL_TABLE, MAX_COMMENT_BYTES } from './constants.js'
import { isCommentText, isInterfaceName } from './options.js'
import type { FirewallChain, FirewallPlan, FirewallRule, IcmpType, Icmpv6Type } from './plan.js'
import { FIXED_RULES } from './plan-firewall.js'

const TABLE = `${FIREWALL_TABLE.family} ${FIREWALL_TABLE.name}`

const CT_STATES = new Set(['established', 'related', 'invalid', 'new', 'untracked'])
const ICMP_TYPES: Readonly<Record<'icmp' | 'icmpv6', ReadonlySet<string>>> = {
  icmp: new Set<IcmpType>(['echo-request', 'destination-unreachable', 'time-exceeded', 'parameter-problem']),
  icmpv6: new Set<Icmpv6Type>([
    'echo-request',
    'destination-unreachable',
    'packet-too-big',
    'time-exceeded',
    'parameter-problem',
    'nd-router-solicit',
    'nd-router-advert',
    'nd-neighbor-solicit',
    'nd-neighbor-advert',
  ]),
}

function fail(what: string): never {
  throw new TypeError(`renderNftables: ${what}; render only plans made by planFirewall`)
}

/** The `iifname "<name>" ` match of a rule. */
function iifMatch(name: string): string {
  if (!isInterfaceName(name)) fail(`invalid interface name ${JSON.stringify(name)}`)
  return `iifname "${name}" `
}

/**
 * nft anonymous-set syntax. Runs of three or more consecutive ports become intervals to keep long lists short; a set
 * with an interval is an interval set, where nft also joins runs of two, so we do the same and `nft list` prints
 * exactly what we wrote.
 */
function portSet(ports: readonly number[]): string {
  if (ports.length === 0) fail('a port rule needs at least one port')
  for (const port of ports) if (!Number.isInteger(port) || port < 1 || port > 65535) fail(`invalid port ${port}`)
  if (ports.length === 1) return String(ports[0])
  const sorted = [...new Set(ports)].sort((a, b) => a - b)
  const runs: [number, number][] = []
  for (const port of sorted) {
    const last = runs[runs.length - 1]
    if (last && last[1] + 1 === port) last[1] = port
    else runs.push([port, port])
  }
  const interval = runs.some(([from, to]) => to - from >= 2)
  const items: string[] = []
  for (const [from, to] of runs) {
    if (from === to) items.push(String(from))
    else if (interval) items.push(`${from}-${to}`)
    else for (let port = from; port <= to; port++) items.push(String(port))
  }
  // nft turns a one-element set into a plain value or range (`nft list` shows `dport 1-3`), so we write it that way.
  return items.length === 1 ? items[0]! : `{ ${items.join(', ')} }`
}

function typeSet(protocol: 'icmp' | 'icmpv6', types: readonly string[]): string {
  if (types.length === 0) fail('an ICMP rule needs at least one type')
  for (const type of types)
    if (!ICMP_TYPES[protocol].has(type)) fail(`invalid ${protocol} type ${JSON.stringify(type)}`)
  return types.length === 1 ? types[0]! : `{ ${types.join(', ')} }`
}

function comment(source: string): string {
  // Comments are config paths or fixed words; their alphabet can neither end the quoted string nor start a new token.
  if (!isCommentText(source)) fail(`invalid rule source ${JSON.stringify(source)}`)
  // The alphabet is ASCII, so characters are bytes.
  if (source.length > MAX_COMMENT_BYTES) fail(`rule source longer than ${MAX_COMMENT_BYTES} bytes`)
  return `comment "${source}"`
}

function renderRule(rule: FirewallRule): string {
  let text = rule.iif === undefined ? '' : iifMatch(rule.iif)
  if (rule.ctState !== undefined) {
    if (rule.ctState.length === 0) fail('ctState must not be empty')
    for (const state of rule.ctState) if (!CT_STATES.has(state)) fail(`invalid ct state ${JSON.stringify(state)}`)
    text += `ct state ${rule.ctState.join(',')} `
  }
  switch (rule.protocol) {
    case 'tcp':
    case 'udp':
      text += `${rule.protocol} dport ${portSet(rule.ports)} `
      break
    case 'icmp':
      text += `icmp type ${typeSet('icmp', rule.icmpTypes)} `
      break
    case 'icmpv6':
      text += `icmpv6 type ${typeSet('icmpv6', rule.icmpTypes)} `
      if (rule.hopLimit !== undefined) {
        if (!Number.isInteger(rule.hopLimit) || rule.hopLimit < 0 || rule.hopLimit > 255) fail('invalid hop limit')
        text += `ip6 hoplimit ${rule.hopLimit} `
      }
      break
    case undefined:
      if (rule.foreignDestination === true) {
        if (rule.iif === undefined) fail('a foreign-destination rule needs an input interface')
        text += 'fib daddr . iif type != { local, broadcast, multicast } '
      } else if (rule.foreignDestination !== undefined) fail('foreignDestination must be true or absent')
      break
    default:
      fail(`unknown protocol ${JSON.stringify((rule as { protocol: unknown }).protocol)}`)
  }
  if (rule.verdict !== 'accept' && rule.verdict !== 'drop') fail(`invalid verdict ${JSON.stringify(rule.verdict)}`)
  return `${text}${rule.verdict} ${comment(rule.source)}`
}

// The planner's fixed rules are frozen, so their lines are rendered once, here; any other rule, equal or not, is
// checked and rendered where it is met.
// Each is stored as the whole chain line, indent and newline included.
const FIXED_LINES: ReadonlyMap<FirewallRule, string> = new Map(
  FIXED_RULES.map((rule) => [rule, `\t\t${renderRule(rule)}\n`]),
)

// Established, invalid, neighbour discovery, ICMP and ICMPv6 errors: planFirewall lists them one after the other.
const FIXED_RUN = FIXED_RULES.slice(1)
const FIXED_RUN_LINES = FIXED_RUN.map((rule) => FIXED_LINES.get(rule)).join('')

/** True when `rules` holds the whole of FIXED_RUN, in order, from `at`. */
function isFixedRun(rules: readonly FirewallRule[], at: number): boolean {
  if (at + FIXED_RUN.length > rules.length) return false
  for (let k = 1; k < FIXED_RUN.length; k++) if (rules[at + k] !== FIXED_RUN[k]) return false
  return true
}

// The table body is written the way `nft list table` prints it (named priority, blank line between chains), so that the
// loaded table can be compared with the script line for line.
function renderChain(chain: FirewallChain, index: number): string {
  if (!Number.isInteger(chain.priority)) fail('chain priority must be an integer')
  if (chain.policy !== 'accept' && chain.policy !== 'drop') fail(`invalid policy ${JSON.stringify(chain.policy)}`)
  const priority = chain.priority === 0 ? 'filter' : String(chain.priority)
  let text = `${index > 0 ? '\n' : ''}\tchain ${chain.name} {\n\t\ttype filter hook ${chain.hook} priority ${priority}; policy ${chain.policy};\n`
  const rules = chain.rules
  for (let i = 0; i < rules.length; i++) {
    const rule = rules[i]!
    // The planner's run of five fixed rules after the WAN drop, met in that order, is one string.
    if (rule === FIXED_RUN[0] && isFixedRun(rules, i)) {
      text += FIXED_RUN_LINES
      i += FIXED_RUN.length - 1
    } else text += FIXED_LINES.get(rule) ?? `\t\t${renderRule(rule)}\n`
  }
  return `${text}\t}\n`
}

const HEADER = [
  '# AtomicNix gateway firewall, rendered from config.toml; load with `nft -f`.',
  `# nft applies a file as one transaction (nft(8), -f): the first line creates the table if it is missing so that`,
  '# the delete cannot fail, and the delete clears it, so the definition below replaces it whole or not at all.',
  '# No other table is touched: the ruleset is never flushed.',
  `table ${TABLE}`,
  `delete table ${TABLE}`,
  '',
  `table ${TABLE} {`,
  '',
].join('\n')

/**
 * Renders a plan as one `nft -f` script that replaces `table inet atomicnix` atomically and touches nothing else.
 *
 * Deterministic, ends with a newline. Throws TypeError for a plan that planFirewall cannot produce.
 */
export function renderNftables(plan: FirewallPlan): string {
  const names = ['input', 'forward', 'output']
  if (plan.chains.length !== 3 || plan.chains.some((chain, i) => chain.name !== names[i] || chain.hook !== names[i])) {
    fail('chains must be input, forward and output, in that order')
  }
  let text = HEADER
  for (let i = 0; i < plan.chains.length; i++) text += renderChain(plan.chains[i]!, i)
  return `${text}}\n`
}
