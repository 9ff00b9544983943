import type { QuadletSection } from './config.js'
import type { RuleContext } from './context.js'
import { childPath, type PathSegment } from './path.js'
import { parseMount } from './quadlet-mounts.js'
import { quadletMode } from './quadlet-rewrite.js'
import type { UnitInput } from './units.js'

/** Unit-file suffixes that Quadlet resolves to another unit of the same directory. */
const UNIT_SUFFIXES = ['.container', '.network', '.volume', '.build', '.image', '.pod', '.kube']

/** The suffixes by length, so that a value's ending is compared with the few of its length, in place. */
const SUFFIXES_BY_LENGTH: readonly (readonly string[] | undefined)[] = (() => {
  const byLength: string[][] = []
  for (const suffix of UNIT_SUFFIXES) {
    byLength[suffix.length] ??= []
    byLength[suffix.length]!.push(suffix)
  }
  return byLength
})()

/** The Quadlet unit a value refers to (`db.volume`), if it names one. */
export function referencedUnit(value: string): string | undefined {
  // Every suffix is one dot and a word, so the text from the last dot is the only candidate.
  const dot = value.lastIndexOf('.')
  if (dot <= 0) return undefined
  const candidates = SUFFIXES_BY_LENGTH[value.length - dot]
  if (candidates === undefined) return undefined
  for (const suffix of candidates) if (value.endsWith(suffix)) return value
  return undefined
}

/** One value that may refer to another unit, with where it came from. */
interface Reference {
  readonly target: string
  readonly segments: readonly PathSegment[]
}

/** What an item of a key refers to: how `targetOf` reads it. */
const UNIT = 0
const IMAGE = 1
const VOLUME = 2
const MOUNT = 3
const NETWORK = 4
const POD = 5

/** The target that a string item names, read as `how` says; undefined when it names none. */
function targetOf(how: number, item: string): string | undefined {
  switch (how) {
    case UNIT:
      return referencedUnit(item)
    case VOLUME: {
      const colon = item.indexOf(':')
      return colon === -1 ? undefined : referencedUnit(item.slice(0, colon))
    }
    case MOUNT: {
      const parsed = parseMount(item)
      return parsed.ok && parsed.value.source !== undefined ? referencedUnit(parsed.value.source) : undefined
    }
    case NETWORK: {
      const colon = item.indexOf(':')
      return referencedUnit(colon === -1 ? item : item.slice(0, colon))
    }
    default:
      // IMAGE and POD: the whole value.
      return item
  }
}

/** Adds to `list` the target of each string item of `key` (read as `how` says); paths are built only for those. */
function scan(own: QuadletSection, key: string, how: number, at: readonly PathSegment[], list: Reference[]): void {
  const value = own[key]
  if (value === undefined) return
  if (!Array.isArray(value)) {
    const found = typeof value === 'string' ? targetOf(how, value) : undefined
    if (found !== undefined) list.push({ target: found, segments: childPath(at, key) })
    return
  }
  for (let i = 0; i < value.length; i++) {
    const item = value[i]
    const found = typeof item === 'string' ? targetOf(how, item) : undefined
    if (found !== undefined) list.push({ target: found, segments: childPath(at, key, i) })
  }
}

/**
 * The references of one unit: image, volume, mount and network sources that name other units, and (`withImages`)
 * its images.
 */
function referencesOf(unit: UnitInput, withImages: boolean): { units: Reference[]; images: Reference[] } {
  const own = unit.sections[unit.ownSection]
  const units: Reference[] = []
  const images: Reference[] = []
  if (own === undefined) return { units, images }
  const at = [unit.kind, unit.name, unit.ownSection]
  const container = unit.kind === 'container'
  if (container || unit.kind === 'volume') {
    scan(own, 'Image', UNIT, at, units)
    if (withImages) scan(own, 'Image', IMAGE, at, images)
  }
  if (container || unit.kind === 'build') scan(own, 'Volume', VOLUME, at, units)
  if (container) scan(own, 'Mount', MOUNT, at, units)
  if (unit.kind === 'build') scan(own, 'Network', NETWORK, at, units)
  if (container && quadletMode(unit) === 'rootful') scan(own, 'Pod', POD, at, units)
  return { units, images }
}

/**
 * References between units: every referenced unit must be defined in this config (Quadlet fails otherwise), and a
 * rootless container may refer to no unit at all, nor use an image that a rootful build produces: those live in
 * root's storage and network namespace, which the rootless container must not reach.
 */
export function checkReferences(units: readonly UnitInput[], ctx: RuleContext): void {
  // Rootful and rootless units are read from different directories, so a rootful unit sees rootful units only.
  const defined = new Set<string>()
  const builtImages = new Set<string>()
  for (const unit of units) {
    if (quadletMode(unit) === 'rootful') defined.add(`${unit.name}.${unit.kind}`)
    const tags = unit.kind === 'build' ? unit.sections.Build?.ImageTag : undefined
    if (tags === undefined) continue
    if (Array.isArray(tags)) for (const tag of tags) builtImages.add(String(tag))
    else builtImages.add(String(tags))
  }
  for (const unit of units) {
    const rootless = quadletMode(unit) === 'rootless'
    // Images matter only to a rootless container, and only when a build makes any.
    const { units: refs, images } = referencesOf(unit, rootless && builtImages.size > 0)
    for (const ref of refs) {
      if (rootless) {
        ctx.error(
          'rootless_rootful_reference',
          ref.segments,
          `A rootless container cannot use ${ref.target}: the units of this config are rootful.`,
        )
      } else if (!defined.has(ref.target)) {
        ctx.error('quadlet_unit_reference_unknown', ref.segments, `"${ref.target}" is not a unit of this config.`)
      }
    }
    if (!rootless) continue
    for (const image of images) {
      if (builtImages.has(image.target)) {
        ctx.error(
          'rootless_rootful_reference',
          image.segments,
          `A rootless container cannot use "${image.target}": a rootful build makes it, in root's image storage.`,
        )
      }
    }
  }
}
