import type { LanPlan } from './lan-plan.js'

/**
 * Renders `/data/config/lan-settings.json`: the seed's nine fields in the seed's order, two-space JSON and a newline.
 * JSON's own string escaping keeps every value inside its string.
 */
export function renderLanSettingsJson(plan: LanPlan): string {
  const s = plan.settings
  const ordered = {
    gateway_cidr: s.gateway_cidr,
    gateway_ip: s.gateway_ip,
    subnet_cidr: s.subnet_cidr,
    netmask: s.netmask,
    dhcp_start: s.dhcp_start,
    dhcp_end: s.dhcp_end,
    domain: s.domain,
    hostname_pattern: s.hostname_pattern,
    gateway_aliases: [...s.gateway_aliases],
  }
  return `${JSON.stringify(ordered, null, 2)}\n`
}
