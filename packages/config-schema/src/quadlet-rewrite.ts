import type { QuadletScalar, QuadletSection } from './config.js'
import { formatPath, type PathSegment } from './path.js'
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
  if (typeof value === 'boolean') return undefined
  const parsed = parsePublishPort(value)
  const rewrite = parsed.ok ? loopbackRewrite(value, parsed.value) : undefined
  if (rewrite === undefined) return undefined
  const { code, message } = rewrite
  return { value: rewrite.value, warning: { code, segments, path: formatPath(segments), message, anchor: 'value' } }
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
  for (const name of ['Unit', own, 'Install'] as const) {
    const section = unit.sections[name]
    if (section === undefined && name !== own) continue
    const entries: QuadletEntry[] = []
    for (const key of Object.keys(section ?? {})) {
      const at: PathSegment[] = [unit.kind, unit.name, name, key]
      const value = section![key]!
      if (name === own && unit.kind === 'container' && key === 'Network') {
        const warning = forcedNetworkWarning(value, at, mode)
        if (warning) warnings.push(warning)
        continue
      }
      for (const item of valueItems(value, at)) {
        let text = scalarText(item.value, configRoot)
        if (name === own && unit.kind === 'container' && key === 'PublishPort' && mode === 'rootless') {
          const rewrite = rewritePublishPort(item.value, item.segments)
          if (rewrite) {
            text = rewrite.value
            warnings.push(rewrite.warning)
          }
        }
        entries.push({ key, value: text, path: formatPath(item.segments) })
      }
    }
    if (name === own && unit.kind === 'container')
      entries.push({ key: 'Network', value: FORCED_NETWORK[mode], path: '' })
    if (name === own || entries.length > 0) sections.push({ name, entries })
  }
  return { mode, sections, warnings }
}
