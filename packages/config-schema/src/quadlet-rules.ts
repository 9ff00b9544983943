import type { RuleContext } from './context.js'
import type { UnitInput } from './units.js'

/**
 * Keys that let a rootless container step outside its boundary: raw podman arguments, global options, a
 * containers.conf module, or joining a pod whose network it does not control.
 */
export const ROOTLESS_FORBIDDEN_KEYS: readonly string[] = ['PodmanArgs', 'GlobalArgs', 'ContainersConfModule', 'Pod']

/** The Quadlet rules over all units of a config (they may refer to each other). */
export function checkQuadletUnits(units: readonly UnitInput[], ctx: RuleContext): void {
  for (const unit of units) {
    if (unit.kind !== 'container' || unit.privileged) continue
    const own = unit.sections.Container
    if (own === undefined) continue
    for (const key of Object.keys(own)) {
      if (ROOTLESS_FORBIDDEN_KEYS.includes(key)) {
        ctx.error(
          'rootless_key_forbidden',
          [unit.kind, unit.name, 'Container', key],
          `"${key}" is not allowed in a rootless container because it can bypass the rootless network boundary.`,
          'key',
        )
      }
    }
  }
}
