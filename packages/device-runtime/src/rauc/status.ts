/** One slot of `rauc status --detailed --output-format=json`. */
export interface RaucSlot {
  /** RAUC's slot name, e.g. `rootfs.0`. */
  name: string
  class?: string
  device?: string
  /** The name U-Boot knows the slot by (`BOOT_<bootname>_LEFT`), e.g. `A`. */
  bootname?: string
  /** `booted`, `active` or `inactive`. */
  state?: string
  /** RAUC's view from the boot counter: `good` while BOOT_x_LEFT > 0 (which is why it is not trusted alone). */
  bootStatus?: string
  version?: string
  bundleHash?: string
}

/** What the commands need from `rauc status --detailed --output-format=json`. */
export interface RaucStatus {
  compatible?: string
  /** The booted slot (its `booted` state, else the one named by RAUC's `booted` field). */
  booted: RaucSlot
  /** The slot the bootloader will try first, by RAUC's slot name. */
  bootPrimary?: string
  slots: RaucSlot[]
}

/** The argv that prints RAUC's status as JSON. */
export const RAUC_STATUS_ARGV = ['rauc', 'status', '--detailed', '--output-format=json'] as const

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v)
const str = (v: unknown) => (typeof v === 'string' && v !== '' ? v : undefined)

/**
 * Parses RAUC's JSON status: `{compatible, variant, booted, boot_primary, slots: [{"<name>": {class, device, type,
 * bootname, state, parent, mountpoint, boot_status, slot_status: {bundle: {compatible, version, hash, ...}, ...}}}]}`
 * (rauc's `r_status_formatter_json`). Returns a reason instead when the text is not that, or no slot is booted.
 */
export function parseRaucStatus(text: string): { ok: true; status: RaucStatus } | { ok: false; reason: string } {
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch {
    return { ok: false, reason: 'rauc status did not print JSON' }
  }
  if (!isObject(value) || !Array.isArray(value.slots)) return { ok: false, reason: 'rauc status JSON has no slots' }
  const slots: RaucSlot[] = []
  for (const entry of value.slots) {
    if (!isObject(entry)) continue
    for (const [name, body] of Object.entries(entry)) {
      if (!isObject(body)) continue
      const slot: RaucSlot = { name }
      const set = <K extends keyof RaucSlot>(key: K, v: RaucSlot[K] | undefined) => {
        if (v !== undefined) slot[key] = v
      }
      set('class', str(body.class))
      set('device', str(body.device))
      set('bootname', str(body.bootname))
      set('state', str(body.state))
      set('bootStatus', str(body.boot_status))
      const bundle = isObject(body.slot_status) && isObject(body.slot_status.bundle) ? body.slot_status.bundle : {}
      set('version', str(bundle.version))
      set('bundleHash', str(bundle.hash))
      slots.push(slot)
    }
  }
  const bootedName = str(value.booted)
  // RAUC's `booted` is the boot slot as the kernel command line names it: a bootname, a slot name or a device.
  const booted =
    slots.find((s) => s.state === 'booted') ??
    slots.find(
      (s) =>
        bootedName !== undefined && (s.bootname === bootedName || s.name === bootedName || s.device === bootedName),
    )
  if (booted === undefined) return { ok: false, reason: 'rauc status names no booted slot' }
  const status: RaucStatus = { booted, slots }
  const compatible = str(value.compatible)
  const primary = str(value.boot_primary)
  if (compatible !== undefined) status.compatible = compatible
  if (primary !== undefined) status.bootPrimary = primary
  return { ok: true, status }
}
