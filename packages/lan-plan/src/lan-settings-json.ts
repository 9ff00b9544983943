import { jsonString, jsonStrings } from '@atomicnix/config-schema'
import type { LanPlan } from './lan-plan.js'

/**
 * Renders `/data/config/lan-settings.json`: the seed's nine fields in the seed's order, two-space JSON and a newline
 * (what `JSON.stringify(settings, null, 2)` writes, written directly). JSON's own string escaping keeps every value
 * inside its string.
 */
export function renderLanSettingsJson(plan: LanPlan): string {
  const s = plan.settings
  return `{
  "gateway_cidr": ${jsonString(s.gateway_cidr)},
  "gateway_ip": ${jsonString(s.gateway_ip)},
  "subnet_cidr": ${jsonString(s.subnet_cidr)},
  "netmask": ${jsonString(s.netmask)},
  "dhcp_start": ${jsonString(s.dhcp_start)},
  "dhcp_end": ${jsonString(s.dhcp_end)},
  "domain": ${jsonString(s.domain)},
  "hostname_pattern": ${jsonString(s.hostname_pattern)},
  "gateway_aliases": ${jsonStrings(s.gateway_aliases, '  ')}
}
`
}
