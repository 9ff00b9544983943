// Validation of generated hostile configs of 256 KB and 1 MiB (thousands of unknown keys, duplicates, warnings and
// "did you mean" lookups, a long string of escapes), as a ratio to smol-toml's parse of the same text. A rule that is
// quadratic in its input shows here as a ratio that falls with the size; formatting all issues is included.
import { formatIssues, MAX_CONFIG_BYTES, parseConfig } from '@atomicnix/config-schema'
import { parse } from 'smol-toml'

/** The generator of packages/config-schema/test/large-config.ts, written again here for the built package. */
function largeConfig(bytes) {
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

/** Median milliseconds of `fn` over `rounds` runs, alternating with `base` so that drift affects both alike. */
function interleaved(base, fn, rounds) {
  const a = []
  const b = []
  base()
  fn()
  for (let i = 0; i < rounds; i++) {
    let t = performance.now()
    base()
    a.push(performance.now() - t)
    t = performance.now()
    fn()
    b.push(performance.now() - t)
  }
  const med = (xs) => xs.sort((x, y) => x - y)[xs.length >> 1]
  return [med(a), med(b)]
}

/** Adds one row per size: validation (and formatting of every issue) against smol-toml's parse of the same text. */
export async function run(report) {
  for (const [label, bytes] of [
    ['256 KB', 256 * 1024],
    ['1 MiB', MAX_CONFIG_BYTES - 4096],
  ]) {
    const text = largeConfig(bytes)
    const result = parseConfig(text)
    if (result.ok) throw new Error('the generated config must be invalid')
    const issues = [...result.errors, ...result.warnings]
    const [parseMs, validateMs] = interleaved(
      () => parse(text, { integersAsBigInt: true }),
      () => {
        const r = parseConfig(text)
        formatIssues(r.ok ? r.warnings : [...r.errors, ...r.warnings], text)
      },
      bytes > 300 * 1024 ? 5 : 9,
    )
    report([
      `parseConfig + formatIssues (generated ${label}, ${issues.length} issues)`,
      `${validateMs.toFixed(1)} ms`,
      `smol-toml parse: ${parseMs.toFixed(1)} ms`,
      `${(parseMs / validateMs).toFixed(2)}x`,
    ])
  }
}
