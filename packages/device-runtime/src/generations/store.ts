import type { Clock, Files, Log } from '../ports.js'
import { IoError } from '../ports.js'

/** Who handed the device a config: a USB stick, the boot partition, the LAN API, the CLI; or older firmware's dir. */
export type SourceKind = 'usb' | 'boot' | 'api' | 'cli' | 'migration'

/** `generation.json`: where a generation came from, and whether applying it failed. */
export interface GenerationManifest {
  /** Sortable: `g<sequence, 6+ digits>-<first 12 hex digits of the input's SHA-256>`. */
  readonly id: string
  /** ISO time from the device's clock (which may be wrong right after boot). */
  readonly created: string
  readonly source: { readonly kind: SourceKind; readonly fileName?: string; readonly sha256: string }
  readonly failed?: { readonly at: string; readonly reason: string }
  /** Set when `rollback` switched away from this generation. */
  readonly rolledBack?: { readonly at: string }
}

/** A complete generation on disk. */
export interface Generation {
  readonly id: string
  /** Absolute (or `dataDir`-based) directory of the generation. */
  readonly dir: string
  /** True when `DATA/config` points at it. */
  readonly current: boolean
  readonly manifest: GenerationManifest
}

/** One file of a new generation, relative to the generation directory. */
export interface GenerationFile {
  readonly path: string
  readonly contents: string | Uint8Array
  readonly mode: number
}

/** What a new generation holds and where it came from. */
export interface NewGeneration {
  readonly files: readonly GenerationFile[]
  /** Directories relative to the generation, created even when empty. */
  readonly directories: readonly string[]
  readonly source: GenerationManifest['source']
}

/** The generations under DATA; every change is made under the cross-process writer lock. */
export interface GenerationStore {
  /** Removes interrupted generations and temporary links, finishes a cut-short switch, migrates a plain DATA/config, prunes. */
  recover(): Promise<void>
  /** Newest first. */
  list(): Promise<Generation[]>
  current(): Promise<Generation | undefined>
  /** The newest generation that is not current and not marked failed: what `rollback` switches to. */
  previous(): Promise<Generation | undefined>
  /** Makes `previous()` current, atomically; rejects with an IoError when there is none. */
  rollback(): Promise<Generation>
  /** Records in its manifest that applying the generation failed, and why. */
  markFailed(id: string, reason: string): Promise<void>
  /** Writes a complete generation, makes it current atomically and prunes old ones (recovering first). */
  create(generation: NewGeneration): Promise<Generation>
}

/** Options of `openGenerations`. */
export interface GenerationOptions {
  /** How long a writer waits for the lock before failing (default 30 s). */
  readonly lockTimeoutMs?: number
  /** Generations kept after a new one: the current one, the rollback target and the newest others (default 3). */
  readonly keep?: number
}

const ID = /^g(\d{6,})-([0-9a-f]{12})$/
const MANIFEST = 'generation.json'
const TMP = '.tmp-'
const TRASH = '.trash-'
const LINK_TMP = '.config-new-'
const MIGRATING = '.config-migrating-'
const LOCK = '.lock'
const LOCK_POLL_MS = 15
const DIR_MODE = 0o755

/** Writes at once at most this many files (each holds a descriptor until its fsync returns). */
const PARALLEL = 16

/** Runs `body` for every item, at most PARALLEL at a time; rejects with the first failure once all have settled. */
async function inParallel<T>(items: readonly T[], body: (item: T) => Promise<void>): Promise<void> {
  let next = 0
  let failure: { error: unknown } | undefined
  const worker = async () => {
    while (next < items.length) {
      const item = items[next++]!
      try {
        await body(item)
      } catch (error) {
        failure ??= { error }
      }
    }
  }
  await Promise.all(Array.from({ length: Math.min(PARALLEL, items.length) }, worker))
  if (failure !== undefined) throw failure.error
}

const sequence = (id: string) => Number(ID.exec(id)?.[1] ?? -1)

function parent(path: string): string {
  const slash = path.lastIndexOf('/')
  return slash <= 0 ? '' : path.slice(0, slash)
}

/**
 * The generation store under `dataDir`: `DATA/config` is a symlink to `generations/<id>`, a complete directory. A new
 * generation is written in full below `generations/.tmp-<id>`, every file and directory fsynced, renamed into place,
 * then switched in by renaming a new symlink over `DATA/config` and fsyncing `DATA`.
 */
export function openGenerations(
  deps: { files: Files; clock: Clock; log: Log },
  dataDir: string,
  options: GenerationOptions = {},
): GenerationStore {
  const { files, clock, log } = deps
  const root = dataDir.replace(/\/+$/, '') || '/'
  const join = (...parts: string[]) => [root === '/' ? '' : root, ...parts].join('/')
  const gensDir = join('generations')
  const link = join('config')
  const lockTimeoutMs = options.lockTimeoutMs ?? 30_000
  const keep = Math.max(2, options.keep ?? 3)

  async function withLock<T>(body: () => Promise<T>): Promise<T> {
    await ensureDir(gensDir, root)
    const deadline = clock.monotonic() + lockTimeoutMs
    const lockPath = `${gensDir}/${LOCK}`
    for (;;) {
      const attempt = await files.tryLock(lockPath)
      if (attempt.acquired) {
        if (attempt.brokeStale !== undefined) {
          log.warn('broke a writer lock whose holder is gone', { lock: lockPath, holder: attempt.brokeStale })
        }
        try {
          return await body()
        } finally {
          await attempt.release()
        }
      }
      if (clock.monotonic() >= deadline) {
        throw new IoError(
          `cannot lock ${lockPath}: another writer holds it (${attempt.holder}); gave up after ${lockTimeoutMs} ms`,
        )
      }
      await clock.sleep(LOCK_POLL_MS)
    }
  }

  async function ensureDir(path: string, parentDir: string): Promise<void> {
    if ((await files.inspect(path))?.kind === 'directory') return
    await files.makeDirectory(path, DIR_MODE)
    await files.syncDirectory(parentDir)
  }

  async function readManifest(id: string): Promise<GenerationManifest | undefined> {
    try {
      const bytes = await files.readRegularFile(`${gensDir}/${id}/${MANIFEST}`, 64 * 1024)
      const manifest = JSON.parse(new TextDecoder().decode(bytes)) as GenerationManifest
      return manifest.id === id ? manifest : undefined
    } catch {
      return undefined
    }
  }

  async function currentId(): Promise<string | undefined> {
    const info = await files.inspect(link)
    if (info?.kind !== 'symlink') return undefined
    const target = await files.readSymlink(link)
    const id = target?.slice(target.lastIndexOf('/') + 1)
    return id !== undefined && ID.test(id) ? id : undefined
  }

  async function list(): Promise<Generation[]> {
    const entries = (await files.readDirectory(gensDir)) ?? []
    const current = await currentId()
    const out: Generation[] = []
    for (const entry of entries) {
      if (entry.kind !== 'directory' || !ID.test(entry.name)) continue
      const manifest = await readManifest(entry.name)
      if (manifest === undefined) {
        log.warn('generation without a readable manifest ignored', { generation: entry.name })
        continue
      }
      out.push({ id: entry.name, dir: `${gensDir}/${entry.name}`, current: entry.name === current, manifest })
    }
    return out.sort((a, b) => sequence(b.id) - sequence(a.id))
  }

  const previousOf = (all: readonly Generation[]) => all.find((g) => !g.current && g.manifest.failed === undefined)

  /** Points DATA/config at `id`: a new symlink renamed over the old one, then DATA fsynced. */
  async function switchTo(id: string): Promise<void> {
    const temporary = join(`${LINK_TMP}${id}`)
    await files.remove(temporary)
    await files.symlink(`generations/${id}`, temporary)
    await files.rename(temporary, link)
    await files.syncDirectory(root)
  }

  async function copyTree(from: string, to: string): Promise<void> {
    const entries = (await files.readDirectory(from)) ?? []
    for (const entry of entries.sort((a, b) => (a.name < b.name ? -1 : 1))) {
      const source = `${from}/${entry.name}`
      const target = `${to}/${entry.name}`
      const info = await files.inspect(source)
      if (entry.kind === 'directory') {
        await files.makeDirectory(target, info?.mode ?? DIR_MODE)
        await copyTree(source, target)
      } else if (entry.kind === 'file') {
        const bytes = await files.readRegularFile(source, Number.MAX_SAFE_INTEGER)
        await files.writeNewFile(target, bytes, info?.mode ?? 0o600)
      } else if (entry.kind === 'symlink') {
        const linkTarget = await files.readSymlink(source)
        if (linkTarget !== undefined) await files.symlink(linkTarget, target)
      } else log.warn('migration skipped a special file', { path: source })
    }
    await files.syncDirectory(to)
  }

  async function nextId(digest: string): Promise<string> {
    const entries = (await files.readDirectory(gensDir)) ?? []
    let max = 0
    for (const entry of entries) {
      const name = entry.name.startsWith(TMP) ? entry.name.slice(TMP.length) : entry.name
      max = Math.max(max, sequence(name))
    }
    return `g${String(max + 1).padStart(6, '0')}-${digest.slice(0, 12)}`
  }

  /** Rewrites a complete generation's manifest: readers see the old or the new one. */
  async function writeManifestAtomic(manifest: GenerationManifest): Promise<void> {
    await files.writeFileAtomic(
      `${gensDir}/${manifest.id}/${MANIFEST}`,
      `${JSON.stringify(manifest, null, 2)}\n`,
      0o644,
    )
  }

  async function writeManifest(dir: string, manifest: GenerationManifest): Promise<void> {
    await files.writeNewFile(`${dir}/${MANIFEST}`, `${JSON.stringify(manifest, null, 2)}\n`, 0o644)
  }

  /** Migrates older firmware's plain DATA/config directory into a generation, without losing a file. */
  async function migrate(): Promise<void> {
    const config = await files.readRegularFile(`${link}/config.toml`, 16 * 1024 * 1024).catch(() => new Uint8Array())
    const sha256 = await digestHex(config)
    const id = await nextId(sha256)
    const temporary = `${gensDir}/${TMP}${id}`
    await files.makeDirectory(temporary, DIR_MODE)
    await copyTree(link, temporary)
    await writeManifest(temporary, {
      id,
      created: new Date(clock.now()).toISOString(),
      source: { kind: 'migration', sha256 },
    })
    await files.syncDirectory(temporary)
    await files.rename(temporary, `${gensDir}/${id}`)
    await files.syncDirectory(gensDir)
    // A directory cannot be renamed over; between these two renames DATA/config is absent, and recovery finishes.
    await files.rename(link, join(`${MIGRATING}${id}`))
    await files.syncDirectory(root)
    await switchTo(id)
    await files.remove(join(`${MIGRATING}${id}`))
    log.info('migrated a plain config directory into a generation', { generation: id })
  }

  async function recoverLocked(): Promise<void> {
    for (const entry of (await files.readDirectory(gensDir)) ?? []) {
      if (entry.name.startsWith(TMP) || entry.name.startsWith(TRASH)) {
        await files.remove(`${gensDir}/${entry.name}`)
        log.info('removed an interrupted generation', { path: `${gensDir}/${entry.name}` })
      }
    }
    const migrating: string[] = []
    for (const entry of (await files.readDirectory(root)) ?? []) {
      if (entry.name.startsWith(LINK_TMP)) await files.remove(join(entry.name))
      else if (entry.name.startsWith(MIGRATING)) migrating.push(entry.name)
    }
    const info = await files.inspect(link)
    if (info?.kind === 'directory') {
      await migrate()
    } else if (info !== undefined && info.kind !== 'symlink') {
      throw new IoError(`${link} is neither a symlink nor a directory; move it away to let the device write configs`)
    }
    const all = await list()
    const current = await currentId()
    const target = all.find((g) => g.id === current)
    if (target === undefined && all.length > 0) {
      // Only a migration cut short between its two renames, or a hand-made change, leaves DATA/config without a
      // complete generation: the migrated one (the newest) or else the newest good one is what the device ran.
      const pick = migrating.map((m) => all.find((g) => g.id === m.slice(MIGRATING.length))).find(Boolean)
      const chosen = pick ?? all.find((g) => g.manifest.failed === undefined) ?? all[0]!
      await switchTo(chosen.id)
      log.warn('config link pointed at no complete generation; switched to one', {
        link,
        was: current ?? null,
        generation: chosen.id,
      })
    }
    if (target !== undefined) {
      // A writer cut short after renaming its generation into place and before switching to it leaves a complete
      // generation newer than the current one that was never current; it would be taken for the rollback target.
      // Newer generations that were current once are marked (rolled back from, or failed) and stay.
      const orphans = all.filter(
        (g) => sequence(g.id) > sequence(target.id) && g.manifest.failed === undefined && !g.manifest.rolledBack,
      )
      for (const g of orphans) await files.rename(g.dir, `${gensDir}/${TRASH}${g.id}`)
      if (orphans.length > 0) {
        await files.syncDirectory(gensDir)
        for (const g of orphans) {
          await files.remove(`${gensDir}/${TRASH}${g.id}`)
          log.info('removed a generation that an interrupted write never switched to', { generation: g.id })
        }
      }
    }
    for (const name of migrating) {
      if ((await files.inspect(link))?.kind === 'symlink') await files.remove(join(name))
    }
    if (migrating.length > 0) await files.syncDirectory(root)
    // A writer killed after its switch has not pruned yet.
    await prune()
  }

  async function prune(): Promise<void> {
    const all = await list()
    const kept = new Set<string>()
    const current = all.find((g) => g.current)
    if (current !== undefined) kept.add(current.id)
    const previous = previousOf(all)
    if (previous !== undefined) kept.add(previous.id)
    for (const g of all) if (kept.size < keep) kept.add(g.id)
    const doomed = all.filter((g) => !kept.has(g.id))
    for (const g of doomed) {
      // Out of the listing in one rename first: a generation half removed would look complete otherwise.
      await files.rename(g.dir, `${gensDir}/${TRASH}${g.id}`)
    }
    if (doomed.length === 0) return
    await files.syncDirectory(gensDir)
    for (const g of doomed) await files.remove(`${gensDir}/${TRASH}${g.id}`)
    log.info('pruned old generations', { removed: doomed.map((g) => g.id).join(','), kept: kept.size })
  }

  async function create(generation: NewGeneration): Promise<Generation> {
    return withLock(async () => {
      await recoverLocked()
      const id = await nextId(generation.source.sha256)
      const temporary = `${gensDir}/${TMP}${id}`
      await files.makeDirectory(temporary, DIR_MODE)
      const dirs = new Set<string>()
      const addDir = (dir: string) => {
        for (let d = dir; d !== '' && !dirs.has(d); d = parent(d)) dirs.add(d)
      }
      for (const dir of generation.directories) addDir(dir)
      for (const file of generation.files) addDir(parent(file.path))
      const ordered = [...dirs].sort()
      for (const dir of ordered) await files.makeDirectory(`${temporary}/${dir}`, DIR_MODE)
      // Files are written and fsynced side by side: the file system commits concurrent fsyncs together, which makes
      // a bundle of many files cost a few journal commits instead of one each. All finish before anything names them.
      await inParallel(generation.files, (file) =>
        files.writeNewFile(`${temporary}/${file.path}`, file.contents, file.mode),
      )
      const manifest: GenerationManifest = {
        id,
        created: new Date(clock.now()).toISOString(),
        source: generation.source,
      }
      await writeManifest(temporary, manifest)
      // Every directory is durable before the rename below publishes the generation.
      await inParallel([...ordered, ''], (dir) => files.syncDirectory(dir === '' ? temporary : `${temporary}/${dir}`))
      await files.rename(temporary, `${gensDir}/${id}`)
      await files.syncDirectory(gensDir)
      await switchTo(id)
      log.info('switched to a new generation', { generation: id, source: generation.source.kind })
      await prune()
      return { id, dir: `${gensDir}/${id}`, current: true, manifest }
    })
  }

  return {
    recover: () => withLock(recoverLocked),
    list,
    async current() {
      return (await list()).find((g) => g.current)
    },
    async previous() {
      return previousOf(await list())
    },
    rollback: () =>
      withLock(async () => {
        await recoverLocked()
        const all = await list()
        const from = all.find((g) => g.current)
        const target = previousOf(all)
        if (target === undefined) throw new IoError('no previous generation to roll back to')
        // Marked before the switch: a newer generation that was never current is removed by recovery, this one stays.
        if (from !== undefined && !from.manifest.rolledBack) {
          await writeManifestAtomic({ ...from.manifest, rolledBack: { at: new Date(clock.now()).toISOString() } })
        }
        await switchTo(target.id)
        log.info('rolled back to the previous generation', { from: from?.id ?? null, to: target.id })
        return { ...target, current: true }
      }),
    markFailed: (id, reason) =>
      withLock(async () => {
        const manifest = await readManifest(id)
        if (manifest === undefined) throw new IoError(`no generation ${id} in ${gensDir}`)
        await writeManifestAtomic({ ...manifest, failed: { at: new Date(clock.now()).toISOString(), reason } })
        log.warn('generation marked failed', { generation: id, reason })
      }),
    create,
  }
}

/** SHA-256 of bytes as lower-case hex, with the runtime's Web Crypto. */
export async function digestHex(bytes: Uint8Array): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', bytes as Uint8Array<ArrayBuffer>))
  let hex = ''
  for (const b of digest) hex += b.toString(16).padStart(2, '0')
  return hex
}
