import { formatIpv4, ipv4NotUnicast, parseIpv4 } from './address.js'
import {
  type Config,
  type FirewallInbound,
  LAN_DEFAULTS,
  type LanSettings,
  type PortSet,
  UPSTREAM_NTP_POOL,
  WAN_PLATFORM_PORTS,
} from './config.js'
import type { RuleContext } from './context.js'
import { isDnsNameWithMac, normalizeDnsName } from './dns-name.js'
import type { PathSegment } from './path.js'
import { parseSshPublicKey } from './ssh-key.js'
import { nonAsciiNote } from './text.js'
import { checkUnits } from './units.js'
import { checkServerUrl } from './url.js'
import { isTable, own, ownKeys } from './values.js'

/** The config version this package understands. */
export const CONFIG_VERSION = 1

const TOP_LEVEL_KEYS = [
  'version',
  'admin',
  'firewall',
  'lan',
  'health',
  'os_upgrade',
  'container',
  'network',
  'volume',
  'build',
] as const
/**
 * The prefix of `address/prefix` (`/^([^/]*)\/(\d{1,2})$/`, read by position): the one or two digits after the only
 * slash, or undefined when the text has another shape. Each part is then checked on its own, for its own message.
 */
function cidrPrefix(text: string, slash: number): string | undefined {
  const length = text.length - slash - 1
  if (slash === -1 || length < 1 || length > 2) return undefined
  for (let i = slash + 1; i < text.length; i++) {
    const c = text.charCodeAt(i)
    if (c < 48 || c > 57) return undefined
  }
  return text.slice(slash + 1)
}

/**
 * `text` in lower case when it is printable ASCII (what a hostname pattern is written in before case folding), else
 * the empty string; one pass over the characters, and no new string when there is no capital letter.
 */
function lowerPrintableAscii(text: string): string {
  let upper = false
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i)
    if (c < 0x21 || c > 0x7e) return ''
    if (c >= 65 && c <= 90) upper = true
  }
  return upper ? text.toLowerCase() : text
}

const LAN_KEYS = ['gateway_cidr', 'dhcp_start', 'dhcp_end', 'domain', 'gateway_aliases', 'hostname_pattern'] as const

/** A name the platform itself resolves, and what it is. */
interface PlatformName {
  readonly name: string
  readonly what: string
}

/** The names an alias must not take: the NTP pool and, when there is one, the update server's host. */
function platformNames(updateHost: string | undefined): readonly PlatformName[] {
  return updateHost === undefined
    ? POOL_ONLY
    : [...POOL_ONLY, { name: updateHost, what: 'the update server of [os_upgrade]' }]
}

const POOL_ONLY: readonly PlatformName[] = [
  { name: UPSTREAM_NTP_POOL, what: 'the upstream NTP pool the gateway follows' },
]

/** True for `localhost` and the names below it (RFC 6761: all of them are loopback). */
const isLocalhost = (name: string) => name === 'localhost' || name.endsWith('.localhost')

/** The platform name that `alias` or `alias.domain` equals, if any. */
function reservedClash(alias: string, domain: string | undefined, names: readonly PlatformName[]) {
  for (const r of names) {
    if (r.name === alias || (domain !== undefined && isChildName(r.name, alias, domain))) return r
  }
  return undefined
}

/** True when `name` is `label.parent`, compared in place. */
const isChildName = (name: string, label: string, parent: string) =>
  name.length === label.length + 1 + parent.length &&
  name.startsWith(label) &&
  name.charCodeAt(label.length) === 46 &&
  name.endsWith(parent)

/** Reports every key of `table` that is not in `known`, with a suggestion when one is close. */
export function checkKnownKeys(
  table: Record<string, unknown>,
  at: readonly PathSegment[],
  known: readonly string[],
  ctx: RuleContext,
): void {
  for (const key of ownKeys(table)) {
    if (!known.includes(key)) {
      ctx.error('unknown_key', [...at, key], `Unknown key "${key}"${ctx.didYouMean(key, known)}.`, 'key')
    }
  }
}

/** A required table: reports when missing or not a table; returns it when usable. */
function requireTable(
  parent: Record<string, unknown>,
  key: string,
  at: readonly PathSegment[],
  ctx: RuleContext,
  what: string,
): Record<string, unknown> | undefined {
  const value = own(parent, key)
  if (value === undefined) {
    ctx.error('missing_key', [...at, key], `The ${what} is required.`)
    return undefined
  }
  if (!isTable(value)) {
    ctx.error('wrong_type', [...at, key], `The ${what} must be a table, not a ${ctx.typeName(value)}.`)
    return undefined
  }
  return value
}

/** An array of strings; reports a wrong shape and returns undefined. */
function stringArray(value: unknown, at: readonly PathSegment[], ctx: RuleContext, what: string): string[] | undefined {
  if (!Array.isArray(value)) {
    ctx.error('wrong_type', at, `${what} must be an array of strings, not a ${ctx.typeName(value)}.`)
    return undefined
  }
  let ok = true
  value.forEach((item, i) => {
    if (typeof item !== 'string') {
      ctx.error('wrong_type', [...at, i], `Each item must be a string, not a ${ctx.typeName(item)}.`)
      ok = false
    }
  })
  return ok ? (value as string[]) : undefined
}

function checkVersion(root: Record<string, unknown>, ctx: RuleContext): void {
  const version = own(root, 'version')
  if (version === undefined) ctx.error('missing_key', ['version'], 'The config must start with "version = 1".')
  else if (!ctx.isInteger(version)) {
    ctx.error('wrong_type', ['version'], `"version" must be the integer 1, not a ${ctx.typeName(version)}.`)
  } else if (Number(version) !== CONFIG_VERSION) {
    ctx.error(
      'unsupported_version',
      ['version'],
      `Unsupported config version ${version}; this software reads version 1.`,
    )
  }
}

function checkAdmin(root: Record<string, unknown>, ctx: RuleContext): string[] {
  const admin = requireTable(root, 'admin', [], ctx, '[admin] table')
  if (admin === undefined) return []
  checkKnownKeys(admin, ['admin'], ['ssh_keys'], ctx)
  const raw = own(admin, 'ssh_keys')
  if (raw === undefined) {
    ctx.error('missing_key', ['admin', 'ssh_keys'], 'At least one admin SSH public key is required.')
    return []
  }
  const lines = stringArray(raw, ['admin', 'ssh_keys'], ctx, '"ssh_keys"')
  if (lines === undefined) return []
  if (lines.length === 0) {
    ctx.error('ssh_keys_empty', ['admin', 'ssh_keys'], 'At least one admin SSH public key is required.')
    return []
  }
  // A key is its blob: the blob names its type, and parseSshPublicKey accepts only a blob that names the line's type.
  const seen = new Map<string, number>()
  const keys: string[] = []
  for (let i = 0; i < lines.length; i++) {
    if (!(i in lines)) continue
    const parsed = parseSshPublicKey(lines[i]!)
    if (!parsed.ok) {
      ctx.error(parsed.problem.code, ['admin', 'ssh_keys', i], parsed.problem.message)
      continue
    }
    const first = seen.get(parsed.key.blob)
    if (first !== undefined) {
      ctx.warning('ssh_key_duplicate', ['admin', 'ssh_keys', i], `This key repeats ssh_keys[${first}] and is dropped.`)
      continue
    }
    seen.set(parsed.key.blob, i)
    keys.push(parsed.key.line)
  }
  return keys
}

/** Ports of one `tcp`/`udp` array: integers 1..65535, sorted, duplicates reported and dropped. */
export function portListOf(value: unknown, at: readonly PathSegment[], ctx: RuleContext): number[] {
  if (value === undefined) return []
  if (!Array.isArray(value)) {
    ctx.error('wrong_type', at, `A port list must be an array of integers, not a ${ctx.typeName(value)}.`)
    return []
  }
  const seen = new Map<number, number>()
  const ports: number[] = []
  let sorted = true
  for (let i = 0; i < value.length; i++) {
    if (!(i in value)) continue
    const item: unknown = value[i]
    if (!ctx.isInteger(item)) {
      ctx.error('wrong_type', [...at, i], `A port must be an integer, not a ${ctx.typeName(item)}.`)
      continue
    }
    const port = Number(item)
    if (port < 1 || port > 65535) {
      ctx.error('port_out_of_range', [...at, i], `Port ${item} is outside 1..65535.`)
      continue
    }
    const first = seen.get(port)
    if (first !== undefined) {
      ctx.warning('port_duplicate', [...at, i], `Port ${port} is already listed at index ${first}.`)
      continue
    }
    seen.set(port, i)
    if (ports.length > 0 && port < ports[ports.length - 1]!) sorted = false
    ports.push(port)
  }
  return sorted ? ports : ports.sort((a, b) => a - b)
}

function portSet(table: Record<string, unknown>, at: readonly PathSegment[], ctx: RuleContext, wan = false): PortSet {
  const rawTcp = own(table, 'tcp')
  const rawUdp = own(table, 'udp')
  const atTcp = [...at, 'tcp']
  const atUdp = [...at, 'udp']
  const tcp = portListOf(rawTcp, atTcp, ctx)
  const udp = portListOf(rawUdp, atUdp, ctx)
  if (wan) {
    checkWanPorts(rawTcp, atTcp, 'tcp', ctx)
    checkWanPorts(rawUdp, atUdp, 'udp', ctx)
  }
  return { tcp, udp }
}

/** Reports WAN ports of platform services (`WAN_PLATFORM_PORTS`), once each, at their first listing. */
function checkWanPorts(value: unknown, at: readonly PathSegment[], protocol: 'tcp' | 'udp', ctx: RuleContext): void {
  if (!Array.isArray(value)) return
  const platform = WAN_PORTS[protocol]
  let seen: Set<number> | undefined
  for (let i = 0; i < value.length; i++) {
    const item = value[i]
    const entry = typeof item === 'bigint' || typeof item === 'number' ? platform.get(Number(item)) : undefined
    if (entry === undefined || !ctx.isInteger(item)) continue
    seen ??= new Set()
    if (seen.has(entry.port)) continue
    seen.add(entry.port)
    const message = `${protocol.toUpperCase()} ${entry.port} on the WAN: ${entry.reason}.`
    if (entry.severity === 'error') ctx.error('firewall_wan_platform_port', [...at, i], message)
    else ctx.warning('firewall_wan_lan_service', [...at, i], message)
  }
}

/** `WAN_PLATFORM_PORTS` by protocol and port. */
const WAN_PORTS = {
  tcp: new Map(WAN_PLATFORM_PORTS.filter((p) => p.protocol === 'tcp').map((p) => [p.port, p])),
  udp: new Map(WAN_PLATFORM_PORTS.filter((p) => p.protocol === 'udp').map((p) => [p.port, p])),
}

function checkFirewall(root: Record<string, unknown>, ctx: RuleContext): FirewallInbound {
  const empty: FirewallInbound = { wan: { tcp: [], udp: [] } }
  const firewall = requireTable(root, 'firewall', [], ctx, '[firewall.inbound] table')
  if (firewall === undefined) return empty
  checkKnownKeys(firewall, ['firewall'], ['inbound'], ctx)
  const inbound = requireTable(firewall, 'inbound', ['firewall'], ctx, '[firewall.inbound] table')
  if (inbound === undefined) return empty
  const at = ['firewall', 'inbound']
  checkKnownKeys(inbound, at, ['tcp', 'udp', 'wan', 'lan'], ctx)
  const rawWan = own(inbound, 'wan')
  const rawLan = own(inbound, 'lan')
  const flat = own(inbound, 'tcp') !== undefined || own(inbound, 'udp') !== undefined
  const scoped = rawWan !== undefined || rawLan !== undefined
  if (flat && scoped) {
    const key = rawWan !== undefined ? 'wan' : 'lan'
    ctx.error(
      'firewall_mixed_forms',
      [...at, key],
      'Use either the flat form (tcp/udp = WAN) or the scoped form ([firewall.inbound.wan] / .lan), not both.',
      'key',
    )
  }
  let result: FirewallInbound
  if (!scoped) result = { wan: portSet(inbound, at, ctx, true) }
  else {
    const scope = (name: 'wan' | 'lan'): PortSet | undefined => {
      const table = name === 'wan' ? rawWan : rawLan
      if (table === undefined) return undefined
      if (!isTable(table)) {
        ctx.error('wrong_type', [...at, name], `The ${name} scope must be a table, not a ${ctx.typeName(table)}.`)
        return undefined
      }
      checkKnownKeys(table, [...at, name], ['tcp', 'udp'], ctx)
      return portSet(table, [...at, name], ctx, name === 'wan')
    }
    const wan = scope('wan') ?? { tcp: [], udp: [] }
    const lan = scope('lan')
    result = lan === undefined ? { wan } : { wan, lan }
    if (flat) portSet(inbound, at, ctx)
  }
  const total =
    result.wan.tcp.length + result.wan.udp.length + (result.lan ? result.lan.tcp.length + result.lan.udp.length : 0)
  if (total === 0 && !ctx.issues.some((i) => i.segments[0] === 'firewall' && i.severity === 'error')) {
    ctx.error('firewall_no_ports', at, '[firewall.inbound] must open at least one TCP or UDP port.', 'key')
  }
  return result
}

function lanString(
  lan: Record<string, unknown> | undefined,
  at: readonly PathSegment[],
  key: string,
  ctx: RuleContext,
): string | undefined {
  const value = lan === undefined ? undefined : own(lan, key)
  if (value === undefined || typeof value === 'string') return value
  ctx.error('wrong_type', [...at, key], `"${key}" must be a string, not a ${ctx.typeName(value)}.`)
  return undefined
}

function checkLan(root: Record<string, unknown>, ctx: RuleContext, updateHost?: string): LanSettings {
  const raw = own(root, 'lan')
  let lan: Record<string, unknown> | undefined
  if (raw !== undefined) {
    if (isTable(raw)) {
      lan = raw
      checkKnownKeys(lan, ['lan'], LAN_KEYS, ctx)
    } else ctx.error('wrong_type', ['lan'], `[lan] must be a table, not a ${ctx.typeName(raw)}.`)
  }
  return checkLanTable(lan, ['lan'], ctx, updateHost)
}

/**
 * The `[lan]` rules over a table whose keys sit at `at` (`["lan"]` in config.toml, `[]` in lan-settings.json);
 * omitted fields take the fallback contract. Returns the resolved settings (meaningful only without errors).
 */
export function checkLanTable(
  lan: Record<string, unknown> | undefined,
  at: readonly PathSegment[],
  ctx: RuleContext,
  updateHost?: string,
): LanSettings {
  const reserved = platformNames(updateHost)
  const cidrText = lanString(lan, at, 'gateway_cidr', ctx) ?? LAN_DEFAULTS.gateway_cidr
  let gateway: number | undefined
  const slash = cidrText.indexOf('/')
  const prefix = cidrPrefix(cidrText, slash)
  const address = prefix === undefined ? undefined : parseIpv4(cidrText.slice(0, slash))
  if (prefix === undefined || address === undefined) {
    ctx.error('lan_gateway_invalid', [...at, 'gateway_cidr'], `"${cidrText}" is not an IPv4 address with a prefix.`)
  } else if (prefix !== '24') {
    ctx.error('lan_prefix_not_24', [...at, 'gateway_cidr'], `The LAN must be a /24; "${cidrText}" has /${prefix}.`)
  } else if ((address & 255) === 0 || (address & 255) === 255) {
    ctx.error(
      'lan_gateway_reserved',
      [...at, 'gateway_cidr'],
      `${cidrText.slice(0, slash)} is the network or broadcast address of its /24.`,
    )
  } else if (ipv4NotUnicast(address) !== undefined) {
    ctx.error(
      'lan_subnet_not_unicast',
      [...at, 'gateway_cidr'],
      `The LAN ${formatIpv4(address - (address & 255))}/24 lies in ${ipv4NotUnicast(address)}, which is not usable unicast.`,
    )
  } else gateway = address

  // Omitted DHCP bounds follow the gateway's /24 (.10 to .254), which is the contract default for the default LAN.
  const network = gateway === undefined ? undefined : gateway - (gateway & 255)
  const startText = lanString(lan, at, 'dhcp_start', ctx)
  const start = dhcpBound(startText, network, 10, at, 'dhcp_start', ctx)
  const endText = lanString(lan, at, 'dhcp_end', ctx)
  const end = dhcpBound(endText, network, 254, at, 'dhcp_end', ctx)
  if (network !== undefined && gateway !== undefined && start !== undefined && end !== undefined) {
    const startInside = start - (start & 255) === network
    const endInside = end - (end & 255) === network
    if (!startInside) {
      ctx.error(
        'dhcp_range_outside_subnet',
        [...at, 'dhcp_start'],
        `${formatIpv4(start)} is outside ${formatIpv4(network)}/24.`,
      )
    }
    if (!endInside) {
      ctx.error(
        'dhcp_range_outside_subnet',
        [...at, 'dhcp_end'],
        `${formatIpv4(end)} is outside ${formatIpv4(network)}/24.`,
      )
    }
    if (startInside && endInside) {
      if (start > end) {
        ctx.error('dhcp_range_reversed', [...at, 'dhcp_end'], 'dhcp_end must not come before dhcp_start.')
      } else if (gateway >= start && gateway <= end) {
        ctx.error(
          'dhcp_range_contains_gateway',
          [...at, lan && own(lan, 'dhcp_start') !== undefined ? 'dhcp_start' : 'gateway_cidr'],
          `The DHCP range contains the gateway address ${formatIpv4(gateway)}.`,
        )
      }
      if ((start & 255) === 0) {
        ctx.error('dhcp_range_reserved', [...at, 'dhcp_start'], 'The DHCP range must not include the network address.')
      }
      if ((end & 255) === 255) {
        ctx.error('dhcp_range_reserved', [...at, 'dhcp_end'], 'The DHCP range must not include the broadcast address.')
      }
    }
  }

  const domainText = lanString(lan, at, 'domain', ctx) ?? LAN_DEFAULTS.domain
  const domain = normalizeDnsName(domainText)
  if (domain === undefined) {
    ctx.error(
      'dns_name_invalid',
      [...at, 'domain'],
      `"${domainText}" is not a valid DNS name${nonAsciiNote(domainText)}.`,
    )
  } else if (isLocalhost(domain)) {
    ctx.error(
      'lan_name_reserved',
      [...at, 'domain'],
      `The domain "${domain}" is under localhost, which every host resolves to itself.`,
    )
  } else {
    for (const r of reserved) {
      if (
        r.name === domain ||
        (r.name.endsWith(domain) && r.name.charCodeAt(r.name.length - domain.length - 1) === 46)
      ) {
        ctx.warning(
          'lan_domain_shadows',
          [...at, 'domain'],
          `The LAN DNS answers for "${domain}" from its own names only, so LAN clients cannot resolve ${r.name}, ${r.what}.`,
        )
      }
    }
  }

  const aliases: string[] = []
  const aliasSet = new Set<string>()
  const rawAliases = lan === undefined ? undefined : own(lan, 'gateway_aliases')
  const aliasTexts =
    rawAliases === undefined
      ? LAN_DEFAULTS.gateway_aliases
      : (stringArray(rawAliases, [...at, 'gateway_aliases'], ctx, '"gateway_aliases"') ?? [])
  for (let i = 0; i < aliasTexts.length; i++) {
    if (!(i in aliasTexts)) continue
    const text = aliasTexts[i]!
    const name = normalizeDnsName(text)
    if (name === undefined) {
      ctx.error(
        'dns_name_invalid',
        [...at, 'gateway_aliases', i],
        `"${text}" is not a valid DNS name${nonAsciiNote(text)}.`,
      )
    } else if (isLocalhost(name)) {
      ctx.error(
        'lan_name_reserved',
        [...at, 'gateway_aliases', i],
        `Alias "${name}" would make localhost, which every host resolves to itself, point at the gateway's LAN address.`,
      )
    } else if (reservedClash(name, domain, reserved) !== undefined) {
      const r = reservedClash(name, domain, reserved)!
      ctx.error(
        'lan_name_reserved',
        [...at, 'gateway_aliases', i],
        `Alias "${name}" names ${r.name}, ${r.what}; the gateway's own hosts file would send it to its LAN address.`,
      )
    } else if (aliasSet.has(name)) {
      ctx.warning('alias_duplicate', [...at, 'gateway_aliases', i], `Alias "${name}" is listed twice and is dropped.`)
    } else {
      aliasSet.add(name)
      aliases.push(name)
    }
  }

  const patternText = lanString(lan, at, 'hostname_pattern', ctx) ?? LAN_DEFAULTS.hostname_pattern
  let pattern = ''
  if (patternText !== '') {
    // ASCII is checked before case folding, which would turn some non-ASCII letters into ASCII ones.
    const lowered = lowerPrintableAscii(patternText)
    if (lowered === '') {
      ctx.error(
        'hostname_pattern_invalid',
        [...at, 'hostname_pattern'],
        'The pattern must be printable ASCII: letters, digits, "-", "." and "{mac}".',
      )
    } else if (!lowered.includes('{mac}')) {
      ctx.error('hostname_pattern_invalid', [...at, 'hostname_pattern'], 'The pattern must contain "{mac}".')
    } else if (!isDnsNameWithMac(lowered)) {
      // Any 12 hex digits give a valid label where these do; and a MAC of decimal digits only must still give a
      // name, not a number that a URL parser reads as an address.
      ctx.error(
        'hostname_pattern_invalid',
        [...at, 'hostname_pattern'],
        'With {mac} replaced by 12 hex digits the pattern is not a valid DNS name (its last label must not be {mac} alone).',
      )
    } else pattern = lowered.endsWith('.') ? lowered.slice(0, -1) : lowered
  }

  // A valid address reads back as it was written (parseIpv4 takes the dotted quad only), so its text is reused.
  const valid = gateway !== undefined
  const gatewayIp = valid ? cidrText.slice(0, slash) : formatIpv4(0)
  return {
    gateway_cidr: valid ? cidrText : `${gatewayIp}/24`,
    gateway_ip: gatewayIp,
    subnet_cidr: `${formatIpv4(network ?? 0)}/24`,
    netmask: '255.255.255.0',
    dhcp_start: start !== undefined && startText !== undefined ? startText : formatIpv4(start ?? 0),
    dhcp_end: end !== undefined && endText !== undefined ? endText : formatIpv4(end ?? 0),
    domain: domain ?? '',
    hostname_pattern: pattern,
    gateway_aliases: aliases,
  }
}

/** A DHCP bound: the address written, or `host` in the gateway's /24 when omitted; undefined when unusable. */
function dhcpBound(
  text: string | undefined,
  network: number | undefined,
  host: number,
  at: readonly PathSegment[],
  key: 'dhcp_start' | 'dhcp_end',
  ctx: RuleContext,
): number | undefined {
  if (text === undefined) return network === undefined ? undefined : network + host
  const value = parseIpv4(text)
  if (value === undefined) ctx.error('lan_address_invalid', [...at, key], `"${text}" is not an IPv4 address.`)
  return value
}

function checkHealth(root: Record<string, unknown>, containers: ReadonlySet<string>, ctx: RuleContext): string[] {
  const raw = own(root, 'health')
  if (raw === undefined) return []
  if (!isTable(raw)) {
    ctx.error('wrong_type', ['health'], `[health] must be a table, not a ${ctx.typeName(raw)}.`)
    return []
  }
  checkKnownKeys(raw, ['health'], ['required'], ctx)
  const value = own(raw, 'required')
  if (value === undefined) {
    ctx.error(
      'missing_key',
      ['health', 'required'],
      '[health] needs "required", the containers that must stay healthy.',
    )
    return []
  }
  const names = stringArray(value, ['health', 'required'], ctx, '"required"')
  if (names === undefined) return []
  if (names.length === 0) {
    ctx.error('health_required_empty', ['health', 'required'], '"required" must name at least one container.')
    return []
  }
  const out: string[] = []
  const seen = new Set<string>()
  names.forEach((name, i) => {
    if (!containers.has(name)) {
      ctx.error(
        'health_unknown_container',
        ['health', 'required', i],
        `"${name}" is not a container defined under [container]${ctx.didYouMean(name, containers)}.`,
      )
    } else if (seen.has(name)) {
      ctx.warning('health_duplicate', ['health', 'required', i], `"${name}" is listed twice.`)
    } else {
      seen.add(name)
      out.push(name)
    }
  })
  return out
}

function checkOsUpgrade(
  root: Record<string, unknown>,
  ctx: RuleContext,
): { server_url: string; host: string } | undefined {
  const raw = own(root, 'os_upgrade')
  if (raw === undefined) return undefined
  if (!isTable(raw)) {
    ctx.error('wrong_type', ['os_upgrade'], `[os_upgrade] must be a table, not a ${ctx.typeName(raw)}.`)
    return undefined
  }
  checkKnownKeys(raw, ['os_upgrade'], ['server_url'], ctx)
  const url = own(raw, 'server_url')
  if (url === undefined) return undefined
  if (typeof url !== 'string') {
    ctx.error('wrong_type', ['os_upgrade', 'server_url'], `"server_url" must be a string, not a ${ctx.typeName(url)}.`)
    return undefined
  }
  const check = checkServerUrl(url)
  if (!check.ok) {
    ctx.error('server_url_invalid', ['os_upgrade', 'server_url'], `The update server URL is invalid: ${check.reason}.`)
    return undefined
  }
  if (!check.secure) {
    ctx.warning(
      'server_url_insecure',
      ['os_upgrade', 'server_url'],
      'The update server URL uses http://; bundles are signed but update metadata is not.',
    )
  }
  return { server_url: url, host: check.host }
}

/** Runs every rule over a parsed document and assembles the Config (meaningful only when no error was recorded). */
export function checkDocument(root: unknown, ctx: RuleContext): Config | undefined {
  if (!isTable(root)) {
    ctx.error('wrong_type', [], `A config must be a table (object), not a ${ctx.typeName(root)}.`)
    return undefined
  }
  checkKnownKeys(root, [], TOP_LEVEL_KEYS, ctx)
  checkVersion(root, ctx)
  const ssh_keys = checkAdmin(root, ctx)
  const inbound = checkFirewall(root, ctx)
  const os_upgrade = checkOsUpgrade(root, ctx)
  const lan = checkLan(root, ctx, os_upgrade?.host)
  const { units, containers: containerNames } = checkUnits(root, ctx)
  if (containerNames.size === 0 && own(root, 'container') === undefined) {
    ctx.error('containers_missing', ['container'], 'At least one [container.<name>] is required.')
  } else if (containerNames.size === 0 && isTable(own(root, 'container'))) {
    ctx.error('containers_missing', ['container'], 'At least one [container.<name>] is required.', 'key')
  }
  const required = checkHealth(root, containerNames, ctx)
  const { container, network, volume, build } = units
  // Two literals rather than spreads: the same keys in the same order, without copying objects to build them.
  const config: Config = os_upgrade
    ? {
        version: 1,
        admin: { ssh_keys },
        firewall: { inbound },
        lan,
        health: { required },
        os_upgrade: { server_url: os_upgrade.server_url },
        container,
        network,
        volume,
        build,
      }
    : {
        version: 1,
        admin: { ssh_keys },
        firewall: { inbound },
        lan,
        health: { required },
        container,
        network,
        volume,
        build,
      }
  return config
}
