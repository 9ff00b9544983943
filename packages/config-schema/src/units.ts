import type {
  BuildConfig,
  ContainerConfig,
  NetworkConfig,
  QuadletScalar,
  QuadletSection,
  QuadletValue,
  VolumeConfig,
} from './config.js'
import type { RuleContext } from './context.js'
import { childPath, type PathSegment } from './path.js'
import { ALL_QUADLET_KEYS } from './quadlet-catalogue.js'
import { checkQuadletUnits, MAY_BREAK_TEXT_RULES } from './quadlet-rules.js'
import { emptyRecord, isTable, own, ownKeys } from './values.js'

/** The four kinds of Quadlet unit a config can define, by their top-level table. */
export type UnitKind = 'container' | 'network' | 'volume' | 'build'

/** Names of the sections a unit table may hold. */
export type SectionName = 'Unit' | 'Container' | 'Network' | 'Volume' | 'Build' | 'Install'

/** A unit whose tables and values passed the generic rules, handed to the Quadlet rules. */
export interface UnitInput {
  readonly kind: UnitKind
  readonly name: string
  /** Containers: their `privileged` flag; networks, volumes and builds are always rootful. */
  readonly privileged: boolean
  /** The unit's own section: `Container`, `Network`, `Volume` or `Build`. */
  readonly ownSection: SectionName
  /** Sections present in the source, with their well-typed entries in source order. */
  readonly sections: Partial<Record<SectionName, QuadletSection>>
}

/**
 * A unit as `checkUnits` hands it to the Quadlet rules, with the keys of each section in source order: listing the
 * keys of a record without a prototype (a hash table in V8) costs about ten times as much as keeping the list.
 */
export interface CheckedUnit extends UnitInput {
  readonly keys: Partial<Record<SectionName, readonly string[]>>
  /**
   * The keys of each section whose value the text rules of the Quadlet checks must read: every key, except in a
   * section that `section` kept as it is, where a value without a character of `MAY_BREAK_TEXT_RULES` is left out.
   */
  readonly textKeys: Partial<Record<SectionName, readonly string[]>>
}

/** The own section of each unit kind. */
export const OWN_SECTION: Readonly<Record<UnitKind, SectionName>> = {
  container: 'Container',
  network: 'Network',
  volume: 'Volume',
  build: 'Build',
}

/** The systemd service that Quadlet generates for a unit (`web.service`, `lan-network.service`, ...). */
export function serviceName(kind: UnitKind, name: string): string {
  return kind === 'container' ? `${name}.service` : `${name}-${kind}.service`
}

/** The four unit kinds, in the order their tables are read. */
const UNIT_KINDS: readonly UnitKind[] = ['container', 'network', 'volume', 'build']

/** True for a name that ends in `-network`, `-volume` or `-build`, whose container service another unit can generate. */
function endsInKind(name: string): boolean {
  return name.endsWith('-network') || name.endsWith('-volume') || name.endsWith('-build')
}

/** The length of `serviceName(kind, name)`, without building it. */
function serviceNameLength(kind: UnitKind, name: string): number {
  return kind === 'container' ? name.length + '.service'.length : name.length + kind.length + '-.service'.length
}

/**
 * Unit names become file and service names: plain characters only, starting with a letter or digit (a name such as
 * `--help` would be read as an option by every `systemctl` call on its service).
 */
export const UNIT_NAME = /^[A-Za-z0-9][A-Za-z0-9_-]*$/
/** systemd's limit on a unit name, suffix included. */
const MAX_UNIT_NAME = 255
/**
 * systemd key syntax, `[A-Za-z][A-Za-z0-9-]*`: starting with a letter (so no key is mistaken for an array index).
 * A loop over the key's characters, as it runs for every key of every section.
 */
function isKeySyntax(key: string): boolean {
  if (key.length === 0) return false
  for (let i = 0; i < key.length; i++) {
    const c = key.charCodeAt(i)
    const letter = (c | 32) >= 97 && (c | 32) <= 122
    if (!letter && (i === 0 || !((c >= 48 && c <= 57) || c === 45))) return false
  }
  return true
}

/**
 * Keys that are written in most sections, all of valid syntax: the Quadlet catalogue and the common [Unit] and
 * [Install] keys. A key among them needs no look at its characters: Object.keys hands over strings whose hash V8
 * keeps, so that the look-up costs less than the loop.
 */
const COMMON_KEYS: ReadonlySet<string> = new Set(
  [
    ...ALL_QUADLET_KEYS,
    ...['Description', 'Documentation', 'After', 'Before', 'Wants', 'Requires', 'Requisite', 'BindsTo', 'PartOf'],
    ...['Conflicts', 'ConditionPathExists', 'StartLimitIntervalSec', 'StartLimitBurst', 'RequiresMountsFor'],
    ...['WantedBy', 'RequiredBy', 'UpheldBy', 'Also', 'Alias', 'DefaultInstance'],
  ].filter(isKeySyntax),
)

/** `isKeySyntax`, at once for the keys of `COMMON_KEYS`. */
function isValidKey(key: string): boolean {
  return COMMON_KEYS.has(key) || isKeySyntax(key)
}

/**
 * True when `value` has a C0 control, DEL or a C1 control: a newline or carriage return would start a new
 * directive. A loop over the characters, as it runs for every string value of every section.
 */
function hasControl(value: string): boolean {
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i)
    if (c < 0x20 || (c >= 0x7f && c <= 0x9f)) return true
  }
  return false
}

/** Validates the value of `key` in the section at `at`; returns the typed value, or undefined after reporting. */
function sectionValue(
  value: unknown,
  at: readonly PathSegment[],
  key: string,
  ctx: RuleContext,
): QuadletValue | undefined {
  if (Array.isArray(value)) {
    if (value.length === 0) {
      ctx.error('quadlet_value_type', childPath(at, key), 'An array value must have at least one item.')
      return undefined
    }
    const items: QuadletScalar[] = []
    let ok = true
    // A loop rather than forEach (no closure per array); holes are skipped as forEach skips them.
    for (let i = 0; i < value.length; i++) {
      if (!(i in value)) continue
      const scalar = sectionScalar(value[i], at, key, i, ctx)
      if (scalar === undefined) ok = false
      else items.push(scalar)
    }
    return ok ? items : undefined
  }
  return sectionScalar(value, at, key, undefined, ctx)
}

/** Validates one scalar: the value of `key`, or its item `index`. */
function sectionScalar(
  value: unknown,
  at: readonly PathSegment[],
  key: string,
  index: number | undefined,
  ctx: RuleContext,
): QuadletScalar | undefined {
  if (typeof value === 'boolean') return value
  if (ctx.isInteger(value)) {
    const n = Number(value)
    if (!Number.isSafeInteger(n)) {
      ctx.error('quadlet_value_type', childPath(at, key, index), 'The integer is too large; write it as a string.')
      return undefined
    }
    return n
  }
  if (typeof value === 'string') {
    let ok = true
    if (hasControl(value)) {
      ctx.error(
        'quadlet_value_control_char',
        childPath(at, key, index),
        'The value contains a control character such as a newline.',
      )
      ok = false
    }
    if (value.endsWith('\\')) {
      ctx.error(
        'quadlet_value_trailing_backslash',
        childPath(at, key, index),
        'The value ends in a backslash, which would continue the line in the unit file.',
      )
      ok = false
    }
    return ok ? value : undefined
  }
  ctx.error(
    'quadlet_value_type',
    childPath(at, key, index),
    `A value must be a string, integer, boolean or a non-empty array of those, not a ${ctx.typeName(value)}.`,
  )
  return undefined
}

/**
 * A string that the value rules take as it is: no C0 control, DEL or C1 control, no trailing backslash. One native
 * scan, as it runs for every string value of every section; a match sends the value to `sectionScalar`, which says
 * what is wrong.
 */
const NEEDS_SCALAR_CHECK = /[\u0000-\u001f\u007f-\u009f]|\\$/

/** What `plainness` found: a value to copy and check in full, or one kept as it is, with or without text to read. */
const NOT_PLAIN = 0
const QUIET = 1
const TEXT = 2

/** One string's `plainness`: one native scan for most strings, two when the text rules have something to read. */
function stringPlainness(value: string): number {
  if (!MAY_BREAK_TEXT_RULES.test(value)) return QUIET
  return NEEDS_SCALAR_CHECK.test(value) ? NOT_PLAIN : TEXT
}

/**
 * Whether the generic rules accept a value unchanged (a plain string, a boolean, or a non-empty array of those) and,
 * if so, whether any of its strings may break a text rule of the Quadlet checks (`MAY_BREAK_TEXT_RULES`).
 */
function plainness(value: unknown): number {
  if (typeof value === 'string') return stringPlainness(value)
  if (typeof value === 'boolean') return QUIET
  if (!Array.isArray(value) || value.length === 0) return NOT_PLAIN
  let result = QUIET
  for (let i = 0; i < value.length; i++) {
    const item = value[i]
    const p = typeof item === 'string' ? stringPlainness(item) : typeof item === 'boolean' ? QUIET : NOT_PLAIN
    if (p === NOT_PLAIN) return NOT_PLAIN
    if (p === TEXT) result = TEXT
  }
  return result
}

/**
 * Validates one section table; returns its typed entries and their keys, or undefined when it is unusable. A TOML
 * section whose keys and values all pass unchanged is returned as it is: the document is `parseConfig`'s own and
 * reaches no one else, and a table without a prototype (a hash table in V8) costs far more to copy than to check.
 * Anything else, and every JSON value (which belongs to the caller), takes the copying path below.
 */
function section(
  value: unknown,
  kind: UnitKind,
  unit: string,
  name: SectionName,
  ctx: RuleContext,
): { entries: QuadletSection; keys: string[]; textKeys: readonly string[] } | undefined {
  if (!isTable(value)) {
    ctx.error('wrong_type', [kind, unit, name], `The section must be a table, not a ${ctx.typeName(value)}.`)
    return undefined
  }
  const names = ownKeys(value)
  const textKeys = ctx.source === 'toml' ? plainTextKeys(value, names) : undefined
  if (textKeys !== undefined) return { entries: value as QuadletSection, keys: names, textKeys }
  const copied = copiedSection(value, names, [kind, unit, name], ctx)
  return { entries: copied.entries, keys: copied.keys, textKeys: copied.keys }
}

/**
 * When every key of the table is valid systemd syntax and every value is plain (`plainness`), the keys whose values
 * have text for the text rules to read; otherwise undefined.
 */
function plainTextKeys(table: Record<string, unknown>, keys: readonly string[]): readonly string[] | undefined {
  let text: string[] | undefined
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i]!
    if (!isValidKey(key)) return undefined
    const p = plainness(table[key])
    if (p === NOT_PLAIN) return undefined
    if (p === TEXT) {
      text ??= []
      text.push(key)
    }
  }
  return text ?? NO_KEYS
}

const NO_KEYS: readonly string[] = []

/** The general path of `section`: every key and value checked and reported, the typed entries copied. */
function copiedSection(
  value: Record<string, unknown>,
  names: readonly string[],
  at: readonly PathSegment[],
  ctx: RuleContext,
): { entries: QuadletSection; keys: string[] } {
  const out = emptyRecord<QuadletValue>()
  const keys: string[] = []
  for (const key of names) {
    if (!isKeySyntax(key)) {
      ctx.error(
        'quadlet_key_invalid',
        childPath(at, key),
        'A unit key must start with a letter and contain only letters, digits and "-".',
        'key',
      )
      continue
    }
    const typed = sectionValue(value[key], at, key, ctx)
    if (typed !== undefined) {
      out[key] = typed
      keys.push(key)
    }
  }
  return { entries: out, keys }
}

/** The sections of each unit kind, in the order the Config holds them. */
const UNIT_SECTIONS: Readonly<Record<UnitKind, readonly SectionName[]>> = {
  container: ['Unit', 'Container', 'Install'],
  network: ['Unit', 'Network', 'Install'],
  volume: ['Unit', 'Volume', 'Install'],
  build: ['Unit', 'Build', 'Install'],
}

/** Allowed keys of each unit table. */
const UNIT_TABLE_KEYS: Readonly<Record<UnitKind, readonly string[]>> = {
  container: ['privileged', 'Unit', 'Container', 'Install'],
  network: ['Unit', 'Network', 'Install'],
  volume: ['Unit', 'Volume', 'Install'],
  build: ['Unit', 'Build', 'Install'],
}

/** Parsed unit tables of one config, by kind and name. */
export interface Units {
  readonly container: Record<string, ContainerConfig>
  readonly network: Record<string, NetworkConfig>
  readonly volume: Record<string, VolumeConfig>
  readonly build: Record<string, BuildConfig>
}

/**
 * Validates `[container.*]`, `[network.*]`, `[volume.*]` and `[build.*]`: names, table shapes, value types and the
 * characters that could add a line to a unit file; then the Quadlet rules (catalogue, rootless boundary) and
 * service-name collisions. Returns the typed units (meaningful only when no error was reported) and the names of the
 * containers among them (listing the keys of `units.container` again would cost more than keeping them).
 */
export function checkUnits(root: Record<string, unknown>, ctx: RuleContext): { units: Units; containers: Set<string> } {
  const units: Units = {
    container: emptyRecord(),
    network: emptyRecord(),
    volume: emptyRecord(),
    build: emptyRecord(),
  }
  const containers = new Set<string>()
  const inputs: CheckedUnit[] = []
  // Two units generate the same service only as a container `<n>-<kind>` and the `<kind>` unit `<n>`: units of one
  // kind differ in name, and a network, volume or build service ends in its kind. Containers are read first, so
  // those with such a name are kept here, by name, with their paths; the other unit reports the collision.
  let suffixed: Map<string, readonly PathSegment[]> | undefined
  for (const kind of UNIT_KINDS) {
    const group = own(root, kind)
    if (group === undefined) continue
    if (!isTable(group)) {
      ctx.error('wrong_type', [kind], `"${kind}" must be a table of named units, not a ${ctx.typeName(group)}.`)
      continue
    }
    for (const name of ownKeys(group)) {
      const unitName = name
      const at: PathSegment[] = [kind, name]
      const table = group[name]
      if (!UNIT_NAME.test(name)) {
        ctx.error(
          'unit_name_invalid',
          at,
          'A unit name starts with a letter or digit and contains only letters, digits, "_" and "-".',
          'key',
        )
      } else if (serviceNameLength(kind, name) > MAX_UNIT_NAME) {
        ctx.error('unit_name_invalid', at, `The unit name is too long for systemd (${serviceName(kind, name)}).`, 'key')
      } else if (kind === 'container') {
        if (endsInKind(name)) {
          suffixed ??= new Map()
          suffixed.set(name, at)
        }
      } else if (suffixed !== undefined) {
        const previous = suffixed.get(`${name}-${kind}`)
        if (previous !== undefined) {
          ctx.error(
            'service_name_collision',
            at,
            `This unit and [${previous[0]}.${previous[1]}] would both generate ${serviceName(kind, name)}; rename one of them.`,
            'key',
          )
        }
      }
      if (!isTable(table)) {
        ctx.error('wrong_type', at, `A unit must be a table, not a ${ctx.typeName(table)}.`)
        continue
      }
      const ownSection = OWN_SECTION[kind]
      // One pass over the keys finds the unknown ones and the values of the known ones.
      let flag: unknown
      let rawUnit: unknown
      let rawOwn: unknown
      let rawInstall: unknown
      for (const key of ownKeys(table)) {
        const value = table[key]
        if (key === 'privileged' && kind === 'container') flag = value
        else if (key === 'Unit') rawUnit = value
        else if (key === ownSection) rawOwn = value
        else if (key === 'Install') rawInstall = value
        else {
          const allowed = UNIT_TABLE_KEYS[kind]
          ctx.error('unknown_key', [...at, key], `Unknown key "${key}"${ctx.didYouMean(key, allowed)}.`, 'key')
        }
      }
      let privileged = kind !== 'container'
      if (kind === 'container') {
        if (flag === undefined) {
          ctx.error(
            'missing_key',
            [...at, 'privileged'],
            'A container must say "privileged = true" (rootful) or "privileged = false" (rootless).',
          )
        } else if (typeof flag !== 'boolean') {
          ctx.error('wrong_type', [...at, 'privileged'], `"privileged" must be a boolean, not a ${ctx.typeName(flag)}.`)
        } else privileged = flag
      }
      const sections: Partial<Record<SectionName, QuadletSection>> = {}
      const keys: Partial<Record<SectionName, readonly string[]>> = {}
      const textKeys: Partial<Record<SectionName, readonly string[]>> = {}
      // The unit as the Config holds it: `privileged` (containers only), then its sections in this order.
      const unit: Record<string, unknown> = kind === 'container' ? { privileged } : {}
      for (const name of UNIT_SECTIONS[kind]) {
        const raw = name === 'Unit' ? rawUnit : name === 'Install' ? rawInstall : rawOwn
        if (raw === undefined) {
          if (name === ownSection) {
            ctx.error('missing_key', [...at, name], `The unit needs a [${kind}.<name>.${name}] section.`)
          }
          continue
        }
        const typed = section(raw, kind, unitName, name, ctx)
        if (typed !== undefined) {
          sections[name] = typed.entries
          keys[name] = typed.keys
          textKeys[name] = typed.textKeys
          unit[name] = typed.entries
        }
      }
      inputs.push({ kind, name, privileged, ownSection, sections, keys, textKeys })
      ;(units[kind] as Record<string, unknown>)[name] = unit
      if (kind === 'container') containers.add(name)
    }
  }
  checkQuadletUnits(inputs, ctx)
  return { units, containers }
}
