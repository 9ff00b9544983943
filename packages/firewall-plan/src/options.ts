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

/** True for a character code of `[A-Za-z0-9_.-]`. */
function isNameCode(c: number): boolean {
  return (
    (c >= 0x61 && c <= 0x7a) ||
    (c >= 0x41 && c <= 0x5a) ||
    (c >= 0x30 && c <= 0x39) ||
    c === 0x5f ||
    c === 0x2e ||
    c === 0x2d
  )
}

// Linux allows any byte but '/', ':', NUL and whitespace in up to IFNAMSIZ-1 = 15 bytes (dev_valid_name); we accept a
// strict subset so that a name can never need quoting or escaping inside an nft string. Written as a loop over the
// character codes (the same set as /^[A-Za-z0-9_.-]{1,15}$/, property-tested): half the cost of the regex per call.

/** True when `name` is a Linux interface name the firewall accepts: 1..15 of `[A-Za-z0-9_.-]`, not `.` or `..`. */
export function isInterfaceName(name: unknown): name is string {
  if (typeof name !== 'string' || name.length === 0 || name.length > 15) return false
  for (let i = 0; i < name.length; i++) if (!isNameCode(name.charCodeAt(i))) return false
  return name !== '.' && name !== '..'
}

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
