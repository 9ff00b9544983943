import { readdirSync, readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'

/** One expected issue, read from a `# expect: severity code path line` comment ( `-` = not checked). */
export interface Expectation {
  readonly severity: string
  readonly code: string
  readonly path: string
  readonly line: number | undefined
}

/** A fixture file with its text and expectations. */
export interface Fixture {
  readonly name: string
  readonly file: string
  readonly text: string
  readonly expect: readonly Expectation[]
}

const root = fileURLToPath(new URL('./fixtures/', import.meta.url))

/** Reads every `.toml` in `fixtures/<kind>/`, sorted by name. */
export function loadFixtures(kind: 'valid' | 'invalid'): Fixture[] {
  const dir = `${root}${kind}/`
  return readdirSync(dir)
    .filter((f) => f.endsWith('.toml'))
    .sort()
    .map((f) => {
      const text = readFileSync(dir + f, 'utf8')
      const expect = [...text.matchAll(/^# expect: (\S+) (\S+) (.+) (\S+)$/gm)].map((m) => ({
        severity: m[1]!,
        code: m[2]!,
        path: m[3] === '-' ? '' : m[3]!,
        line: m[4] === '-' ? undefined : Number(m[4]),
      }))
      return { name: f.replace(/\.toml$/, ''), file: dir + f, text, expect }
    })
}
