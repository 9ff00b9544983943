import type { Config } from './config.js'
import { writeToml } from './toml/writer.js'

/**
 * Writes a Config back as canonical config.toml text: defaults made explicit, lists de-duplicated and in the order
 * that `parseConfig` produced. `parseConfig(stringifyConfig(c))` yields a Config equal to `c`.
 */
export function stringifyConfig(config: Config): string {
  const { wan, lan } = config.firewall.inbound
  const units = (group: Readonly<Record<string, object>>) => {
    const out: Record<string, unknown> = Object.create(null)
    for (const name of Object.keys(group)) Object.defineProperty(out, name, { value: group[name], enumerable: true })
    return out
  }
  const document: Record<string, unknown> = {
    version: config.version,
    admin: { ssh_keys: config.admin.ssh_keys },
    firewall: { inbound: lan === undefined ? { tcp: wan.tcp, udp: wan.udp } : { wan, lan } },
    lan: {
      gateway_cidr: config.lan.gateway_cidr,
      dhcp_start: config.lan.dhcp_start,
      dhcp_end: config.lan.dhcp_end,
      domain: config.lan.domain,
      gateway_aliases: config.lan.gateway_aliases,
      hostname_pattern: config.lan.hostname_pattern,
    },
    ...(config.health.required.length > 0 ? { health: { required: config.health.required } } : {}),
    ...(config.os_upgrade ? { os_upgrade: config.os_upgrade } : {}),
    container: units(config.container),
    network: units(config.network),
    volume: units(config.volume),
    build: units(config.build),
  }
  return writeToml(document)
}
