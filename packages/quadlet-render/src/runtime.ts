import { APP_USER, FORCED_NETWORK } from '@atomicnix/config-schema'
import type { QuadletPlan } from './plan.js'

/** The text of `quadlet-runtime.json`: the app user, the rootless network and every unit, as 2-space JSON. */
export function renderQuadletRuntime(plan: Pick<QuadletPlan, 'units'>): string {
  const doc = {
    app_user: APP_USER,
    rootless_network: FORCED_NETWORK.rootless,
    units: plan.units.map((u) => ({ name: u.name, filename: u.filename, service: u.service, mode: u.mode })),
  }
  return `${JSON.stringify(doc, null, 2)}\n`
}
