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
