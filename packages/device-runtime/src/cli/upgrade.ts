import { BOOT_ID_PATH, WAN_MAC_PATH } from '../device.js'
import { DEFAULT_UPGRADE_LIMITS, runUpgradeLoop, runUpgradeOnce, type UpgradeOutcome } from '../upgrade/run.js'
import { type CliDeps, EXIT, parseOptions } from './run.js'

/** Outcomes that end `upgrade` with exit code 1; the rest (including an unreachable server) are 0. */
const FAILURES: ReadonlySet<UpgradeOutcome> = new Set(['misconfigured', 'reboot_failed'])

/** `atomicnix upgrade [--once] [--data DIR]`: polls the update server and installs a newer bundle. */
export async function upgradeCommand(args: readonly string[], deps: CliDeps): Promise<number> {
  const { values } = parseOptions(
    args,
    {
      once: { type: 'boolean' },
      data: { type: 'string' },
      'boot-id-file': { type: 'string' },
      'mac-file': { type: 'string' },
    },
    0,
  )
  const options = {
    dataDir: values.data ?? '/data',
    bootIdPath: values['boot-id-file'] ?? BOOT_ID_PATH,
    macPath: values['mac-file'] ?? WAN_MAC_PATH,
    ...DEFAULT_UPGRADE_LIMITS,
  }
  const outcome = values.once === true ? await runUpgradeOnce(deps, options) : await runUpgradeLoop(deps, options)
  deps.output.stdout(`upgrade: ${outcome}\n`)
  return FAILURES.has(outcome) ? EXIT.invalid : EXIT.ok
}
