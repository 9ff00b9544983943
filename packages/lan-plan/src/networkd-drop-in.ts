import { ipv4Slash24Token } from './guard.js'
import type { LanPlan } from './lan-plan.js'

/** Device path of the LAN address drop-in, below the root. */
export const NETWORKD_DROP_IN_PATH = 'etc/systemd/network/20-lan.network.d/50-atomicnix.conf'

/**
 * Renders the systemd-networkd drop-in that gives the LAN interface the gateway address.
 * See https://www.freedesktop.org/software/systemd/man/latest/systemd.network.html
 */
export function renderNetworkdDropIn(plan: LanPlan): string {
  return `[Network]\nAddress=${ipv4Slash24Token(plan.settings.gateway_cidr, 'gateway_cidr')}\n`
}
