import type { QuadletScalar, QuadletSection } from './config.js'
import type { RuleContext } from './context.js'
import { childPath, type PathSegment } from './path.js'
import { parsePublishPort } from './publish-port.js'
import {
  DEFAULT_PODMAN_VERSION,
  type QuadletOwnSection,
  quadletCatalogue,
  quadletKeySince,
} from './quadlet-catalogue.js'
import { checkConversion } from './quadlet-conversion.js'
import { checkMounts } from './quadlet-mounts.js'
import { hasBareDollar, hasSpecifier } from './quadlet-paths.js'
import { checkReferences } from './quadlet-references.js'
import { forcedNetworkWarning, loopbackRewrite, quadletMode } from './quadlet-rewrite.js'
import type { CheckedUnit, SectionName, UnitInput } from './units.js'

/**
 * Keys that let a rootless container step outside its boundary: raw podman arguments (`--network=host`,
 * `--privileged`), global options (`--root`, `--url`), a containers.conf module (which can set the default
 * network or add arguments), or joining a pod whose network it does not control.
 */
export const ROOTLESS_FORBIDDEN_KEYS: readonly string[] = ['PodmanArgs', 'GlobalArgs', 'ContainersConfModule', 'Pod']

/**
 * Keys no unit may use: `ServiceName` renames the generated service, which would break the service names that
 * health checks, the runtime and the collision rule rely on.
 */
export const QUADLET_FORBIDDEN_KEYS: readonly string[] = ['ServiceName']

/**
 * An image reference (`registry/name:tag@digest`, `x.build`, `docker://...`). The image is the one positional
 * argument of `podman run` that comes from the config: a value starting with "-" would be read as an option
 * (`--privileged`, `--network=host`) and shift the real image into the command, so the grammar is strict.
 */
const IMAGE_REFERENCE = /^[A-Za-z0-9][A-Za-z0-9._\-/:@+]*$/

/** A printable ASCII character other than space: never whitespace, so most values skip `trim` and the regex below. */
const isVisibleAscii = (c: number): boolean => c > 0x20 && c < 0x7f

/**
 * True when a value starts or ends with whitespace, which systemd and Quadlet strip. `trim` removes exactly what
 * JavaScript's `\s` matches (a superset of theirs), and returns the value itself when there is nothing to remove.
 */
const hasEdgeSpace = (value: string): boolean =>
  !(isVisibleAscii(value.charCodeAt(0)) && isVisibleAscii(value.charCodeAt(value.length - 1))) && value.trim() !== value

/** A value of nothing but quotes and whitespace, which Quadlet unquotes to an empty word. */
const ONLY_QUOTES = /^["'\s]+$/

/** `ONLY_QUOTES`, tested only when the first character could start such a value. */
function onlyQuotes(value: string): boolean {
  const c = value.charCodeAt(0)
  return !(isVisibleAscii(c) && c !== 34 && c !== 39) && ONLY_QUOTES.test(value)
}

const FORBIDDEN = new Set(QUADLET_FORBIDDEN_KEYS)
const ROOTLESS_FORBIDDEN = new Set(ROOTLESS_FORBIDDEN_KEYS)

/** The Quadlet rules over all units of a config (they may refer to each other). */
export function checkQuadletUnits(units: readonly CheckedUnit[], ctx: RuleContext): void {
  const version = ctx.options.podmanVersion ?? DEFAULT_PODMAN_VERSION
  // A bad version is the calling program's mistake, not the config's: quadletCatalogue throws a RangeError for it.
  const catalogue = quadletCatalogue(version)
  for (const unit of units) {
    checkValues(unit, ctx)
    const own = unit.sections[unit.ownSection]
    const ownKeys = unit.keys[unit.ownSection]
    if (own === undefined || ownKeys === undefined) continue
    const at: PathSegment[] = [unit.kind, unit.name, unit.ownSection]
    const section = unit.ownSection as QuadletOwnSection
    checkCatalogue(section, catalogue[section], ownKeys, at, version, ctx)
    checkForbidden(unit, ownKeys, at, ctx)
    checkRequired(unit, own, at, ctx)
    if (unit.kind === 'container') checkContainerNetwork(unit, own, at, ctx)
    checkMounts(unit, own, at, ctx)
    checkConversion(unit, own, at, ctx)
  }
  checkReferences(units, ctx)
}

/**
 * A string in which `checkValueText` can find nothing when this does not match: the empty string, a first character
 * that could start a value of only quotes or whitespace, whitespace at either end (what `trim` removes is exactly
 * `\s`), a "$" or "%", and (for the value rules of units.ts) a control character or a trailing backslash.
 */
export const MAY_BREAK_TEXT_RULES = /^$|^["'\s]|\s$|[\u0000-\u001f\u007f-\u009f$%]|\\$/

const SECTIONS_OF: Readonly<Record<string, readonly SectionName[]>> = {
  Container: ['Unit', 'Container', 'Install'],
  Network: ['Unit', 'Network', 'Install'],
  Volume: ['Unit', 'Volume', 'Install'],
  Build: ['Unit', 'Build', 'Install'],
}

/** The sections of a unit whose own section is `own`, in order: `Unit`, `own`, `Install`. */
function sectionsOf(own: SectionName): readonly SectionName[] {
  return SECTIONS_OF[own] ?? ['Unit', own, 'Install']
}

/** The text rules over the values of `unit.textKeys` (the keys of values that `MAY_BREAK_TEXT_RULES` matches). */
function checkValues(unit: CheckedUnit, ctx: RuleContext): void {
  const rootless = quadletMode(unit) === 'rootless'
  for (const name of sectionsOf(unit.ownSection)) {
    const section = unit.sections[name]
    const keys = unit.textKeys[name]
    if (section === undefined || keys === undefined || keys.length === 0) continue
    const at = [unit.kind, unit.name, name]
    const isOwn = name === unit.ownSection
    for (const key of keys) {
      // PublishPort has its own grammar, which reports "$" and "%" itself.
      const expands = isOwn && !(unit.kind === 'container' && key === 'PublishPort')
      const value = section[key]!
      if (Array.isArray(value)) {
        for (let i = 0; i < value.length; i++) {
          checkValueText(value[i], at, key, i, isOwn, expands && rootless, expands, ctx)
        }
      } else checkValueText(value as QuadletScalar, at, key, undefined, isOwn, expands && rootless, expands, ctx)
    }
  }
}

/**
 * The rules for the text of one value (or item `index`): not empty, not even once unquoted (own section), no edge
 * whitespace, no "$" that systemd would expand (`variables`), no "%" specifier (`specifiers`).
 */
function checkValueText(
  value: QuadletScalar,
  at: readonly PathSegment[],
  key: string,
  index: number | undefined,
  isOwn: boolean,
  specifiers: boolean,
  variables: boolean,
  ctx: RuleContext,
): void {
  if (typeof value !== 'string') return
  if (value === '') {
    ctx.error(
      'quadlet_value_empty',
      childPath(at, key, index),
      'The value is empty, and an empty assignment resets the key in systemd and Quadlet.',
    )
    return
  }
  // Quadlet unquotes many values and writes an empty word into ExecStart unquoted, where systemd drops it and
  // the next argument takes its place (LogDriver="" swallows the following option).
  if (isOwn && onlyQuotes(value)) {
    ctx.error('quadlet_value_empty', childPath(at, key, index), 'The value is empty once Quadlet removes its quotes.')
    return
  }
  if (hasEdgeSpace(value)) {
    ctx.error(
      'quadlet_value_whitespace',
      childPath(at, key, index),
      'The value starts or ends with whitespace, which systemd and Quadlet strip.',
    )
  }
  if (variables && hasBareDollar(value)) {
    ctx.error(
      'quadlet_value_variable',
      childPath(at, key, index),
      'The value has a "$" that systemd would expand from the service environment; write "$$" for a dollar sign (the placeholders CONFIG_DIR and FILES_DIR are the only variables).',
    )
  }
  if (specifiers && hasSpecifier(value)) {
    ctx.error(
      'rootless_value_specifier',
      childPath(at, key, index),
      'A rootless container value may not use systemd "%" specifiers (they expand to host paths such as the runtime directory); write "%%" for a percent sign.',
    )
  }
}

function checkCatalogue(
  section: QuadletOwnSection,
  known: ReadonlySet<string>,
  keys: readonly string[],
  at: readonly PathSegment[],
  version: string,
  ctx: RuleContext,
): void {
  for (const key of keys) {
    if (known.has(key)) continue
    const since = quadletKeySince(section, key)
    const message = since
      ? `Podman ${version}'s Quadlet does not support "${key}" in [${section}] (it arrived in Podman ${since}).`
      : `Quadlet does not support "${key}" in [${section}]${ctx.didYouMean(key, known)}.`
    ctx.error('quadlet_key_unknown', [...at, key], message, 'key')
  }
}

function checkForbidden(unit: UnitInput, keys: readonly string[], at: readonly PathSegment[], ctx: RuleContext): void {
  const rootless = quadletMode(unit) === 'rootless'
  for (const key of keys) {
    if (FORBIDDEN.has(key)) {
      ctx.error(
        'quadlet_key_forbidden',
        [...at, key],
        `"${key}" is not allowed: it renames the generated service, which the runtime and health checks rely on.`,
        'key',
      )
    }
    if (rootless && ROOTLESS_FORBIDDEN.has(key)) {
      ctx.error(
        'rootless_key_forbidden',
        [...at, key],
        `"${key}" is not allowed in a rootless container because it can bypass the rootless network boundary.`,
        'key',
      )
    }
  }
}

function checkRequired(unit: UnitInput, own: QuadletSection, at: readonly PathSegment[], ctx: RuleContext): void {
  const required = unit.kind === 'container' ? 'Image' : unit.kind === 'build' ? 'ImageTag' : undefined
  if (required !== undefined && own[required] === undefined) {
    ctx.error('quadlet_key_missing', [...at, required], `The [${unit.ownSection}] section needs "${required}".`, 'key')
  }
  if (unit.kind === 'container' && own.Rootfs !== undefined) {
    ctx.error(
      'quadlet_key_conflict',
      [...at, 'Rootfs'],
      'A container is started from its "Image"; Quadlet does not allow "Rootfs" together with it.',
      'key',
    )
  }
  if (unit.kind === 'container' && Array.isArray(own.Image)) {
    ctx.error('quadlet_value_multiple', [...at, 'Image'], 'A container has exactly one "Image".')
  } else if (unit.kind === 'container' && own.Image !== undefined && !IMAGE_REFERENCE.test(String(own.Image))) {
    ctx.error(
      'quadlet_image_invalid',
      [...at, 'Image'],
      'An image reference is letters, digits and ._-/:@+ and starts with a letter or digit.',
    )
  }
}

function checkContainerNetwork(
  unit: UnitInput,
  own: QuadletSection,
  at: readonly PathSegment[],
  ctx: RuleContext,
): void {
  const mode = quadletMode(unit)
  if (own.Network !== undefined) {
    const warning = forcedNetworkWarning(own.Network, [...at, 'Network'], mode)
    if (warning) ctx.warning(warning.code, warning.segments, warning.message, warning.anchor)
  }
  const ports = own.PublishPort
  if (ports === undefined) return
  if (mode === 'rootful') {
    ctx.warning(
      'publish_port_host_network',
      [...at, 'PublishPort'],
      'A rootful container runs on the host network, where Podman ignores published ports; its ports listen on the host directly.',
      'key',
    )
  }
  if (Array.isArray(ports)) {
    for (let i = 0; i < ports.length; i++) checkPublishPort(ports[i], at, i, mode === 'rootless', ctx)
  } else checkPublishPort(ports as QuadletScalar, at, undefined, mode === 'rootless', ctx)
}

/** One `PublishPort` value (or item `index`): its grammar, and for a rootless container the loopback rewrite. */
function checkPublishPort(
  value: QuadletScalar,
  at: readonly PathSegment[],
  index: number | undefined,
  rootless: boolean,
  ctx: RuleContext,
): void {
  if (typeof value === 'boolean') {
    ctx.error(
      'publish_port_invalid',
      childPath(at, 'PublishPort', index),
      'A published port is a port number or a string, not a boolean.',
    )
    return
  }
  if (typeof value === 'string' && (value === '' || hasEdgeSpace(value))) return
  const parsed = parsePublishPort(value)
  if (!parsed.ok) {
    const code =
      parsed.error.kind === 'expansion'
        ? 'publish_port_expansion'
        : parsed.error.kind === 'range_length'
          ? 'publish_port_range_length'
          : 'publish_port_invalid'
    ctx.error(code, childPath(at, 'PublishPort', index), parsed.error.message)
    return
  }
  if (!rootless) return
  const rewrite = loopbackRewrite(value, parsed.value)
  if (rewrite) ctx.warning(rewrite.code, childPath(at, 'PublishPort', index), rewrite.message)
}
