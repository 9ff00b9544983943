import type { Issue, Severity } from './issue.js'
import { formatPath, type PathSegment } from './path.js'

/**
 * Where an issue points in the TOML source: at the key (`unknown_key`, a missing key's table) or at its value.
 * The locator falls back to the nearest existing ancestor when the path itself is absent from the source.
 */
export type Anchor = 'key' | 'value'

/** An issue as the rules report it, before source positions are attached. */
export interface PendingIssue {
  readonly code: string
  readonly severity: Severity
  readonly segments: readonly PathSegment[]
  readonly message: string
  readonly anchor: Anchor
}

/** Options that change which configs are valid. */
export interface ValidateOptions {
  /** Podman version whose Quadlet key catalogue applies, `major.minor` (default `5.4`). */
  readonly podmanVersion?: string
}

/** Collects every issue of one validation run. */
export class RuleContext {
  readonly issues: PendingIssue[] = []
  constructor(readonly options: ValidateOptions = {}) {}

  /** Records an error at `segments`. */
  error(code: string, segments: readonly PathSegment[], message: string, anchor: Anchor = 'value'): void {
    this.issues.push({ code, severity: 'error', segments, message, anchor })
  }

  /** Records a warning at `segments`. */
  warning(code: string, segments: readonly PathSegment[], message: string, anchor: Anchor = 'value'): void {
    this.issues.push({ code, severity: 'warning', segments, message, anchor })
  }

  /** True when at least one error has been recorded. */
  get failed(): boolean {
    return this.issues.some((i) => i.severity === 'error')
  }
}

/** Turns a pending issue into the public shape, with a position when one is known. */
export function toIssue(pending: PendingIssue, position?: { line: number; column: number }): Issue {
  const base = {
    code: pending.code,
    severity: pending.severity,
    path: formatPath(pending.segments),
    message: pending.message,
  }
  return position ? { ...base, line: position.line, column: position.column } : base
}
