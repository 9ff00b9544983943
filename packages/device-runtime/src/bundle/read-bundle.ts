import type { Issue, Result } from '@atomicnix/config-schema'
import { MAX_CONFIG_BYTES } from '@atomicnix/config-schema'
import { decompress, type InputFormat } from './formats.js'
import { TarError, type TarHeader, TarReader } from './tar.js'

/** The limits of a bundle; each is enforced while the archive is decompressed, before the bytes are kept. */
export interface BundleLimits {
  /** Members (files, directories and anything refused), default 10,000. */
  readonly maxEntries: number
  /** Path components of a member, `config.toml` being 1, default 32. */
  readonly maxDepth: number
  /** Unpacked bytes in total (contents and extended headers), default 64 MiB. */
  readonly maxTotalBytes: number
  /** Bytes of one file, default 32 MiB. */
  readonly maxFileBytes: number
}

/** The default bundle limits. */
export const DEFAULT_BUNDLE_LIMITS: BundleLimits = {
  maxEntries: 10_000,
  maxDepth: 32,
  maxTotalBytes: 64 * 1024 * 1024,
  maxFileBytes: 32 * 1024 * 1024,
}

/** One file of a bundle's `files/` payload. */
export interface BundleFile {
  /** Relative to `files/`, e.g. `web/index.html`. */
  readonly path: string
  readonly contents: Uint8Array
  /** 0o755 when the archive gave it any execute bit, otherwise 0o644. */
  readonly mode: number
}

/** A bundle that passed every rule: its config.toml text and its `files/` payload. */
export interface Bundle {
  readonly format: Exclude<InputFormat, 'config'>
  readonly configText: string
  /** Sorted by path. */
  readonly files: readonly BundleFile[]
  /** Every directory below `files/` (explicit or implied by a member), sorted; `files/` itself is `""`. */
  readonly directories: readonly string[]
}

/** Options of `readBundle`. */
export interface ReadBundleOptions {
  readonly limits?: Partial<BundleLimits>
}

/** After the end-of-archive blocks, tar writers pad to their record size; more than this is refused. */
const MAX_TRAILING_BYTES = 1024 * 1024
/** Rule violations are collected up to this many; then reading stops. */
const MAX_ISSUES = 100
const NAME_MAX = 255
const PATH_MAX = 4096

/** Stops the stream with one issue: a limit was crossed or the archive is corrupt. */
class Stop extends Error {
  constructor(readonly issue: Issue) {
    super(issue.message)
  }
}

const error = (code: string, path: string, message: string): Issue => ({ code, severity: 'error', path, message })

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true })
const lossy = new TextDecoder('utf-8', { ignoreBOM: true })
const encoder = new TextEncoder()

/** C0 and C1 controls, DEL, and the bidirectional overrides that can make a name read as another one. */
const UNPRINTABLE = /[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/
const UNPRINTABLE_ALL = new RegExp(UNPRINTABLE.source, 'g')

/** A member's name as it can be shown: invalid UTF-8 replaced, control and bidi characters escaped. */
function display(name: Uint8Array): string {
  return JSON.stringify(lossy.decode(name))
    .slice(1, -1)
    .replace(UNPRINTABLE_ALL, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`)
}

type Kind = 'file' | 'dir' | 'implied'

const LINK_MESSAGES: Readonly<Record<string, [string, string]>> = {
  '1': ['bundle_hard_link', 'A hard link is not allowed in a bundle; add the file itself.'],
  '2': ['bundle_symlink', 'A symbolic link is not allowed in a bundle; add the file itself.'],
  '3': ['bundle_special_file', 'A character device is not allowed in a bundle.'],
  '4': ['bundle_special_file', 'A block device is not allowed in a bundle.'],
  '6': ['bundle_special_file', 'A FIFO is not allowed in a bundle.'],
}

/**
 * Unpacks a bundle (plain, gzip or zstd tar) and checks every rule: only `config.toml` and `files/` at the top, regular
 * files and directories only, no absolute or `..` paths, no empty, NUL, control-character or non-UTF-8 names, no
 * duplicates, no file where a directory is, and the limits. Limits stop the stream as soon as one is crossed; other
 * violations are all collected. Pure: never throws for any input.
 */
export function readBundle(
  bytes: Uint8Array,
  format: Exclude<InputFormat, 'config'>,
  options: ReadBundleOptions = {},
): Result<Bundle> {
  const limits = { ...DEFAULT_BUNDLE_LIMITS, ...options.limits }
  const errors: Issue[] = []
  const kinds = new Map<string, Kind>()
  const files: BundleFile[] = []
  let configBytes: Uint8Array | undefined
  let entries = 0
  let total = 0
  let trailing = 0
  /** What to do with the content of the member being read. */
  let pending: { kind: 'config' | 'file'; path: string; buffer: Uint8Array; mode: number } | undefined

  const add = (issue: Issue) => {
    if (errors.length >= MAX_ISSUES - 1) {
      throw new Stop(error('bundle_too_many_issues', '', `Reading stopped after ${MAX_ISSUES - 1} issues.`))
    }
    errors.push(issue)
  }

  /** Records `path` (components) as `kind`; returns false (with an issue) on a duplicate or conflict. */
  const claim = (parts: readonly string[], kind: 'file' | 'dir', shown: string): boolean => {
    for (let depth = 1; depth < parts.length; depth++) {
      const parent = parts.slice(0, depth).join('/')
      const known = kinds.get(parent)
      if (known === 'file') {
        add(error('bundle_path_conflict', shown, `"${parent}" is a file, so it cannot hold other members.`))
        return false
      }
      if (known === undefined) kinds.set(parent, 'implied')
    }
    const path = parts.join('/')
    const known = kinds.get(path)
    if (known === kind) {
      add(error('bundle_duplicate_path', shown, 'The archive holds this path more than once.'))
      return false
    }
    if (known === 'file' || (known !== undefined && kind === 'file')) {
      add(error('bundle_path_conflict', shown, 'A file and a directory have the same path.'))
      return false
    }
    kinds.set(path, kind)
    return true
  }

  const entry = (header: TarHeader): Uint8Array | undefined => {
    entries++
    const shownRaw = display(header.name)
    if (entries > limits.maxEntries) {
      throw new Stop(
        error('bundle_too_many_entries', shownRaw, `The bundle has more than ${limits.maxEntries} members.`),
      )
    }
    const regular = header.type === '0'
    if (regular) {
      if (header.size > limits.maxFileBytes) {
        throw new Stop(
          error(
            'bundle_file_too_large',
            shownRaw,
            `The file has ${header.size} bytes; one file may have at most ${limits.maxFileBytes}.`,
          ),
        )
      }
      total += header.size
      if (total > limits.maxTotalBytes) {
        throw new Stop(
          error('bundle_too_large', shownRaw, `The bundle unpacks to more than ${limits.maxTotalBytes} bytes.`),
        )
      }
    }
    let text: string
    try {
      text = utf8.decode(header.name)
    } catch {
      add(error('bundle_name_invalid', shownRaw, 'The member name is not UTF-8.'))
      return undefined
    }
    const shown = shownRaw
    if (text === '') {
      add(error('bundle_name_invalid', shown, 'The member name is empty.'))
      return undefined
    }
    if (text.includes('\u0000')) {
      add(error('bundle_name_invalid', shown, 'The member name contains a NUL character.'))
      return undefined
    }
    if (text.startsWith('/')) {
      add(error('bundle_path_absolute', shown, 'The member has an absolute path; paths are relative to the bundle.'))
      return undefined
    }
    const directory = header.type === '5'
    let path = text.startsWith('./') ? text.slice(2) : text
    if (path.endsWith('/')) {
      if (!directory) {
        add(error('bundle_name_invalid', shown, 'Only a directory name may end with "/".'))
        return undefined
      }
      path = path.slice(0, -1)
    }
    // The archive's own root: `tar -C dir -cf - .` starts with "./".
    if ((path === '' || path === '.') && directory) return undefined
    const parts = path.split('/')
    if (parts.includes('..')) {
      add(error('bundle_path_traversal', shown, 'The member path contains "..".'))
      return undefined
    }
    if (parts.some((p) => p === '' || p === '.')) {
      add(error('bundle_name_invalid', shown, 'The member path has an empty or "." component.'))
      return undefined
    }
    if (UNPRINTABLE.test(path)) {
      add(
        error('bundle_name_invalid', shown, 'The member name contains a control or bidirectional-override character.'),
      )
      return undefined
    }
    if (header.name.length > PATH_MAX || parts.some((p) => encoder.encode(p).length > NAME_MAX)) {
      add(error('bundle_name_invalid', shown, `The path is longer than ${PATH_MAX} bytes or a name than ${NAME_MAX}.`))
      return undefined
    }
    if (parts.length > limits.maxDepth) {
      add(error('bundle_too_deep', shown, `The member is ${parts.length} levels deep; at most ${limits.maxDepth}.`))
      return undefined
    }
    const link = LINK_MESSAGES[header.type]
    if (link !== undefined) {
      add(error(link[0], shown, link[1]))
      return undefined
    }
    if (!regular && !directory) {
      add(error('bundle_special_file', shown, `Members of tar type "${header.type}" are not allowed in a bundle.`))
      return undefined
    }
    const top = parts[0]!
    if (top === 'config.toml') {
      if (parts.length > 1 || directory) {
        add(error('bundle_member_not_allowed', shown, 'config.toml must be a regular file at the top of the bundle.'))
        return undefined
      }
    } else if (top !== 'files') {
      add(
        error(
          'bundle_member_not_allowed',
          shown,
          'Only config.toml and the files/ directory may be at the top of a bundle.',
        ),
      )
      return undefined
    } else if (parts.length === 1 && regular) {
      add(error('bundle_path_conflict', shown, '"files" must be a directory.'))
      return undefined
    }
    if (!claim(parts, directory ? 'dir' : 'file', shown)) return undefined
    if (directory) return undefined
    if (top === 'config.toml' && header.size > MAX_CONFIG_BYTES) {
      add(error('input_too_large', shown, `The config is larger than ${MAX_CONFIG_BYTES} bytes.`))
      return undefined
    }
    if (errors.length > 0) return undefined
    const buffer = new Uint8Array(header.size)
    pending = {
      kind: top === 'config.toml' ? 'config' : 'file',
      path: parts.slice(1).join('/'),
      buffer,
      mode: (header.mode & 0o111) !== 0 ? 0o755 : 0o644,
    }
    return buffer
  }

  const reader = new TarReader({
    entry(header) {
      pending = undefined
      return entry(header)
    },
    contentDone() {
      if (pending === undefined) return
      if (pending.kind === 'config') configBytes = pending.buffer
      else files.push({ path: pending.path, contents: pending.buffer, mode: pending.mode })
      pending = undefined
    },
    extension(size) {
      total += size
      if (total > limits.maxTotalBytes) {
        throw new Stop(error('bundle_too_large', '', `The bundle unpacks to more than ${limits.maxTotalBytes} bytes.`))
      }
    },
  })

  const write = (chunk: Uint8Array) => {
    const used = reader.ended ? 0 : reader.push(chunk)
    if (used < chunk.length) {
      trailing += chunk.length - used
      if (trailing > MAX_TRAILING_BYTES) {
        throw new Stop(
          error('bundle_corrupt', '', `More than ${MAX_TRAILING_BYTES} bytes follow the end of the archive.`),
        )
      }
    }
  }

  try {
    if (format === 'tar') write(bytes)
    else decompress(bytes, format, { write, maxZstdWindow: Math.min(limits.maxTotalBytes, 32 * 1024 * 1024) })
    reader.end()
  } catch (thrown) {
    if (thrown instanceof Stop) return { ok: false, errors: [...errors, thrown.issue], warnings: [] }
    if (thrown instanceof TarError) {
      return { ok: false, errors: [...errors, error(thrown.code, '', thrown.message)], warnings: [] }
    }
    throw thrown
  }
  if (configBytes === undefined && !kinds.has('config.toml')) {
    errors.push(error('bundle_config_missing', '', 'The bundle has no config.toml at its top.'))
  }
  if (errors.length > 0) return { ok: false, errors, warnings: [] }
  let configText: string
  try {
    configText = utf8.decode(configBytes!)
  } catch {
    return {
      ok: false,
      errors: [error('config_not_utf8', 'config.toml', 'The config is not UTF-8 text.')],
      warnings: [],
    }
  }
  files.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0))
  const directories = ['']
  for (const [path, kind] of kinds) if (kind !== 'file' && path !== 'files') directories.push(path.slice(6))
  directories.sort()
  return { ok: true, value: { format, configText, files, directories }, warnings: [] }
}

/** Every issue code that `readBundle` can raise, for tests and documentation. */
export const BUNDLE_ISSUE_CODES = [
  'bundle_config_missing',
  'bundle_corrupt',
  'bundle_duplicate_path',
  'bundle_file_too_large',
  'bundle_hard_link',
  'bundle_member_not_allowed',
  'bundle_name_invalid',
  'bundle_path_absolute',
  'bundle_path_conflict',
  'bundle_path_traversal',
  'bundle_special_file',
  'bundle_symlink',
  'bundle_too_deep',
  'bundle_too_large',
  'bundle_too_many_entries',
  'bundle_too_many_issues',
  'bundle_truncated',
  'config_not_utf8',
  'input_too_large',
] as const
