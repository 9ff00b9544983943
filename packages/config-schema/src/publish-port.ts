/**
 * Podman's `--publish` grammar, `[[ip:][hostPort]:]containerPort[/protocol]`, as Quadlet's `PublishPort=` passes it
 * through: ports and equal-length ranges (`8000-8010`), an IPv4 address or an IPv6 address in brackets, and the
 * protocols tcp, udp and sctp. See https://docs.podman.io/en/v5.4.0/markdown/podman-run.1.html#publish-p-ip-hostport-containerport-protocol
 */

import { isIPv4, isIPv6 } from './address.js'

/** A port or an inclusive range of ports; a single port has `first === last`. */
export interface PortRange {
  readonly first: number
  readonly last: number
}

/** One parsed `PublishPort` value. */
export interface PublishPort {
  /** Host address without brackets (`127.0.0.1`, `::1`); `undefined` when absent, `''` when written empty (`:80:80`). */
  readonly hostIp?: string
  /** Host port or range; `undefined` lets Podman choose a free port. */
  readonly hostPort?: PortRange
  readonly containerPort: PortRange
  readonly protocol?: 'tcp' | 'udp' | 'sctp'
}

/** Why a value is not a valid `PublishPort`; `expansion` means a `$` or `%` that systemd would expand. */
export type PublishPortError =
  | { readonly kind: 'expansion'; readonly message: string }
  | { readonly kind: 'range_length'; readonly message: string }
  | { readonly kind: 'invalid'; readonly message: string }

function invalid(message: string): { ok: false; error: PublishPortError } {
  return { ok: false, error: { kind: 'invalid', message } }
}

/** A port number of a range, 1..65535, or the sentence saying why `part` of `text` is not one. */
function parsePort(part: string, text: string, what: string): number | string {
  // `0` or 1..5 digits without a leading zero, read in one pass (the hot path of every PublishPort).
  let n = 0
  const ok = part.length > 0 && part.length <= 5 && (part.length === 1 || part.charCodeAt(0) !== 48)
  for (let i = 0; ok && i < part.length; i++) {
    const digit = part.charCodeAt(i) - 48
    if (digit < 0 || digit > 9) return `The ${what} "${text}" is not a port or a range such as 8000-8010.`
    n = n * 10 + digit
  }
  if (!ok) return `The ${what} "${text}" is not a port or a range such as 8000-8010.`
  if (n < 1 || n > 65535) return `The ${what} ${part} is outside 1..65535.`
  return n
}

function parseRange(text: string, what: string): PortRange | string {
  const dash = text.indexOf('-')
  if (dash === -1) {
    const port = parsePort(text, text, what)
    return typeof port === 'string' ? port : { first: port, last: port }
  }
  if (text.indexOf('-', dash + 1) !== -1) return `The ${what} "${text}" is not a port or a range such as 8000-8010.`
  const first = parsePort(text.slice(0, dash), text, what)
  if (typeof first === 'string') return first
  const last = parsePort(text.slice(dash + 1), text, what)
  if (typeof last === 'string') return last
  if (last < first) return `The ${what} range "${text}" ends before it starts.`
  return { first, last }
}

/** Parses one `PublishPort` value; integers are bare container ports. */
export function parsePublishPort(
  value: string | number,
): { ok: true; value: PublishPort } | { ok: false; error: PublishPortError } {
  const text = typeof value === 'number' ? String(value) : value
  if (text.includes('$') || text.includes('%')) {
    return {
      ok: false,
      error: {
        kind: 'expansion',
        message: `The value contains "${text.includes('$') ? '$' : '%'}", which systemd would expand when the container starts.`,
      },
    }
  }
  let rest = text
  let protocol: PublishPort['protocol']
  const slash = rest.lastIndexOf('/')
  if (slash !== -1) {
    const proto = rest.slice(slash + 1)
    if (proto !== 'tcp' && proto !== 'udp' && proto !== 'sctp') {
      return invalid(`The protocol "${proto}" is not tcp, udp or sctp.`)
    }
    protocol = proto
    rest = rest.slice(0, slash)
  }
  let hostIp: string | undefined
  if (rest.startsWith('[')) {
    const close = rest.indexOf(']')
    if (close === -1 || rest[close + 1] !== ':') return invalid('An IPv6 host address must be written as [address]:.')
    hostIp = rest.slice(1, close)
    if (!isIPv6(hostIp)) return invalid(`"${hostIp}" is not an IPv6 address.`)
    rest = rest.slice(close + 2)
    if (!rest.includes(':'))
      return invalid('After a host address, write hostPort:containerPort (hostPort may be empty).')
  }
  const parts = rest.split(':')
  if (parts.length > (hostIp === undefined ? 3 : 2)) {
    return invalid('Expected [[ip:][hostPort]:]containerPort[/protocol]; IPv6 addresses go in brackets.')
  }
  if (hostIp === undefined && parts.length === 3) {
    hostIp = parts.shift()!
    if (hostIp !== '' && !isIPv4(hostIp)) return invalid(`"${hostIp}" is not an IPv4 address.`)
  }
  const containerText = parts.pop()!
  const containerPort = parseRange(containerText, 'container port')
  if (typeof containerPort === 'string') return invalid(containerPort)
  let hostPort: PortRange | undefined
  if (parts.length === 1) {
    const hostText = parts[0]!
    if (hostText === '') {
      if (hostIp === undefined)
        return invalid('An empty host port needs a host address before it, as in 127.0.0.1::80.')
    } else {
      const parsed = parseRange(hostText, 'host port')
      if (typeof parsed === 'string') return invalid(parsed)
      hostPort = parsed
    }
  }
  if (hostPort !== undefined && hostPort.last - hostPort.first !== containerPort.last - containerPort.first) {
    return {
      ok: false,
      error: { kind: 'range_length', message: 'The host and container port ranges must have the same length.' },
    }
  }
  const out: { -readonly [K in keyof PublishPort]: PublishPort[K] } = { containerPort }
  if (hostIp !== undefined) out.hostIp = hostIp
  if (hostPort !== undefined) out.hostPort = hostPort
  if (protocol !== undefined) out.protocol = protocol
  return { ok: true, value: out }
}

function formatRange(range: PortRange): string {
  return range.first === range.last ? String(range.first) : `${range.first}-${range.last}`
}

/** Formats a parsed value back to Podman's grammar; `parsePublishPort(formatPublishPort(p))` gives `p` back. */
export function formatPublishPort(port: PublishPort): string {
  const proto = port.protocol ? `/${port.protocol}` : ''
  const container = formatRange(port.containerPort)
  const host = port.hostPort ? formatRange(port.hostPort) : ''
  if (port.hostIp === undefined) return port.hostPort ? `${host}:${container}${proto}` : `${container}${proto}`
  const ip = port.hostIp.includes(':') ? `[${port.hostIp}]` : port.hostIp
  return `${ip}:${host}:${container}${proto}`
}

/** True when the host address is in 127.0.0.0/8, the only addresses a rootless container may be published on. */
export function isLoopbackV4(hostIp: string | undefined): boolean {
  return hostIp !== undefined && isIPv4(hostIp) && hostIp.startsWith('127.')
}

/**
 * The rootless form of a published port: a host address outside 127.0.0.0/8 (absent, empty, any other IPv4 or any
 * IPv6, including ::1) becomes 127.0.0.1, so that only the host itself can connect; `changed` tells whether it did.
 */
export function loopbackPublishPort(port: PublishPort): { value: PublishPort; changed: boolean } {
  if (isLoopbackV4(port.hostIp)) return { value: port, changed: false }
  // Built field by field in parsePublishPort's order: a spread of these differently shaped objects is slow.
  const value: { -readonly [K in keyof PublishPort]: PublishPort[K] } = {
    containerPort: port.containerPort,
    hostIp: '127.0.0.1',
  }
  if (port.hostPort !== undefined) value.hostPort = port.hostPort
  if (port.protocol !== undefined) value.protocol = port.protocol
  return { value, changed: true }
}
