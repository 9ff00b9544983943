/**
 * LAN fixtures written as data: each is a `[lan]` table as config-schema resolves it, with the device options it is
 * rendered for. They cover the default contract, a non-default LAN with a MAC-based name, a pattern whose MAC is not
 * known, and a LAN without aliases on another interface.
 */

import type { Config, LanSettings } from '@atomicnix/config-schema'
import type { LanPlanOptions } from '@atomicnix/lan-plan'
import { DEFAULT_LAN_SETTINGS } from '../../../test/support/lan-settings.js'

/** One named LAN input. */
export interface LanFixture {
  readonly name: string
  readonly lan: LanSettings
  readonly options?: LanPlanOptions
}

/** The default LAN contract, resolved as config-schema resolves an absent `[lan]`. */
export const DEFAULT_LAN: LanSettings = DEFAULT_LAN_SETTINGS

/** Another /24, another domain, several aliases and a MAC-based hostname. */
export const PLANT_LAN: LanSettings = {
  gateway_cidr: '10.44.7.1/24',
  gateway_ip: '10.44.7.1',
  subnet_cidr: '10.44.7.0/24',
  netmask: '255.255.255.0',
  dhcp_start: '10.44.7.100',
  dhcp_end: '10.44.7.199',
  domain: 'plant.example',
  hostname_pattern: 'rock64-{mac}',
  gateway_aliases: ['gateway', 'time', 'ntp.plant.example'],
}

/** The fixtures, in a fixed order. */
export const FIXTURES: readonly LanFixture[] = [
  { name: 'default', lan: DEFAULT_LAN },
  { name: 'plant', lan: PLANT_LAN, options: { mac: '02:A4:6B:00:1F:9E' } },
  { name: 'pattern-without-mac', lan: { ...PLANT_LAN, hostname_pattern: 'gw-{mac}-edge' } },
  {
    name: 'no-aliases',
    lan: {
      gateway_cidr: '192.168.200.254/24',
      gateway_ip: '192.168.200.254',
      subnet_cidr: '192.168.200.0/24',
      netmask: '255.255.255.0',
      dhcp_start: '192.168.200.1',
      dhcp_end: '192.168.200.253',
      domain: 'lan',
      hostname_pattern: '{mac}',
      gateway_aliases: [],
    },
    options: { interface: 'lan0', mac: 'feedfacecafe' },
  },
]

/** A minimal valid `Config` around a `[lan]` table. */
export function configWith(lan: LanSettings): Config {
  return {
    version: 1,
    admin: { ssh_keys: ['ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIB0eZ3Q8rJq7n3cE6mSx0m0x8b2xqkq9j1lZ4u3o2k5T admin'] },
    firewall: { inbound: { wan: { tcp: [443], udp: [] } } },
    lan,
    health: { required: [] },
    container: { web: { privileged: false, Container: { Image: 'docker.io/library/nginx:stable' } } },
    network: {},
    volume: {},
    build: {},
  }
}
