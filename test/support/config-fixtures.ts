/** The valid config.toml fixtures of config-schema: the corpus that every renderer renders to goldens. */
import { readdirSync, readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { type Config, parseConfig } from '@atomicnix/config-schema'

/** Directory of the valid fixtures. */
export const VALID_FIXTURES = fileURLToPath(
  new URL('../../packages/config-schema/test/fixtures/valid/', import.meta.url),
)

/** One valid fixture: its name (file name without `.toml`), file name, text and parsed Config. */
export interface ConfigFixture {
  readonly name: string
  readonly file: string
  readonly text: string
  readonly config: Config
}

/** Every valid fixture, sorted by name; one that does not parse is a broken corpus, so this throws. */
export function validFixtures(): ConfigFixture[] {
  return readdirSync(VALID_FIXTURES)
    .filter((file) => file.endsWith('.toml'))
    .sort()
    .map((file) => {
      const text = readFileSync(VALID_FIXTURES + file, 'utf8')
      const result = parseConfig(text)
      if (!result.ok) throw new Error(`${file} does not parse: ${JSON.stringify(result.errors)}`)
      return { name: file.replace(/\.toml$/, ''), file, text, config: result.value }
    })
}
