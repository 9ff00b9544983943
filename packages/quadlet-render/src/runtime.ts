import { APP_USER, FORCED_NETWORK, jsonString } from '@atomicnix/config-schema'
import type { QuadletPlan } from './plan.js'

const HEAD = `{\n  "app_user": ${jsonString(APP_USER)},\n  "rootless_network": ${jsonString(FORCED_NETWORK.rootless)},\n  "units": `

/**
 * The text of `quadlet-runtime.json`: the app user, the rootless network and every unit, as 2-space JSON (what
 * `JSON.stringify` writes with an indent of 2, written directly).
 */
export function renderQuadletRuntime(plan: Pick<QuadletPlan, 'units'>): string {
  const units = plan.units
  if (units.length === 0) return `${HEAD}[]\n}\n`
  let out = `${HEAD}[`
  for (let i = 0; i < units.length; i++) {
    const u = units[i]!
    out += `${i === 0 ? '' : ','}
    {
      "name": ${jsonString(u.name)},
      "filename": ${jsonString(u.filename)},
      "service": ${jsonString(u.service)},
      "mode": ${jsonString(u.mode)}
    }`
  }
  return `${out}\n  ]\n}\n`
}
