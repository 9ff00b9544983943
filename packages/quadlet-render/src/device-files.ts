import { ROOTFUL_UNIT_DIR, ROOTLESS_UNIT_DIR } from '@atomicnix/config-schema'
import type { QuadletPlan } from './plan.js'
import { renderQuadlet } from './render.js'
import { renderQuadletRuntime } from './runtime.js'

/** One file to write on the device: a path relative to `/`, its text and its permission bits. */
export interface DeviceFile {
  readonly path: string
  readonly contents: string
  readonly mode: number
}

const ROOTFUL_DIR = ROOTFUL_UNIT_DIR.slice(1)
const ROOTLESS_DIR = ROOTLESS_UNIT_DIR.slice(1)

/**
 * The Quadlet files of the device, below `/`: the canonical copies in `<config root>/quadlet/` (0644), the
 * `quadlet-runtime.json` document (0600), and each unit in Quadlet's search path for its mode: rootful in
 * `etc/containers/systemd/`, rootless in appsvc's `~/.config/containers/systemd/` (0644).
 */
export function quadletDeviceFiles(plan: QuadletPlan): DeviceFile[] {
  const root = plan.configRoot.slice(1)
  const canonical: DeviceFile[] = []
  const installed: DeviceFile[] = []
  // Each unit is rendered once: the canonical copy and the installed one are the same text.
  for (const unit of plan.units) {
    const contents = renderQuadlet(unit)
    const dir = unit.mode === 'rootful' ? ROOTFUL_DIR : ROOTLESS_DIR
    canonical.push({ path: `${root}/quadlet/${unit.filename}`, contents, mode: 0o644 })
    installed.push({ path: `${dir}/${unit.filename}`, contents, mode: 0o644 })
  }
  canonical.push({ path: `${root}/quadlet-runtime.json`, contents: renderQuadletRuntime(plan), mode: 0o600 })
  for (const file of installed) canonical.push(file)
  return canonical
}
