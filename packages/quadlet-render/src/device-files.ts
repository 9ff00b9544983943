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

/**
 * The Quadlet files of the device, below `/`: the canonical copies in `<config root>/quadlet/` (0644), the
 * `quadlet-runtime.json` document (0600), and each unit in Quadlet's search path for its mode: rootful in
 * `etc/containers/systemd/`, rootless in appsvc's `~/.config/containers/systemd/` (0644).
 */
export function quadletDeviceFiles(plan: QuadletPlan): DeviceFile[] {
  const root = plan.configRoot.slice(1)
  const files: DeviceFile[] = []
  for (const unit of plan.units) {
    files.push({ path: `${root}/quadlet/${unit.filename}`, contents: renderQuadlet(unit), mode: 0o644 })
  }
  files.push({ path: `${root}/quadlet-runtime.json`, contents: renderQuadletRuntime(plan), mode: 0o600 })
  for (const unit of plan.units) {
    const dir = unit.mode === 'rootful' ? ROOTFUL_UNIT_DIR : ROOTLESS_UNIT_DIR
    files.push({ path: `${dir.slice(1)}/${unit.filename}`, contents: renderQuadlet(unit), mode: 0o644 })
  }
  return files
}
