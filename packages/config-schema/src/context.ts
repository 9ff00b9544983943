import type { Issue, Severity } from './issue.js'
import { formatPath, type PathSegment } from './path.js'
import { didYouMean, SUGGESTION_BUDGET } from './suggest.js'
import { escapeControls } from './text.js'
import { typeName } from './values.js'

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
  /** What is left of this run's work for "did you mean" suggestions (see `SUGGESTION_BUDGET`). */
  private readonly suggestionBudget = { cells: SUGGESTION_BUDGET }
  private errorCount = 0
  /**
   * @param source `toml` when values come from the TOML reader, which hands integers over as bigint, so a plain
   *   number is always a float (`443.0`); `json` when a number without a fraction is an integer.
   */
  constructor(
    readonly options: ValidateOptions = {},
    readonly source: 'toml' | 'json' = 'json',
  ) {}

  /** True for an integer of this source: a bigint, or for JSON a number without fraction. */
  isInteger(value: unknown): value is bigint | number {
    return typeof value === 'bigint' || (this.source === 'json' && typeof value === 'number' && Number.isInteger(value))
  }

  /** The type of a value as messages name it, telling TOML floats from integers. */
  typeName(value: unknown): string {
    return typeof value === 'number' && this.source === 'toml' ? 'float' : typeName(value)
  }

  /** Records an error at `segments`. */
  error(code: string, segments: readonly PathSegment[], message: string, anchor: Anchor = 'value'): void {
    this.issues.push({ code, severity: 'error', segments, message, anchor })
    this.errorCount++
  }

  /** Records a warning at `segments`. */
  warning(code: string, segments: readonly PathSegment[], message: string, anchor: Anchor = 'value'): void {
    this.issues.push({ code, severity: 'warning', segments, message, anchor })
  }

  /** True when at least one error has been recorded. */
  get failed(): boolean {
    return this.errorCount > 0
  }

  /** ` (did you mean "x"?)` for the closest of `known`, or ''; all suggestions of a run share one work budget. */
  didYouMean(input: string, known: Iterable<string>): string {
    return didYouMean(input, known, this.suggestionBudget)
  }
}

/** Turns a pending issue into the public shape, with a position when one is known and control characters escaped. */
export function toIssue(pending: PendingIssue, position?: { line: number; column: number }): Issue {
  const { code, severity } = pending
  // Messages quote config values; none may carry a control character to whoever prints it.
  const message = escapeControls(pending.message)
  const path = formatPath(pending.segments)
  return position
    ? { code, severity, path, message, line: position.line, column: position.column }
    : { code, severity, path, message }
}
