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

/** The sentence for a port or range that is not one, quoting `text[start, end)`. */
function notAPort(text: string, start: number, end: number, what: string): string {
  return `The ${what} "${text.slice(start, end)}" is not a port or a range such as 8000-8010.`
}

/**
 * The port number at `text[from, to)` of the range `text[start, end)`, 1..65535, or the sentence saying why it is not
 * one. `0` or 1..5 digits without a leading zero, read in one pass (the hot path of every PublishPort).
 */
function parsePort(text: string, from: number, to: number, start: number, end: number, what: string): number | string {
  const length = to - from
  if (length === 0 || length > 5 || (length > 1 && text.charCodeAt(from) === 48)) {
    return notAPort(text, start, end, what)
  }
  let n = 0
  for (let i = from; i < to; i++) {
    const digit = text.charCodeAt(i) - 48
    if (digit < 0 || digit > 9) return notAPort(text, start, end, what)
    n = n * 10 + digit
  }
  if (n < 1 || n > 65535) return `The ${what} ${text.slice(from, to)} is outside 1..65535.`
  return n
}

/** The port or range `text[start, end)`, or the sentence saying why it is not one. */
function parseRange(text: string, start: number, end: number, what: string): PortRange | string {
  const dash = text.indexOf('-', start)
  if (dash === -1 || dash >= end) {
    const port = parsePort(text, start, end, start, end, what)
    return typeof port === 'string' ? port : { first: port, last: port }
  }
  const second = text.indexOf('-', dash + 1)
  if (second !== -1 && second < end) return notAPort(text, start, end, what)
  const first = parsePort(text, start, dash, start, end, what)
  if (typeof first === 'string') return first
  const last = parsePort(text, dash + 1, end, start, end, what)
  if (typeof last === 'string') return last
  if (last < first) return `The ${what} range "${text.slice(start, end)}" ends before it starts.`
  return { first, last }
}

/**
 * Parses one `PublishPort` value; integers are bare container ports. The parts are found by the positions of their
 * separators, so that a valid value costs no array and no string but the host address.
 */
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
  // What is left once the protocol and a bracketed address are taken off is text[begin, end).
  let begin = 0
  let end = text.length
  let protocol: PublishPort['protocol']
  const slash = text.lastIndexOf('/')
  if (slash !== -1) {
    const proto = text.slice(slash + 1)
    if (proto !== 'tcp' && proto !== 'udp' && proto !== 'sctp') {
      return invalid(`The protocol "${proto}" is not tcp, udp or sctp.`)
    }
    protocol = proto
    end = slash
  }
  let hostIp: string | undefined
  if (text.charCodeAt(0) === 91) {
    const close = text.indexOf(']')
    if (close === -1 || close >= end || text.charCodeAt(close + 1) !== 58 || close + 1 >= end) {
      return invalid('An IPv6 host address must be written as [address]:.')
    }
    hostIp = text.slice(1, close)
    if (!isIPv6(hostIp)) return invalid(`"${hostIp}" is not an IPv6 address.`)
    begin = close + 2
    if (colonIn(text, begin, end) === -1) {
      return invalid('After a host address, write hostPort:containerPort (hostPort may be empty).')
    }
  }
  // Up to three colon-separated parts: [ip:][hostPort:]containerPort (two after a bracketed address).
  const c1 = colonIn(text, begin, end)
  const c2 = c1 === -1 ? -1 : colonIn(text, c1 + 1, end)
  const c3 = c2 === -1 ? -1 : colonIn(text, c2 + 1, end)
  if (c3 !== -1 || (hostIp !== undefined && c2 !== -1)) {
    return invalid('Expected [[ip:][hostPort]:]containerPort[/protocol]; IPv6 addresses go in brackets.')
  }
  let hostStart = -1
  let hostEnd = -1
  if (c2 !== -1) {
    hostIp = text.slice(begin, c1)
    if (hostIp !== '' && !isIPv4(hostIp)) return invalid(`"${hostIp}" is not an IPv4 address.`)
    hostStart = c1 + 1
    hostEnd = c2
  } else if (c1 !== -1) {
    hostStart = begin
    hostEnd = c1
  }
  const containerStart = c2 !== -1 ? c2 + 1 : c1 !== -1 ? c1 + 1 : begin
  const containerPort = parseRange(text, containerStart, end, 'container port')
  if (typeof containerPort === 'string') return invalid(containerPort)
  let hostPort: PortRange | undefined
  if (hostStart !== -1) {
    if (hostStart === hostEnd) {
      if (hostIp === undefined)
        return invalid('An empty host port needs a host address before it, as in 127.0.0.1::80.')
    } else {
      const parsed = parseRange(text, hostStart, hostEnd, 'host port')
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

/** The first ":" in `text[from, to)`, or -1. */
function colonIn(text: string, from: number, to: number): number {
  const at = text.indexOf(':', from)
  return at === -1 || at >= to ? -1 : at
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
