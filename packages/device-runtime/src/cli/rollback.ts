import { openGenerations } from '../generations/store.js'
import { IoError } from '../ports.js'
import { type CliDeps, EXIT, parseOptions } from './run.js'

/** `atomicnix rollback [--data DIR]`: makes the previous generation current, atomically. */
export async function rollbackCommand(args: readonly string[], deps: CliDeps): Promise<number> {
  const { values } = parseOptions(args, { data: { type: 'string' } }, 0)
  const store = openGenerations(deps, values.data ?? '/data')
  const from = await store.current()
  if ((await store.previous()) === undefined) {
    deps.output.stderr('atomicnix rollback: no previous generation to roll back to\n')
    return EXIT.invalid
  }
  try {
    const to = await store.rollback()
    deps.output.stdout(`rolled back from ${from?.id ?? '(none)'} to ${to.id}\n`)
    return EXIT.ok
  } catch (error) {
    if (error instanceof IoError && /no previous generation/.test(error.message)) {
      deps.output.stderr(`atomicnix rollback: ${error.message}\n`)
      return EXIT.invalid
    }
    throw error
  }
}
