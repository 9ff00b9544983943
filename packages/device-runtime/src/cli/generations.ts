import { openGenerations } from '../generations/store.js'
import { type CliDeps, EXIT, parseOptions } from './run.js'

/** `atomicnix generations [--data DIR] [--json]`: the generations, newest first, the current one marked `*`. */
export async function generationsCommand(args: readonly string[], deps: CliDeps): Promise<number> {
  const { values } = parseOptions(args, { data: { type: 'string' }, json: { type: 'boolean' } }, 0)
  const all = await openGenerations(deps, values.data ?? '/data').list()
  if (values.json) {
    const rows = all.map((g) => ({ ...g.manifest, current: g.current }))
    deps.output.stdout(`${JSON.stringify({ generations: rows }, null, 2)}\n`)
    return EXIT.ok
  }
  if (all.length === 0) deps.output.stdout('no generations\n')
  for (const g of all) {
    const { created, source, failed } = g.manifest
    const from = source.fileName === undefined ? source.kind : `${source.kind} ${JSON.stringify(source.fileName)}`
    const fail = failed === undefined ? '' : `  failed: ${JSON.stringify(failed.reason)}`
    deps.output.stdout(`${g.current ? '*' : ' '} ${g.id}  ${created}  ${from}  sha256:${source.sha256}${fail}\n`)
  }
  return EXIT.ok
}
