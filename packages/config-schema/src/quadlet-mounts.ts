import type { QuadletSection } from './config.js'
import type { RuleContext } from './context.js'
import type { PathSegment } from './path.js'
import {
  DEFAULT_CONFIG_ROOT,
  expandPlaceholders,
  exposedProtectedPath,
  globBase,
  normalizeHostPath,
  ROOTFUL_UNIT_DIR,
  ROOTLESS_UNIT_DIR,
} from './quadlet-paths.js'
import { quadletMode, valueItems } from './quadlet-rewrite.js'
import type { UnitInput, UnitKind } from './units.js'

/** Mount types Podman's `--mount` accepts. */
const MOUNT_TYPES = ['bind', 'volume', 'tmpfs', 'image', 'devpts', 'glob', 'ramfs', 'artifact']

/** Mount types whose `source` Quadlet resolves (and Podman needs). */
const SOURCED = ['bind', 'glob', 'image']

/** Keys whose values are host paths, by unit kind (containers' host paths come with their mounts). */
const PATH_KEYS: Readonly<Record<UnitKind, readonly string[]>> = {
  container: [],
  network: [],
  volume: ['Device'],
  build: ['SetWorkingDirectory', 'File'],
}

/** A parsed `Mount=` value: its type, its source and its raw options. */
export interface MountSpec {
  readonly type: string
  readonly source?: string
  readonly options: readonly { readonly key: string; readonly value?: string }[]
}

/**
 * Parses one `Mount=` value. Quadlet splits the value at whitespace (shell-style) and reads each word as CSV, so a
 * value with whitespace, quotes or backslashes could become several mounts or a different source: those are refused.
 */
export function parseMount(value: string): { ok: true; value: MountSpec } | { ok: false; message: string } {
  if (/[\s"'\\]/.test(value)) {
    return { ok: false, message: 'A mount may not contain whitespace, quotes or backslashes.' }
  }
  let type: string | undefined
  let source: string | undefined
  const options: { key: string; value?: string }[] = []
  for (const token of value.split(',')) {
    const eq = token.indexOf('=')
    const key = eq === -1 ? token : token.slice(0, eq)
    const val = eq === -1 ? undefined : token.slice(eq + 1)
    if (key === '') return { ok: false, message: 'A mount has an empty option.' }
    if (key === 'type') {
      if (type !== undefined) return { ok: false, message: 'A mount has more than one "type".' }
      type = val
    } else if (key === 'source' || key === 'src') {
      if (source !== undefined) return { ok: false, message: 'A mount has more than one source.' }
      if (val === undefined || val === '') return { ok: false, message: 'The mount source is empty.' }
      source = val
    } else options.push(val === undefined ? { key } : { key, value: val })
  }
  if (type === undefined || !MOUNT_TYPES.includes(type)) {
    return { ok: false, message: `A mount needs "type=" with one of ${MOUNT_TYPES.join(', ')}.` }
  }
  if (SOURCED.includes(type) && source === undefined) {
    return { ok: false, message: `A ${type} mount needs a "source=".` }
  }
  return { ok: true, value: source === undefined ? { type, options } : { type, source, options } }
}

/** The host path of a `Volume=` value (`[source:]destination[:options]`), when its source is one. */
export function volumeHostSource(value: string): string | undefined {
  const colon = value.indexOf(':')
  if (colon === -1) return undefined
  const source = value.slice(0, colon)
  return source.startsWith('/') || source.startsWith('.') ? source : undefined
}

/** The unit-file directory that Quadlet resolves relative sources against, per mode. */
function unitDir(rootless: boolean): string {
  return rootless ? ROOTLESS_UNIT_DIR : ROOTFUL_UNIT_DIR
}

/**
 * Mount syntax for every container and build; for rootless containers, no host path (from `Volume`, `Mount`,
 * a `LogOpt` `path=` or `HealthLogDestination`) may expose a protected path.
 */
export function checkMounts(unit: UnitInput, own: QuadletSection, at: readonly PathSegment[], ctx: RuleContext): void {
  const rootless = quadletMode(unit) === 'rootless'
  // Quadlet copies host paths verbatim into [Unit] RequiresMountsFor= and [Service] WorkingDirectory= of the
  // service it writes; a backslash at the end of such a path would continue that line into the next directive.
  const plainPath = (path: string, segments: readonly PathSegment[]) => {
    if (!path.includes('\\')) return true
    ctx.error('quadlet_path_backslash', segments, 'A host path may not contain a backslash.')
    return false
  }
  for (const key of PATH_KEYS[unit.kind]) {
    if (own[key] === undefined) continue
    for (const item of valueItems(own[key], [...at, key])) {
      if (typeof item.value === 'string') plainPath(item.value, item.segments)
    }
  }
  const guard = (hostPath: string, segments: readonly PathSegment[], glob = false) => {
    if (!rootless) return
    const expanded = expandPlaceholders(hostPath, DEFAULT_CONFIG_ROOT)
    if (!expanded.startsWith('/')) {
      // Quadlet resolves a relative source against the directory the unit file is read from, which is appsvc's
      // own unit directory on the device but any directory elsewhere: only absolute paths mean one thing.
      ctx.error(
        'rootless_path_relative',
        segments,
        'A rootless container mounts host paths by absolute path only (bundle files are under the FILES_DIR placeholder).',
      )
      return
    }
    const path = normalizeHostPath(glob ? globBase(expanded) : expanded, unitDir(rootless))
    const exposed = exposedProtectedPath(path)
    if (exposed) {
      ctx.error(
        'rootless_mount_protected',
        segments,
        `A rootless container may not mount ${path}: it exposes ${exposed.path}, and ${exposed.reason}.`,
      )
    }
  }
  if (unit.kind === 'container' && own.Mount !== undefined) {
    for (const item of valueItems(own.Mount, [...at, 'Mount'])) {
      if (typeof item.value !== 'string') {
        ctx.error('quadlet_mount_invalid', item.segments, 'A mount is a string such as type=bind,source=/a,target=/b.')
        continue
      }
      const parsed = parseMount(item.value)
      if (!parsed.ok) {
        ctx.error('quadlet_mount_invalid', item.segments, parsed.message)
        continue
      }
      const { type, source, options } = parsed.value
      if (source !== undefined && !plainPath(source, item.segments)) continue
      if (source !== undefined && (type === 'bind' || type === 'glob')) guard(source, item.segments, type === 'glob')
      if (rootless && options.some((o) => o.key === 'volume-opt')) {
        ctx.error(
          'rootless_mount_protected',
          item.segments,
          'A rootless container may not pass "volume-opt", which can bind any host path into a volume.',
        )
      }
    }
  }
  if ((unit.kind === 'container' || unit.kind === 'build') && own.Volume !== undefined) {
    for (const item of valueItems(own.Volume, [...at, 'Volume'])) {
      if (typeof item.value !== 'string') continue
      // The destination is the whole value, or what follows the first colon up to the next one.
      const colon = item.value.indexOf(':')
      const destinationEmpty =
        colon === -1 ? item.value === '' : colon + 1 === item.value.length || item.value[colon + 1] === ':'
      if (destinationEmpty) {
        // "Volume=:" makes Quadlet write an empty, unquoted "-v" argument, and the image becomes the volume.
        ctx.error(
          'quadlet_volume_invalid',
          item.segments,
          'A volume needs a container path: [source:]destination[:options].',
        )
        continue
      }
      const source = volumeHostSource(item.value)
      if (source !== undefined && plainPath(source, item.segments)) guard(source, item.segments)
    }
  }
  if (unit.kind !== 'container') return
  if (own.LogOpt !== undefined) {
    for (const item of valueItems(own.LogOpt, [...at, 'LogOpt'])) {
      // Quadlet splits LogOpt at whitespace, so every word that sets a path counts.
      if (typeof item.value !== 'string') continue
      for (const m of item.value.matchAll(/(?:^|[\s"'])path=([^\s"']*)/g)) guard(m[1]!, item.segments)
    }
  }
  if (own.HealthLogDestination !== undefined) {
    for (const item of valueItems(own.HealthLogDestination, [...at, 'HealthLogDestination'])) {
      if (typeof item.value === 'string' && item.value.startsWith('/')) guard(item.value, item.segments)
    }
  }
}
