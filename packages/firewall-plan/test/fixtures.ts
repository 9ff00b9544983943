/**
 * Firewall fixtures written as data: each is a `[firewall.inbound]` as config-schema resolves it, with the device
 * options it is rendered for. They cover the configs the issue names (seed, WAN only, LAN allowlists, SSH on WAN,
 * many ports) plus the edges of the LAN scope.
 */

import type { Config, FirewallInbound } from '@atomicnix/config-schema'
import type { FirewallOptions } from '@atomicnix/firewall-plan'
import { DEFAULT_LAN_SETTINGS } from '../../../test/support/lan-settings.js'

/** One named firewall input. */
export interface FirewallFixture {
  readonly name: string
  readonly inbound: FirewallInbound
  readonly options?: FirewallOptions
}

const range = (from: number, to: number): number[] => Array.from({ length: to - from + 1 }, (_, i) => from + i)

/** The fixtures, in a fixed order. */
export const FIXTURES: readonly FirewallFixture[] = [
  { name: 'seed', inbound: { wan: { tcp: [443], udp: [1194] } } },
  { name: 'wan-only', inbound: { wan: { tcp: [80, 443, 8443], udp: [51820] } } },
  { name: 'wan-udp-only', inbound: { wan: { tcp: [], udp: [1194] } } },
  { name: 'lan-allowlist-tcp', inbound: { wan: { tcp: [443], udp: [] }, lan: { tcp: [502, 8000], udp: [] } } },
  { name: 'lan-allowlist-udp', inbound: { wan: { tcp: [443], udp: [] }, lan: { tcp: [], udp: [161, 5683] } } },
  { name: 'lan-scope-empty', inbound: { wan: { tcp: [443], udp: [1194] }, lan: { tcp: [], udp: [] } } },
  { name: 'lan-only', inbound: { wan: { tcp: [], udp: [] }, lan: { tcp: [1883], udp: [47808] } } },
  { name: 'ssh-on-wan', inbound: { wan: { tcp: [443], udp: [1194] } }, options: { sshOnWan: true } },
  {
    name: 'many-ports',
    inbound: {
      wan: {
        tcp: [22, 80, 443, ...range(8000, 8031), 9000, 9002, 65535],
        udp: [1, 500, 1194, 4500, ...range(60000, 60019)],
      },
      lan: { tcp: [21, 23, 502, ...range(10000, 10015), 20000], udp: [69, 161, 162, ...range(30000, 30002), 47808] },
    },
  },
  {
    name: 'custom-interfaces',
    inbound: { wan: { tcp: [443], udp: [] }, lan: { tcp: [502], udp: [] } },
    options: { wanInterface: 'end0', lanInterface: 'enu1.100', vpnInterface: 'wg_mgmt-0', sshOnWan: true },
  },
]

/** A complete validated Config around an inbound firewall, as parseConfig would return it. */
export function configWith(inbound: FirewallInbound): Config {
  return {
    version: 1,
    admin: { ssh_keys: ['ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIFixtureFixtureFixtureFixtureFixtureFixtur admin'] },
    firewall: { inbound },
    lan: DEFAULT_LAN_SETTINGS,
    health: { required: ['myapp'] },
    container: { myapp: { privileged: false, Container: { Image: 'ghcr.io/example/myapp:latest' } } },
    network: {},
    volume: {},
    build: {},
  }
}
