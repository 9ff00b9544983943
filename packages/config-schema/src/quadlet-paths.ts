/**
 * Host paths as the device sees them: the `${CONFIG_DIR}`/`${FILES_DIR}` placeholders, the directories Quadlet
 * resolves relative sources against, and the paths a rootless container must never mount.
 */

/** The account that runs rootless containers. */
export const APP_USER = 'appsvc'

/** `appsvc`'s home: its Quadlet units, containers.conf and systemd user units live below it. */
export const APP_HOME = '/var/lib/appsvc'

/** Where the config generation lives on the device, and the default value of `${CONFIG_DIR}`. */
export const DEFAULT_CONFIG_ROOT = '/data/config'

/** Quadlet's system unit directory, where rootful units go. */
export const ROOTFUL_UNIT_DIR = '/etc/containers/systemd'

/** `appsvc`'s Quadlet unit directory, where rootless units go. */
export const ROOTLESS_UNIT_DIR = `${APP_HOME}/.config/containers/systemd`

/** A path that a rootless container must not see, and why. */
export interface ProtectedPath {
  readonly path: string
  readonly reason: string
  /** Only paths strictly below `path` are refused (the directory itself may be mounted). */
  readonly below?: boolean
}

/**
 * What a rootless container must never mount, in full, as a parent directory, or by a path inside: any of these
 * would let it drive Podman or systemd as `appsvc` (a new container on the host network) or rewrite its own units.
 * The host's `/var/run` is a link to `/run`, and paths are compared after that is resolved.
 */
export const ROOTLESS_PROTECTED_PATHS: readonly ProtectedPath[] = [
  { path: '/run/user', reason: 'the runtime directories hold the Podman API socket and the systemd user manager' },
  { path: '/run/podman', reason: 'it holds the rootful Podman API socket' },
  { path: '/run/docker.sock', reason: 'it is a Docker-compatible API socket' },
  { path: '/run/dbus', reason: 'it holds the system D-Bus socket' },
  { path: '/run/systemd', reason: 'it holds the systemd control sockets' },
  { path: APP_HOME, reason: `it is ${APP_USER}'s home, with its Quadlet units and containers.conf` },
  { path: '/proc', reason: "/proc/<pid>/root reaches every file of appsvc's processes" },
  { path: '/sys', reason: 'sysfs exposes kernel controls and is full of links the kernel follows' },
]

/**
 * Links the kernel or the base system resolves, which a text-only check cannot see through: a host path at or below
 * one of them is refused for rootless containers (mounting a parent, such as `/dev`, is not: inside the container
 * the link resolves against the container's own `/proc`). `/var/run` is resolved instead, as it is plain.
 */
export const ROOTLESS_LINK_PATHS: readonly ProtectedPath[] = [
  { path: '/dev/fd', reason: 'it is a link to /proc/self/fd, the open files of the process that mounts it' },
  { path: '/dev/stdin', reason: 'it is a link to /proc/self/fd/0' },
  { path: '/dev/stdout', reason: 'it is a link to /proc/self/fd/1' },
  { path: '/dev/stderr', reason: 'it is a link to /proc/self/fd/2' },
  { path: '/dev/core', reason: 'it is a link to /proc/kcore' },
  { path: '/etc/mtab', reason: 'it is a link to /proc/self/mounts' },
  { path: '/tmp', reason: 'any user, appsvc included, can put a link below it that Podman would follow', below: true },
  {
    path: '/var/tmp',
    reason: 'any user, appsvc included, can put a link below it that Podman would follow',
    below: true,
  },
  {
    path: '/dev/shm',
    reason: 'any user, appsvc included, can put a link below it that Podman would follow',
    below: true,
  },
]

// biome-ignore lint/suspicious/noTemplateCurlyInString: the config's own placeholder syntax, not a template
const CONFIG_DIR = '${CONFIG_DIR}'
// biome-ignore lint/suspicious/noTemplateCurlyInString: the config's own placeholder syntax, not a template
const FILES_DIR = '${FILES_DIR}'

/** Expands `${CONFIG_DIR}` and `${FILES_DIR}`; a `$$` pair is kept as it is, so `$${CONFIG_DIR}` stays literal. */
export function expandPlaceholders(value: string, configRoot: string = DEFAULT_CONFIG_ROOT): string {
  let out = ''
  let i = 0
  while (i < value.length) {
    const dollar = value.indexOf('$', i)
    if (dollar === -1) {
      out += value.slice(i)
      break
    }
    out += value.slice(i, dollar)
    if (value.startsWith('$$', dollar)) {
      out += '$$'
      i = dollar + 2
    } else if (value.startsWith(CONFIG_DIR, dollar)) {
      out += configRoot
      i = dollar + CONFIG_DIR.length
    } else if (value.startsWith(FILES_DIR, dollar)) {
      out += `${configRoot}/files`
      i = dollar + FILES_DIR.length
    } else {
      out += '$'
      i = dollar + 1
    }
  }
  return out
}

/** True when `value` has a `$` that is neither part of `$$` nor one of the two placeholders. */
export function hasBareDollar(value: string): boolean {
  for (let i = value.indexOf('$'); i !== -1; i = value.indexOf('$', i)) {
    if (value.startsWith('$$', i)) i += 2
    else if (value.startsWith(CONFIG_DIR, i)) i += CONFIG_DIR.length
    else if (value.startsWith(FILES_DIR, i)) i += FILES_DIR.length
    else return true
  }
  return false
}

/** True when `value` has a `%` that is not part of a `%%` pair (a systemd specifier). */
export function hasSpecifier(value: string): boolean {
  return value.includes('%') && value.replaceAll('%%', '').includes('%')
}

/** An absolute path that is already normal: no `.` or `..` component, no repeated or final slash, not `/var/run`. */
const NORMAL_PATH = /^(?:\/(?!\.\.?(?:\/|$))[^/]+)+$/

/** Resolves `.`, `..`, repeated slashes and the `/var/run` link; relative paths resolve against `base`. */
export function normalizeHostPath(path: string, base: string): string {
  if (NORMAL_PATH.test(path) && !(path.startsWith('/var/run') && (path.length === 8 || path[8] === '/'))) return path
  const absolute = path.startsWith('/') ? path : `${base}/${path}`
  const parts: string[] = []
  for (const part of absolute.split('/')) {
    if (part === '' || part === '.') continue
    if (part === '..') parts.pop()
    else parts.push(part)
  }
  if (parts[0] === 'var' && parts[1] === 'run') parts.splice(0, 2, 'run')
  return `/${parts.join('/')}`
}

/** The protected path that mounting `hostPath` (already normalized) would expose, if any. */
export function exposedProtectedPath(hostPath: string): ProtectedPath | undefined {
  for (const p of ROOTLESS_PROTECTED_PATHS) if (within(p.path, hostPath) || within(hostPath, p.path)) return p
  return undefined
}

/** True when the normal path `inner` is `outer` or lies below it (every path lies below `/`). */
function within(inner: string, outer: string): boolean {
  return (
    outer === '/' ||
    (inner.startsWith(outer) && (inner.length === outer.length || inner.charCodeAt(outer.length) === 47))
  )
}

/** For a glob source, the directory above the first wildcard: everything a match could reach lies below it. */
export function globBase(pattern: string): string {
  const wildcard = pattern.search(/[*?[\\]/)
  if (wildcard === -1) return pattern
  const head = pattern.slice(0, wildcard)
  return head.slice(0, head.lastIndexOf('/') + 1) || '.'
}

/** True when a path has a `..` component (`a/../b`, `/..`, `a/..`), found without splitting it. */
function hasParentComponent(path: string): boolean {
  for (let i = path.indexOf('..'); i !== -1; i = path.indexOf('..', i + 1)) {
    const before = i === 0 || path.charCodeAt(i - 1) === 47
    const after = i + 2 === path.length || path.charCodeAt(i + 2) === 47
    if (before && after) return true
  }
  return false
}

/** Why a rootless host path is refused: its issue code and the message. */
export interface RootlessPathProblem {
  readonly code: 'rootless_path_relative' | 'rootless_path_parent' | 'rootless_mount_protected'
  readonly message: string
}

/**
 * The rootless host path rule, over a path whose placeholders are already expanded (`glob`: a Mount glob pattern,
 * judged by the directory above its first wildcard). A path must be absolute; it may not have a `..` component at
 * all (a text check cannot know where `..` leads after the kernel followed a link on the way); it may not be, lie
 * in or contain a protected path (`/var/run` read as `/run`); and it may not be at or below a link in
 * `ROOTLESS_LINK_PATHS`. Returns undefined when the path may be mounted.
 */
export function rootlessPathProblem(expanded: string, glob = false): RootlessPathProblem | undefined {
  if (!expanded.startsWith('/')) {
    // Quadlet resolves a relative source against the directory the unit file is read from, which is appsvc's own
    // unit directory on the device but any directory elsewhere: only absolute paths mean one thing.
    return {
      code: 'rootless_path_relative',
      message:
        'A rootless container uses host paths by absolute path only (bundle files are under the FILES_DIR placeholder).',
    }
  }
  if (hasParentComponent(expanded)) {
    return {
      code: 'rootless_path_parent',
      message: `A rootless host path may not contain "..": after a link the kernel follows, it leads anywhere.`,
    }
  }
  const path = normalizeHostPath(glob ? globBase(expanded) : expanded, '/')
  if (!mayBeGuarded(path)) return undefined
  const exposed = exposedProtectedPath(path)
  if (exposed) {
    return {
      code: 'rootless_mount_protected',
      message: `A rootless container may not use ${path}: it exposes ${exposed.path}, and ${exposed.reason}.`,
    }
  }
  const link = linkOf(path)
  if (link) {
    return {
      code: 'rootless_mount_protected',
      message: `A rootless container may not use ${path}: it goes through ${link.path}, and ${link.reason}.`,
    }
  }
  return undefined
}

/** The first component of every path in `ROOTLESS_PROTECTED_PATHS` and `ROOTLESS_LINK_PATHS` (`run`, `proc`, ...). */
const GUARDED_ROOTS: ReadonlySet<string> = new Set(
  [...ROOTLESS_PROTECTED_PATHS, ...ROOTLESS_LINK_PATHS].map((p) => p.path.split('/')[1]!),
)

/**
 * False when the normal path `path` can be, contain or lie in none of the protected and link paths: it is not `/`
 * and its first component is none of theirs (each relation needs one path to start with the other). Most host paths
 * (`/data/...`) are told apart this way without comparing them with each entry.
 */
export function mayBeGuarded(path: string): boolean {
  if (path === '/') return true
  const slash = path.indexOf('/', 1)
  return GUARDED_ROOTS.has(slash === -1 ? path.slice(1) : path.slice(1, slash))
}

/** The link of `ROOTLESS_LINK_PATHS` that the normal path `path` is at or below, if any. */
export function linkOf(path: string): ProtectedPath | undefined {
  for (const l of ROOTLESS_LINK_PATHS) {
    if (path.startsWith(l.path) && (path.charCodeAt(l.path.length) === 47 || (!l.below && path === l.path))) return l
  }
  return undefined
}
