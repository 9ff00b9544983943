/** LAN settings as the seed documents state them, shared by the tests of several packages. */
import type { LanSettings } from '@atomicnix/config-schema'

/** The seed's `lan-settings.json` (shared/seeds/003), in the seed's key order. */
export const SEED_LAN_SETTINGS: LanSettings = {
  gateway_cidr: '172.20.30.1/24',
  gateway_ip: '172.20.30.1',
  subnet_cidr: '172.20.30.0/24',
  netmask: '255.255.255.0',
  dhcp_start: '172.20.30.10',
  dhcp_end: '172.20.30.254',
  domain: 'local',
  hostname_pattern: 'atomicnix-{mac}',
  gateway_aliases: ['atomicnix'],
}

/** The fallback LAN contract as config-schema resolves an absent `[lan]`: the seed's LAN without a hostname pattern. */
export const DEFAULT_LAN_SETTINGS: LanSettings = { ...SEED_LAN_SETTINGS, hostname_pattern: '' }
