/**
 * Generated hostile configs of about `bytes` characters for the linear-time test: every rule that could grow with
 * two parts of the input at once gets both parts large. Containers with rootless PublishPort warnings, health
 * entries that name no container (each asks "did you mean" over every container), unknown keys, duplicate aliases,
 * ports and health entries, a long string full of escapes and a long single line of warnings. Plain JavaScript, so
 * that the benchmark (bench/validate-large.mjs) runs the same generator on the built package.
 */
export function largeConfig(bytes) {
  const key = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIIHfTcrdK6PyhPLrqKNmRkAO2OkRmpVpUpxvBEthfD0B operator@gateway'
  const share = Math.floor(bytes / 8)
  const fill = (unit, budget = share) => {
    const out = []
    for (let i = 0, used = 0; used < budget; i++) {
      const item = unit(i)
      out.push(item)
      used += item.length + 2
    }
    return out
  }
  const containers = fill(
    (i) =>
      `[container.svc${i}]\nprivileged = false\nContainer = { Image = "x", PublishPort = ["80"], Volum${i % 10} = "v" }`,
    2 * share,
  )
  const health = fill((i) => `"svd${i}"`)
  const healthDuplicates = fill(() => '"svc0"', share / 2)
  const aliases = fill((i) => `"alias${i % 50}"`)
  const ports = fill(() => '443')
  const unknown = fill((i) => `dhcp_strat${i} = 1`)
  const escapes = '\\t'.repeat(share / 4)
  return [
    'version = 1',
    `ssh_keys_note = "${escapes}"`,
    '[admin]',
    `ssh_keys = ["${key}"]`,
    '[firewall.inbound]',
    `tcp = [${ports.join(', ')}]`,
    '[lan]',
    `gateway_aliases = [${aliases.join(', ')}]`,
    ...unknown,
    '[health]',
    `required = [${[...health, ...healthDuplicates].join(', ')}]`,
    ...containers,
    '',
  ].join('\n')
}
