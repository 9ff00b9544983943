import type { Config, FirewallInbound } from './config.js'

/** JSON as the device files hold it: 2-space indentation and a trailing newline. */
export function toJsonFile(value: unknown): string {
  return `${JSON.stringify(value, null, 2)}\n`
}

/**
 * `JSON.stringify(text)`, written directly when nothing in the text needs an escape (no `"`, `\`, control character
 * or surrogate half); the device files' values are such tokens, and the writers below build their JSON by hand.
 */
export function jsonString(text: string): string {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i)
    if (c < 0x20 || c === 0x22 || c === 0x5c || (c >= 0xd800 && c <= 0xdfff)) return JSON.stringify(text)
  }
  return `"${text}"`
}

/** A number as JSON writes it: decimal for a finite one (ports always are), otherwise what JSON.stringify says. */
const number = (n: number): string => (Number.isFinite(n) ? String(n) : JSON.stringify(n))

/** A list of numbers as `JSON.stringify(list, null, 2)` writes it at `indent`. */
function integers(list: readonly number[], indent: string): string {
  if (list.length === 0) return '[]'
  const inner = `${indent}  `
  let out = `[\n${inner}${number(list[0]!)}`
  for (let i = 1; i < list.length; i++) out += `,\n${inner}${number(list[i]!)}`
  return `${out}\n${indent}]`
}

/** A list of strings as `JSON.stringify(list, null, 2)` writes it nested at `indent` (`''` at the top). */
export function jsonStrings(list: readonly string[], indent: string): string {
  if (list.length === 0) return '[]'
  const inner = `${indent}  `
  let out = `[\n${inner}${jsonString(list[0]!)}`
  for (let i = 1; i < list.length; i++) out += `,\n${inner}${jsonString(list[i]!)}`
  return `${out}\n${indent}]`
}

function ports(p: { tcp: readonly number[]; udp: readonly number[] }, indent: string): string {
  const inner = `${indent}  `
  return `{\n${inner}"tcp": ${integers(p.tcp, inner)},\n${inner}"udp": ${integers(p.udp, inner)}\n${indent}}`
}

/**
 * `firewall-inbound.json`: the seed's flat `{"tcp":[..],"udp":[..]}` when only WAN ports exist, the scoped
 * `{"wan":{..},"lan":{..}}` when the config has a LAN scope. `parseFirewallInbound` reads both back.
 */
export function renderFirewallInboundJson(inbound: FirewallInbound): string {
  const { wan, lan } = inbound
  return lan === undefined
    ? `${ports(wan, '')}\n`
    : `{\n  "wan": ${ports(wan, '  ')},\n  "lan": ${ports(lan, '  ')}\n}\n`
}

/** `health-required.json`: the array of container names that must stay healthy. */
export function renderHealthRequiredJson(config: Config): string {
  return `${jsonStrings(config.health.required, '')}\n`
}

/** `os-upgrade.json`, or undefined when the config has no update server. */
export function renderOsUpgradeJson(config: Config): string | undefined {
  return config.os_upgrade === undefined
    ? undefined
    : `{\n  "server_url": ${jsonString(config.os_upgrade.server_url)}\n}\n`
}

/** `ssh-authorized-keys/admin`: one validated key per line. */
export function renderAuthorizedKeys(config: Config): string {
  const keys = config.admin.ssh_keys
  let out = ''
  for (let i = 0; i < keys.length; i++) out += `${keys[i]}\n`
  return out
}
