/** A TCP or UDP port number, 1..65535. */
export type Port = number

/** Ports opened for one scope, each list sorted ascending and free of duplicates. */
export interface PortSet {
  readonly tcp: readonly Port[]
  readonly udp: readonly Port[]
}

/**
 * `[firewall.inbound]` after validation. The flat form (`tcp`/`udp`) and `[firewall.inbound.wan]` both fill `wan`;
 * `lan` is present only when the source has a `[firewall.inbound.lan]` scope. A LAN scope with at least one port turns
 * the LAN into an allowlist; an empty LAN scope leaves the LAN open.
 */
export interface FirewallInbound {
  readonly wan: PortSet
  readonly lan?: PortSet
}

/** The resolved `[lan]` table: the nine fields of `lan-settings.json`, in that file's order. */
export interface LanSettings {
  /** Gateway interface address with its prefix, always `/24`, e.g. `172.20.30.1/24`. */
  readonly gateway_cidr: string
  /** Gateway address alone, e.g. `172.20.30.1`. */
  readonly gateway_ip: string
  /** The /24 network, e.g. `172.20.30.0/24`. */
  readonly subnet_cidr: string
  /** Always `255.255.255.0`. */
  readonly netmask: string
  readonly dhcp_start: string
  readonly dhcp_end: string
  /** Lower-case DNS name without a trailing dot. */
  readonly domain: string
  /** `""` (none) or a pattern containing `{mac}`, lower-case. */
  readonly hostname_pattern: string
  /** Lower-case DNS names, de-duplicated, in source order. */
  readonly gateway_aliases: readonly string[]
}

/** A scalar value of a Quadlet key. */
export type QuadletScalar = string | number | boolean

/** A Quadlet key's value: one scalar, or a non-empty list rendered as one line per item. */
export type QuadletValue = QuadletScalar | readonly QuadletScalar[]

/** One section of a unit (`Container`, `Unit`, `Install`, ...): keys in source order. */
export type QuadletSection = Readonly<Record<string, QuadletValue>>

/** `[container.<name>]`: a Podman container; rootful when `privileged`, otherwise rootless under `appsvc`. */
export interface ContainerConfig {
  readonly privileged: boolean
  readonly Unit?: QuadletSection
  readonly Container: QuadletSection
  readonly Install?: QuadletSection
}

/** `[network.<name>]`: a rootful Quadlet network. */
export interface NetworkConfig {
  readonly Unit?: QuadletSection
  readonly Network: QuadletSection
  readonly Install?: QuadletSection
}

/** `[volume.<name>]`: a rootful Quadlet volume. */
export interface VolumeConfig {
  readonly Unit?: QuadletSection
  readonly Volume: QuadletSection
  readonly Install?: QuadletSection
}

/** `[build.<name>]`: a rootful Quadlet image build. */
export interface BuildConfig {
  readonly Unit?: QuadletSection
  readonly Build: QuadletSection
  readonly Install?: QuadletSection
}

/** A validated, fully resolved config.toml v1. Records of units have no prototype, so any unit name is safe. */
export interface Config {
  readonly version: 1
  readonly admin: {
    /** Canonical `type base64 [comment]` lines, de-duplicated, in source order. */
    readonly ssh_keys: readonly string[]
  }
  readonly firewall: { readonly inbound: FirewallInbound }
  /** Always present: omitted fields hold the fallback LAN contract. */
  readonly lan: LanSettings
  /** Container names that must stay healthy; empty when `[health]` is absent. */
  readonly health: { readonly required: readonly string[] }
  readonly os_upgrade?: { readonly server_url: string }
  readonly container: Readonly<Record<string, ContainerConfig>>
  readonly network: Readonly<Record<string, NetworkConfig>>
  readonly volume: Readonly<Record<string, VolumeConfig>>
  readonly build: Readonly<Record<string, BuildConfig>>
}

/** The fallback LAN gateway contract used for every omitted `[lan]` field. */
export const LAN_DEFAULTS = {
  gateway_cidr: '172.20.30.1/24',
  dhcp_start: '172.20.30.10',
  dhcp_end: '172.20.30.254',
  domain: 'local',
  gateway_aliases: ['atomicnix'],
  hostname_pattern: '',
} as const

/** The upstream NTP pool the gateway follows once its WAN is up (lan-plan renders it into chronyd's config). */
export const UPSTREAM_NTP_POOL = 'pool.ntp.org'

/**
 * Ports of platform services and what opening each on the WAN means: `error` where it breaks the platform, `warning`
 * where it is a choice that only a service of the operator's could make useful.
 */
export const WAN_PLATFORM_PORTS: readonly {
  readonly protocol: 'tcp' | 'udp'
  readonly port: number
  readonly severity: 'error' | 'warning'
  readonly reason: string
}[] = [
  {
    protocol: 'tcp',
    port: 22,
    severity: 'error',
    reason:
      'it is SSH, which the platform opens on the WAN only while /data/config/ssh-wan-enabled exists; listing it would bypass that switch',
  },
  {
    protocol: 'tcp',
    port: 8080,
    severity: 'error',
    reason: 'it is the LAN-local bootstrap console, which must never be reachable from the WAN',
  },
  {
    protocol: 'tcp',
    port: 53,
    severity: 'warning',
    reason:
      'it is the LAN DNS service; dnsmasq answers the LAN only, so this reaches only a service of yours on the WAN',
  },
  {
    protocol: 'udp',
    port: 53,
    severity: 'warning',
    reason:
      'it is the LAN DNS service; dnsmasq answers the LAN only, so this reaches only a service of yours on the WAN',
  },
  {
    protocol: 'udp',
    port: 67,
    severity: 'warning',
    reason:
      'it is the LAN DHCP server; dnsmasq serves the LAN only, so this reaches only a service of yours on the WAN',
  },
  {
    protocol: 'udp',
    port: 123,
    severity: 'warning',
    reason:
      'it is the LAN time service; chronyd serves the LAN only, so this reaches only a service of yours on the WAN',
  },
]
