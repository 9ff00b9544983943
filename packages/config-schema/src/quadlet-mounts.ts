import type { QuadletSection } from './config.js'
import type { RuleContext } from './context.js'
import type { PathSegment } from './path.js'
import { DEFAULT_CONFIG_ROOT, expandPlaceholders, rootlessPathProblem } from './quadlet-paths.js'
import { quadletMode, valueItems } from './quadlet-rewrite.js'
import type { UnitInput, UnitKind } from './units.js'

/** Mount types Podman's `--mount` accepts. */
const MOUNT_TYPES = ['bind', 'volume', 'tmpfs', 'image', 'devpts', 'glob', 'ramfs', 'artifact']

/** Mount types whose `source` Quadlet resolves (and Podman needs). */
const SOURCED = ['bind', 'glob', 'image']

/**
 * Keys whose whole value is a host path, by unit kind (`Volume`, `Mount`, `LogOpt`, `HealthLogDestination`,
 * `SeccompProfile` and `AddDevice` name theirs inside the value and are read below). A build's `File` and
 * `SetWorkingDirectory` may also be a URL, or `file`/`unit`; only path-like values are host paths.
 */
const PATH_KEYS: Readonly<Record<UnitKind, readonly string[]>> = {
  container: ['EnvironmentFile'],
  network: [],
  volume: ['Device'],
  build: ['SetWorkingDirectory', 'File', 'AuthFile', 'IgnoreFile'],
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

/** True when a value names a host path once its placeholders are expanded: absolute, or relative with "." first. */
function isPathLike(value: string): boolean {
  const expanded = expandPlaceholders(value, DEFAULT_CONFIG_ROOT)
  return expanded.startsWith('/') || expanded.startsWith('.')
}

/**
 * The host path of a `Volume=` value (`[source:]destination[:options]`), when its source is one: Quadlet reads a
 * source that starts with "/" or "." as a path, and the renderer expands the placeholders before Quadlet sees it,
 * so `${FILES_DIR}/a:/a` names a host path too. Returned as written (placeholders not expanded).
 */
export function volumeHostSource(value: string): string | undefined {
  const colon = value.indexOf(':')
  if (colon === -1) return undefined
  const source = value.slice(0, colon)
  return isPathLike(source) ? source : undefined
}

/** A host path found in a unit, where it was found, and whether it is a glob pattern. */
interface HostPath {
  readonly path: string
  readonly segments: readonly PathSegment[]
  readonly glob: boolean
}

/**
 * Mount syntax for every container and build, and the one rule for every host path any key names: no backslash
 * (Quadlet copies host paths into `RequiresMountsFor=` and `WorkingDirectory=`, where a final one would continue the
 * line), and for rootless containers `rootlessPathProblem` over the path with its placeholders expanded.
 */
export function checkMounts(unit: UnitInput, own: QuadletSection, at: readonly PathSegment[], ctx: RuleContext): void {
  const rootless = quadletMode(unit) === 'rootless'
  const paths: HostPath[] = []
  const add = (path: string, segments: readonly PathSegment[], glob = false) => paths.push({ path, segments, glob })
  const items = (key: string) => (own[key] === undefined ? [] : valueItems(own[key], [...at, key]))
  for (const key of PATH_KEYS[unit.kind]) {
    for (const item of items(key)) {
      if (typeof item.value !== 'string') continue
      if (unit.kind === 'build' && !isPathLike(item.value)) continue
      add(item.value, item.segments)
    }
  }
  if (unit.kind === 'container') {
    for (const item of items('Mount')) {
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
      if (source !== undefined && (type === 'bind' || type === 'glob')) add(source, item.segments, type === 'glob')
      if (rootless && options.some((o) => o.key === 'volume-opt')) {
        ctx.error(
          'rootless_mount_protected',
          item.segments,
          'A rootless container may not pass "volume-opt", which can bind any host path into a volume.',
        )
      }
    }
  }
  if (unit.kind === 'container' || unit.kind === 'build') {
    for (const item of items('Volume')) {
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
      if (source !== undefined) add(source, item.segments)
    }
  }
  if (unit.kind === 'container') {
    for (const item of items('LogOpt')) {
      // Quadlet splits LogOpt at whitespace, so every word that sets a path counts.
      if (typeof item.value !== 'string') continue
      for (const m of item.value.matchAll(/(?:^|[\s"'])path=([^\s"']*)/g)) add(m[1]!, item.segments)
    }
    // `local`, `events_logger` or a directory; `unconfined` or a profile file.
    for (const key of ['HealthLogDestination', 'SeccompProfile']) {
      for (const item of items(key)) {
        if (typeof item.value === 'string' && isPathLike(item.value)) add(item.value, item.segments)
      }
    }
    // `[-]host[:container][:permissions]`: the host device is a path the kernel resolves like any other.
    for (const item of items('AddDevice')) {
      if (typeof item.value !== 'string') continue
      const host = item.value.startsWith('-') ? item.value.slice(1) : item.value
      add(host.split(':')[0]!, item.segments)
    }
  }
  for (const { path, segments, glob } of paths) {
    if (path.includes('\\')) {
      ctx.error('quadlet_path_backslash', segments, 'A host path may not contain a backslash.')
      continue
    }
    if (!rootless) continue
    const problem = rootlessPathProblem(expandPlaceholders(path, DEFAULT_CONFIG_ROOT), glob)
    if (problem) ctx.error(problem.code, segments, problem.message)
  }
}
