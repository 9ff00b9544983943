import type { QuadletScalar, QuadletSection } from './config.js'
import { formatKey, formatPath, type PathSegment } from './path.js'
import { formatPublishPort, loopbackPublishPort, type PublishPort, parsePublishPort } from './publish-port.js'
import { DEFAULT_CONFIG_ROOT, expandPlaceholders } from './quadlet-paths.js'
import type { SectionName, UnitKind } from './units.js'

/** How a unit runs: as root, or as `appsvc` inside its own user namespace. */
export type QuadletMode = 'rootful' | 'rootless'

/** The network every container of a mode is forced onto. */
export const FORCED_NETWORK: Readonly<Record<QuadletMode, string>> = { rootful: 'host', rootless: 'pasta' }

/** The parts of a unit that the rewrite reads: what validation and rendering both know about a unit. */
export interface QuadletUnitSource {
  readonly kind: UnitKind
  readonly name: string
  /** Only containers can be rootless; networks, volumes and builds are always rootful. */
  readonly privileged: boolean
  readonly sections: Partial<Record<SectionName, QuadletSection>>
}

/** One `Key=value` line; `path` is the config path it came from (empty for a forced line). */
export interface QuadletEntry {
  readonly key: string
  readonly value: string
  readonly path: string
}

/** One rendered section, entries in output order. */
export interface QuadletSectionEntries {
  readonly name: SectionName
  readonly entries: readonly QuadletEntry[]
}

/** A warning about a rewrite, with the same code and path in validation and in the plan. */
export interface QuadletRewriteWarning {
  readonly code: string
  readonly segments: readonly PathSegment[]
  readonly path: string
  readonly message: string
  /** Where the issue points in the TOML source. */
  readonly anchor: 'key' | 'value'
}

/** A unit after the rewrites: its mode and its sections in render order (Unit, own, Install). */
export interface RewrittenUnit {
  readonly mode: QuadletMode
  readonly sections: readonly QuadletSectionEntries[]
  readonly warnings: readonly QuadletRewriteWarning[]
}

/** Options of the rewrite. */
export interface RewriteOptions {
  /** Directory that `${CONFIG_DIR}` stands for (default `/data/config`); `${FILES_DIR}` is its `files/`. */
  readonly configRoot?: string
}

const OWN: Readonly<Record<UnitKind, SectionName>> = {
  container: 'Container',
  network: 'Network',
  volume: 'Volume',
  build: 'Build',
}

/** The mode of a unit: only a container with `privileged = false` is rootless. */
export function quadletMode(unit: Pick<QuadletUnitSource, 'kind' | 'privileged'>): QuadletMode {
  return unit.kind === 'container' && !unit.privileged ? 'rootless' : 'rootful'
}

/** The text of a scalar in a unit file: booleans `true`/`false`, integers in decimal, strings with placeholders. */
export function scalarText(value: QuadletScalar, configRoot: string = DEFAULT_CONFIG_ROOT): string {
  if (typeof value === 'string') return expandPlaceholders(value, configRoot)
  return String(value)
}

/** The items of a value with their config paths: one per array item, or the scalar alone. */
export function valueItems(
  value: QuadletSection[string],
  at: readonly PathSegment[],
): { value: QuadletScalar; segments: readonly PathSegment[] }[] {
  if (Array.isArray(value)) return value.map((item, i) => ({ value: item, segments: [...at, i] }))
  return [{ value: value as QuadletScalar, segments: at }]
}

/**
 * The rootless form of one `PublishPort` item, or undefined when it needs no change (or does not parse, which
 * validation reports). Shared by validation (for the warning) and rendering (for the line).
 */
export function rewritePublishPort(
  value: QuadletScalar,
  segments: readonly PathSegment[],
): { value: string; warning: QuadletRewriteWarning } | undefined {
  const rewrite = publishPortRewrite(value)
  if (rewrite === undefined) return undefined
  const { code, message } = rewrite
  return { value: rewrite.value, warning: { code, segments, path: formatPath(segments), message, anchor: 'value' } }
}

/**
 * What `rewritePublishPort` says without a path: the rootless form with its warning's code and message, or undefined.
 * A string that starts with `127.` is never changed, so it is not parsed: parsePublishPort reads the text before its
 * first colon as a host address (in 127.0.0.0/8 when it is one) or as a port (which `127.` is not, so it fails).
 */
export function publishPortRewrite(value: QuadletScalar): { value: string; code: string; message: string } | undefined {
  if (typeof value === 'boolean') return undefined
  if (typeof value === 'string' && value.startsWith('127.')) return undefined
  const parsed = parsePublishPort(value)
  return parsed.ok ? loopbackRewrite(value, parsed.value) : undefined
}

/**
 * The rootless form of a `PublishPort` value that is already parsed into `port`, with the code and message of its
 * warning; undefined when it needs no change. Validation reports the warning with a path only when this says so.
 */
export function loopbackRewrite(
  value: string | number,
  port: PublishPort,
): { value: string; code: string; message: string } | undefined {
  const { value: rewritten, changed } = loopbackPublishPort(port)
  if (!changed) return undefined
  const text = formatPublishPort(rewritten)
  const bare = port.hostIp === undefined && port.hostPort === undefined
  return bare
    ? {
        value: text,
        code: 'publish_port_loopback_random',
        message: `A rootless container publishes only on loopback: "${String(value)}" becomes "${text}" (a free host port on 127.0.0.1).`,
      }
    : {
        value: text,
        code: 'publish_port_loopback',
        message: `A rootless container publishes only on loopback: "${String(value)}" becomes "${text}".`,
      }
}

/** The warning for a `Network` key that the forced network replaces, or undefined when it already says so. */
export function forcedNetworkWarning(
  value: QuadletSection[string],
  segments: readonly PathSegment[],
  mode: QuadletMode,
): QuadletRewriteWarning | undefined {
  const forced = FORCED_NETWORK[mode]
  const items = Array.isArray(value) ? value : [value]
  if (items.length === 1 && items[0] === forced) return undefined
  const kind = mode === 'rootful' ? 'rootful' : 'rootless'
  return {
    code: 'quadlet_network_forced',
    segments,
    path: formatPath(segments),
    message: `A ${kind} container always runs with Network=${forced}; this setting is replaced.`,
    anchor: 'key',
  }
}

const NO_SEGMENTS: readonly PathSegment[] = []

/** The text of one item in a unit file; a rootless `PublishPort` item is rewritten, its warning pushed. */
function itemText(
  value: QuadletScalar,
  rewrite: boolean,
  segments: readonly PathSegment[],
  path: string,
  configRoot: string,
  warnings: QuadletRewriteWarning[],
): string {
  if (rewrite) {
    const rewritten = publishPortRewrite(value)
    if (rewritten) {
      const { code, message } = rewritten
      warnings.push({ code, segments, path, message, anchor: 'value' })
      return rewritten.value
    }
  }
  return scalarText(value, configRoot)
}

/**
 * Applies the boundary rewrites to a valid unit: containers get their forced `Network` as the last line of their
 * section (any configured `Network` lines are dropped); rootless `PublishPort` items bind 127.0.0.1. Placeholders
 * are expanded. Every change comes with a warning.
 */
export function rewriteQuadletUnit(unit: QuadletUnitSource, options: RewriteOptions = {}): RewrittenUnit {
  const configRoot = options.configRoot ?? DEFAULT_CONFIG_ROOT
  const mode = quadletMode(unit)
  const own = OWN[unit.kind]
  const warnings: QuadletRewriteWarning[] = []
  const sections: QuadletSectionEntries[] = []
  // Paths are formatted once per section and key; an array item's path is its key's path and `[i]`.
  const unitPath = `${formatKey(unit.kind)}.${formatKey(unit.name)}`
  for (const name of ['Unit', own, 'Install'] as const) {
    const section = unit.sections[name]
    if (section === undefined && name !== own) continue
    const entries: QuadletEntry[] = []
    const sectionPath = `${unitPath}.${name}`
    const container = name === own && unit.kind === 'container'
    for (const key of Object.keys(section ?? {})) {
      const value = section![key]!
      if (container && key === 'Network') {
        const warning = forcedNetworkWarning(value, [unit.kind, unit.name, name, key], mode)
        if (warning) warnings.push(warning)
        continue
      }
      const path = `${sectionPath}.${formatKey(key)}`
      const rewrite = container && key === 'PublishPort' && mode === 'rootless'
      if (!Array.isArray(value)) {
        entries.push({
          key,
          value: itemText(
            value as QuadletScalar,
            rewrite,
            rewrite ? [unit.kind, unit.name, name, key] : NO_SEGMENTS,
            path,
            configRoot,
            warnings,
          ),
          path,
        })
        continue
      }
      for (let i = 0; i < value.length; i++) {
        const itemPath = `${path}[${i}]`
        const segments = rewrite ? [unit.kind, unit.name, name, key, i] : NO_SEGMENTS
        entries.push({
          key,
          value: itemText(value[i]!, rewrite, segments, itemPath, configRoot, warnings),
          path: itemPath,
        })
      }
    }
    if (name === own && unit.kind === 'container')
      entries.push({ key: 'Network', value: FORCED_NETWORK[mode], path: '' })
    if (name === own || entries.length > 0) sections.push({ name, entries })
  }
  return { mode, sections, warnings }
}
