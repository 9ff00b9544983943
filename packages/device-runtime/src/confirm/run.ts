import { describeRun, readBootId, readJsonIfPresent, readRaucStatus, TIMEOUTS } from '../device.js'
import {
  type CheckResult,
  checkArgv,
  type HealthCheck,
  type HealthInputs,
  judgeCheck,
  planHealthChecks,
} from '../health/checks.js'
import { appendBootRecord, type BootOutcome, type BootRecord } from '../journal/journal.js'
import { findCommitted, readSlotRecord, type SlotRecord, updateSlotRecord, withCommitted } from '../journal/slots.js'
import type { Clock, Exec, Files, Log } from '../ports.js'
import { BOOT_ENV_ARGV, checkBootEnv, parseBootEnv } from '../rauc/boot-env.js'
import type { RaucSlot } from '../rauc/status.js'
import {
  type CommittedProgress,
  type ConfirmPolicy,
  decideCommitted,
  decideTrial,
  type Observation,
  type TrialProgress,
} from './decide.js'

/** What `confirm` needs. */
export interface ConfirmDeps {
  readonly files: Files
  readonly exec: Exec
  readonly clock: Clock
  readonly log: Log
}

/** Where `confirm` reads and writes, and its policy. */
export interface ConfirmOptions {
  readonly dataDir: string
  readonly policy: ConfirmPolicy
  readonly bootIdPath: string
  /** `BOOT_x_LEFT` after mark-good (RAUC's U-Boot default is 3). */
  readonly bootAttempts: number
}

/** How `confirm` ended. */
export type ConfirmOutcome =
  | 'committed'
  | 'counter_reset'
  | 'marked_bad'
  | 'kept_uncommitted'
  | 'mark_good_failed'
  | 'status_failed'

/** The health inputs of the current generation (through the `DATA/config` link); a broken file is a failing check. */
export async function loadHealthChecks(files: Files, dataDir: string): Promise<HealthCheck[]> {
  const config = `${dataDir}/config`
  const [healthRequired, quadletRuntime, lanSettings] = await Promise.all(
    ['health-required.json', 'quadlet-runtime.json', 'lan-settings.json'].map((name) =>
      readJsonIfPresent(files, `${config}/${name}`),
    ),
  )
  const inputs: HealthInputs = {}
  const broken: HealthCheck[] = []
  const take = (doc: typeof healthRequired, name: string) => {
    if (doc === undefined) return undefined
    if ('error' in doc) {
      broken.push({ kind: 'broken', name: `config:${name}`, reason: doc.error })
      return undefined
    }
    return doc.value
  }
  inputs.healthRequired = take(healthRequired, 'health-required.json')
  inputs.quadletRuntime = take(quadletRuntime, 'quadlet-runtime.json')
  inputs.lanSettings = take(lanSettings, 'lan-settings.json')
  return [...planHealthChecks(inputs), ...broken]
}

/** Runs every check once. Checks that share an argv (the two `ip addr` of one interface) share one run. */
export async function observeHealth(exec: Exec, checks: readonly HealthCheck[], clock: Clock): Promise<Observation> {
  const results: CheckResult[] = []
  for (const check of checks) {
    const argv = checkArgv(check)
    if (argv === undefined) {
      results.push(judgeCheck(check, { exitCode: null, stdout: '' }))
      continue
    }
    const run = await exec.run(argv, { timeoutMs: TIMEOUTS.check })
    results.push(
      judgeCheck(check, {
        exitCode: run.exitCode,
        stdout: run.stdout,
        ...(run.exitCode === null ? { error: describeRun(run) } : {}),
      }),
    )
  }
  return { at: clock.monotonic(), results }
}

const names = (results: readonly CheckResult[]) => results.map((r) => r.name).join(',')
const details = (results: readonly CheckResult[]) => results.map((r) => `${r.name}: ${r.detail}`).join('; ')

/**
 * `atomicnix confirm`: decides from the device's own record whether the booted slot and bundle are committed. A
 * committed boot has its counter reset once its services are up; a slot on trial is committed after a healthy
 * window and a read-back of the boot environment, or marked bad and rebooted past the deadline.
 */
export async function runConfirm(deps: ConfirmDeps, options: ConfirmOptions): Promise<ConfirmOutcome> {
  const { files, exec, clock, log } = deps
  const { dataDir, policy } = options
  const bootId = await readBootId(files, options.bootIdPath)
  const iso = () => new Date(clock.now()).toISOString()
  const journal = (slot: RaucSlot, outcome: BootOutcome, detail?: string, about?: Partial<BootRecord>) => {
    const record: BootRecord = { bootId, time: iso(), slot: slot.name, outcome }
    const version = about?.version ?? slot.version
    const bundleHash = about?.bundleHash ?? slot.bundleHash
    if (version !== undefined) record.version = version
    if (bundleHash !== undefined) record.bundleHash = bundleHash
    if (detail !== undefined) record.detail = detail
    return appendBootRecord(files, dataDir, record)
  }

  const status = await readRaucStatus(exec)
  if (!status.ok) {
    log.error('cannot read the RAUC status: nothing decided', { reason: status.reason })
    return 'status_failed'
  }
  const booted = status.status.booted
  const bundle = {
    ...(booted.version === undefined ? {} : { version: booted.version }),
    ...(booted.bundleHash === undefined ? {} : { bundleHash: booted.bundleHash }),
  }
  let record = await readSlotRecord(files, dataDir)
  record = await settleTrial(deps, { dataDir, bootId, booted, record, journal, iso })

  const checks = await loadHealthChecks(files, dataDir)
  const services = new Set(
    checks.filter((c) => c.kind !== 'lan_gateway' && c.kind !== 'wan_address').map((c) => c.name),
  )
  const committed = findCommitted(record, booted.name, bundle)
  log.info(committed ? 'booted slot is committed in the device record' : 'booted slot is on trial', {
    slot: booted.name,
    version: booted.version,
    bundleHash: booted.bundleHash,
    raucBootStatus: booted.bootStatus,
    checks: checks.length,
  })

  const markGood = async (): Promise<string | undefined> => {
    const mark = await exec.run(['rauc', 'status', 'mark-good', 'booted'], { timeoutMs: TIMEOUTS.mark })
    if (mark.exitCode !== 0) return describeRun(mark)
    if (booted.bootname === undefined) return `RAUC names no bootname for ${booted.name}: cannot read the counter back`
    const env = await exec.run(BOOT_ENV_ARGV, { timeoutMs: TIMEOUTS.check })
    if (env.exitCode !== 0) return `read-back: ${describeRun(env)}`
    const mismatch = checkBootEnv(parseBootEnv(env.stdout), booted.bootname, options.bootAttempts)
    return mismatch === undefined ? undefined : `read-back after mark-good: ${mismatch}`
  }

  if (committed !== undefined) {
    let progress: CommittedProgress = { startedAt: clock.monotonic() }
    for (;;) {
      const observation = await observeHealth(exec, checks, clock)
      const decision = decideCommitted(progress, observation, policy, services)
      if (decision.kind === 'reset') {
        const failing = decision.failing
        if (decision.reason === 'deadline')
          log.warn('services of the committed slot are not all up by the deadline: resetting its counter anyway', {
            failing: details(failing),
          })
        const problem = await markGood()
        if (problem !== undefined) {
          log.error('the boot counter of the committed slot was not reset', { reason: problem })
          await journal(booted, 'failed_check', `counter reset failed: ${problem}`)
          return 'mark_good_failed'
        }
        const baseline = { bootId, slot: booted.name, failing: failing.map((r) => r.name), at: iso() }
        await updateSlotRecord(deps, dataDir, (r) => ({ ...r, baseline }))
        await journal(
          booted,
          'committed',
          failing.length === 0
            ? 'already committed: counter reset'
            : `already committed: counter reset; failing: ${details(failing)}`,
        )
        log.info('committed slot: boot counter reset and read back', { slot: booted.name, failing: names(failing) })
        return 'counter_reset'
      }
      progress = decision.progress
      await clock.sleep(policy.intervalMs)
    }
  }

  const baseline = new Set(record.baseline?.failing ?? [])
  if (baseline.size > 0)
    log.info('checks that failed on the last committed boot do not count against this slot', {
      checks: [...baseline].join(','),
    })
  let progress: TrialProgress = { startedAt: clock.monotonic() }
  const journaled = new Set<string>()
  for (;;) {
    const observation = await observeHealth(exec, checks, clock)
    const decision = decideTrial(progress, observation, policy, baseline)
    if (decision.kind === 'commit') {
      const problem = await markGood()
      if (problem !== undefined) {
        log.error('mark-good did not reach the boot environment: the slot is not committed', { reason: problem })
        await journal(booted, 'failed_check', `mark-good: ${problem}`)
        return 'mark_good_failed'
      }
      const baseline = { bootId, slot: booted.name, failing: decision.ignored.map((r) => r.name), at: iso() }
      await updateSlotRecord(deps, dataDir, (r) => {
        const trial = r.trial?.slot === booted.name ? r.trial : undefined
        const next = withCommitted(
          { ...r, baseline },
          { slot: booted.name, at: iso(), ...bundle, ...(trial?.sha256 === undefined ? {} : { sha256: trial.sha256 }) },
        )
        if (trial !== undefined) delete next.trial
        return next
      })
      await journal(booted, 'committed', `healthy for ${policy.windowMs / 1000} s; boot environment read back`)
      log.info('slot committed: healthy for the whole window, mark-good read back', { slot: booted.name })
      return 'committed'
    }
    if (decision.kind === 'give_up') {
      return giveUp(deps, { booted, bundle, record, failing: decision.failing, journal, dataDir, iso })
    }
    for (const r of decision.failing) {
      if (journaled.has(r.name)) continue
      journaled.add(r.name)
      await journal(booted, 'failed_check', `${r.name}: ${r.detail}`)
    }
    if (decision.failing.length > 0)
      log.warn(decision.restarted ? 'health window restarts' : 'slot on trial is not healthy yet', {
        failing: details(decision.failing),
        elapsedMs: observation.at - decision.progress.startedAt,
        deadlineMs: policy.deadlineMs,
      })
    else
      log.info('slot on trial is healthy', {
        healthyMs: observation.at - (decision.progress.healthySince ?? observation.at),
        windowMs: policy.windowMs,
        ignored: names(decision.ignored) || undefined,
      })
    progress = decision.progress
    await clock.sleep(policy.intervalMs)
  }
}

type Journal = (slot: RaucSlot, outcome: BootOutcome, detail?: string, about?: Partial<BootRecord>) => Promise<void>

/** A pending trial whose slot did not boot (U-Boot fell back): recorded as rolled back and taken out of BOOT_ORDER. */
async function settleTrial(
  deps: ConfirmDeps,
  context: {
    dataDir: string
    bootId: string
    booted: RaucSlot
    record: SlotRecord
    journal: Journal
    iso: () => string
  },
): Promise<SlotRecord> {
  const { record, booted, bootId } = context
  const trial = record.trial
  if (trial === undefined) return record
  if (trial.installedInBoot === bootId) {
    deps.log.warn('a bundle was installed in this boot and has not been booted yet', { slot: trial.slot })
    return record
  }
  if (trial.slot === booted.name) return record
  const reason = `booted ${booted.name} instead of ${trial.slot}: U-Boot fell back`
  deps.log.warn('the installed bundle rolled back', { slot: trial.slot, version: trial.version, reason })
  const next = await updateSlotRecord(deps, context.dataDir, (r) => {
    if (r.trial === undefined || r.trial.slot !== trial.slot || r.trial.installedInBoot !== trial.installedInBoot)
      return r
    const changed: SlotRecord = {
      ...r,
      rolledBack: [...r.rolledBack, { ...r.trial, reason, at: context.iso() }],
      committed: r.committed.filter((c) => c.slot !== trial.slot),
    }
    delete changed.trial
    return changed
  })
  const about: Partial<BootRecord> = {}
  if (trial.version !== undefined) about.version = trial.version
  if (trial.bundleHash !== undefined) about.bundleHash = trial.bundleHash
  await context.journal({ name: trial.slot }, 'rolled_back', reason, about)
  const bad = await deps.exec.run(['rauc', 'status', 'mark-bad', trial.slot], { timeoutMs: TIMEOUTS.mark })
  if (bad.exitCode !== 0)
    deps.log.warn('could not mark the rolled-back slot bad', { slot: trial.slot, reason: describeRun(bad) })
  return next
}

/** Past the deadline: mark bad and reboot when a committed slot can take over; otherwise keep the slot uncommitted. */
async function giveUp(
  deps: ConfirmDeps,
  context: {
    booted: RaucSlot
    bundle: { version?: string; bundleHash?: string }
    record: SlotRecord
    failing: CheckResult[]
    journal: Journal
    dataDir: string
    iso: () => string
  },
): Promise<ConfirmOutcome> {
  const { exec, log } = deps
  const { booted, record, failing, journal } = context
  const fallback = record.committed.find((c) => c.slot !== booted.name)
  if (fallback === undefined) {
    // Marking the only known slot bad would leave U-Boot an unproven or empty slot: a device nobody can reach.
    const reason = `past the deadline with ${details(failing)}; no committed slot to fall back to: kept, not committed`
    log.error('slot on trial failed its checks but no committed slot can take over', { failing: details(failing) })
    const mark = await exec.run(['rauc', 'status', 'mark-good', 'booted'], { timeoutMs: TIMEOUTS.mark })
    if (mark.exitCode !== 0) log.warn('could not reset the counter of the kept slot', { reason: describeRun(mark) })
    await journal(booted, 'failed_check', reason)
    return 'kept_uncommitted'
  }
  const reason = `past the deadline: ${details(failing)}`
  log.error('slot on trial failed its checks past the deadline: marking it bad and rebooting', {
    slot: booted.name,
    fallback: fallback.slot,
    failing: details(failing),
  })
  await updateSlotRecord(deps, context.dataDir, (r) => {
    const trial = r.trial?.slot === booted.name ? r.trial : undefined
    const next: SlotRecord = {
      ...r,
      committed: r.committed.filter((c) => c.slot !== booted.name),
      rolledBack: [
        ...r.rolledBack,
        {
          slot: booted.name,
          at: context.iso(),
          reason,
          ...context.bundle,
          ...(trial?.sha256 === undefined ? {} : { sha256: trial.sha256 }),
          ...(context.bundle.version === undefined && trial?.version !== undefined ? { version: trial.version } : {}),
        },
      ],
    }
    delete next.trial
    return next
  })
  await journal(booted, 'marked_bad', reason)
  const bad = await exec.run(['rauc', 'status', 'mark-bad', 'booted'], { timeoutMs: TIMEOUTS.mark })
  if (bad.exitCode !== 0)
    log.error('mark-bad failed; rebooting anyway (the boot counter still runs down)', { reason: describeRun(bad) })
  const reboot = await exec.run(['reboot'], { timeoutMs: TIMEOUTS.reboot })
  if (reboot.exitCode !== 0) log.error('reboot failed', { reason: describeRun(reboot) })
  return 'marked_bad'
}
