import type { CheckResult } from '../health/checks.js'

/** How long a trial must stay healthy, how often it is observed, and when it is given up. */
export interface ConfirmPolicy {
  readonly windowMs: number
  readonly intervalMs: number
  readonly deadlineMs: number
}

/** The default policy of `atomicnix confirm`: a 60 s window observed every 5 s, given up after 10 min. */
export const DEFAULT_CONFIRM_POLICY: ConfirmPolicy = { windowMs: 60_000, intervalMs: 5_000, deadlineMs: 600_000 }

/** All check results at one instant of the monotonic clock. */
export interface Observation {
  readonly at: number
  readonly results: readonly CheckResult[]
}

/** Where a trial stands: when it started and since when it has been healthy without a break. */
export interface TrialProgress {
  readonly startedAt: number
  readonly healthySince?: number
}

/** What to do after an observation of a slot on trial. */
export type TrialDecision =
  | { kind: 'wait'; progress: TrialProgress; failing: CheckResult[]; ignored: CheckResult[]; restarted: boolean }
  | { kind: 'commit'; ignored: CheckResult[] }
  | { kind: 'give_up'; failing: CheckResult[] }

/**
 * One step of the trial (pure): healthy means every check passes except those in `baseline` (they also failed on the
 * last committed boot). The slot is committed once it has been healthy from one observation to another at least
 * `windowMs` later; an unhealthy observation restarts the window; an unhealthy observation at or past `deadlineMs`
 * gives up. A window already running at the deadline may finish, so a trial ends by deadline + window at the latest.
 */
export function decideTrial(
  progress: TrialProgress,
  observation: Observation,
  policy: ConfirmPolicy,
  baseline: ReadonlySet<string>,
): TrialDecision {
  const failed = observation.results.filter((r) => !r.ok)
  const ignored = failed.filter((r) => baseline.has(r.name))
  const failing = failed.filter((r) => !baseline.has(r.name))
  if (failing.length > 0) {
    if (observation.at - progress.startedAt >= policy.deadlineMs) return { kind: 'give_up', failing }
    return {
      kind: 'wait',
      progress: { startedAt: progress.startedAt },
      failing,
      ignored,
      restarted: progress.healthySince !== undefined,
    }
  }
  const healthySince = progress.healthySince ?? observation.at
  if (observation.at - healthySince >= policy.windowMs) return { kind: 'commit', ignored }
  return { kind: 'wait', progress: { startedAt: progress.startedAt, healthySince }, failing, ignored, restarted: false }
}

/** Where an already committed boot stands: since when its services have been up. */
export interface CommittedProgress {
  readonly startedAt: number
  readonly servicesUpSince?: number
}

/** What to do after an observation of a committed slot. */
export type CommittedDecision =
  | { kind: 'wait'; progress: CommittedProgress }
  | { kind: 'reset'; failing: CheckResult[]; reason: 'healthy' | 'window' | 'deadline' }

/**
 * One step of a committed boot (pure): the boot counter is reset once the services (`services`: unit check names)
 * are up and either every check passes or a window has passed since (a WAN lease may take a while); past the
 * deadline it is reset anyway, because the committed slot is the device's known-good one and a fall-back would boot
 * the other, unproven or abandoned slot. The checks still failing then become the baseline for the next trial.
 */
export function decideCommitted(
  progress: CommittedProgress,
  observation: Observation,
  policy: ConfirmPolicy,
  services: ReadonlySet<string>,
): CommittedDecision {
  const failing = observation.results.filter((r) => !r.ok)
  if (failing.length === 0) return { kind: 'reset', failing, reason: 'healthy' }
  const servicesUp = failing.every((r) => !services.has(r.name))
  const since = servicesUp ? (progress.servicesUpSince ?? observation.at) : undefined
  if (since !== undefined && observation.at - since >= policy.windowMs)
    return { kind: 'reset', failing, reason: 'window' }
  if (observation.at - progress.startedAt >= policy.deadlineMs) return { kind: 'reset', failing, reason: 'deadline' }
  return {
    kind: 'wait',
    progress:
      since === undefined
        ? { startedAt: progress.startedAt }
        : { startedAt: progress.startedAt, servicesUpSince: since },
  }
}
