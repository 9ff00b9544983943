import { BOOT_ID_PATH, readJsonIfPresent, WAN_MAC_PATH } from '../device.js'
import { DEFAULT_UPGRADE_LIMITS, runUpgradeOnce, type UpgradeOutcome } from '../upgrade/run.js'
import { type CliDeps, EXIT, parseOptions } from './run.js'

/** Outcomes that end `upgrade` with exit code 1; the rest (including an unreachable server) are 0. */
const FAILURES: ReadonlySet<UpgradeOutcome> = new Set(['misconfigured', 'reboot_failed'])
/** A loop never waits less than this between polls. */
const MIN_WAIT_MS = 60_000

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
  const dataDir = values.data ?? '/data'
  const options = {
    dataDir,
    bootIdPath: values['boot-id-file'] ?? BOOT_ID_PATH,
    macPath: values['mac-file'] ?? WAN_MAC_PATH,
    ...DEFAULT_UPGRADE_LIMITS,
  }
  for (;;) {
    const outcome = await runUpgradeOnce(deps, options)
    if (values.once === true || outcome === 'not_configured' || outcome === 'installed' || FAILURES.has(outcome)) {
      deps.output.stdout(`upgrade: ${outcome}\n`)
      return FAILURES.has(outcome) ? EXIT.invalid : EXIT.ok
    }
    const state = await readJsonIfPresent(deps.files, `${dataDir}/state/upgrade.json`)
    const next =
      state !== undefined &&
      'value' in state &&
      typeof (state.value as { nextPollAt?: unknown }).nextPollAt === 'number'
        ? (state.value as { nextPollAt: number }).nextPollAt
        : deps.clock.now() + options.pollIntervalMs
    await deps.clock.sleep(Math.min(Math.max(next - deps.clock.now(), MIN_WAIT_MS), options.pollIntervalMs * 24))
  }
}
