import type { QuadletSection } from './config.js'
import type { RuleContext } from './context.js'
import type { PathSegment } from './path.js'
import { expandPlaceholders } from './quadlet-paths.js'
import { valueItems } from './quadlet-rewrite.js'
import type { UnitInput } from './units.js'

/** Quadlet's own `ExposeHostPort` check, anchored at both ends. */
const EXPOSE_PORT = /^[0-9]+(-[0-9]+)?(\/udp|\/tcp)?$/

const REMAP_USERS = ['manual', 'auto', 'keep-id']

/** Keys that set the user namespace explicitly, and the deprecated keys that Quadlet refuses alongside them. */
const USERNS_KEYS = ['UserNS', 'UIDMap', 'GIDMap', 'SubUIDMap', 'SubGIDMap']
const REMAP_KEYS = ['RemapUid', 'RemapGid', 'RemapUsers']
const REMAP_ID_KEYS = ['RemapUid', 'RemapGid']

/** Volume keys that only a `Device` gives meaning to. */
const DEVICE_KEYS = ['Type', 'Options']

/** The first of `keys` that `own` has. */
function firstPresent(own: QuadletSection, keys: readonly string[]): string | undefined {
  for (let i = 0; i < keys.length; i++) if (own[keys[i]!] !== undefined) return keys[i]
  return undefined
}

function count(value: QuadletSection[string] | undefined): number {
  if (value === undefined) return 0
  return Array.isArray(value) ? value.length : 1
}

function last(value: QuadletSection[string] | undefined): string | undefined {
  if (value === undefined) return undefined
  return String(Array.isArray(value) ? value[value.length - 1] : value)
}

/**
 * Combinations that Quadlet's converter refuses, so that a config it would fail on is rejected here, with a
 * position, instead of on the device (see the conversion functions in Podman's pkg/systemd/quadlet/quadlet.go).
 */
export function checkConversion(unit: UnitInput, own: QuadletSection, at: readonly PathSegment[], ctx: RuleContext) {
  const conflict = (key: string, message: string) => ctx.error('quadlet_key_conflict', [...at, key], message, 'key')
  if (unit.kind === 'container') {
    if (own.Group !== undefined && own.User === undefined) conflict('Group', '"Group" needs "User".')
    if (own.ExposeHostPort !== undefined) {
      for (const item of valueItems(own.ExposeHostPort, [...at, 'ExposeHostPort'])) {
        if (!EXPOSE_PORT.test(String(item.value))) {
          ctx.error(
            'quadlet_value_invalid',
            item.segments,
            'ExposeHostPort takes a port or range with an optional /tcp or /udp.',
          )
        }
      }
    }
    const remap = last(own.RemapUsers)
    if (remap !== undefined && !REMAP_USERS.includes(remap)) {
      ctx.error('quadlet_value_invalid', [...at, 'RemapUsers'], `RemapUsers is one of ${REMAP_USERS.join(', ')}.`)
    }
    const remapKey = firstPresent(own, REMAP_KEYS)
    if (remapKey !== undefined && firstPresent(own, USERNS_KEYS) !== undefined) {
      conflict(remapKey, 'The deprecated Remap keys cannot be combined with UserNS, UIDMap, GIDMap or SubUIDMap.')
    } else if (remap === undefined) {
      for (const key of REMAP_ID_KEYS) if (own[key] !== undefined) conflict(key, `"${key}" needs "RemapUsers".`)
    } else if (remap === 'keep-id') {
      for (const key of REMAP_ID_KEYS) {
        if (count(own[key]) > 1) conflict(key, `RemapUsers=keep-id takes one "${key}" at most.`)
      }
    }
  }
  if (unit.kind === 'network') {
    const subnets = count(own.Subnet)
    if (subnets === 0 && (own.Gateway !== undefined || own.IPRange !== undefined)) {
      conflict(own.Gateway !== undefined ? 'Gateway' : 'IPRange', 'A gateway or IP range needs a "Subnet".')
    }
    if (subnets > 0 && count(own.Gateway) > subnets) conflict('Gateway', 'There are more gateways than subnets.')
    if (subnets > 0 && count(own.IPRange) > subnets) conflict('IPRange', 'There are more IP ranges than subnets.')
  }
  if (unit.kind === 'volume') {
    const driverImage = last(own.Driver) === 'image'
    if (driverImage && own.Image === undefined) conflict('Driver', 'Driver=image needs "Image".')
    if (!driverImage && own.Device === undefined) {
      for (const key of DEVICE_KEYS) if (own[key] !== undefined) conflict(key, `"${key}" needs "Device".`)
    }
  }
  if (unit.kind === 'build') {
    const dir = last(own.SetWorkingDirectory)
    const rawFile = last(own.File)
    const file = rawFile === undefined ? undefined : expandPlaceholders(rawFile)
    if (dir === undefined && file === undefined) {
      ctx.error('quadlet_key_missing', [...at, 'File'], 'A build needs "File" or "SetWorkingDirectory".', 'key')
    } else if (dir !== undefined && dir.toLowerCase() === 'yaml') {
      ctx.error(
        'quadlet_value_invalid',
        [...at, 'SetWorkingDirectory'],
        'SetWorkingDirectory=yaml is only for .kube units.',
      )
    } else if (
      dir === undefined &&
      file !== undefined &&
      !file.startsWith('/') &&
      !/^(https?:\/\/|git:\/\/|github\.com\/)/.test(file)
    ) {
      conflict('File', 'A relative "File" needs "SetWorkingDirectory".')
    }
  }
}
