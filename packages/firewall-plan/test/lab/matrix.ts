/**
 * The reachability matrix: probes the gateway from the WAN (IPv4 and IPv6), the LAN (IPv4 and IPv6) and the VPN, TCP and
 * UDP, on every interesting port of a config, and compares each result with the oracle. Also probes through the
 * gateway in both directions, which must never work.
 */
import type { FirewallInbound } from '@atomicnix/config-schema'
import { expectedOpen, interestingPorts, type Side } from '../oracle.js'
import { ADDR, type GatewayLab, ping, probe, startEchoServer } from './gateway-lab.js'

/** Ports the WAN peer and the LAN client listen on, to see whether the gateway forwards to them. */
const FORWARD_PORTS = [22, 53, 80, 443, 1194, 8080]

/** Starts the echo servers: the gateway on every interesting port of the configs, the clients on the forwarding ports. */
export async function startListeners(lab: GatewayLab, ...configs: FirewallInbound[]): Promise<void> {
  const ports = [...new Set(configs.flatMap(interestingPorts))]
  await Promise.all([
    startEchoServer(lab.gw, { tcp: ports, udp: ports }),
    startEchoServer(lab.wan, { tcp: FORWARD_PORTS, udp: FORWARD_PORTS }),
    startEchoServer(lab.lan, { tcp: FORWARD_PORTS, udp: FORWARD_PORTS }),
  ])
}

/** What one run of the matrix saw. */
export interface MatrixReport {
  /** Every probe whose result differs from the oracle, e.g. `wan ipv6 udp 53: open, expected closed`. */
  readonly wrong: string[]
  /** How many port probes were made. */
  readonly probes: number
  /** Probe results through the gateway (LAN to WAN peer, WAN to LAN client), TCP, UDP and ping; all must be closed. */
  readonly forwarded: string[]
}

/** Probes everything at once and compares with DESIGN section 5. */
export async function checkMatrix(lab: GatewayLab, inbound: FirewallInbound, sshOnWan: boolean): Promise<MatrixReport> {
  const ports = interestingPorts(inbound)
  const both = { tcp: ports, udp: ports }
  const runs: [Side, string, ReturnType<typeof probe>][] = [
    ['wan', 'ipv4', probe(lab.wan, ADDR.gwWan, both)],
    ['wan', 'ipv6', probe(lab.wan, ADDR.gwWan6, both)],
    ['lan', 'ipv4', probe(lab.lan, ADDR.gwLan, both)],
    ['lan', 'ipv6', probe(lab.lan, ADDR.gwLan6, both)],
    ['vpn', 'ipv4', probe(lab.vpn, ADDR.gwVpn, both)],
  ]
  const fwd = { tcp: FORWARD_PORTS, udp: FORWARD_PORTS }
  const forwardRuns: [string, ReturnType<typeof probe>][] = [
    ['lan->wan ipv4', probe(lab.lan, ADDR.wanPeer, fwd)],
    ['lan->wan ipv6', probe(lab.lan, ADDR.wanPeer6, fwd)],
    ['wan->lan ipv4', probe(lab.wan, ADDR.lanClient, fwd)],
    ['wan->lan ipv6', probe(lab.wan, ADDR.lanClient6, fwd)],
  ]
  const pings: [string, boolean, Promise<boolean>][] = [
    ['ping lan ipv4', true, ping(lab.lan, ADDR.gwLan)],
    ['ping lan ipv6', true, ping(lab.lan, ADDR.gwLan6)],
    ['ping wan ipv4', false, ping(lab.wan, ADDR.gwWan)],
    ['ping wan ipv6', false, ping(lab.wan, ADDR.gwWan6)],
    ['ping vpn ipv4', false, ping(lab.vpn, ADDR.gwVpn)],
  ]
  const forwardPings: [string, Promise<boolean>][] = [
    ['ping lan->wan ipv4', ping(lab.lan, ADDR.wanPeer)],
    ['ping wan->lan ipv6', ping(lab.wan, ADDR.lanClient6)],
  ]
  const wrong: string[] = []
  let probes = 0
  for (const [side, family, run] of runs) {
    const result = await run
    for (const protocol of ['tcp', 'udp'] as const) {
      for (const port of ports) {
        probes++
        const open = result[protocol][port]
        const expected = expectedOpen(inbound, sshOnWan, side, protocol, port)
        if (open !== expected) {
          wrong.push(
            `${side} ${family} ${protocol} ${port}: ${open ? 'open' : 'closed'}, expected ${expected ? 'open' : 'closed'}`,
          )
        }
      }
    }
  }
  for (const [name, expected, run] of pings) {
    if ((await run) !== expected) wrong.push(`${name}: expected ${expected ? 'a reply' : 'no reply'}`)
  }
  const forwarded: string[] = []
  for (const [name, run] of forwardRuns) {
    const result = await run
    for (const protocol of ['tcp', 'udp'] as const) {
      for (const port of FORWARD_PORTS) if (result[protocol][port]) forwarded.push(`${name} ${protocol} ${port}`)
    }
  }
  for (const [name, run] of forwardPings) if (await run) forwarded.push(name)
  return { wrong, probes, forwarded }
}
