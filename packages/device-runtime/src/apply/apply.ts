import { compileDevice } from '../compile.js'
import type { DeviceFile } from '../device-file.js'
import { type Generation, openGenerations } from '../generations/store.js'
import { type Clock, type Exec, type ExecResult, type Files, IoError, type Log } from '../ports.js'
import {
  APPLY_UNITS,
  type ApplyPlan,
  decideRevert,
  fileGroup,
  type InstalledFile,
  type OwnedManifest,
  parseOwnedManifest,
  passwdUid,
  planApply,
  renderOwnedManifest,
  rootPath,
  systemFiles,
} from './plan.js'
import type { ApplyReport, ApplyRun, ApplyStep } from './report.js'

/** The generation apply works on: its id, directory and whether it was marked failed. */
export interface ApplyGeneration {
  readonly id: string
  readonly dir: string
  readonly failed?: { readonly at: string; readonly reason: string }
}

/** The part of the generation store apply uses (current, the revert target, rollback, marking failed). */
export interface ApplyGenerations {
  current(): Promise<ApplyGeneration | undefined>
  previous(): Promise<ApplyGeneration | undefined>
  rollback(): Promise<ApplyGeneration>
  markFailed(id: string, reason: string): Promise<void>
  /** Cleans up interrupted generations and migrates older firmware's plain directory (first boot calls it). */
  recover?(): Promise<void>
}

/** What apply needs from the outside. */
export interface ApplyDeps {
  readonly files: Files
  readonly exec: Exec
  readonly clock: Clock
  readonly log: Log
}

/** Options of {@link applyCurrent}. */
export interface ApplyOptions {
  readonly dataDir: string
  /** The device root the files go below (`/` on the device). */
  readonly root: string
  /** Plan only: nothing is written, nothing runs, no report is saved. */
  readonly dryRun?: boolean
  /** The LAN interface's MAC, for `hostname_pattern`. */
  readonly mac?: string
  /** Called with one line as each step starts (progress for people). */
  readonly progress?: (line: string) => void
  /** How long to wait while another apply runs (default 15 minutes: a run may start containers that pull images). */
  readonly lockTimeoutMs?: number
}

/** Installed device files are small; a larger one is simply different. */
const INSTALLED_LIMIT = 4 << 20
const CONFIG_LIMIT = (1 << 20) + 1

const APPLY_LOCK_TIMEOUT_MS = 15 * 60_000
const APPLY_LOCK_POLL_MS = 200

/** Runs `body` holding `DATA/state/apply.lock`, so that two applies (boot, the API) never interleave their steps. */
async function withApplyLock<T>(deps: ApplyDeps, options: ApplyOptions, body: () => Promise<T>): Promise<T> {
  const { files, clock } = deps
  const state = rootPath(options.dataDir, 'state')
  if ((await files.inspect(state))?.kind !== 'directory') await files.makeDirectory(state, 0o755)
  const path = rootPath(state, 'apply.lock')
  const timeout = options.lockTimeoutMs ?? APPLY_LOCK_TIMEOUT_MS
  const deadline = clock.monotonic() + timeout
  let waiting = false
  for (;;) {
    const attempt = await files.tryLock(path)
    if (attempt.acquired) {
      try {
        return await body()
      } finally {
        await attempt.release()
      }
    }
    if (clock.monotonic() >= deadline) {
      throw new IoError(`cannot lock ${path}: another apply holds it (${attempt.holder}); gave up after ${timeout} ms`)
    }
    if (!waiting) options.progress?.(`waiting for another apply (${attempt.holder})`)
    waiting = true
    await clock.sleep(APPLY_LOCK_POLL_MS)
  }
}

const ownedPath = (dataDir: string) => rootPath(dataDir, 'state/apply-owned.json')
const lastApplyPath = (dataDir: string) => rootPath(dataDir, 'state/last-apply.json')
const decoder = new TextDecoder()

async function readText(files: Files, path: string, limit: number): Promise<string | undefined> {
  const found = await files.readIfExists(path, limit)
  return found === undefined ? undefined : decoder.decode(found.contents)
}

/** Why a command failed, in one line. */
function failure(result: ExecResult, timeoutMs: number, alsoOk: readonly number[] = []): string | undefined {
  if (result.spawnError !== undefined) return result.spawnError
  if (result.timedOut) return `timed out after ${timeoutMs} ms`
  if (result.exitCode === 0 || (result.exitCode !== null && alsoOk.includes(result.exitCode))) return undefined
  const detail = `${result.stderr}\n${result.stdout}`.trim().split('\n')[0]?.slice(0, 300) ?? ''
  const how = result.exitCode === null ? `killed by ${result.signal}` : `exit ${result.exitCode}`
  return detail === '' ? how : `${how}: ${detail}`
}

/** Compiles a generation's config into the files apply installs; the errors as one line when it does not compile. */
async function desiredFiles(
  deps: ApplyDeps,
  generation: ApplyGeneration,
  mac: string | undefined,
): Promise<DeviceFile[] | string> {
  const text = await readText(deps.files, rootPath(generation.dir, 'config.toml'), CONFIG_LIMIT)
  if (text === undefined) return `${generation.dir}/config.toml does not exist`
  const result = compileDevice(text, mac === undefined ? {} : { mac })
  if (!result.ok) {
    return `config.toml does not compile: ${result.errors.map((e) => `${e.path} ${e.code}`).join(', ')}`
  }
  return systemFiles(result.value.files)
}

/** Reads what is installed at every path the plan can touch, and appsvc's uid when rootless units are involved. */
async function plan(
  deps: ApplyDeps,
  root: string,
  desired: readonly DeviceFile[],
  owned: OwnedManifest,
  rerun: boolean,
): Promise<ApplyPlan> {
  const paths = [...new Set([...desired.map((f) => f.path), ...owned.files.filter((p) => fileGroup(p))])]
  const installed = new Map<string, InstalledFile | undefined>()
  await Promise.all(
    paths.map(async (path) =>
      installed.set(path, await deps.files.readIfExists(rootPath(root, path), INSTALLED_LIMIT)),
    ),
  )
  let appUid: number | undefined
  if (paths.some((p) => fileGroup(p) === 'rootless')) {
    const passwd = await readText(deps.files, rootPath(root, 'etc/passwd'), INSTALLED_LIMIT)
    appUid = passwd === undefined ? undefined : passwdUid(passwd, APPLY_UNITS.appUser)
  }
  return planApply(desired, installed, owned.files, {
    root,
    ...(appUid === undefined ? {} : { appUid }),
    ...(rerun ? { rerun } : {}),
  })
}

/** Runs one generation's plan (or only reports it in a dry run) and records what apply owns afterwards. */
async function runGeneration(
  deps: ApplyDeps,
  options: ApplyOptions,
  generation: ApplyGeneration,
  owned: OwnedManifest,
): Promise<{ run: ApplyRun; owned: OwnedManifest; failure?: string }> {
  const { files, exec, log } = deps
  const progress = options.progress ?? (() => undefined)
  const desired = await desiredFiles(deps, generation, options.mac)
  if (typeof desired === 'string') {
    const step: ApplyStep = { name: 'compile', durationMs: 0, files: [], ok: false, error: desired }
    return {
      run: { generation: generation.id, steps: [step], written: [], removed: [], ok: false },
      owned,
      failure: `compile: ${desired}`,
    }
  }
  // After a failed run of this same generation, what is installed proves nothing: run it all again.
  const rerun = owned.generation === generation.id && owned.ok === false
  const planned = await plan(deps, options.root, desired, owned, rerun)
  for (const path of planned.ignored)
    log.warn('owned manifest names a path apply does not manage; left alone', { path })
  if (options.dryRun) {
    const steps: ApplyStep[] = []
    for (const action of planned.actions) {
      if (action.kind === 'run') {
        steps.push({
          name: action.name,
          argv: action.argv,
          durationMs: 0,
          files: action.files,
          ok: true,
          skipped: 'dry run',
        })
      } else if (action.kind === 'check') {
        const ok = action.error === undefined
        steps.push({
          name: action.name,
          durationMs: 0,
          files: action.files,
          ok,
          ...(ok ? {} : { error: action.error }),
        })
      }
    }
    const ok = steps.every((s) => s.ok)
    return { run: { generation: generation.id, steps, written: planned.writes, removed: planned.removals, ok }, owned }
  }

  // Recorded before the first write: the files this run may install (so that a crash cannot leave files nobody
  // removes later), and the run as unfinished (so that after a crash the next apply runs every step again).
  const owning = new Set(owned.files)
  for (const path of planned.owned) owning.add(path)
  for (const path of [...planned.forgotten, ...planned.ignored]) owning.delete(path)
  if (planned.actions.length > 0) {
    await files.writeFileAtomic(
      ownedPath(options.dataDir),
      renderOwnedManifest({ root: options.root, generation: generation.id, ok: false, files: [...owning] }),
      0o600,
    )
  }

  const steps: ApplyStep[] = []
  const written: string[] = []
  const removed: string[] = []
  let failed: string | undefined
  for (const action of planned.actions) {
    if (action.kind === 'write' || action.kind === 'remove') {
      if (failed !== undefined) continue
      const path = action.kind === 'write' ? action.file.path : action.path
      try {
        if (action.kind === 'write') {
          await files.writeFileAtomic(rootPath(options.root, path), action.file.contents, action.file.mode)
          written.push(path)
        } else {
          const target = rootPath(options.root, path)
          const found = await files.inspect(target)
          if (found !== undefined && found.kind !== 'file' && found.kind !== 'symlink') {
            throw new IoError(`cannot remove ${target}: not a file`)
          }
          await files.remove(target)
          await files.syncDirectory(target.slice(0, target.lastIndexOf('/')) || '/')
          removed.push(path)
          owning.delete(path)
        }
      } catch (error) {
        if (!(error instanceof IoError)) throw error
        steps.push({ name: action.kind, durationMs: 0, files: [path], ok: false, error: error.message })
        failed = `${action.kind} ${path}: ${error.message}`
      }
      continue
    }
    const base = { name: action.name, durationMs: 0, files: action.files }
    if (failed !== undefined) {
      steps.push({
        ...base,
        ...(action.kind === 'run' ? { argv: action.argv } : {}),
        ok: false,
        skipped: 'an earlier step failed',
      })
      continue
    }
    if (action.kind === 'check') {
      if (action.error === undefined) steps.push({ ...base, ok: true })
      else {
        steps.push({ ...base, ok: false, error: action.error })
        failed = `${action.name}: ${action.error}`
      }
      continue
    }
    progress(`${action.name}: ${action.argv.join(' ')}`)
    const result = await exec.run(action.argv, { timeoutMs: action.timeoutMs })
    const error = failure(result, action.timeoutMs, action.alsoOk)
    steps.push({
      ...base,
      argv: action.argv,
      exitCode: result.exitCode,
      durationMs: result.durationMs,
      ok: error === undefined,
      ...(error === undefined ? {} : { error }),
    })
    if (error !== undefined) {
      failed = `${action.name}: ${error}`
      log.error('apply step failed', { generation: generation.id, step: action.name, error })
    }
  }
  // Owned afterwards: what was owned and not removed, plus the desired files now in place (written or already equal).
  const notWritten = new Set(planned.writes.filter((p) => !written.includes(p)))
  const after = new Set([...owning].filter((p) => !notWritten.has(p) || owned.files.includes(p)))
  const ok = failed === undefined
  const next: OwnedManifest = { root: options.root, generation: generation.id, ok, files: [...after].sort() }
  const unchanged =
    planned.actions.length === 0 &&
    owned.generation === next.generation &&
    owned.ok === next.ok &&
    owned.files.length === next.files.length &&
    owned.files.every((p, i) => p === next.files[i])
  if (!unchanged) await files.writeFileAtomic(ownedPath(options.dataDir), renderOwnedManifest(next), 0o600)
  return {
    run: { generation: generation.id, steps, written, removed, ok },
    owned: next,
    ...(failed === undefined ? {} : { failure: failed }),
  }
}

/**
 * Makes the current generation true below `root`: writes only the files that differ, removes the ones apply owned
 * and no longer renders, and runs only the steps whose files changed. When a step fails after a config change, the
 * failed generation is marked failed, the previous one is made current again and applied, and the report holds
 * both runs. The report is saved to `DATA/state/last-apply.json` (not in a dry run).
 */
export async function applyCurrent(
  deps: ApplyDeps & { readonly generations?: ApplyGenerations },
  options: ApplyOptions,
): Promise<ApplyReport> {
  // A mistyped --data must not become a new, empty data directory.
  if ((await deps.files.readDirectory(options.dataDir).catch(() => undefined)) === undefined) {
    throw new IoError(`cannot apply: ${options.dataDir} is not a directory`)
  }
  if (options.dryRun) return applyLocked(deps, options)
  return withApplyLock(deps, options, () => applyLocked(deps, options))
}

async function applyLocked(
  deps: ApplyDeps & { readonly generations?: ApplyGenerations },
  options: ApplyOptions,
): Promise<ApplyReport> {
  const { log } = deps
  const generations = deps.generations ?? storeGenerations(deps, options.dataDir)
  const started = new Date(deps.clock.now()).toISOString()
  const dryRun = options.dryRun === true
  const finish = async (report: ApplyReport) => {
    if (!dryRun)
      await deps.files.writeFileAtomic(lastApplyPath(options.dataDir), `${JSON.stringify(report, null, 2)}\n`, 0o600)
    return report
  }
  let current = await generations.current()
  if (current === undefined && generations.recover !== undefined && !dryRun) {
    // No generation yet: older firmware's plain DATA/config, or an interrupted write, is what recovery turns into one.
    await generations.recover()
    current = await generations.current()
  }
  if (current === undefined) {
    return finish({ ok: false, dryRun, started, runs: [], error: `no current generation in ${options.dataDir}` })
  }
  if (current.failed !== undefined) {
    return finish({
      ok: false,
      dryRun,
      started,
      runs: [],
      error: `generation ${current.id} is marked failed (${current.failed.reason}); import a config or roll back`,
    })
  }
  const owned = parseOwnedManifest(
    await readText(deps.files, ownedPath(options.dataDir), INSTALLED_LIMIT),
    options.root,
  )
  const first = await runGeneration(deps, options, current, owned)
  if (first.run.ok || dryRun) return finish({ ok: first.run.ok, dryRun, started, runs: [first.run] })

  const previous = await generations.previous()
  const now = await generations.current()
  const decision = decideRevert({
    ok: false,
    generation: current.id,
    ...(now === undefined ? {} : { currentNow: now.id }),
    ...(owned.generation === undefined ? {} : { lastApplied: owned }),
    ...(previous === undefined ? {} : { previous: previous.id }),
    ...(first.failure === undefined ? {} : { failure: first.failure }),
  })
  if (!decision.revert) {
    log.warn('apply failed; not reverting', { generation: current.id, reason: decision.reason })
    if (decision.markFailed) await generations.markFailed(current.id, decision.reason)
    return finish({ ok: false, dryRun, started, runs: [first.run], error: `not reverted: ${decision.reason}` })
  }
  log.warn('apply failed; reverting to the previous generation', {
    from: current.id,
    to: decision.to,
    reason: decision.reason,
  })
  let target: ApplyGeneration
  try {
    await generations.markFailed(current.id, decision.reason)
    target = await generations.rollback()
  } catch (error) {
    if (!(error instanceof IoError)) throw error
    log.error('revert failed: could not switch generations', { from: current.id, error: error.message })
    return finish({ ok: false, dryRun, started, runs: [first.run], error: `revert failed: ${error.message}` })
  }
  options.progress?.(`revert: applying ${target.id}`)
  const second = await runGeneration(deps, options, target, first.owned)
  if (!second.run.ok) log.error('revert failed too', { generation: target.id, reason: second.failure ?? '' })
  return finish({
    ok: false,
    dryRun,
    started,
    runs: [first.run, second.run],
    reverted: { from: current.id, to: target.id, reason: decision.reason },
  })
}

/** The generation store under DATA, as apply sees it. */
export function storeGenerations(deps: ApplyDeps, dataDir: string): ApplyGenerations {
  const store = openGenerations(deps, dataDir)
  const view = (g: Generation): ApplyGeneration => ({
    id: g.id,
    dir: g.dir,
    ...(g.manifest.failed === undefined ? {} : { failed: g.manifest.failed }),
  })
  return {
    current: async () => {
      const g = await store.current()
      return g === undefined ? undefined : view(g)
    },
    previous: async () => {
      const g = await store.previous()
      return g === undefined ? undefined : view(g)
    },
    rollback: async () => view(await store.rollback()),
    markFailed: (id, reason) => store.markFailed(id, reason),
    recover: () => store.recover(),
  }
}

/** The last saved report, or undefined when apply has not run (or the file is not a report). */
export async function readLastApply(files: Files, dataDir: string): Promise<ApplyReport | undefined> {
  const text = await readText(files, lastApplyPath(dataDir), INSTALLED_LIMIT)
  if (text === undefined) return undefined
  try {
    const doc = JSON.parse(text) as ApplyReport
    return typeof doc === 'object' && doc !== null && Array.isArray(doc.runs) ? doc : undefined
  } catch {
    return undefined
  }
}
