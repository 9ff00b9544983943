import { resolve } from 'node:path'
import { formatIssues } from '@atomicnix/config-schema'
import { formatApplyReport } from '../apply/report.js'
import { firstBoot } from '../first-boot.js'
import { lanMac } from './apply.js'
import { type CliDeps, EXIT, parseOptions, UsageError } from './run.js'

/**
 * `atomicnix first-boot [--data DIR] [--root DIR] [--boot DIR] [--usb DIR]... [--json] [--mac HEX]`: applies the
 * existing generation, or imports the first valid seed and applies it, or says that the device waits for the API.
 */
export async function firstBootCommand(args: readonly string[], deps: CliDeps): Promise<number> {
  const { values } = parseOptions(
    args,
    {
      data: { type: 'string', default: '/data' },
      root: { type: 'string', default: '/' },
      boot: { type: 'string', default: '/boot' },
      usb: { type: 'string', multiple: true, default: [] },
      json: { type: 'boolean' },
      mac: { type: 'string' },
    },
    0,
  )
  for (const dir of [values.data, values.root, values.boot, ...values.usb]) {
    if (dir === '') throw new UsageError('--data, --root, --boot and --usb need a directory')
  }
  const mac = await lanMac(deps, values.mac)
  const progress = (line: string) => deps.output.stderr(`atomicnix first-boot: ${line}\n`)
  const report = await firstBoot(deps, {
    dataDir: resolve(values.data),
    root: resolve(values.root),
    bootDir: resolve(values.boot),
    usbDirs: values.usb.map((d) => resolve(d)),
    ...(mac === undefined ? {} : { mac }),
    progress,
  })
  if (values.json) {
    deps.output.stdout(`${JSON.stringify(report, null, 2)}\n`)
    return report.ok ? EXIT.ok : EXIT.invalid
  }
  for (const seed of report.skipped) {
    if (seed.unreadable !== undefined) {
      deps.output.stderr(`${seed.path}: skipped: ${seed.unreadable}\n`)
      continue
    }
    deps.output.stderr(`${seed.path}: skipped, ${seed.errors.length} error(s)\n`)
    deps.output.stderr(`${formatIssues(seed.errors, seed.text, seed.path, { color: deps.output.color })}\n`)
  }
  switch (report.outcome) {
    case 'existing':
      deps.output.stdout(`first boot: generation ${report.generation} is in place\n`)
      break
    case 'imported':
      deps.output.stdout(`first boot: imported ${report.source?.path} as generation ${report.generation}\n`)
      break
    case 'waiting':
      deps.output.stdout('first boot: no config found; waiting for the bootstrap API\n')
      break
  }
  if (report.apply !== undefined) deps.output.stdout(formatApplyReport(report.apply))
  return report.ok ? EXIT.ok : EXIT.invalid
}
