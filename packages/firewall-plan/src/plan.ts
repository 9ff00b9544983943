import type { Port } from '@atomicnix/config-schema'

/** What a rule or a chain policy does with a packet: `accept` ends evaluation in this table, `drop` discards it. */
export type Verdict = 'accept' | 'drop'

/** A conntrack state a rule can match (nft(8), CONNTRACK EXPRESSIONS). */
export type CtState = 'established' | 'related' | 'invalid' | 'new' | 'untracked'

/** An ICMP (IPv4) type the plan refers to, spelled as nft spells it. */
export type IcmpType = 'echo-request' | 'destination-unreachable' | 'time-exceeded' | 'parameter-problem'

/** An ICMPv6 type the plan refers to, spelled as nft spells it. */
export type Icmpv6Type =
  | 'echo-request'
  | 'destination-unreachable'
  | 'packet-too-big'
  | 'time-exceeded'
  | 'parameter-problem'
  | 'nd-router-solicit'
  | 'nd-router-advert'
  | 'nd-neighbor-solicit'
  | 'nd-neighbor-advert'

/** Fields every rule has: where it applies, what it does, and which part of the config caused it. */
export interface RuleBase {
  /** Input interface name the rule is limited to; absent = any interface. */
  readonly iif?: string
  /** Conntrack states matched; absent = any state. */
  readonly ctState?: readonly CtState[]
  readonly verdict: Verdict
  /**
   * Why the rule exists: the config path that caused it (`firewall.inbound.wan.tcp`, `firewall.inbound.lan`),
   * `ssh-wan-enabled` for the `/data/config/ssh-wan-enabled` flag, or `platform` for built-in rules.
   */
  readonly source: string
}

/** A rule on TCP or UDP destination ports. */
export interface PortRule extends RuleBase {
  readonly protocol: 'tcp' | 'udp'
  /** Destination ports, sorted ascending, without duplicates, never empty. */
  readonly ports: readonly Port[]
}

/** A rule on ICMP (IPv4) types. */
export interface IcmpRule extends RuleBase {
  readonly protocol: 'icmp'
  readonly icmpTypes: readonly IcmpType[]
}

/** A rule on ICMPv6 types, optionally limited to packets that cannot have crossed a router. */
export interface Icmpv6Rule extends RuleBase {
  readonly protocol: 'icmpv6'
  readonly icmpTypes: readonly Icmpv6Type[]
  /** When set, the packet's IPv6 hop limit must equal it (255 for neighbour discovery, RFC 4861). */
  readonly hopLimit?: number
}

/** A rule that matches on interface and conntrack state only. */
export interface AnyProtocolRule extends RuleBase {
  readonly protocol?: undefined
  readonly foreignDestination?: undefined
}

/**
 * A rule on packets addressed to none of the input interface's own addresses (nor to a broadcast or multicast
 * address there). Linux accepts a packet for any local address on any interface (the weak host model), so without
 * it a WAN peer could reach the LAN gateway address through a port that is open on the WAN.
 */
export interface ForeignDestinationRule extends RuleBase {
  readonly protocol?: undefined
  readonly foreignDestination: true
}

/** One rule of a chain, as typed data; the renderer turns it into one nft rule line. */
export type FirewallRule = PortRule | IcmpRule | Icmpv6Rule | AnyProtocolRule | ForeignDestinationRule

/** The netfilter hooks the plan uses. */
export type ChainHook = 'input' | 'forward' | 'output'

/** A base chain of the table: its hook, priority, default policy and ordered rules (first match wins). */
export interface FirewallChain {
  readonly name: ChainHook
  readonly hook: ChainHook
  /** Netfilter priority; 0 is nft's `filter` priority. */
  readonly priority: number
  readonly policy: Verdict
  readonly rules: readonly FirewallRule[]
}

/** Interface names the plan was made for. */
export interface FirewallInterfaces {
  readonly wan: string
  readonly lan: string
  readonly vpn: string
}

/** The whole firewall as typed data: one `inet` table with an input, a forward and an output chain. */
export interface FirewallPlan {
  readonly interfaces: FirewallInterfaces
  /** `open` accepts everything from the LAN; `allowlist` accepts only the listed and platform ports. */
  readonly lanMode: 'open' | 'allowlist'
  readonly chains: readonly [input: FirewallChain, forward: FirewallChain, output: FirewallChain]
}
