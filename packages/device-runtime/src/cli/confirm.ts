import { DEFAULT_CONFIRM_POLICY } from '../confirm/decide.js'
import { runConfirm } from '../confirm/run.js'
import { BOOT_ID_PATH } from '../device.js'
import { DEFAULT_BOOT_ATTEMPTS } from '../rauc/boot-env.js'
import { parseDuration } from './duration.js'
import { type CliDeps, EXIT, parseOptions, UsageError } from './run.js'

/** `atomicnix confirm [--window 60s] [--interval 5s] [--deadline 10m] [--data DIR]`: health confirmation of the boot. */
export async function confirmCommand(args: readonly string[], deps: CliDeps): Promise<number> {
  const { values } = parseOptions(
    args,
    {
      window: { type: 'string' },
      interval: { type: 'string' },
      deadline: { type: 'string' },
      data: { type: 'string' },
      'boot-id-file': { type: 'string' },
      'boot-attempts': { type: 'string' },
    },
    0,
  )
  const policy = {
    windowMs: values.window === undefined ? DEFAULT_CONFIRM_POLICY.windowMs : parseDuration('window', values.window),
    intervalMs:
      values.interval === undefined ? DEFAULT_CONFIRM_POLICY.intervalMs : parseDuration('interval', values.interval),
    deadlineMs:
      values.deadline === undefined ? DEFAULT_CONFIRM_POLICY.deadlineMs : parseDuration('deadline', values.deadline),
  }
  if (policy.intervalMs <= 0) throw new UsageError('--interval must be more than 0')
  const attempts = values['boot-attempts'] === undefined ? DEFAULT_BOOT_ATTEMPTS : Number(values['boot-attempts'])
  if (!Number.isInteger(attempts) || attempts < 1 || attempts > 99)
    throw new UsageError('--boot-attempts must be an integer from 1 to 99')
  const outcome = await runConfirm(deps, {
    dataDir: values.data ?? '/data',
    policy,
    bootIdPath: values['boot-id-file'] ?? BOOT_ID_PATH,
    bootAttempts: attempts,
  })
  deps.output.stdout(`confirm: ${outcome}\n`)
  return outcome === 'committed' || outcome === 'counter_reset' ? EXIT.ok : EXIT.invalid
}
