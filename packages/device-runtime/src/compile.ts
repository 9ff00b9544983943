import {
  type Config,
  type Issue,
  parseConfig,
  renderAuthorizedKeys,
  renderFirewallInboundJson,
  renderHealthRequiredJson,
  renderOsUpgradeJson,
} from '@atomicnix/config-schema'
import { FIREWALL_NFT_PATH, planFirewall, renderNftables } from '@atomicnix/firewall-plan'
import { lanDeviceFiles, planLan } from '@atomicnix/lan-plan'
import { planQuadlets, quadletDeviceFiles } from '@atomicnix/quadlet-render'
import { filesReferences, locator } from './bundle/files-references.js'
import { detectFormat, type InputFormat } from './bundle/formats.js'
import { type Bundle, type BundleLimits, readBundle } from './bundle/read-bundle.js'
import type { DeviceFile } from './device-file.js'

/** Options of `compileDevice`. */
export interface CompileOptions {
  /** The input's file name: its suffix tells a bundle's format when the magic bytes do not (`.tar`, `.tgz`, ...). */
  readonly fileName?: string
  /** The LAN interface's MAC (12 hex digits, separators allowed) for `hostname_pattern`; without it no such name. */
  readonly mac?: string
  /** Bundle limits; each omitted one keeps its default (`DEFAULT_BUNDLE_LIMITS`). */
  readonly limits?: Partial<BundleLimits>
}

/** What `compileDevice` produces for a valid config. */
export interface DeviceFiles {
  readonly config: Config
  /** Every file of DESIGN section 4, sorted by path; a bundle's payload as `data/config/files/**`. */
  readonly files: readonly DeviceFile[]
  /** Directories that must exist even when empty: a bundle's `data/config/files` and every directory below it. */
  readonly directories: readonly string[]
}

/** The outcome of compiling: the device files, or every error; warnings in both cases. */
export type CompileResult =
  | {
      readonly ok: true
      readonly value: DeviceFiles
      readonly warnings: readonly Issue[]
      readonly format: InputFormat
      /** The config.toml text (from the bundle for a bundle), for caret frames. */
      readonly source: string
    }
  | {
      readonly ok: false
      readonly errors: readonly Issue[]
      readonly warnings: readonly Issue[]
      readonly format?: InputFormat
      /** The config.toml text when it could be read, for caret frames. */
      readonly source?: string
    }

const PRIVATE = 0o600
const FILES = 'data/config/files'
const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true })

/** `${FILES_DIR}` references: in a bundle each must exist in `files/` (error); for a plain config, a warning each. */
function checkReferences(config: Config, text: string, bundle: Bundle | undefined): Issue[] {
  const issues: Issue[] = []
  const refs = filesReferences(config)
  if (refs.length === 0) return issues
  const locate = locator(text)
  const known = bundle === undefined ? undefined : new Set([...bundle.directories, ...bundle.files.map((f) => f.path)])
  for (const ref of refs) {
    const { line, column } = locate(ref.text)
    const where = line === 0 ? {} : { line, column }
    if (known === undefined) {
      issues.push({
        code: 'files_reference_unchecked',
        severity: 'warning',
        path: ref.path,
        message: `A plain config.toml brings no files: ${ref.text} must already be on the device (send a bundle with files/ to be sure).`,
        ...where,
      })
    } else if (ref.target === undefined || !known.has(ref.target)) {
      issues.push({
        code: 'files_reference_missing',
        severity: 'error',
        path: ref.path,
        message: `${ref.text} is not in the bundle's files/ directory.`,
        ...where,
      })
    }
  }
  return issues
}

const byPath = (a: DeviceFile, b: DeviceFile) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0)

/**
 * Sorts files by path in place. A plain config gives a dozen files, for which an insertion sort costs a fraction of
 * Array.prototype.sort's set-up; longer lists go to Array.prototype.sort. Paths are unique, so both give one order.
 */
export function sortByPath(files: DeviceFile[]): void {
  if (files.length > 24) {
    files.sort(byPath)
    return
  }
  for (let i = 1; i < files.length; i++) {
    const file = files[i]!
    let j = i - 1
    while (j >= 0 && files[j]!.path > file.path) {
      files[j + 1] = files[j]!
      j--
    }
    files[j + 1] = file
  }
}

const byPosition = (a: Issue, b: Issue) => (a.line ?? 0) - (b.line ?? 0) || (a.column ?? 0) - (b.column ?? 0)

/** A sorted copy of `issues` by position; none or one (the usual case) needs no sort, only the copy. */
export function sortedByPosition(issues: readonly Issue[]): Issue[] {
  if (issues.length < 2) return issues.length === 0 ? [] : [issues[0]!]
  return [...issues].sort(byPosition)
}

/** A checked input: the parsed config, its text and the bundle it came in; or every error. */
export type CheckedInput =
  | {
      readonly ok: true
      readonly config: Config
      readonly text: string
      readonly bundle: Bundle | undefined
      readonly warnings: readonly Issue[]
      readonly format: InputFormat
    }
  | Extract<CompileResult, { ok: false }>

/**
 * Every check of `compileDevice` (format, bundle, config, `${FILES_DIR}` references) without rendering a file: the
 * same errors and warnings, for answering "is this valid?" (the API's /api/validate). Pure; never throws.
 */
export function checkDeviceInput(input: string | Uint8Array, options: CompileOptions = {}): CheckedInput {
  let text: string
  let bundle: Bundle | undefined
  let format: InputFormat = 'config'
  if (typeof input === 'string') text = input
  else {
    format = detectFormat(input, options.fileName)
    if (format === 'config') {
      try {
        text = utf8.decode(input)
      } catch {
        const issue: Issue = {
          code: 'config_not_utf8',
          severity: 'error',
          path: '',
          message: 'The config is not UTF-8 text.',
        }
        return { ok: false, errors: [issue], warnings: [], format }
      }
    } else {
      const read = readBundle(input, format, options.limits === undefined ? {} : { limits: options.limits })
      if (!read.ok) return { ...read, format }
      bundle = read.value
      text = bundle.configText
    }
  }
  const parsed = parseConfig(text)
  if (!parsed.ok) return { ...parsed, format, source: text }
  const config = parsed.value
  const references = checkReferences(config, text, bundle)
  if (references.length === 0) {
    return { ok: true, config, text, bundle, warnings: sortedByPosition(parsed.warnings), format }
  }
  const referenceErrors = references.filter((i) => i.severity === 'error')
  const warnings = sortedByPosition([...parsed.warnings, ...references.filter((i) => i.severity === 'warning')])
  if (referenceErrors.length > 0) return { ok: false, errors: referenceErrors, warnings, format, source: text }
  return { ok: true, config, text, bundle, warnings, format }
}

/**
 * Turns a config.toml (text, or bytes) or a bundle (`.tar`, `.tar.gz`, `.tar.zst` bytes, recognised by magic bytes
 * first and the file name second) into the complete map of device files. Pure: no I/O, same input, same output, in
 * any JavaScript runtime. Invalid input produces no files at all; never throws for any input.
 */
export function compileDevice(input: string | Uint8Array, options: CompileOptions = {}): CompileResult {
  const checked = checkDeviceInput(input, options)
  if (!checked.ok) return checked
  const { config, text, bundle, warnings, format } = checked
  const files: DeviceFile[] = [
    { path: 'data/config/config.toml', contents: text, mode: PRIVATE },
    { path: 'data/config/ssh-authorized-keys/admin', contents: renderAuthorizedKeys(config), mode: PRIVATE },
    {
      path: 'data/config/firewall-inbound.json',
      contents: renderFirewallInboundJson(config.firewall.inbound),
      mode: PRIVATE,
    },
    { path: 'data/config/health-required.json', contents: renderHealthRequiredJson(config), mode: PRIVATE },
    { path: FIREWALL_NFT_PATH, contents: renderNftables(planFirewall(config)), mode: 0o644 },
  ]
  for (const file of lanDeviceFiles(planLan(config, options.mac === undefined ? {} : { mac: options.mac })))
    files.push(file)
  for (const file of quadletDeviceFiles(planQuadlets(config))) files.push(file)
  const osUpgrade = renderOsUpgradeJson(config)
  if (osUpgrade !== undefined) files.push({ path: 'data/config/os-upgrade.json', contents: osUpgrade, mode: PRIVATE })
  const directories: string[] = []
  if (bundle !== undefined) {
    for (const file of bundle.files)
      files.push({ path: `${FILES}/${file.path}`, contents: file.contents, mode: file.mode })
    for (const dir of bundle.directories) directories.push(dir === '' ? FILES : `${FILES}/${dir}`)
  }
  sortByPath(files)
  return { ok: true, value: { config, files, directories }, warnings, format, source: text }
}
