import {
  type Config,
  DEFAULT_CONFIG_ROOT,
  DEFAULT_PODMAN_VERSION,
  type Issue,
  OWN_SECTION,
  type QuadletMode,
  type QuadletSection,
  type QuadletSectionEntries,
  type QuadletUnitSource,
  quadletKeys,
  rewriteQuadletUnit,
  type SectionName,
  serviceName,
  type UnitKind,
} from '@atomicnix/config-schema'

/** One Quadlet unit of the plan: where it goes, how it runs, and its lines. */
export interface QuadletUnit {
  /** The unit's name in the config (`[container.<name>]`). */
  readonly name: string
  readonly kind: UnitKind
  /** `<name>.<kind>`, e.g. `web.container`. */
  readonly filename: string
  /** The systemd service Quadlet generates, e.g. `web.service` or `db-volume.service`. */
  readonly service: string
  readonly mode: QuadletMode
  /** Unit, the unit's own section, Install; keys in source order, forced keys last. */
  readonly sections: readonly QuadletSectionEntries[]
  /** The warnings of this unit's rewrites, with the same codes and paths as validation. */
  readonly warnings: readonly Issue[]
}

/** Every Quadlet unit of a config, in config order (containers, networks, volumes, builds). */
export interface QuadletPlan {
  /** The directory that `${CONFIG_DIR}` expanded to. */
  readonly configRoot: string
  /** The Podman version the units target (`major.minor`). */
  readonly podmanVersion: string
  readonly units: readonly QuadletUnit[]
  /** All units' warnings, in unit order. */
  readonly warnings: readonly Issue[]
}

/** Options of {@link planQuadlets}. */
export interface PlanQuadletsOptions {
  /** Absolute directory for `${CONFIG_DIR}` (default `/data/config`); `${FILES_DIR}` is its `files/`. */
  readonly configRoot?: string
  /** Target Podman version, `major.minor` (default `5.4`). */
  readonly podmanVersion?: string
}

/** A config root must be a plain absolute path: it is written into unit files and device paths verbatim. */
const CONFIG_ROOT = /^(\/[A-Za-z0-9._-]+)+$/

/** True for a config root that {@link planQuadlets} accepts: an absolute path of `[A-Za-z0-9._-]` names. */
export function isConfigRoot(root: string): boolean {
  return CONFIG_ROOT.test(root)
}

const KINDS: readonly UnitKind[] = ['container', 'network', 'volume', 'build']

/** The rewrite input of one unit: its own sections, in render order. */
function source(kind: UnitKind, name: string, unit: Partial<Record<SectionName, QuadletSection>>): QuadletUnitSource {
  const privileged = kind === 'container' ? (unit as Config['container'][string]).privileged : true
  const sections: Partial<Record<SectionName, QuadletSection>> = {}
  if (unit.Unit !== undefined) sections.Unit = unit.Unit
  const own = OWN_SECTION[kind]
  if (unit[own] !== undefined) sections[own] = unit[own]
  if (unit.Install !== undefined) sections.Install = unit.Install
  return { kind, name, privileged, sections }
}

/**
 * Plans the Quadlet units of a validated config: one unit per `[container.*]`, `[network.*]`, `[volume.*]` and
 * `[build.*]`, with the boundary rewrites applied (containers: forced `Network`; rootless: loopback `PublishPort`).
 * Pure and total for any config that `validateConfig` accepted. Throws a RangeError for a malformed option.
 */
export function planQuadlets(config: Config, options: PlanQuadletsOptions = {}): QuadletPlan {
  const configRoot = options.configRoot ?? DEFAULT_CONFIG_ROOT
  const podmanVersion = options.podmanVersion ?? DEFAULT_PODMAN_VERSION
  // The default is a constant that passes (tested); a root given is checked.
  if (configRoot !== DEFAULT_CONFIG_ROOT && !isConfigRoot(configRoot)) {
    throw new RangeError(`The config root must be an absolute path of plain names, not ${JSON.stringify(configRoot)}.`)
  }
  // A version given must be one with a catalogue (a RangeError otherwise); the default has one.
  if (options.podmanVersion !== undefined) quadletKeys('Container', podmanVersion)
  const rewriteOptions = { configRoot }
  const units: QuadletUnit[] = []
  const warnings: Issue[] = []
  for (const kind of KINDS) {
    const group = config[kind] as Readonly<Record<string, Partial<Record<SectionName, QuadletSection>>>>
    for (const name of Object.keys(group)) {
      const rewritten = rewriteQuadletUnit(source(kind, name, group[name]!), rewriteOptions)
      const unitWarnings: Issue[] = []
      for (const w of rewritten.warnings) {
        const issue: Issue = { code: w.code, severity: 'warning', path: w.path, message: w.message }
        unitWarnings.push(issue)
        warnings.push(issue)
      }
      units.push({
        name,
        kind,
        filename: `${name}.${kind}`,
        service: serviceName(kind, name),
        mode: rewritten.mode,
        sections: rewritten.sections,
        warnings: unitWarnings,
      })
    }
  }
  return { configRoot, podmanVersion, units, warnings }
}
