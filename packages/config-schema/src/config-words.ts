import { quadletCatalogue } from './quadlet-catalogue.js'
import { KeyTable } from './toml/reader.js'

/**
 * The key names a config.toml is made of, for the reader (see `KeyTable`): the config's own keys, the unit sections
 * and the Quadlet keys of the newest known Podman. Only a speed-up; a key missing here reads the same.
 */
export const CONFIG_WORDS = new KeyTable([
  ...['version', 'admin', 'ssh_keys', 'firewall', 'inbound', 'wan', 'lan', 'tcp', 'udp', 'health', 'required'],
  ...['gateway_cidr', 'dhcp_start', 'dhcp_end', 'domain', 'gateway_aliases', 'hostname_pattern'],
  ...['os_upgrade', 'server_url', 'container', 'network', 'volume', 'build', 'privileged'],
  ...['Unit', 'Container', 'Network', 'Volume', 'Build', 'Install', 'Service'],
  ...['Description', 'After', 'Before', 'Wants', 'Requires', 'BindsTo', 'PartOf', 'WantedBy', 'RequiredBy'],
  ...Object.values(quadletCatalogue('9999.0')).flatMap((keys) => [...keys]),
])
