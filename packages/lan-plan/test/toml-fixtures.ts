/**
 * The valid config.toml fixtures of config-schema, parsed: every one of them must render LAN files that the daemons
 * accept. Each is rendered with one fixed MAC so that a `hostname_pattern` shows its name.
 */
import type { Config } from '@atomicnix/config-schema'
import type { LanPlanOptions } from '@atomicnix/lan-plan'
import { validFixtures } from '../../../test/support/config-fixtures.js'

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
  return validFixtures().map(({ name, config }) => ({
    name: `config-schema/${name}`,
    config,
    options: { mac: TOML_FIXTURE_MAC },
  }))
}
