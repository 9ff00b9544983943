import { type Config, type LanSettings, UPSTREAM_NTP_POOL } from '@atomicnix/config-schema'
import { type LanPlanOptions, resolveLanPlanOptions } from './options.js'

/** Lease time handed to DHCP clients; the reference gateway used one day. */
export const LEASE_TIME = '24h'

/** Upstream NTP pool the gateway follows once its WAN is up (config-schema's, which keeps aliases off it). */
export const UPSTREAM_POOL = UPSTREAM_NTP_POOL

/** The longest DNS name (RFC 1035 §2.3.4, without the trailing dot). */
const MAX_DNS_NAME = 253

/** Everything the LAN renderers need, derived once from the resolved `[lan]` table and the device's options. */
export interface LanPlan {
  /** LAN interface name, e.g. `eth1`. */
  readonly interface: string
  /** MAC address of the LAN interface as 12 lower-case hex digits, when known. */
  readonly mac: string | undefined
  /** The nine fields of `lan-settings.json`, in that file's order. */
  readonly settings: LanSettings
  /** `hostname_pattern` with `{mac}` replaced, present only when there is a pattern and the MAC is known. */
  readonly hostname: string | undefined
  /**
   * The gateway's DNS names, one group per hosts-file line: the hostname (when present), then each alias, each
   * followed by its `name.domain` form. A name already listed earlier is left out, and so is a `.domain` form longer
   * than 253 characters; empty groups are dropped.
   */
  readonly gatewayNames: readonly (readonly string[])[]
  /** DHCP lease time in dnsmasq's notation. */
  readonly leaseTime: string
  /** Upstream NTP pool, polled only while the WAN is up. */
  readonly upstreamPool: string
}

function isConfig(input: Config | LanSettings): input is Config {
  return 'lan' in input && typeof input.lan === 'object' && input.lan !== null
}

function gatewayNameGroups(sources: readonly string[], domain: string): string[][] {
  const seen = new Set<string>()
  const groups: string[][] = []
  for (const source of sources) {
    const group: string[] = []
    // The name, then its `.domain` form: written out rather than looped over, so that no pair is built per name.
    if (source.length <= MAX_DNS_NAME && !seen.has(source)) {
      seen.add(source)
      group.push(source)
    }
    // The length of `source.domain`, known before it is built.
    if (source.length + 1 + domain.length <= MAX_DNS_NAME) {
      const long = `${source}.${domain}`
      if (!seen.has(long)) {
        seen.add(long)
        group.push(long)
      }
    }
    if (group.length > 0) groups.push(group)
  }
  return groups
}

/**
 * Plans the LAN services from a validated `Config` (or the bare `LanSettings` of `lan-settings.json`, which is how the
 * device rebuilds them). Pure and total for valid input; throws TypeError only for invalid options.
 */
export function planLan(input: Config | LanSettings, options: LanPlanOptions = {}): LanPlan {
  const resolved = resolveLanPlanOptions(options)
  const lan = isConfig(input) ? input.lan : input
  // A fresh object in the seed's field order, so that every rendering sees the same order whatever the input's.
  const settings: LanSettings = {
    gateway_cidr: lan.gateway_cidr,
    gateway_ip: lan.gateway_ip,
    subnet_cidr: lan.subnet_cidr,
    netmask: lan.netmask,
    dhcp_start: lan.dhcp_start,
    dhcp_end: lan.dhcp_end,
    domain: lan.domain,
    hostname_pattern: lan.hostname_pattern,
    gateway_aliases: [...lan.gateway_aliases],
  }
  const hostname =
    settings.hostname_pattern !== '' && resolved.mac !== undefined
      ? settings.hostname_pattern.replaceAll('{mac}', resolved.mac)
      : undefined
  const sources = hostname === undefined ? settings.gateway_aliases : [hostname, ...settings.gateway_aliases]
  return {
    interface: resolved.interface,
    mac: resolved.mac,
    settings,
    hostname,
    gatewayNames: gatewayNameGroups(sources, settings.domain),
    leaseTime: LEASE_TIME,
    upstreamPool: UPSTREAM_POOL,
  }
}
