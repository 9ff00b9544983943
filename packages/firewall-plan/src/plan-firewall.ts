import type { Config, FirewallInbound, PortSet } from '@atomicnix/config-schema'
import { LAN_PLATFORM_PORTS, SSH_PORT } from './constants.js'
import { type FirewallOptions, resolveOptions } from './options.js'
import type { FirewallChain, FirewallPlan, FirewallRule, IcmpType, Icmpv6Type, PortRule } from './plan.js'

const PLATFORM = 'platform'

// Neighbour discovery is how IPv6 finds routers and neighbours; without it no IPv6 traffic flows at all. The kernel
// marks these messages untracked, so they reach this rule past the `ct state invalid` drop.
const NEIGHBOUR_DISCOVERY: readonly Icmpv6Type[] = [
  'nd-router-solicit',
  'nd-router-advert',
  'nd-neighbor-solicit',
  'nd-neighbor-advert',
]

// Errors that path MTU discovery and failing connections rely on (RFC 4890 section 4.3.1 for IPv6).
const ICMP_ERRORS: readonly IcmpType[] = ['destination-unreachable', 'time-exceeded', 'parameter-problem']
const ICMPV6_ERRORS: readonly Icmpv6Type[] = [
  'destination-unreachable',
  'packet-too-big',
  'time-exceeded',
  'parameter-problem',
]

const frozen = <T extends FirewallRule>(rule: T): T => {
  for (const value of Object.values(rule)) if (Array.isArray(value)) Object.freeze(value)
  return Object.freeze(rule)
}

/**
 * The rules of the input chain that depend on nothing: the same frozen objects in every plan, so that the renderer
 * can write their lines once (see `renderNftables`).
 */
export const FIXED_RULES: readonly FirewallRule[] = [
  frozen({ iif: 'lo', verdict: 'accept', source: PLATFORM }),
  frozen({ ctState: ['established', 'related'], verdict: 'accept', source: PLATFORM }),
  frozen({ ctState: ['invalid'], verdict: 'drop', source: PLATFORM }),
  // A hop limit of 255 proves the sender is on the link (RFC 4861 section 6.1), so no router can inject these.
  frozen({ protocol: 'icmpv6', icmpTypes: NEIGHBOUR_DISCOVERY, hopLimit: 255, verdict: 'accept', source: PLATFORM }),
  frozen({ protocol: 'icmp', icmpTypes: ICMP_ERRORS, verdict: 'accept', source: PLATFORM }),
  frozen({ protocol: 'icmpv6', icmpTypes: ICMPV6_ERRORS, verdict: 'accept', source: PLATFORM }),
]
const [LOOPBACK, ESTABLISHED, INVALID, NEIGHBOURS, ICMP, ICMPV6] = FIXED_RULES as [
  FirewallRule,
  FirewallRule,
  FirewallRule,
  FirewallRule,
  FirewallRule,
  FirewallRule,
]

/** Accepts `ports` of `protocol` on `iif`: appends one rule, or nothing when the list is empty. */
function portRule(
  rules: FirewallRule[],
  iif: string,
  protocol: 'tcp' | 'udp',
  ports: readonly number[],
  source: string,
): void {
  if (ports.length === 0) return
  const sorted = ports.length === 1 ? [ports[0]!] : [...new Set(ports)].sort((a, b) => a - b)
  rules.push({ iif, protocol, ports: sorted, verdict: 'accept', source } satisfies PortRule)
}

function wanRules(rules: FirewallRule[], iif: string, wan: PortSet, sshOnWan: boolean): void {
  portRule(rules, iif, 'tcp', wan.tcp, 'firewall.inbound.wan.tcp')
  portRule(rules, iif, 'udp', wan.udp, 'firewall.inbound.wan.udp')
  if (sshOnWan) portRule(rules, iif, 'tcp', [SSH_PORT], 'ssh-wan-enabled')
}

function lanRules(rules: FirewallRule[], iif: string, lan: PortSet | undefined): void {
  if (!isLanAllowlist(lan)) {
    // No scope is the platform default; an empty scope is the operator saying "leave the LAN open".
    rules.push({ iif, verdict: 'accept', source: lan ? 'firewall.inbound.lan' : PLATFORM })
    return
  }
  portRule(rules, iif, 'tcp', LAN_PLATFORM_PORTS.tcp, PLATFORM)
  portRule(rules, iif, 'udp', LAN_PLATFORM_PORTS.udp, PLATFORM)
  rules.push({ iif, protocol: 'icmp', icmpTypes: ['echo-request'], verdict: 'accept', source: PLATFORM })
  rules.push({ iif, protocol: 'icmpv6', icmpTypes: ['echo-request'], verdict: 'accept', source: PLATFORM })
  portRule(rules, iif, 'tcp', lan.tcp, 'firewall.inbound.lan.tcp')
  portRule(rules, iif, 'udp', lan.udp, 'firewall.inbound.lan.udp')
}

/** True when a LAN scope lists at least one port, which turns the LAN from open into an allowlist. */
export function isLanAllowlist(lan: PortSet | undefined): lan is PortSet {
  return lan !== undefined && lan.tcp.length + lan.udp.length > 0
}

/**
 * Plans the gateway firewall (DESIGN section 5) for a validated config or the device's `firewall-inbound.json`.
 *
 * Pure and total for valid input; throws TypeError only for invalid options (a programmer error, see
 * {@link FirewallOptions}).
 */
export function planFirewall(input: Config | FirewallInbound, options?: FirewallOptions): FirewallPlan {
  const { interfaces, sshOnWan } = resolveOptions(options)
  const inbound: FirewallInbound = 'firewall' in input ? input.firewall.inbound : input
  const rules: FirewallRule[] = [
    LOOPBACK,
    // Before anything is accepted: a WAN packet must be addressed to the WAN interface, whatever port is open.
    { iif: interfaces.wan, foreignDestination: true, verdict: 'drop', source: PLATFORM },
    ESTABLISHED,
    INVALID,
    NEIGHBOURS,
    ICMP,
    ICMPV6,
  ]
  portRule(rules, interfaces.vpn, 'tcp', [SSH_PORT], PLATFORM)
  wanRules(rules, interfaces.wan, inbound.wan, sshOnWan)
  lanRules(rules, interfaces.lan, inbound.lan)
  const inputChain: FirewallChain = { name: 'input', hook: 'input', priority: 0, policy: 'drop', rules }
  return {
    interfaces,
    lanMode: isLanAllowlist(inbound.lan) ? 'allowlist' : 'open',
    chains: [
      inputChain,
      // The gateway never routes: LAN devices have no internet access and the WAN cannot reach the LAN.
      { name: 'forward', hook: 'forward', priority: 0, policy: 'drop', rules: [] },
      { name: 'output', hook: 'output', priority: 0, policy: 'accept', rules: [] },
    ],
  }
}
