import { jsonString, jsonStrings } from '@atomicnix/config-schema'
import type { LanPlan } from './lan-plan.js'

/** True when JSON writes `text` between quotes as it is: no `"`, `\`, control character or surrogate half. */
function plain(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i)
    if (c < 0x20 || c === 0x22 || c === 0x5c || (c >= 0xd800 && c <= 0xdfff)) return false
  }
  return true
}

/**
 * Renders `/data/config/lan-settings.json`: the seed's nine fields in the seed's order, two-space JSON and a newline
 * (what `JSON.stringify(settings, null, 2)` writes, written directly). JSON's own string escaping keeps every value
 * inside its string. Validated settings are plain text, written between quotes in one template; any field that
 * needs an escape sends the whole file through `jsonString` (both property-tested against JSON.stringify).
 */
export function renderLanSettingsJson(plan: LanPlan): string {
  const s = plan.settings
  const aliases = jsonStrings(s.gateway_aliases, '  ')
  if (
    plain(s.gateway_cidr) &&
    plain(s.gateway_ip) &&
    plain(s.subnet_cidr) &&
    plain(s.netmask) &&
    plain(s.dhcp_start) &&
    plain(s.dhcp_end) &&
    plain(s.domain) &&
    plain(s.hostname_pattern)
  ) {
    return `{
  "gateway_cidr": "${s.gateway_cidr}",
  "gateway_ip": "${s.gateway_ip}",
  "subnet_cidr": "${s.subnet_cidr}",
  "netmask": "${s.netmask}",
  "dhcp_start": "${s.dhcp_start}",
  "dhcp_end": "${s.dhcp_end}",
  "domain": "${s.domain}",
  "hostname_pattern": "${s.hostname_pattern}",
  "gateway_aliases": ${aliases}
}
`
  }
  return `{
  "gateway_cidr": ${jsonString(s.gateway_cidr)},
  "gateway_ip": ${jsonString(s.gateway_ip)},
  "subnet_cidr": ${jsonString(s.subnet_cidr)},
  "netmask": ${jsonString(s.netmask)},
  "dhcp_start": ${jsonString(s.dhcp_start)},
  "dhcp_end": ${jsonString(s.dhcp_end)},
  "domain": ${jsonString(s.domain)},
  "hostname_pattern": ${jsonString(s.hostname_pattern)},
  "gateway_aliases": ${aliases}
}
`
}
