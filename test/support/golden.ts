/** Golden files: rendered output compared byte for byte with a file under a package's `test/golden/`. */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { dirname } from 'node:path'
import { expect } from 'vitest'

/** True when the run should rewrite goldens instead of comparing (`UPDATE_GOLDEN=1`). */
export const UPDATE_GOLDEN = process.env.UPDATE_GOLDEN === '1'

/** Compares `actual` with `root/file` byte for byte, or rewrites that file under UPDATE_GOLDEN=1. */
export function expectGolden(root: string, file: string, actual: string): void {
  const path = `${root}${file}`
  if (UPDATE_GOLDEN) {
    mkdirSync(dirname(path), { recursive: true })
    writeFileSync(path, actual)
    return
  }
  expect(existsSync(path), `${file} is missing; run with UPDATE_GOLDEN=1 and review it`).toBe(true)
  expect(actual, file).toBe(readFileSync(path, 'utf8'))
}
