// Validation of generated hostile configs of 256 KB and 1 MiB (thousands of unknown keys, duplicates, warnings and
// "did you mean" lookups, a long string of escapes), as a ratio to smol-toml's parse of the same text. A rule that is
// quadratic in its input shows here as a ratio that falls with the size; formatting all issues is included.
import { formatIssues, MAX_CONFIG_BYTES, parseConfig } from '@atomicnix/config-schema'
import { parse } from 'smol-toml'
import { largeConfig } from '../test/support/large-config.mjs'

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
