/**
 * DESIGN section 5 restated as a predicate, independent of the implementation: is a port reachable from one side of
 * the gateway? Unit tests compare the rendered script with it, and the network tests compare real packets with it.
 */
import type { FirewallInbound } from '@atomicnix/config-schema'

/** Where a packet comes from: the WAN (`eth0`), the LAN (`eth1`) or the VPN (`tun0`). */
export type Side = 'wan' | 'lan' | 'vpn'

/** A transport protocol probed by the tests. */
export type Protocol = 'tcp' | 'udp'

/** LAN services of the platform, written out again here on purpose rather than imported. */
const LAN_SERVICES: Readonly<Record<Protocol, readonly number[]>> = { tcp: [22, 53, 8080], udp: [53, 67, 68, 123] }

/** True when the LAN scope makes the LAN an allowlist (it lists at least one port). */
export function lanIsAllowlist(inbound: FirewallInbound): boolean {
  return inbound.lan !== undefined && inbound.lan.tcp.length + inbound.lan.udp.length > 0
}

/** Whether a new connection (TCP) or datagram (UDP) to `port` from `side` must reach the gateway. */
export function expectedOpen(
  inbound: FirewallInbound,
  sshOnWan: boolean,
  side: Side,
  protocol: Protocol,
  port: number,
): boolean {
  switch (side) {
    case 'vpn':
      return protocol === 'tcp' && port === 22
    case 'wan':
      return inbound.wan[protocol].includes(port) || (sshOnWan && protocol === 'tcp' && port === 22)
    case 'lan':
      if (!lanIsAllowlist(inbound)) return true
      return inbound.lan![protocol].includes(port) || LAN_SERVICES[protocol].includes(port)
  }
}

/** The ports worth probing for a config: every listed port, its neighbours, the platform ports and a few others. */
export function interestingPorts(inbound: FirewallInbound): number[] {
  const listed = [inbound.wan, inbound.lan ?? { tcp: [], udp: [] }].flatMap((s) => [...s.tcp, ...s.udp])
  const around = listed.flatMap((p) => [p - 1, p, p + 1])
  const platform = [22, 53, 67, 68, 123, 8080]
  const others = [1, 7, 80, 443, 1194, 9999, 65535]
  return [...new Set([...around, ...platform, ...others])].filter((p) => p >= 1 && p <= 65535).sort((a, b) => a - b)
}
