import { dnsNameToken, ipv4Token } from './guard.js'
import type { LanPlan } from './lan-plan.js'

/**
 * Renders the gateway names file that dnsmasq reads with `addn-hosts` (hosts(5) format): one line per name group,
 * the gateway address then the name and its `name.domain` form.
 */
export function renderDnsmasqHosts(plan: LanPlan): string {
  // The lines of `hostsLines`, each with its newline, written straight into the text (property-tested).
  const gateway = ipv4Token(plan.settings.gateway_ip, 'gateway_ip')
  let text = '# Gateway names for the AtomicNix LAN, generated from the [lan] table of config.toml.\n'
  for (const group of plan.gatewayNames) {
    text += gateway
    for (const name of group) text += ` ${dnsNameToken(name, 'gateway name')}`
    text += '\n'
  }
  return text
}

/** The hosts(5) lines naming the gateway, shared by the dnsmasq names file and the `/etc/hosts` block. */
export function hostsLines(plan: LanPlan): string[] {
  const gateway = ipv4Token(plan.settings.gateway_ip, 'gateway_ip')
  const lines: string[] = []
  for (const group of plan.gatewayNames) {
    let line = gateway
    for (const name of group) line += ` ${dnsNameToken(name, 'gateway name')}`
    lines.push(line)
  }
  return lines
}
