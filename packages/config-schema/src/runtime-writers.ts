import type { Config, FirewallInbound } from './config.js'

/** JSON as the device files hold it: 2-space indentation and a trailing newline. */
export function toJsonFile(value: unknown): string {
  return `${JSON.stringify(value, null, 2)}\n`
}

/**
 * `firewall-inbound.json`: the seed's flat `{"tcp":[..],"udp":[..]}` when only WAN ports exist, the scoped
 * `{"wan":{..},"lan":{..}}` when the config has a LAN scope. `parseFirewallInbound` reads both back.
 */
export function renderFirewallInboundJson(inbound: FirewallInbound): string {
  const { wan, lan } = inbound
  const ports = (p: { tcp: readonly number[]; udp: readonly number[] }) => ({ tcp: p.tcp, udp: p.udp })
  return toJsonFile(lan === undefined ? ports(wan) : { wan: ports(wan), lan: ports(lan) })
}

/** `health-required.json`: the array of container names that must stay healthy. */
export function renderHealthRequiredJson(config: Config): string {
  return toJsonFile(config.health.required)
}

/** `os-upgrade.json`, or undefined when the config has no update server. */
export function renderOsUpgradeJson(config: Config): string | undefined {
  return config.os_upgrade === undefined ? undefined : toJsonFile({ server_url: config.os_upgrade.server_url })
}

/** `ssh-authorized-keys/admin`: one validated key per line. */
export function renderAuthorizedKeys(config: Config): string {
  return config.admin.ssh_keys.map((key) => `${key}\n`).join('')
}
