import { dnsNameToken, interfaceToken, ipv4Token, pathToken } from './guard.js'
import type { LanPlan } from './lan-plan.js'

/** Where dnsmasq finds and keeps its files; the defaults are the device's paths. */
export interface DnsmasqPaths {
  /** The gateway names file (`addn-hosts`), default `/etc/atomicnix/dnsmasq-hosts`. */
  readonly hostsFile?: string
  /** The DHCP lease database (`dhcp-leasefile`), default `/var/lib/dnsmasq/dnsmasq.leases`. */
  readonly leaseFile?: string
  /** The pid file (`pid-file`); by default the option is left out and dnsmasq uses its built-in path. */
  readonly pidFile?: string
}

/** Device path of the gateway names file that the dnsmasq configuration reads. */
export const DNSMASQ_HOSTS_PATH = '/etc/atomicnix/dnsmasq-hosts'

/** Device path of the DHCP lease database. */
export const DNSMASQ_LEASE_PATH = '/var/lib/dnsmasq/dnsmasq.leases'

/**
 * Renders the complete dnsmasq configuration for the LAN (`dnsmasq -C FILE`): DHCP on the LAN interface only, the
 * gateway as router, DNS and NTP server, the gateway names answered locally and nothing ever forwarded.
 * Options: https://thekelleys.org.uk/dnsmasq/docs/dnsmasq-man.html
 */
export function renderDnsmasqConf(plan: LanPlan, paths: DnsmasqPaths = {}): string {
  const s = plan.settings
  const iface = interfaceToken(plan.interface, 'interface')
  const gateway = ipv4Token(s.gateway_ip, 'gateway_ip')
  const start = ipv4Token(s.dhcp_start, 'dhcp_start')
  const end = ipv4Token(s.dhcp_end, 'dhcp_end')
  const netmask = ipv4Token(s.netmask, 'netmask')
  const domain = dnsNameToken(s.domain, 'domain')
  // The default paths are constants that pass the guard (tested); a path given is checked.
  const hostsFile = paths.hostsFile === undefined ? DNSMASQ_HOSTS_PATH : pathToken(paths.hostsFile, 'hostsFile')
  const leaseFile = paths.leaseFile === undefined ? DNSMASQ_LEASE_PATH : pathToken(paths.leaseFile, 'leaseFile')
  const pidFile = paths.pidFile === undefined ? '' : `pid-file=${pathToken(paths.pidFile, 'pidFile')}\n`
  return `# dnsmasq configuration for the AtomicNix LAN, generated from the [lan] table of config.toml.
# Complete by itself: dnsmasq -C <this file>.

# The LAN interface only: interface= would also add loopback, and bind-dynamic waits for ${iface}'s address.
interface=${iface}
except-interface=lo
bind-dynamic
${pidFile}
# DHCP for the /24; the gateway is the only DHCP server on the isolated LAN, so it answers authoritatively.
dhcp-range=${start},${end},${netmask},${plan.leaseTime}
dhcp-option=option:router,${gateway}
dhcp-option=option:dns-server,${gateway}
dhcp-option=option:ntp-server,${gateway}
dhcp-authoritative
dhcp-leasefile=${leaseFile}
log-dhcp

# DNS: the gateway names and DHCP clients under the local domain; no upstream resolver, nothing forwarded.
domain=${domain}
local=/${domain}/
domain-needed
bogus-priv
no-resolv
no-hosts
addn-hosts=${hostsFile}
`
}
