import { isInterfaceName } from './guard.js'

/** What the device knows besides the config: the LAN interface and its MAC address. */
export interface LanPlanOptions {
  /** LAN interface name, default `eth1`: 1..15 characters of `[A-Za-z0-9_.-]`, not `lo`. */
  readonly interface?: string
  /**
   * MAC address of the LAN interface, for `hostname_pattern`: 12 hex digits in any case, as six pairs that may be
   * separated by `:` or `-`. Without it the pattern's name is left out.
   */
  readonly mac?: string
}

/** The options after defaults and normalisation. */
export interface ResolvedLanPlanOptions {
  readonly interface: string
  /** 12 lower-case hex digits, or undefined when unknown. */
  readonly mac: string | undefined
}

// The same grammar as `atomicnix render --mac`, so that whatever the CLI accepts plans without an error.
const MAC = /^[0-9a-f]{2}(?:[:-]?[0-9a-f]{2}){5}$/i

/** Normalises a MAC address to 12 lower-case hex digits; throws TypeError unless it is one of the accepted forms. */
export function normaliseMac(mac: string): string {
  if (typeof mac !== 'string' || !MAC.test(mac)) {
    throw new TypeError(
      `mac must be 12 hex digits, optionally as pairs separated by ':' or '-', got ${JSON.stringify(mac)}`,
    )
  }
  return mac.replace(/[:-]/g, '').toLowerCase()
}

/** Applies defaults and checks the options; throws TypeError for a programmer error (a bad interface name or MAC). */
export function resolveLanPlanOptions(options: LanPlanOptions = {}): ResolvedLanPlanOptions {
  const name = options.interface ?? 'eth1'
  if (!isInterfaceName(name)) {
    throw new TypeError(`interface must be 1..15 characters of [A-Za-z0-9_.-], got ${JSON.stringify(name)}`)
  }
  // dnsmasq always listens on loopback besides its interfaces unless told not to; serving the LAN on `lo` is a mistake.
  if (name === 'lo') throw new TypeError('interface must not be the loopback interface')
  return { interface: name, mac: options.mac === undefined ? undefined : normaliseMac(options.mac) }
}
