import type { QuadletScalar, QuadletSection } from './config.js'
import type { RuleContext } from './context.js'
import { childPath, type PathSegment } from './path.js'
import { DEFAULT_CONFIG_ROOT, expandPlaceholders, rootlessPathProblem } from './quadlet-paths.js'
import { quadletMode } from './quadlet-rewrite.js'
import type { UnitInput, UnitKind } from './units.js'

/** Mount types Podman's `--mount` accepts. */
const MOUNT_TYPES = ['bind', 'volume', 'tmpfs', 'image', 'devpts', 'glob', 'ramfs', 'artifact']

/** Mount types whose `source` Quadlet resolves (and Podman needs). */
const SOURCED = ['bind', 'glob', 'image']

/**
 * Keys whose whole value is a host path, by unit kind (`Volume`, `Mount`, `LogOpt`, `HealthLogDestination`,
 * `SeccompProfile` and `AddDevice` name theirs inside the value and are read below). A build's `File` and
 * `SetWorkingDirectory` may also be a URL, or `file`/`unit`, which are not host paths.
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

// biome-ignore lint/suspicious/noTemplateCurlyInString: the config's own placeholder syntax, not a template
const PLACEHOLDERS = ['${CONFIG_DIR}', '${FILES_DIR}']

/**
 * True when a value names a host path once its placeholders are expanded: absolute, or relative with "." first. Both
 * placeholders expand to absolute paths, so a value that starts with one is absolute; any other "$" stays as it is.
 */
function isPathLike(value: string): boolean {
  const c = value.charCodeAt(0)
  return (
    c === 47 || c === 46 || (c === 36 && (value.startsWith(PLACEHOLDERS[0]!) || value.startsWith(PLACEHOLDERS[1]!)))
  )
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

/**
 * Mount syntax for every container and build, and the one rule for every host path any key names: no backslash
 * (Quadlet copies host paths into `RequiresMountsFor=` and `WorkingDirectory=`, where a final one would continue the
 * line), and for rootless containers `rootlessPathProblem` over the path with its placeholders expanded. Paths of
 * issues are built only when one is reported.
 */
export function checkMounts(unit: UnitInput, own: QuadletSection, at: readonly PathSegment[], ctx: RuleContext): void {
  const rootless = quadletMode(unit) === 'rootless'
  const hostPath = (path: string, key: string, index: number | undefined, glob = false) =>
    checkHostPath(path, glob, rootless, at, key, index, ctx)
  for (const key of PATH_KEYS[unit.kind]) {
    const value = own[key]
    if (value === undefined) continue
    if (!Array.isArray(value)) {
      if (typeof value === 'string' && (unit.kind !== 'build' || !isBuildKeyword(value)))
        hostPath(value, key, undefined)
      continue
    }
    for (let i = 0; i < value.length; i++) {
      const item = value[i]
      if (typeof item === 'string' && (unit.kind !== 'build' || !isBuildKeyword(item))) hostPath(item, key, i)
    }
  }
  if (unit.kind === 'container' && own.Mount !== undefined) {
    eachItem(own.Mount, (value, index) => {
      if (typeof value !== 'string') {
        ctx.error(
          'quadlet_mount_invalid',
          childPath(at, 'Mount', index),
          'A mount is a string such as type=bind,source=/a,target=/b.',
        )
        return
      }
      const parsed = parseMount(value)
      if (!parsed.ok) {
        ctx.error('quadlet_mount_invalid', childPath(at, 'Mount', index), parsed.message)
        return
      }
      const { type, source, options } = parsed.value
      if (source !== undefined && (type === 'bind' || type === 'glob'))
        hostPath(source, 'Mount', index, type === 'glob')
      if (rootless && options.some((o) => o.key === 'volume-opt')) {
        ctx.error(
          'rootless_mount_protected',
          childPath(at, 'Mount', index),
          'A rootless container may not pass "volume-opt", which can bind any host path into a volume.',
        )
      }
    })
  }
  const volumes = own.Volume
  if ((unit.kind === 'container' || unit.kind === 'build') && volumes !== undefined) {
    if (!Array.isArray(volumes)) {
      if (typeof volumes === 'string') checkVolume(volumes, undefined, rootless, at, ctx)
    } else {
      for (let i = 0; i < volumes.length; i++) {
        const item = volumes[i]
        if (typeof item === 'string') checkVolume(item, i, rootless, at, ctx)
      }
    }
  }
  if (unit.kind !== 'container') return
  // Quadlet splits LogOpt at whitespace, so every word that sets a path counts.
  if (own.LogOpt !== undefined) {
    eachString(own.LogOpt, (value, index) => {
      for (const m of value.matchAll(/(?:^|[\s"'])path=([^\s"']*)/g)) hostPath(m[1]!, 'LogOpt', index)
    })
  }
  // `local`, `events_logger` or a directory; `unconfined` or a profile file.
  for (const key of OPTIONAL_PATH_KEYS) {
    if (own[key] === undefined) continue
    eachString(own[key], (value, index) => {
      if (isPathLike(value)) hostPath(value, key, index)
    })
  }
  // `[-]host[:container][:permissions]`: the host device is a path the kernel resolves like any other.
  if (own.AddDevice === undefined) return
  eachString(own.AddDevice, (value, index) => {
    const host = value.startsWith('-') ? value.slice(1) : value
    const colon = host.indexOf(':')
    hostPath(colon === -1 ? host : host.slice(0, colon), 'AddDevice', index)
  })
}

/** One `Volume=` value (or item `index`): a container path, and the rule for its host path when it has one. */
function checkVolume(
  value: string,
  index: number | undefined,
  rootless: boolean,
  at: readonly PathSegment[],
  ctx: RuleContext,
): void {
  // The destination is the whole value, or what follows the first colon up to the next one.
  const colon = value.indexOf(':')
  const destinationEmpty = colon === -1 ? value === '' : colon + 1 === value.length || value[colon + 1] === ':'
  if (destinationEmpty) {
    // "Volume=:" makes Quadlet write an empty, unquoted "-v" argument, and the image becomes the volume.
    ctx.error(
      'quadlet_volume_invalid',
      childPath(at, 'Volume', index),
      'A volume needs a container path: [source:]destination[:options].',
    )
    return
  }
  const source = volumeHostSource(value)
  if (source !== undefined) checkHostPath(source, false, rootless, at, 'Volume', index, ctx)
}

/** A build `File` or `SetWorkingDirectory` that names no host path: a URL, or the keywords `file` and `unit`. */
function isBuildKeyword(value: string): boolean {
  return value === 'file' || value === 'unit' || value.includes('://')
}

/** Container keys whose value is a host path only when it looks like one (else a keyword). */
const OPTIONAL_PATH_KEYS = ['HealthLogDestination', 'SeccompProfile']

/** The one rule for a host path found at `key` (item `index`) of the section at `at`; see `checkMounts`. */
function checkHostPath(
  path: string,
  glob: boolean,
  rootless: boolean,
  at: readonly PathSegment[],
  key: string,
  index: number | undefined,
  ctx: RuleContext,
): void {
  if (path.includes('\\')) {
    ctx.error('quadlet_path_backslash', childPath(at, key, index), 'A host path may not contain a backslash.')
    return
  }
  if (!rootless) return
  const problem = rootlessPathProblem(expandPlaceholders(path, DEFAULT_CONFIG_ROOT), glob)
  if (problem) ctx.error(problem.code, childPath(at, key, index), problem.message)
}

/** Calls `fn` for the value, or for each item of an array value with its index. */
function eachItem(value: QuadletSection[string] | undefined, fn: (item: QuadletScalar, index?: number) => void): void {
  if (value === undefined) return
  if (!Array.isArray(value)) fn(value as QuadletScalar)
  else for (let i = 0; i < value.length; i++) fn(value[i]!, i)
}

/** `eachItem` over the string items only (other types are reported by the value rules). */
function eachString(value: QuadletSection[string] | undefined, fn: (item: string, index?: number) => void): void {
  if (value === undefined) return
  if (!Array.isArray(value)) {
    if (typeof value === 'string') fn(value)
  } else {
    for (let i = 0; i < value.length; i++) {
      const item = value[i]
      if (typeof item === 'string') fn(item, i)
    }
  }
}
