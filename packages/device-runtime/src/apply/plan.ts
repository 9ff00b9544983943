import { APP_USER, ROOTFUL_UNIT_DIR, ROOTLESS_UNIT_DIR } from '@atomicnix/config-schema'
import { FIREWALL_NFT_PATH } from '@atomicnix/firewall-plan'
import { NETWORKD_DROP_IN_PATH } from '@atomicnix/lan-plan'
import type { DeviceFile } from '../device-file.js'
import { checkFirewallScript } from './firewall-guard.js'

/** The systemd units and limits apply works with; the NixOS modules run the daemons under these names. */
export interface ApplyUnits {
  /** NixOS `services.dnsmasq`'s unit. */
  readonly dnsmasq: string
  /** NixOS `services.chrony`'s unit. */
  readonly chrony: string
  /** The account of rootless containers. */
  readonly appUser: string
}

/** The unit names of the NixOS modules that run the LAN daemons. */
export const APPLY_UNITS: ApplyUnits = { dnsmasq: 'dnsmasq.service', chrony: 'chronyd.service', appUser: APP_USER }

/** Time limit of each command, by what it does (a container's start may pull its image or run its build). */
export const APPLY_TIMEOUTS_MS = {
  nft: 30_000,
  networkctl: 30_000,
  daemon: 90_000,
  reload: 90_000,
  login: 30_000,
  unit: 600_000,
} as const

/** A file as apply found it below the root; `undefined` when it does not exist. */
export interface InstalledFile {
  readonly contents: Uint8Array
  readonly mode: number
}

/** The daemon or unit directory a device file belongs to; a change in a group triggers that group's step. */
export type FileGroup = 'firewall' | 'networkd' | 'dnsmasq' | 'chrony' | 'rootful' | 'rootless'

const ROOTFUL_PREFIX = `${ROOTFUL_UNIT_DIR.slice(1)}/`
const ROOTLESS_PREFIX = `${ROOTLESS_UNIT_DIR.slice(1)}/`
const DNSMASQ_FILES = new Set(['etc/atomicnix/dnsmasq.conf', 'etc/atomicnix/dnsmasq-hosts'])
const CHRONY_FILE = 'etc/atomicnix/chrony.conf'
const UNIT_FILE = /^[A-Za-z0-9_-]+\.(container|network|volume|build)$/
const SEGMENT = /^[A-Za-z0-9._@+-]+$/
/** A relative path of plain segments: no `.` or `..`, no empty segment, no leading slash. */
const isPlainPath = (path: string) =>
  path.split('/').every((segment) => SEGMENT.test(segment) && segment !== '.' && segment !== '..')

/**
 * The group of a path below the root, or undefined when apply does not manage such a path. Only these paths are
 * ever written or removed: an owned manifest that names anything else is not trusted for it.
 */
export function fileGroup(path: string): FileGroup | undefined {
  if (!isPlainPath(path)) return undefined
  if (path === FIREWALL_NFT_PATH) return 'firewall'
  if (path === NETWORKD_DROP_IN_PATH) return 'networkd'
  if (DNSMASQ_FILES.has(path)) return 'dnsmasq'
  if (path === CHRONY_FILE) return 'chrony'
  if (path.startsWith(ROOTFUL_PREFIX) && UNIT_FILE.test(path.slice(ROOTFUL_PREFIX.length))) return 'rootful'
  if (path.startsWith(ROOTLESS_PREFIX) && UNIT_FILE.test(path.slice(ROOTLESS_PREFIX.length))) return 'rootless'
  return undefined
}

/** The device files apply installs below the root: all but `data/`, which the generation itself holds. */
export function systemFiles(files: readonly DeviceFile[]): DeviceFile[] {
  return files.filter((file) => !file.path.startsWith('data/'))
}

/** The service Quadlet generates from a unit file name (`web.container` → `web.service`, `db.volume` → `db-volume.service`). */
export function unitService(filename: string): string {
  const dot = filename.lastIndexOf('.')
  const name = filename.slice(0, dot)
  const kind = filename.slice(dot + 1)
  return kind === 'container' ? `${name}.service` : `${name}-${kind}.service`
}

/** Start order of Quadlet kinds: what containers use comes first. */
const KIND_ORDER: Readonly<Record<string, number>> = { build: 0, network: 1, volume: 2, container: 3 }
const kindRank = (path: string) => KIND_ORDER[path.slice(path.lastIndexOf('.') + 1)] ?? 4

/** One action of a plan, run in order; the first that fails stops the run. */
export type PlannedAction =
  | { readonly kind: 'write'; readonly file: DeviceFile }
  | { readonly kind: 'remove'; readonly path: string }
  | {
      readonly kind: 'run'
      readonly name: string
      readonly argv: readonly string[]
      readonly timeoutMs: number
      readonly files: readonly string[]
      /** Exit codes that count as success besides 0. */
      readonly alsoOk?: readonly number[]
    }
  /** A check decided while planning; `error` set means it failed and nothing after it runs. */
  | { readonly kind: 'check'; readonly name: string; readonly files: readonly string[]; readonly error?: string }

/** What one apply will do, decided from the desired and the installed files alone. */
export interface ApplyPlan {
  /** Desired files whose installed copy is missing or differs (contents or mode). */
  readonly writes: readonly string[]
  /** Owned files that the config no longer renders. */
  readonly removals: readonly string[]
  /** Every action in order: writes and removals with the commands that make the daemons read them. */
  readonly actions: readonly PlannedAction[]
  /** What apply owns once the plan has run: the desired paths. */
  readonly owned: readonly string[]
  /** Owned paths that the config no longer renders and that are gone already: dropped from the manifest. */
  readonly forgotten: readonly string[]
  /** Owned paths that apply does not manage (a tampered or foreign manifest): neither removed nor kept. */
  readonly ignored: readonly string[]
}

/** What planning needs besides the files. */
export interface PlanContext {
  /** The device root as the commands see it, e.g. `/` or a test's directory (absolute, no trailing slash but `/`). */
  readonly root: string
  /** appsvc's uid from the root's `/etc/passwd`, for its user manager; undefined when it has no entry. */
  readonly appUid?: number
  readonly units?: ApplyUnits
  /**
   * Every desired file counts as changed: the last run of this generation failed part-way, so files already in place
   * may never have been loaded by their daemon (a script written but refused, a restart that failed).
   */
  readonly rerun?: boolean
}

const encoder = new TextEncoder()

/** True when the installed file has exactly these contents and permission bits. */
export function sameFile(desired: DeviceFile, installed: InstalledFile | undefined): boolean {
  if (installed === undefined || (installed.mode & 0o7777) !== desired.mode) return false
  const bytes = typeof desired.contents === 'string' ? encoder.encode(desired.contents) : desired.contents
  const have = installed.contents
  if (bytes.length !== have.length) return false
  for (let i = 0; i < bytes.length; i++) if (bytes[i] !== have[i]) return false
  return true
}

/** `root` joined with a relative device path. */
export function rootPath(root: string, path: string): string {
  return root.endsWith('/') ? `${root}${path}` : `${root}/${path}`
}

/**
 * Plans one apply (pure): which desired files differ from the installed ones, which owned files go, and the
 * commands, in the order of the design: firewall (guard, `nft -c`, `nft -f`), networkd, dnsmasq, chronyd, then the
 * Quadlet sync (appsvc's user manager, stale units stopped, files removed and written, daemon reloads, changed units
 * restarted builds first and containers last). A group's commands appear only when one of its files changes.
 */
export function planApply(
  desired: readonly DeviceFile[],
  installed: ReadonlyMap<string, InstalledFile | undefined>,
  owned: readonly string[],
  context: PlanContext,
): ApplyPlan {
  const units = context.units ?? APPLY_UNITS
  const at = (path: string) => rootPath(context.root, path)
  const desiredPaths = new Set(desired.map((f) => f.path))
  const changed = new Map<FileGroup, DeviceFile[]>()
  const removed = new Map<FileGroup, string[]>()
  const writes: string[] = []
  for (const file of desired) {
    const group = fileGroup(file.path)
    if (group === undefined) throw new TypeError(`apply does not manage ${file.path}`)
    if (!context.rerun && sameFile(file, installed.get(file.path))) continue
    writes.push(file.path)
    const list = changed.get(group) ?? []
    list.push(file)
    changed.set(group, list)
  }
  const removals: string[] = []
  const forgotten: string[] = []
  const ignored: string[] = []
  for (const path of [...new Set(owned)].sort()) {
    if (desiredPaths.has(path)) continue
    const group = fileGroup(path)
    if (group === undefined) {
      ignored.push(path)
      continue
    }
    // An owned file that is gone already (the root is a tmpfs overlay reset at boot) needs neither a stop nor a
    // removal: the unit it made was never loaded in this boot. It simply stops being owned.
    if (installed.get(path) === undefined) {
      forgotten.push(path)
      continue
    }
    removals.push(path)
    const list = removed.get(group) ?? []
    list.push(path)
    removed.set(group, list)
  }

  const actions: PlannedAction[] = []
  const write = (group: FileGroup) => {
    for (const file of changed.get(group) ?? []) actions.push({ kind: 'write', file })
  }
  const touched = (group: FileGroup) => [
    ...(changed.get(group) ?? []).map((f) => f.path),
    ...(removed.get(group) ?? []),
  ]
  const run = (name: string, argv: readonly string[], timeoutMs: number, files: readonly string[]) =>
    actions.push({ kind: 'run', name, argv, timeoutMs, files })

  // The firewall first and alone: the script is checked before it is written, `nft -c` must accept it before
  // `nft -f` loads it, and a failure there stops the run before any other daemon is touched.
  const firewall = (changed.get('firewall') ?? [])[0]
  if (firewall !== undefined) {
    const error =
      typeof firewall.contents === 'string' ? checkFirewallScript(firewall.contents) : 'the script is not text'
    actions.push({ kind: 'check', name: 'firewall-guard', files: [firewall.path], ...(error ? { error } : {}) })
    write('firewall')
    run('nft-check', ['nft', '-c', '-f', at(firewall.path)], APPLY_TIMEOUTS_MS.nft, [firewall.path])
    run('nft-load', ['nft', '-f', at(firewall.path)], APPLY_TIMEOUTS_MS.nft, [firewall.path])
  }
  for (const path of removed.get('firewall') ?? []) actions.push({ kind: 'remove', path })

  for (const [group, name, argv, timeout] of [
    ['networkd', 'networkd-reload', ['networkctl', 'reload'], APPLY_TIMEOUTS_MS.networkctl],
    ['dnsmasq', 'dnsmasq-restart', ['systemctl', 'restart', units.dnsmasq], APPLY_TIMEOUTS_MS.daemon],
    ['chrony', 'chrony-restart', ['systemctl', 'restart', units.chrony], APPLY_TIMEOUTS_MS.daemon],
  ] as const) {
    const files = touched(group)
    if (files.length === 0) continue
    write(group)
    for (const path of removed.get(group) ?? []) actions.push({ kind: 'remove', path })
    run(name, argv, timeout, files)
  }

  planQuadletSync(actions, desired, changed, removed, { ...context, units })
  return { writes, removals, actions, owned: [...desiredPaths].sort(), forgotten, ignored }
}

/** `systemctl` for a unit file's manager: the system's, or appsvc's user manager. */
function systemctl(group: 'rootful' | 'rootless', user: string, ...args: string[]): string[] {
  return group === 'rootful' ? ['systemctl', ...args] : ['systemctl', '--user', '-M', `${user}@`, ...args]
}

/** True when a unit's text uses one of `filenames` as a unit reference (`Image=x.build`, `Volume=x.volume:/d`). */
function usesUnit(text: string, filenames: ReadonlySet<string>): boolean {
  for (const line of text.split('\n')) {
    const eq = line.indexOf('=')
    if (eq < 0) continue
    const value = line.slice(eq + 1)
    const colon = value.indexOf(':')
    if (filenames.has(colon < 0 ? value : value.slice(0, colon))) return true
  }
  return false
}

function planQuadletSync(
  actions: PlannedAction[],
  desired: readonly DeviceFile[],
  changed: ReadonlyMap<FileGroup, DeviceFile[]>,
  removed: ReadonlyMap<FileGroup, string[]>,
  context: PlanContext & { units: ApplyUnits },
): void {
  const user = context.units.appUser
  const run = (name: string, argv: readonly string[], timeoutMs: number, files: readonly string[]) =>
    actions.push({ kind: 'run', name, argv, timeoutMs, files })
  const groups = ['rootful', 'rootless'] as const
  const touched = (group: FileGroup) => (changed.get(group)?.length ?? 0) + (removed.get(group)?.length ?? 0) > 0

  // appsvc's units run under its user manager: lingering keeps it running without a login, and it must be up
  // before its units can be stopped, reloaded or started through `-M appsvc@`.
  if (touched('rootless')) {
    const files = [...(changed.get('rootless') ?? []).map((f) => f.path), ...(removed.get('rootless') ?? [])]
    run('linger', ['loginctl', 'enable-linger', user], APPLY_TIMEOUTS_MS.login, files)
    if (context.appUid === undefined) {
      actions.push({ kind: 'check', name: 'user-manager', files, error: `${user} has no entry in /etc/passwd` })
    } else {
      run('user-manager', ['systemctl', 'start', `user@${context.appUid}.service`], APPLY_TIMEOUTS_MS.daemon, files)
    }
  }
  // Stale units stop while their generated service still exists, then their files go.
  for (const group of groups) {
    for (const path of removed.get(group) ?? []) {
      const service = unitService(path.slice(path.lastIndexOf('/') + 1))
      // systemctl exits 5 when the unit is not loaded: then it is not running either, which is what stop is for.
      actions.push({
        kind: 'run',
        name: `stop ${service}`,
        argv: systemctl(group, user, 'stop', service),
        timeoutMs: APPLY_TIMEOUTS_MS.unit,
        files: [path],
        alsoOk: [5],
      })
      actions.push({ kind: 'remove', path })
    }
  }
  for (const group of groups) for (const file of changed.get(group) ?? []) actions.push({ kind: 'write', file })
  for (const group of groups) {
    if (!touched(group)) continue
    const files = [...(changed.get(group) ?? []).map((f) => f.path), ...(removed.get(group) ?? [])]
    run(
      group === 'rootful' ? 'daemon-reload' : 'user-daemon-reload',
      systemctl(group, user, 'daemon-reload'),
      APPLY_TIMEOUTS_MS.reload,
      files,
    )
  }
  // New and changed units (re)start, builds, networks and volumes before the containers that use them; rootful
  // before rootless (a rootless container cannot use a rootful unit, so there is no order between them). A
  // container whose build, network or volume changed restarts too, so that it runs on the new one.
  const changedRootful = changed.get('rootful') ?? []
  const supports = new Set(
    changedRootful.filter((f) => !f.path.endsWith('.container')).map((f) => f.path.slice(f.path.lastIndexOf('/') + 1)),
  )
  const users =
    supports.size === 0
      ? []
      : desired.filter(
          (f) =>
            fileGroup(f.path) === 'rootful' &&
            f.path.endsWith('.container') &&
            !changedRootful.includes(f) &&
            typeof f.contents === 'string' &&
            usesUnit(f.contents, supports),
        )
  for (const group of groups) {
    const files = [...(changed.get(group) ?? []), ...(group === 'rootful' ? users : [])]
    files.sort((a, b) => kindRank(a.path) - kindRank(b.path) || (a.path < b.path ? -1 : a.path > b.path ? 1 : 0))
    for (const file of files) {
      const service = unitService(file.path.slice(file.path.lastIndexOf('/') + 1))
      run(`restart ${service}`, systemctl(group, user, 'restart', service), APPLY_TIMEOUTS_MS.unit, [file.path])
    }
  }
}

/** A user's uid from `/etc/passwd` text (`name:x:uid:gid:...`); undefined when there is no such line. */
export function passwdUid(passwd: string, user: string): number | undefined {
  for (const line of passwd.split('\n')) {
    const fields = line.split(':')
    if (fields[0] !== user || fields.length < 7) continue
    const uid = fields[2]!
    return /^\d{1,10}$/.test(uid) ? Number(uid) : undefined
  }
  return undefined
}

/** What apply remembers about its last run below a root: the files it owns there and the generation installed. */
export interface OwnedManifest {
  /** The root the files are below. */
  readonly root: string
  /** The generation whose files the last run installed, and whether that run succeeded. */
  readonly generation?: string
  readonly ok?: boolean
  /** Paths relative to the root, sorted. */
  readonly files: readonly string[]
}

/** Reads `apply-owned.json` text; a missing, unreadable or foreign document counts as owning nothing. */
export function parseOwnedManifest(text: string | undefined, root: string): OwnedManifest {
  const empty: OwnedManifest = { root, files: [] }
  if (text === undefined) return empty
  let doc: unknown
  try {
    doc = JSON.parse(text)
  } catch {
    return empty
  }
  if (typeof doc !== 'object' || doc === null) return empty
  const { version, root: docRoot, generation, ok, files } = doc as Record<string, unknown>
  if (version !== 1 || docRoot !== root || !Array.isArray(files)) return empty
  return {
    root,
    ...(typeof generation === 'string' ? { generation } : {}),
    ...(typeof ok === 'boolean' ? { ok } : {}),
    files: files.filter((f): f is string => typeof f === 'string').sort(),
  }
}

/** The text of `apply-owned.json`. */
export function renderOwnedManifest(manifest: OwnedManifest): string {
  const { root, generation, ok, files } = manifest
  return `${JSON.stringify({ version: 1, root, generation, ok, files: [...files].sort() }, null, 2)}\n`
}

/** What to do after a run: revert to an earlier generation, or stop and report. */
export type RevertDecision =
  | { readonly revert: true; readonly to: string; readonly reason: string }
  /** `markFailed`: the failed generation is still recorded as failed (it was superseded, not retried). */
  | { readonly revert: false; readonly reason: string; readonly markFailed?: boolean }

/**
 * Decides whether a failed run is reverted (pure). Only a config change is reverted: the generation applied is not
 * the one the last successful run installed. A repeated failure of the installed generation (a daemon that does not
 * start today) is reported, not "fixed" by going back; without an earlier good generation there is nothing to go to.
 */
export function decideRevert(input: {
  readonly ok: boolean
  readonly generation: string
  readonly lastApplied?: { readonly generation?: string; readonly ok?: boolean }
  readonly previous?: string
  readonly failure?: string
  /** The current generation now, read again after the run (an import may have switched it meanwhile). */
  readonly currentNow?: string
}): RevertDecision {
  if (input.ok) return { revert: false, reason: 'every step succeeded' }
  if (input.currentNow !== undefined && input.currentNow !== input.generation) {
    // Rolling back now would switch away from the newer generation, not from the one that failed.
    return {
      revert: false,
      markFailed: true,
      reason: `generation ${input.generation} failed (${input.failure ?? 'a step failed'}), but ${input.currentNow} became current meanwhile; it is applied next`,
    }
  }
  const last = input.lastApplied
  if (last?.generation === input.generation && last.ok === true) {
    return { revert: false, reason: `generation ${input.generation} was applied before; not a config change` }
  }
  if (input.previous === undefined) {
    return { revert: false, reason: 'no earlier generation that has not failed to revert to' }
  }
  return {
    revert: true,
    to: input.previous,
    reason: `generation ${input.generation} failed: ${input.failure ?? 'a step failed'}`,
  }
}
