import type { Issue } from '@atomicnix/config-schema'
import { type ApplyDeps, type ApplyGenerations, applyCurrent, storeGenerations } from './apply/apply.js'
import { rootPath } from './apply/plan.js'
import type { ApplyReport } from './apply/report.js'
import { importConfig } from './import.js'
import { type Files, IoError } from './ports.js'

/** Where a config was found at first boot. */
export type SeedSource = 'boot' | 'usb'

/** The file names a seed may have, looked up in this order in each directory: a plain config, then bundles. */
export const SEED_NAMES = [
  'config.toml',
  'config.tar.gz',
  'config.tgz',
  'config.tar.zst',
  'config.tar.zstd',
  'config.tzst',
  'config.tar',
] as const

/** A seed larger than this is skipped unread, as `atomicnix import` does (a bundle's 64 MiB plus its tar headers). */
export const MAX_SEED_BYTES = 80 * 1024 * 1024

/** What importing one seed gave: a generation, or every error (nothing persisted). */
export type SeedImport =
  | { readonly ok: true; readonly generation: { readonly id: string }; readonly warnings: readonly Issue[] }
  | {
      readonly ok: false
      readonly errors: readonly Issue[]
      readonly warnings: readonly Issue[]
      /** The config.toml text when it could be read, for caret frames. */
      readonly source?: string
    }

/** The one import path (`importConfig`), as first boot calls it. */
export type ImportSeed = (request: {
  readonly dataDir: string
  readonly input: Uint8Array
  readonly fileName: string
  readonly source: SeedSource
}) => Promise<SeedImport>

/** Options of {@link firstBoot}. */
export interface FirstBootOptions {
  readonly dataDir: string
  readonly root: string
  /** The boot partition (`/boot`), where a fresh flash may carry `config.toml` or a bundle. */
  readonly bootDir: string
  /** Mounted USB sticks, searched in order after the boot partition. */
  readonly usbDirs: readonly string[]
  readonly mac?: string
  readonly progress?: (line: string) => void
}

/** A seed that was found and refused, with the reason. */
export interface SkippedSeed {
  readonly source: SeedSource
  readonly path: string
  readonly errors: readonly Issue[]
  /** Why it could not even be read (then `errors` is empty). */
  readonly unreadable?: string
  /** The seed's config.toml text when it could be read (for caret frames). */
  readonly text?: string
}

/** What first boot did. */
export interface FirstBootReport {
  readonly ok: boolean
  /** `existing`: a valid generation was there; `imported`: a seed became one; `waiting`: none, the API waits. */
  readonly outcome: 'existing' | 'imported' | 'waiting'
  readonly generation?: string
  readonly source?: { readonly kind: SeedSource; readonly path: string }
  readonly skipped: readonly SkippedSeed[]
  readonly warnings: readonly Issue[]
  readonly apply?: ApplyReport
}

/** A seed file found in one of the directories. */
interface FoundSeed {
  readonly source: SeedSource
  readonly path: string
  readonly fileName: string
}

/** The seeds present, boot partition first, then each USB directory, each in {@link SEED_NAMES} order. */
export async function findSeeds(
  files: Files,
  options: Pick<FirstBootOptions, 'bootDir' | 'usbDirs'>,
): Promise<FoundSeed[]> {
  const dirs: [SeedSource, string][] = [
    ['boot', options.bootDir],
    ...options.usbDirs.map((d): [SeedSource, string] => ['usb', d]),
  ]
  const found: FoundSeed[] = []
  for (const [source, dir] of dirs) {
    for (const fileName of SEED_NAMES) {
      const path = rootPath(dir, fileName)
      if ((await files.inspect(path)) !== undefined) found.push({ source, path, fileName })
    }
  }
  return found
}

const issue = (code: string, message: string): Issue => ({ code, severity: 'error', path: '', message })

/**
 * First boot (and every boot): keeps an existing valid generation; otherwise imports the first seed that is valid
 * (the boot partition's, then the USB sticks'), skipping each invalid one with its issues; then applies. Without any
 * seed it reports `waiting`: the bootstrap API (the serve unit) takes the config. Marking the slot good is left to
 * the health confirmation.
 */
export async function firstBoot(
  deps: ApplyDeps & { readonly generations?: ApplyGenerations; readonly importSeed?: ImportSeed },
  options: FirstBootOptions,
): Promise<FirstBootReport> {
  const { files, log } = deps
  const generations = deps.generations ?? storeGenerations(deps, options.dataDir)
  const importSeed: ImportSeed = deps.importSeed ?? ((request) => importConfig(deps, request))
  const applyDeps = { ...deps, generations }
  await generations.recover?.()
  const progress = options.progress ?? (() => undefined)
  const applyOptions = {
    dataDir: options.dataDir,
    root: options.root,
    ...(options.mac === undefined ? {} : { mac: options.mac }),
    ...(options.progress === undefined ? {} : { progress: options.progress }),
  }
  const current = await generations.current()
  if (current !== undefined && current.failed === undefined) {
    log.info('first boot: a generation exists; applying it', { generation: current.id })
    const apply = await applyCurrent(applyDeps, applyOptions)
    return { ok: apply.ok, outcome: 'existing', generation: current.id, skipped: [], warnings: [], apply }
  }
  if (current !== undefined) {
    log.warn('first boot: the current generation is marked failed; looking for a seed', {
      generation: current.id,
      reason: current.failed?.reason,
    })
  }
  const skipped: SkippedSeed[] = []
  for (const seed of await findSeeds(files, options)) {
    progress(`found ${seed.path}`)
    let input: Uint8Array
    try {
      // Follows a symlink to a regular file; anything else (a directory, a FIFO) is refused unread.
      input = await files.readRegularFile(seed.path, MAX_SEED_BYTES + 1)
    } catch (error) {
      if (!(error instanceof IoError)) throw error
      log.warn('first boot: seed unreadable; skipped', { path: seed.path, reason: error.message })
      skipped.push({ source: seed.source, path: seed.path, errors: [], unreadable: error.message })
      continue
    }
    if (input.length > MAX_SEED_BYTES) {
      const message = `The file is larger than ${MAX_SEED_BYTES} bytes.`
      skipped.push({ source: seed.source, path: seed.path, errors: [issue('input_too_large', message)] })
      continue
    }
    const imported = await importSeed({
      dataDir: options.dataDir,
      input,
      fileName: seed.fileName,
      source: seed.source,
    })
    if (!imported.ok) {
      log.warn('first boot: seed refused; skipped', { path: seed.path, errors: imported.errors.length })
      skipped.push({
        source: seed.source,
        path: seed.path,
        errors: imported.errors,
        ...(imported.source === undefined ? {} : { text: imported.source }),
      })
      continue
    }
    log.info('first boot: seed imported', { path: seed.path, generation: imported.generation.id })
    const apply = await applyCurrent(applyDeps, applyOptions)
    return {
      ok: apply.ok,
      outcome: 'imported',
      generation: imported.generation.id,
      source: { kind: seed.source, path: seed.path },
      skipped,
      warnings: imported.warnings,
      apply,
    }
  }
  log.info('first boot: no config; waiting for the bootstrap API', { skipped: skipped.length })
  return { ok: true, outcome: 'waiting', skipped, warnings: [] }
}
