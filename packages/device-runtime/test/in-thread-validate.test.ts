import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { inThreadValidate } from '../src/cli/serve-device.js'
import { checkDeviceInput } from '../src/compile.js'

const SEED = readFileSync(new URL('../../../examples/seed/config.toml', import.meta.url))

describe('inThreadValidate', () => {
  it('checks the inputs of one turn together, each answered as checkDeviceInput answers it', async () => {
    const validate = inThreadValidate()
    const inputs = [SEED, new TextEncoder().encode('[lan\nbroken = '), SEED, new Uint8Array([0xff, 0xfe])]
    let settled = 0
    const answers = inputs.map((input) =>
      validate(input, 'config.toml').then((check) => {
        settled++
        return check
      }),
    )
    await Promise.resolve()
    // Nothing is checked before the turn ends; then all of them are.
    expect(settled).toBe(0)
    const checks = await Promise.all(answers)
    for (const [i, input] of inputs.entries()) {
      const direct = checkDeviceInput(input, { fileName: 'config.toml' })
      expect(checks[i]).toEqual(
        direct.ok
          ? { ok: true, warnings: direct.warnings }
          : { ok: false, errors: direct.errors, warnings: direct.warnings },
      )
    }
    expect(checks.map((check) => check.ok)).toEqual([true, false, true, false])
    // A later turn gets a batch of its own.
    expect((await validate(SEED, undefined)).ok).toBe(true)
  })
})
