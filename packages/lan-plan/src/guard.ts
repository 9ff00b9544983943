/**
 * Token guards used by every renderer just before it emits a value.
 *
 * dnsmasq, chronyd, systemd-networkd and hosts files have no quoting that a renderer could rely on: a value is a run of
 * characters up to the end of the line (or the next separator), so the only safe rendering is to refuse anything that
 * is not a plain token. The config schema has already validated these values; the guards make each renderer safe on
 * its own (for instance when a plan is built from a hand-edited `lan-settings.json`), and a failure is a programmer
 * error, reported with a TypeError.
 */

import { isInterfaceName, isIPv4, normalizeDnsName } from '@atomicnix/config-schema'

const ABSOLUTE_PATH = /^(?:\/[A-Za-z0-9_.+@-]+)+$/

function refuse(what: string, value: unknown, expected: string): never {
  throw new TypeError(`${what} must be ${expected}, got ${JSON.stringify(value)}`)
}

/** Returns `value` when it is a DNS name in config-schema's normal form (lower case, no trailing dot); throws otherwise. */
export function dnsNameToken(value: string, what: string): string {
  if (typeof value !== 'string' || normalizeDnsName(value) !== value) {
    refuse(what, value, 'a lower-case DNS name')
  }
  return value
}

/** Returns `value` when it is a dotted-quad IPv4 address (config-schema's one reading of IPv4); throws otherwise. */
export function ipv4Token(value: string, what: string): string {
  if (typeof value !== 'string' || !isIPv4(value)) refuse(what, value, 'an IPv4 address')
  return value
}

/** Returns `value` when it is an IPv4 address with a `/24` prefix; throws otherwise. */
export function ipv4Slash24Token(value: string, what: string): string {
  const slash = typeof value === 'string' ? value.indexOf('/') : -1
  // The text after the first `/` is exactly `24`, so there is no second one.
  if (slash === -1 || value.slice(slash + 1) !== '24' || !isIPv4(value.slice(0, slash))) {
    refuse(what, value, 'an IPv4 address with prefix /24')
  }
  return value
}

/** Returns `value` when it is an absolute path of `[A-Za-z0-9_.+@-]` segments (no spaces, quotes or `#`); throws otherwise. */
export function pathToken(value: string, what: string): string {
  // Every segment follows a `/`, so a `..` segment is a `/..` followed by `/` or the end.
  if (typeof value !== 'string' || !ABSOLUTE_PATH.test(value) || value.includes('/../') || value.endsWith('/..')) {
    refuse(what, value, 'an absolute path of [A-Za-z0-9_.+@-] segments')
  }
  return value
}

/** Interface names: one rule for every package (`isInterfaceName` in config-schema). */
export { isInterfaceName }

/** Returns `value` when it is an interface name as {@link isInterfaceName} accepts; throws otherwise. */
export function interfaceToken(value: string, what: string): string {
  if (!isInterfaceName(value)) refuse(what, value, 'an interface name of 1..15 characters of [A-Za-z0-9_.-]')
  return value
}
