import type { Issue } from '@atomicnix/config-schema'
import type { InputFormat } from './bundle/formats.js'
import type { BundleLimits } from './bundle/read-bundle.js'
import { compileDevice } from './compile.js'
import { digestHex, type Generation, openGenerations, type SourceKind } from './generations/store.js'
import type { Clock, Files, Log } from './ports.js'

/** What `importConfig` is given: the input bytes, where they came from, and where generations live. */
export interface ImportRequest {
  readonly dataDir: string
  readonly input: Uint8Array
  /** Tells a bundle's format when its magic bytes do not, and is recorded in the manifest. */
  readonly fileName?: string
  readonly source: SourceKind
  /** How long to wait for another writer (default 30 s). */
  readonly lockTimeoutMs?: number
  readonly limits?: Partial<BundleLimits>
}

/** The outcome: the new current generation, or every error with nothing written. */
export type ImportResult =
  | {
      readonly ok: true
      readonly generation: Generation
      readonly warnings: readonly Issue[]
      readonly format: InputFormat
      /** The config.toml text, for caret frames. */
      readonly source: string
    }
  | {
      readonly ok: false
      readonly errors: readonly Issue[]
      readonly warnings: readonly Issue[]
      readonly format?: InputFormat
      readonly source?: string
    }

const CONFIG_PREFIX = 'data/config/'

/**
 * The one path from input bytes to a persisted generation (CLI import, first boot, the API): compiles the config or
 * bundle in full first (invalid input writes nothing at all, not even a directory), then writes it as a new
 * generation and makes it current atomically. Rejects with an IoError for failures of the environment.
 */
export async function importConfig(
  deps: { files: Files; clock: Clock; log: Log },
  request: ImportRequest,
): Promise<ImportResult> {
  const compiled = compileDevice(request.input, {
    ...(request.fileName === undefined ? {} : { fileName: request.fileName }),
    ...(request.limits === undefined ? {} : { limits: request.limits }),
  })
  if (!compiled.ok) return compiled
  const sha256 = await digestHex(request.input)
  const store = openGenerations(
    deps,
    request.dataDir,
    request.lockTimeoutMs === undefined ? {} : { lockTimeoutMs: request.lockTimeoutMs },
  )
  const files = compiled.value.files
    .filter((f) => f.path.startsWith(CONFIG_PREFIX))
    .map((f) => ({ path: f.path.slice(CONFIG_PREFIX.length), contents: f.contents, mode: f.mode }))
  const directories = compiled.value.directories
    .filter((d) => d.startsWith(CONFIG_PREFIX))
    .map((d) => d.slice(CONFIG_PREFIX.length))
  const generation = await store.create({
    files,
    directories,
    source: {
      kind: request.source,
      ...(request.fileName === undefined ? {} : { fileName: baseName(request.fileName) }),
      sha256,
    },
  })
  return { ok: true, generation, warnings: compiled.warnings, format: compiled.format, source: compiled.source }
}

function baseName(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1)
}
