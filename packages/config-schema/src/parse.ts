import type { Config } from './config.js'
import { CONFIG_WORDS } from './config-words.js'
import { type PendingIssue, RuleContext, toIssue, type ValidateOptions } from './context.js'
import type { Issue, Result } from './issue.js'
import { isSupportedPodmanVersion, MIN_PODMAN_VERSION } from './quadlet-catalogue.js'
import { escapeControls } from './text.js'
import { LineIndex } from './toml/positions.js'
import { readToml, TomlSyntaxError } from './toml/reader.js'
import { checkDocument } from './validate-rules.js'

/** Largest accepted config.toml, in UTF-8 bytes. */
export const MAX_CONFIG_BYTES = 1024 * 1024

/** Inline arrays and tables nest no deeper than this; a real config needs three levels. */
const MAX_DEPTH = 32

function utf8Length(text: string): number {
  let bytes = 0
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i)
    if (c < 0x80) bytes += 1
    else if (c < 0x800) bytes += 2
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < text.length) {
      bytes += 4
      i++
    } else bytes += 3
  }
  return bytes
}

function byPosition(a: Issue, b: Issue): number {
  return (a.line ?? 0) - (b.line ?? 0) || (a.column ?? 0) - (b.column ?? 0)
}

function finish(
  config: Config | undefined,
  pending: readonly PendingIssue[],
  place: (p: PendingIssue) => Issue,
): Result<Config> {
  const issues = pending.map(place)
  const errors = issues.filter((i) => i.severity === 'error').sort(byPosition)
  const warnings = issues.filter((i) => i.severity === 'warning').sort(byPosition)
  if (errors.length > 0 || config === undefined) return { ok: false, errors, warnings }
  return { ok: true, value: config, warnings }
}

/** Options come from code, not from the config: an unsupported Podman target is a programmer error. */
function checkOptions(options: ValidateOptions): void {
  const version = options.podmanVersion
  if (version !== undefined && !isSupportedPodmanVersion(version)) {
    throw new RangeError(
      `podmanVersion "${version}" is not supported; use "major.minor", ${MIN_PODMAN_VERSION} or newer.`,
    )
  }
}

function failure(code: string, message: string, line: number, column: number): Result<Config> {
  return { ok: false, errors: [{ code, severity: 'error', path: '', message, line, column }], warnings: [] }
}

/**
 * Parses config.toml text into a fully resolved, typed `Config`: LAN defaults filled in, derived fields computed,
 * lists de-duplicated. Every error and warning is reported at once, each with the line and column of its key or
 * value. Never throws for any string; throws a RangeError only for an unsupported `options.podmanVersion`.
 */
export function parseConfig(text: string, options: ValidateOptions = {}): Result<Config> {
  checkOptions(options)
  if (typeof text !== 'string') return failure('wrong_type', 'The config must be text.', 1, 1)
  if (text.length > MAX_CONFIG_BYTES || (text.length * 3 > MAX_CONFIG_BYTES && utf8Length(text) > MAX_CONFIG_BYTES)) {
    return failure('input_too_large', `The config is larger than ${MAX_CONFIG_BYTES} bytes.`, 1, 1)
  }
  // A byte order mark becomes a space: TOML whitespace, and every offset stays where it was. It is no column of
  // line 1, though: positions there are moved back by one.
  const bom = text.charCodeAt(0) === 0xfeff
  const source = bom ? ` ${text.slice(1)}` : text
  const at = (line: number, column: number) => ({ line, column: bom && line === 1 ? Math.max(1, column - 1) : column })
  let document: ReturnType<typeof readToml>
  try {
    document = readToml(source, MAX_DEPTH, CONFIG_WORDS)
  } catch (error) {
    // The reader throws nothing but its syntax errors; anything else would be a bug, reported without a position.
    if (!(error instanceof TomlSyntaxError)) {
      return failure('toml_syntax', 'The document is nested too deeply or cannot be parsed.', 1, 1)
    }
    const position = new LineIndex(source).position(error.offset)
    const { line, column } = at(position.line, position.column)
    return failure('toml_syntax', escapeControls(error.message), line, column)
  }
  const ctx = new RuleContext(options, 'toml')
  const root = document.value
  const config = checkDocument(root, ctx)
  if (ctx.issues.length === 0 && config !== undefined) return { ok: true, value: config, warnings: [] }
  // Positions are looked up only now, in the log the reader kept: no second pass over the text.
  const lines = new LineIndex(source)
  const positions = document.positions
  positions.prepare(
    root,
    ctx.issues.map((p) => p.segments),
  )
  return finish(config, ctx.issues, (p) => {
    const offset = positions.locate(root, p.segments, p.anchor)
    if (offset === -1) return toIssue(p, { line: 1, column: 1 })
    const position = lines.position(offset)
    return toIssue(p, bom ? at(position.line, position.column) : position)
  })
}

/**
 * Validates an already parsed document (e.g. a JSON body) with exactly the rules of `parseConfig`. Issues carry
 * paths but no positions. Throws a RangeError only for an unsupported `options.podmanVersion`.
 */
export function validateConfig(value: unknown, options: ValidateOptions = {}): Result<Config> {
  checkOptions(options)
  const ctx = new RuleContext(options)
  let config: Config | undefined
  try {
    config = checkDocument(value, ctx)
  } catch {
    // Only exotic objects (throwing getters, proxies) get here; JSON and TOML values cannot.
    return {
      ok: false,
      errors: [{ code: 'wrong_type', severity: 'error', path: '', message: 'The value cannot be read as a config.' }],
      warnings: [],
    }
  }
  return finish(config, ctx.issues, (p) => toIssue(p))
}
