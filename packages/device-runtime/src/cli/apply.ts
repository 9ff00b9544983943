import { resolve } from 'node:path'
import { normaliseMac } from '@atomicnix/lan-plan'
import { applyCurrent } from '../apply/apply.js'
import { formatApplyReport } from '../apply/report.js'
import { type CliDeps, EXIT, parseOptions, UsageError } from './run.js'

/** Where the device's LAN MAC is read from when `--mac` is not given (the kernel's view of `eth1`). */
export const LAN_MAC_PATH = '/sys/class/net/eth1/address'

/** `--mac HEX`, or the LAN interface's own address when it has one; undefined without either. */
export async function lanMac(deps: CliDeps, given: string | undefined): Promise<string | undefined> {
  if (given !== undefined) {
    try {
      return normaliseMac(given)
    } catch {
      throw new UsageError(`--mac "${given}" is not a MAC address (12 hex digits)`)
    }
  }
  const found = await deps.files.readIfExists(LAN_MAC_PATH, 64).catch(() => undefined)
  if (found === undefined) return undefined
  try {
    return normaliseMac(new TextDecoder().decode(found.contents).trim())
  } catch {
    return undefined
  }
}

/** `atomicnix apply [--data DIR] [--root DIR] [--dry-run] [--json] [--mac HEX]`: exit 0 when every step succeeded. */
export async function applyCommand(args: readonly string[], deps: CliDeps): Promise<number> {
  const { values } = parseOptions(
    args,
    {
      data: { type: 'string', default: '/data' },
      root: { type: 'string', default: '/' },
      'dry-run': { type: 'boolean' },
      json: { type: 'boolean' },
      mac: { type: 'string' },
    },
    0,
  )
  if (values.data === '' || values.root === '') throw new UsageError('--data and --root need a directory')
  const mac = await lanMac(deps, values.mac)
  const report = await applyCurrent(deps, {
    dataDir: resolve(values.data),
    root: resolve(values.root),
    dryRun: values['dry-run'] === true,
    ...(mac === undefined ? {} : { mac }),
    progress: (line) => deps.output.stderr(`atomicnix apply: ${line}\n`),
  })
  deps.output.stdout(values.json ? `${JSON.stringify(report, null, 2)}\n` : formatApplyReport(report))
  return report.ok ? EXIT.ok : EXIT.invalid
}
