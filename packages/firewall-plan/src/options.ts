import { isInterfaceName, isNameCode } from '@atomicnix/config-schema'
import type { FirewallInterfaces } from './plan.js'

/** What the device knows besides the config: its interface names and the SSH-on-WAN flag. */
export interface FirewallOptions {
  /** WAN interface, default `eth0`. */
  readonly wanInterface?: string
  /** LAN interface, default `eth1`. */
  readonly lanInterface?: string
  /** VPN interface, default `tun0`. */
  readonly vpnInterface?: string
  /** True while `/data/config/ssh-wan-enabled` exists: TCP 22 is then open on the WAN. Default false. */
  readonly sshOnWan?: boolean
}

/** Interface names: one rule for every package (`isInterfaceName` in config-schema). */
export { isInterfaceName }

/** True when `source` is 1 or more of `[A-Za-z0-9_.[\]-]` (a rule comment's alphabet: config paths, fixed words). */
export function isCommentText(source: string): boolean {
  if (typeof source !== 'string' || source.length === 0) return false
  for (let i = 0; i < source.length; i++) {
    const c = source.charCodeAt(i)
    if (!isNameCode(c) && c !== 0x5b && c !== 0x5d) return false
  }
  return true
}

function checkRole(role: string, name: string): void {
  if (!isInterfaceName(name)) {
    throw new TypeError(`${role}Interface must be 1..15 characters of [A-Za-z0-9_.-], got ${JSON.stringify(name)}`)
  }
  // Loopback is accepted as a whole before any per-interface rule, so naming it here would be meaningless.
  if (name === 'lo') throw new TypeError(`${role}Interface must not be the loopback interface`)
}

/** Resolves defaults and checks the options; throws TypeError for a programmer error (bad or clashing names). */
export function resolveOptions(options: FirewallOptions = {}): {
  interfaces: FirewallInterfaces
  sshOnWan: boolean
} {
  const wan = options.wanInterface ?? 'eth0'
  const lan = options.lanInterface ?? 'eth1'
  const vpn = options.vpnInterface ?? 'tun0'
  checkRole('wan', wan)
  checkRole('lan', lan)
  checkRole('vpn', vpn)
  // One interface in two roles would get both roles' rules, e.g. an open LAN would open the WAN.
  if (wan === lan || wan === vpn || lan === vpn) {
    throw new TypeError(`wanInterface, lanInterface and vpnInterface must differ, got ${wan},${lan},${vpn}`)
  }
  if (options.sshOnWan !== undefined && typeof options.sshOnWan !== 'boolean') {
    throw new TypeError('sshOnWan must be a boolean')
  }
  return { interfaces: { wan, lan, vpn }, sshOnWan: options.sshOnWan ?? false }
}
