/**
 * The valid config.toml fixtures of config-schema, parsed: every one of them must render LAN files that the daemons
 * accept. Each is rendered with one fixed MAC so that a `hostname_pattern` shows its name.
 */
import { readdirSync, readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { type Config, parseConfig } from '@atomicnix/config-schema'
import type { LanPlanOptions } from '@atomicnix/lan-plan'

const VALID = fileURLToPath(new URL('../../config-schema/test/fixtures/valid/', import.meta.url))

/** The MAC used for every TOML fixture. */
export const TOML_FIXTURE_MAC = '02:00:5e:10:20:30'

/** One parsed TOML fixture, named `config-schema/<file without .toml>`. */
export interface TomlFixture {
  readonly name: string
  readonly config: Config
  readonly options: LanPlanOptions
}

/** Parses every valid fixture; a fixture that does not parse is a broken test corpus, so it throws. */
export function tomlFixtures(): TomlFixture[] {
  return readdirSync(VALID)
    .filter((file) => file.endsWith('.toml'))
    .sort()
    .map((file) => {
      const parsed = parseConfig(readFileSync(`${VALID}${file}`, 'utf8'))
      if (!parsed.ok) throw new Error(`${file} does not parse: ${JSON.stringify(parsed.errors)}`)
      return {
        name: `config-schema/${file.replace(/\.toml$/, '')}`,
        config: parsed.value,
        options: { mac: TOML_FIXTURE_MAC },
      }
    })
}
