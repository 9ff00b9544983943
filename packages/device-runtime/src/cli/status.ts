import { formatDeviceStatus, readDeviceStatus } from '../status/status.js'
import { type CliDeps, EXIT, parseOptions, UsageError } from './run.js'

/** `atomicnix status [--json] [--data DIR] [--limit N]`: the boot journal, current generation and last apply. */
export async function statusCommand(args: readonly string[], deps: CliDeps): Promise<number> {
  const { values } = parseOptions(
    args,
    { json: { type: 'boolean' }, data: { type: 'string' }, limit: { type: 'string' } },
    0,
  )
  const limit = values.limit === undefined ? 20 : Number(values.limit)
  if (!Number.isInteger(limit) || limit < 1) throw new UsageError('--limit must be a positive integer')
  const status = await readDeviceStatus(deps, values.data ?? '/data', limit)
  deps.output.stdout(values.json === true ? `${JSON.stringify(status, null, 2)}\n` : formatDeviceStatus(status))
  return EXIT.ok
}
