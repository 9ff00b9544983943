/** The valid config.toml fixtures of config-schema, parsed: every one must render to a golden, loadable script. */
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { type Config, parseConfig } from '@atomicnix/config-schema'

const DIR = fileURLToPath(new URL('../../config-schema/test/fixtures/valid/', import.meta.url))

/** File names (`seed.toml`, ...) of the valid fixtures, sorted. */
export const TOML_FIXTURES: readonly string[] = existsSync(DIR)
  ? readdirSync(DIR)
      .filter((f) => f.endsWith('.toml'))
      .sort()
  : []

/** Parses one fixture; a fixture that does not parse is a broken fixture, so this throws. */
export function loadTomlFixture(file: string): Config {
  const parsed = parseConfig(readFileSync(`${DIR}${file}`, 'utf8'))
  if (!parsed.ok) throw new Error(`${file} does not parse: ${JSON.stringify(parsed.errors)}`)
  return parsed.value
}
