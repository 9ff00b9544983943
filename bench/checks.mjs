// What parseConfig costs beyond reading the TOML: (parseConfig - smol-toml parse) in multiples of P, the parse time
// of the same text, for the seed example and the large fixture. That is the checks, the typed Config and, when there
// are issues (both texts have warnings), finding their positions.
import { readFileSync } from 'node:fs'
import { parseConfig } from '@atomicnix/config-schema'
import { parse } from 'smol-toml'
import { fmt, opsPerSecond } from './measure.mjs'

const read = (path) => readFileSync(new URL(`../${path}`, import.meta.url), 'utf8')

/** Adds one row per text: the time parseConfig takes beyond smol-toml's parse, as a multiple of that parse. */
export async function run(report) {
  for (const [label, text] of [
    ['seed example', read('examples/seed/config.toml')],
    ['large fixture', read('packages/config-schema/test/fixtures/valid/large.toml')],
  ]) {
    // Interleaved rounds, so that drift of the machine affects both alike; the median of each.
    const parseUs = []
    const configUs = []
    for (let i = 0; i < 5; i++) {
      parseUs.push(1e6 / opsPerSecond(() => parse(text, { integersAsBigInt: true, maxDepth: 32 })))
      configUs.push(1e6 / opsPerSecond(() => parseConfig(text)))
    }
    const med = (xs) => xs.sort((a, b) => a - b)[xs.length >> 1]
    const p = med(parseUs)
    const beyond = med(configUs) - p
    report([
      `parseConfig beyond reading: checks + positions (${label})`,
      `${fmt(beyond)} µs`,
      `smol-toml parse (P): ${fmt(p)} µs`,
      `${(beyond / p).toFixed(2)} P`,
    ])
  }
}
