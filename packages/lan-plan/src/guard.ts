/**
 * Token guards used by every renderer just before it emits a value.
 *
 * dnsmasq, chronyd, systemd-networkd and hosts files have no quoting that a renderer could rely on: a value is a run of
 * characters up to the end of the line (or the next separator), so the only safe rendering is to refuse anything that
 * is not a plain token. The config schema has already validated these values; the guards make each renderer safe on
 * its own (for instance when a plan is built from a hand-edited `lan-settings.json`), and a failure is a programmer
 * error, reported with a TypeError.
 */

const DNS_NAME = /^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)*$/
const IPV4 = /^(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(?:\.(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/
const ABSOLUTE_PATH = /^(?:\/[A-Za-z0-9_.+@-]+)+$/
const INTERFACE_NAME = /^[A-Za-z0-9_.-]{1,15}$/

function refuse(what: string, value: unknown, expected: string): never {
  throw new TypeError(`${what} must be ${expected}, got ${JSON.stringify(value)}`)
}

/** Returns `value` when it is a lower-case ASCII DNS name (no trailing dot, at most 253 characters); throws otherwise. */
export function dnsNameToken(value: string, what: string): string {
  if (typeof value !== 'string' || value.length > 253 || !DNS_NAME.test(value)) {
    refuse(what, value, 'a lower-case DNS name')
  }
  return value
}

/** Returns `value` when it is a dotted-quad IPv4 address; throws otherwise. */
export function ipv4Token(value: string, what: string): string {
  if (typeof value !== 'string' || !IPV4.test(value)) refuse(what, value, 'an IPv4 address')
  return value
}

/** Returns `value` when it is an IPv4 address with a `/24` prefix; throws otherwise. */
export function ipv4Slash24Token(value: string, what: string): string {
  const [address, prefix, ...rest] = typeof value === 'string' ? value.split('/') : []
  if (address === undefined || !IPV4.test(address) || prefix !== '24' || rest.length > 0) {
    refuse(what, value, 'an IPv4 address with prefix /24')
  }
  return value
}

/** Returns `value` when it is an absolute path of `[A-Za-z0-9_.+@-]` segments (no spaces, quotes or `#`); throws otherwise. */
export function pathToken(value: string, what: string): string {
  if (typeof value !== 'string' || !ABSOLUTE_PATH.test(value) || value.split('/').some((s) => s === '..')) {
    refuse(what, value, 'an absolute path of [A-Za-z0-9_.+@-] segments')
  }
  return value
}

/** True when `name` is a Linux interface name we accept: 1..15 of `[A-Za-z0-9_.-]`, not `.` or `..`. */
export function isInterfaceName(name: unknown): name is string {
  return typeof name === 'string' && INTERFACE_NAME.test(name) && name !== '.' && name !== '..'
}

/** Returns `value` when it is an interface name as {@link isInterfaceName} accepts; throws otherwise. */
export function interfaceToken(value: string, what: string): string {
  if (!isInterfaceName(value)) refuse(what, value, 'an interface name of 1..15 characters of [A-Za-z0-9_.-]')
  return value
}
