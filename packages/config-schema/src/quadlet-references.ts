import type { RuleContext } from './context.js'
import { childPath, type PathSegment } from './path.js'
import { parseMount } from './quadlet-mounts.js'
import { quadletMode } from './quadlet-rewrite.js'
import type { UnitInput } from './units.js'

/** Unit-file suffixes that Quadlet resolves to another unit of the same directory. */
const UNIT_SUFFIXES = new Set(['.container', '.network', '.volume', '.build', '.image', '.pod', '.kube'])

/** The Quadlet unit a value refers to (`db.volume`), if it names one. */
export function referencedUnit(value: string): string | undefined {
  // Every suffix is one dot and a word, so the text from the last dot is the only candidate.
  const dot = value.lastIndexOf('.')
  return dot > 0 && UNIT_SUFFIXES.has(value.slice(dot)) ? value : undefined
}

/** One value that may refer to another unit, with where it came from. */
interface Reference {
  readonly target: string
  readonly segments: readonly PathSegment[]
}

/** The references of one unit: image, volume, mount and network sources that name other units. */
function referencesOf(unit: UnitInput): { units: Reference[]; images: Reference[] } {
  const own = unit.sections[unit.ownSection]
  const units: Reference[] = []
  const images: Reference[] = []
  if (own === undefined) return { units, images }
  const at = [unit.kind, unit.name, unit.ownSection]
  // Each string item of `key`, with the target it names (if any); paths are built only for references found.
  const scan = (key: string, target: (value: string) => string | undefined, list: Reference[] = units) => {
    const value = own[key]
    if (value === undefined) return
    const items = Array.isArray(value) ? value : [value]
    for (let i = 0; i < items.length; i++) {
      const item = items[i]
      const found = typeof item === 'string' ? target(item) : undefined
      if (found !== undefined)
        list.push({ target: found, segments: childPath(at, key, Array.isArray(value) ? i : undefined) })
    }
  }
  if (unit.kind === 'container' || unit.kind === 'volume') {
    scan('Image', referencedUnit)
    scan('Image', (image) => image, images)
  }
  if (unit.kind === 'container' || unit.kind === 'build') {
    scan('Volume', (volume) => {
      const colon = volume.indexOf(':')
      return colon === -1 ? undefined : referencedUnit(volume.slice(0, colon))
    })
  }
  if (unit.kind === 'container') {
    scan('Mount', (mount) => {
      const parsed = parseMount(mount)
      return parsed.ok && parsed.value.source !== undefined ? referencedUnit(parsed.value.source) : undefined
    })
  }
  if (unit.kind === 'build') scan('Network', (network) => referencedUnit(network.split(':')[0]!))
  if (unit.kind === 'container' && quadletMode(unit) === 'rootful') scan('Pod', (pod) => pod)
  return { units, images }
}

/**
 * References between units: every referenced unit must be defined in this config (Quadlet fails otherwise), and a
 * rootless container may refer to no unit at all, nor use an image that a rootful build produces: those live in
 * root's storage and network namespace, which the rootless container must not reach.
 */
export function checkReferences(units: readonly UnitInput[], ctx: RuleContext): void {
  // Rootful and rootless units are read from different directories, so a rootful unit sees rootful units only.
  const defined = new Set(units.filter((u) => quadletMode(u) === 'rootful').map((u) => `${u.name}.${u.kind}`))
  const builtImages = new Set<string>()
  for (const unit of units) {
    const tags = unit.kind === 'build' ? unit.sections.Build?.ImageTag : undefined
    if (tags !== undefined) for (const tag of Array.isArray(tags) ? tags : [tags]) builtImages.add(String(tag))
  }
  for (const unit of units) {
    const rootless = quadletMode(unit) === 'rootless'
    const { units: refs, images } = referencesOf(unit)
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
