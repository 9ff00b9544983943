/** The interfaces whose SSH access the firewall must keep: the VPN and the LAN. */
export interface GuardInterfaces {
  readonly vpn: string
  readonly lan: string
}

const DEFAULT_INTERFACES: GuardInterfaces = { vpn: 'tun0', lan: 'eth1' }

/** A rule line without its trailing `comment "..."`. */
const ruleOf = (line: string) => line.trim().replace(/\s+comment\s+"[^"]*"$/, '')

/** True when a `tcp dport` match of a rule names port 22 (`22` or a set `{ 22, 53 }`). */
const matchesSsh = (ports: string) =>
  ports === '22' ||
  (ports.startsWith('{') &&
    ports
      .slice(1, -1)
      .split(',')
      .some((p) => p.trim() === '22'))

/**
 * Checks, before it is written, that a firewall script keeps the way in for the operator (pure): the input chain
 * accepts TCP 22 on the VPN interface and on the LAN (the whole LAN, or an allowlist with 22), no rule drops or
 * rejects anything but invalid connection-tracking state, and nothing flushes the ruleset. The rendered script
 * always passes (the firewall plan puts these platform rules first); this guards the one step that could lock
 * people out against a renderer regression. Returns why the script is refused, or undefined.
 */
export function checkFirewallScript(
  script: string,
  interfaces: GuardInterfaces = DEFAULT_INTERFACES,
): string | undefined {
  const lines = script.split('\n')
  if (lines.some((line) => /^\s*flush\s+ruleset\b/.test(line))) return 'the script flushes the whole ruleset'
  const start = lines.findIndex((line) => /^\s*chain input \{\s*$/.test(line))
  if (start < 0) return 'the script has no input chain'
  let vpnSsh = false
  let lanSsh = false
  const vpn = `iifname "${interfaces.vpn}" `
  const lan = `iifname "${interfaces.lan}" `
  for (let i = start + 1; i < lines.length; i++) {
    const rule = ruleOf(lines[i]!)
    if (rule === '}') break
    if (rule === '' || rule.startsWith('type filter hook input')) continue
    if (/\b(drop|reject)$/.test(rule) && rule !== 'ct state invalid drop') return `the input chain has "${rule}"`
    const ssh = /^iifname "[^"]+" tcp dport (\{[^}]*\}|\d+) accept$/.exec(rule)
    if (rule.startsWith(vpn) && ssh && matchesSsh(ssh[1]!)) vpnSsh = true
    if (rule === `${lan}accept` || (rule.startsWith(lan) && ssh && matchesSsh(ssh[1]!))) lanSsh = true
  }
  if (!vpnSsh) return `the input chain does not accept TCP 22 on ${interfaces.vpn}`
  if (!lanSsh) return `the input chain does not accept TCP 22 on ${interfaces.lan}`
  return undefined
}
