/** One step of an apply run: a command (argv) or a check decided while planning. */
export interface ApplyStep {
  readonly name: string
  readonly argv?: readonly string[]
  /** The command's exit code; null when it was killed or could not start. */
  readonly exitCode?: number | null
  readonly durationMs: number
  /** The device files (relative to the root) whose change the step is for. */
  readonly files: readonly string[]
  readonly ok: boolean
  /** Why the step did not run (`dry run`, `an earlier step failed`). */
  readonly skipped?: string
  readonly error?: string
}

/** One run of apply over one generation's files. */
export interface ApplyRun {
  readonly generation: string
  readonly steps: readonly ApplyStep[]
  /** Files written below the root (relative paths), in order. */
  readonly written: readonly string[]
  /** Files removed below the root (relative paths), in order. */
  readonly removed: readonly string[]
  readonly ok: boolean
}

/** What `atomicnix apply` did: one run, or two after a revert (the failed one, then the earlier generation). */
export interface ApplyReport {
  readonly ok: boolean
  readonly dryRun: boolean
  /** ISO time from the clock when apply started. */
  readonly started: string
  readonly runs: readonly ApplyRun[]
  readonly reverted?: { readonly from: string; readonly to: string; readonly reason: string }
  /** Why apply did not run at all or could not revert (no generation, the current one failed before). */
  readonly error?: string
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`

/** The report as short lines for people: each run's files and steps, then the outcome. */
export function formatApplyReport(report: ApplyReport): string {
  const lines: string[] = []
  for (const [index, run] of report.runs.entries()) {
    const title = index === 0 ? 'apply' : 'revert: apply'
    lines.push(`${title} ${run.generation}${report.dryRun ? ' (dry run)' : ''}`)
    const verb = report.dryRun ? 'would ' : ''
    for (const path of run.written) lines.push(`  ${verb}write ${path}`)
    for (const path of run.removed) lines.push(`  ${verb}remove ${path}`)
    for (const step of run.steps) {
      const what = step.argv === undefined ? step.name : `${step.name}: ${step.argv.join(' ')}`
      if (step.skipped !== undefined) lines.push(`  skip ${what} (${step.skipped})`)
      else if (step.ok) lines.push(`  ok   ${what} (${step.durationMs} ms)`)
      else lines.push(`  FAIL ${what}: ${step.error ?? `exit ${step.exitCode}`}`)
    }
    if (run.written.length === 0 && run.removed.length === 0 && run.steps.length === 0) {
      lines.push('  nothing changed')
    }
  }
  if (report.reverted !== undefined) {
    lines.push(`reverted from ${report.reverted.from} to ${report.reverted.to}: ${report.reverted.reason}`)
  }
  if (report.error !== undefined) lines.push(`error: ${report.error}`)
  const steps = report.runs.reduce((n, run) => n + run.steps.filter((s) => s.skipped === undefined).length, 0)
  lines.push(
    report.ok
      ? `${report.dryRun ? 'planned' : 'applied'}: ${plural(steps, 'step')} ok`
      : `failed${report.reverted ? ' (reverted)' : ''}`,
  )
  return `${lines.join('\n')}\n`
}
