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

/** Resolves `.`, `..`, repeated slashes and the `/var/run` link; relative paths resolve against `base`. */
export function normalizeHostPath(path: string, base: string): string {
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
  const within = (inner: string, outer: string) => outer === '/' || inner === outer || inner.startsWith(`${outer}/`)
  return ROOTLESS_PROTECTED_PATHS.find((p) => within(p.path, hostPath) || within(hostPath, p.path))
}

/** For a glob source, the directory above the first wildcard: everything a match could reach lies below it. */
export function globBase(pattern: string): string {
  const wildcard = pattern.search(/[*?[\\]/)
  if (wildcard === -1) return pattern
  const head = pattern.slice(0, wildcard)
  return head.slice(0, head.lastIndexOf('/') + 1) || '.'
}
