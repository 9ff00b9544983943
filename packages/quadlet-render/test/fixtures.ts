import { readdirSync, readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { type Config, parseConfig } from '@atomicnix/config-schema'

/** The valid fixtures of config-schema, the corpus every renderer renders. */
export const VALID_FIXTURES = fileURLToPath(new URL('../../config-schema/test/fixtures/valid/', import.meta.url))

/** Each valid fixture's name and parsed config. */
export function validFixtures(): { name: string; config: Config }[] {
  return readdirSync(VALID_FIXTURES)
    .filter((f) => f.endsWith('.toml'))
    .sort()
    .map((file) => {
      const result = parseConfig(readFileSync(VALID_FIXTURES + file, 'utf8'))
      if (!result.ok) throw new Error(`${file}: ${JSON.stringify(result.errors)}`)
      return { name: file.replace(/\.toml$/, ''), config: result.value }
    })
}
