import fc from 'fast-check'
import { stringify } from 'smol-toml'
import { describe, expect, it } from 'vitest'
import { isIPv4, isIPv6 } from '../src/address.js'
import { decodeBase64 } from '../src/base64.js'
import type { QuadletScalar, QuadletSection } from '../src/config.js'
import { isDnsNameWithMac, normalizeDnsName, SAMPLE_MAC } from '../src/dns-name.js'
import {
  type Issue,
  MIN_RSA_BITS,
  parseConfig,
  parseSshPublicKey,
  type Result,
  SSH_KEY_TYPES,
  validateConfig,
} from '../src/index.js'
import { formatPath, type PathSegment } from '../src/path.js'
import { type PortRange, type PublishPort, type PublishPortError, parsePublishPort } from '../src/publish-port.js'
import { exposedProtectedPath, linkOf, mayBeGuarded, normalizeHostPath } from '../src/quadlet-paths.js'
import {
  forcedNetworkWarning,
  loopbackRewrite,
  publishPortRewrite,
  type QuadletRewriteWarning,
  type QuadletUnitSource,
  quadletMode,
  type RewrittenUnit,
  rewriteQuadletUnit,
  scalarText,
} from '../src/quadlet-rewrite.js'
import { keyLineParts, keyLinePartsByPattern } from '../src/ssh-key.js'
import type { SectionName, UnitKind } from '../src/units.js'
import { ED25519_KEY } from './arbitrary-config.js'

// The checks keep TOML sections that pass unchanged, skip values that no text rule can fault, and read ASCII key
// lines without a pattern. These properties hold each fast path to the general one on generated input.

const text = (pieces: readonly string[], maxLength = 6) =>
  fc.array(fc.constantFrom(...pieces), { maxLength }).map((parts) => parts.join(''))

/** Issues without positions, in one order: TOML issues come sorted by position, JSON ones in rule order. */
function plain(result: Result<unknown>): { value?: unknown; issues: Omit<Issue, 'line' | 'column'>[] } {
  const issues = [...(result.ok ? [] : result.errors), ...result.warnings].map(({ code, severity, path, message }) => ({
    code,
    severity,
    path,
    message,
  }))
  issues.sort((a, b) => (a.path + a.code + a.message < b.path + b.code + b.message ? -1 : 1))
  return result.ok ? { value: result.value, issues } : { issues }
}

/** Characters that each text rule and value rule looks for, and some that none does. */
const VALUE_PIECES = [
  'a',
  'Z',
  '/',
  ':',
  ' ',
  '\t',
  '\n',
  '\u0085',
  '\u00a0',
  '\u2028',
  '\ufeff',
  '"',
  "'",
  '\\',
  '$',
  '$$',
  // biome-ignore lint/suspicious/noTemplateCurlyInString: the config's own placeholder syntax, not a template
  '${FILES_DIR}',
  '%',
  '%%',
  '%h',
  '10080:8080',
  'x.volume',
  'type=bind,source=/a',
]

const scalar = fc.oneof(text(VALUE_PIECES), fc.boolean(), fc.bigInt({ min: -3n, max: 2n ** 60n }))
const sectionValue = fc.oneof(
  { weight: 3, arbitrary: scalar },
  { weight: 1, arbitrary: fc.array(scalar, { maxLength: 3 }) },
)
const sectionKey = fc.constantFrom(
  'Image',
  'Environment',
  'Volume',
  'Mount',
  'PublishPort',
  'Label',
  'Network',
  'HealthCmd',
  'Description',
  'WantedBy',
  'bad_key',
  '1x',
)
const section = fc.dictionary(sectionKey, sectionValue, { maxKeys: 5 })

/** A document with one container whose sections are generated; integers become numbers for the JSON side. */
const documentArb = fc.record({
  privileged: fc.boolean(),
  Unit: fc.option(section, { nil: undefined }),
  Container: section,
  Install: fc.option(section, { nil: undefined }),
})

function asJson(value: unknown): unknown {
  return JSON.parse(JSON.stringify(value, (_, v) => (typeof v === 'bigint' ? Number(v) : v)))
}

describe('fast paths agree with the general ones', () => {
  it('kept TOML sections and skipped values give what copied JSON sections give', () => {
    fc.assert(
      fc.property(documentArb, ({ privileged, Unit, Container, Install }) => {
        const unit: Record<string, unknown> = { privileged }
        if (Unit !== undefined) unit.Unit = Unit
        unit.Container = { Image: 'ghcr.io/example/app:1', ...Container }
        if (Install !== undefined) unit.Install = Install
        const document = {
          version: 1n,
          admin: { ssh_keys: [ED25519_KEY] },
          firewall: { inbound: { tcp: [443n] } },
          container: { app: unit },
        }
        const viaToml = parseConfig(stringify(document))
        const viaJson = validateConfig(asJson(document))
        // Integers beyond 2^53 lose precision on the JSON side, and its message says so differently: compare
        // only documents whose integers JSON carries exactly.
        fc.pre(!JSON.stringify(asJson(document)).match(/\d{16}/))
        expect(plain(viaToml)).toEqual(plain(viaJson))
      }),
      { numRuns: 400 },
    )
  })

  it('ASCII key lines are read as the pattern reads them', () => {
    const pieces = [' ', '  ', 'a', 'b=', '+/', 'ssh-ed25519', 'AAAA', '\u00a0', '\u2028', '\u3000', 'é', '\ufeff']
    fc.assert(
      fc.property(text(pieces, 10), (line) => {
        expect(keyLineParts(line)).toEqual(keyLinePartsByPattern(line))
      }),
      { numRuns: 5000 },
    )
    for (const line of ['', ' ', 'a', 'a ', ' a b', 'a b ', 'a  b  c  d ', 'a b\u2028c', 'a\u00a0b c']) {
      expect(keyLineParts(line), JSON.stringify(line)).toEqual(keyLinePartsByPattern(line))
    }
  })

  it('key lines with odd whitespace give the single-spaced line', () => {
    const [type, blob] = ED25519_KEY.split(' ')
    const result = parseSshPublicKey(`  ${type}   ${blob}   two  words\u00a0here  `)
    expect(result).toEqual({
      ok: true,
      key: { type, blob, comment: 'two words here', line: `${type} ${blob} two words here` },
    })
  })
})

/** The blob rules as first written, with a view per field: the oracle for the reader that keeps offsets. */
function blobProblemOracle(type: string, blob: Uint8Array): string | undefined {
  let at = 0
  const field = (): Uint8Array | undefined => {
    if (at + 4 > blob.length) return undefined
    const length = ((blob[at]! << 24) | (blob[at + 1]! << 16) | (blob[at + 2]! << 8) | blob[at + 3]!) >>> 0
    at += 4
    if (at + length > blob.length) return undefined
    const out = blob.subarray(at, at + length)
    at += length
    return out
  }
  const text = (): string | undefined => {
    const f = field()
    if (f === undefined || f.some((b) => b < 0x20 || b > 0x7e)) return undefined
    return String.fromCharCode(...f)
  }
  const bits = (f: Uint8Array) => {
    const i = f.findIndex((b) => b !== 0)
    return i === -1 ? 0 : (f.length - i - 1) * 8 + (32 - Math.clz32(f[i]!))
  }
  const named = text()
  if (named === undefined) return 'The key data is not an OpenSSH public key.'
  if (named !== type) return `The key says "${type}" but its data is a "${named}" key.`
  const malformed = `The ${type} key data is malformed.`
  const done = () => at === blob.length
  if (type === 'ssh-rsa') {
    const e = field()
    const n = field()
    if (e === undefined || n === undefined || !done() || bits(e) === 0) return malformed
    return bits(n) < MIN_RSA_BITS
      ? `The RSA key has ${bits(n)} bits; at least ${MIN_RSA_BITS} are required.`
      : undefined
  }
  if (type.includes('ed25519')) {
    if (field()?.length !== 32) return malformed
    if (type.startsWith('sk-') && text() === undefined) return malformed
    return done() ? undefined : malformed
  }
  const curve = type
    .replace(/^sk-/, '')
    .replace(/@openssh\.com$/, '')
    .replace('ecdsa-sha2-', '')
  const blobCurve = text()
  const point = field()
  const size = { nistp256: 65, nistp384: 97, nistp521: 133 }[curve]
  if (blobCurve !== curve || point === undefined || point.length !== size || point[0] !== 4) return malformed
  if (type.startsWith('sk-') && text() === undefined) return malformed
  return done() ? undefined : malformed
}

function wireField(data: Uint8Array): Uint8Array {
  const out = new Uint8Array(4 + data.length)
  new DataView(out.buffer).setUint32(0, data.length)
  out.set(data, 4)
  return out
}

const ascii = (s: string) => Uint8Array.from(s, (c) => c.charCodeAt(0))
const fieldArb = fc.oneof(
  fc.constantFrom(...SSH_KEY_TYPES, 'nistp256', 'nistp384', 'nistp521', 'ssh:', 'ssh-dss', '').map(ascii),
  fc
    .tuple(
      fc.constantFrom(0, 1, 3, 31, 32, 33, 64, 65, 97, 133, 256, 257, 384),
      fc.constantFrom(0, 4, 0x80, 0x1f, 0x7f, 0xff),
    )
    .map(([length, first]) => Uint8Array.from({ length }, (_, i) => (i === 0 ? first : (i * 37) & 0xff))),
)
/** The fields of a well-formed blob of `type` (an RSA modulus of `rsaBytes` bytes, a leading zero among them). */
function validFields(type: string, rsaBytes: number): Uint8Array[] {
  const bytes = (length: number, first: number) =>
    Uint8Array.from({ length }, (_, i) => (i === 0 ? first : i === 1 ? 0x80 : (i * 37) & 0xff))
  if (type === 'ssh-rsa') return [ascii(type), Uint8Array.of(1, 0, 1), bytes(rsaBytes, 0)]
  const sk = type.startsWith('sk-') ? [ascii('ssh:')] : []
  if (type.includes('ed25519')) return [ascii(type), bytes(32, 7), ...sk]
  const curve = type.match(/nistp\d+/)![0]
  const size = { nistp256: 65, nistp384: 97, nistp521: 133 }[curve]!
  return [ascii(type), ascii(curve), bytes(size, 4), ...sk]
}

/** A well-formed blob of `type`, or one with a field replaced, dropped or added, or its end cut off. */
const blobArb = (type: string) =>
  fc
    .record({
      rsaBytes: fc.constantFrom(129, 257, 258),
      change: fc.constantFrom('none', 'replace', 'drop', 'add', 'cut'),
      index: fc.nat(4),
      field: fieldArb,
      cut: fc.integer({ min: 1, max: 6 }),
    })
    .map(({ rsaBytes, change, index, field, cut }) => {
      const fields = validFields(type, rsaBytes)
      const i = index % (fields.length + (change === 'add' ? 1 : 0))
      if (change === 'replace') fields[i] = field
      if (change === 'drop') fields.splice(i, 1)
      if (change === 'add') fields.splice(i, 0, field)
      const joined = Uint8Array.from(fields.flatMap((f) => [...wireField(f)]))
      return change === 'cut' ? joined.subarray(0, Math.max(0, joined.length - cut)) : joined
    })

describe('the SSH key blob reader', () => {
  it('finds what a reader with a view per field finds', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...SSH_KEY_TYPES).chain((type) => fc.tuple(fc.constant(type), blobArb(type))),
        ([type, blob]) => {
          const result = parseSshPublicKey(`${type} ${Buffer.from(blob).toString('base64')} c`)
          const expected = blob.length === 0 ? 'The key data is not valid base64.' : blobProblemOracle(type, blob)
          expect(result.ok ? undefined : result.problem.message).toBe(expected)
        },
      ),
      { numRuns: 4000 },
    )
  })
})

// PublishPort as first written, with split and slices: the oracle for the parser that reads by position.
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

function parsePublishPortOracle(
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

describe('the PublishPort parser', () => {
  it('reads every value as the parser with split and slices reads it', () => {
    const pieces = [
      '1',
      '0',
      '8',
      '65535',
      '65536',
      '-',
      ':',
      '::',
      '/',
      'tcp',
      'udp',
      'x',
      '[',
      ']',
      '[::1]',
      '127.0.0.1',
      '.',
    ]
    fc.assert(
      fc.property(fc.oneof(text(pieces, 8), fc.string({ maxLength: 12 })), (value) => {
        expect(parsePublishPort(value)).toEqual(parsePublishPortOracle(value))
      }),
      { numRuns: 5000 },
    )
    for (const value of [80, 0, 70000]) expect(parsePublishPort(value)).toEqual(parsePublishPortOracle(value))
  })
})

describe('the guarded-path filter', () => {
  it('lets through every path that is, contains or lies in a protected or link path', () => {
    const component = fc.constantFrom(
      ...['run', 'var', 'proc', 'sys', 'dev', 'etc', 'tmp', 'data', 'user', 'fd', 'shm', 'r', 'runx', 'lib'],
      ...['appsvc', 'mtab', 'podman', 'docker.sock', 'stdin', '..', '.', ''],
    )
    let guarded = 0
    fc.assert(
      fc.property(fc.array(component, { maxLength: 4 }), (parts) => {
        const path = normalizeHostPath(`/${parts.join('/')}`, '/')
        const found = exposedProtectedPath(path) ?? linkOf(path)
        if (found !== undefined) guarded++
        if (!mayBeGuarded(path)) expect(found).toBeUndefined()
      }),
      { numRuns: 3000 },
    )
    expect(guarded).toBeGreaterThan(100)
    expect(mayBeGuarded('/data/config/files/a')).toBe(false)
    expect(mayBeGuarded('/')).toBe(true)
  })
})

describe('hostname patterns', () => {
  it('are read in place as the text with {mac} replaced is read', () => {
    const pieces = ['{mac}', '{mac}', 'a', 'f', 'x', '0', '9', '-', '.', '{', 'mac}', 'a'.repeat(40), '1'.repeat(50)]
    fc.assert(
      fc.property(text(pieces, 10), (pattern) => {
        const expected = normalizeDnsName(pattern.replaceAll('{mac}', SAMPLE_MAC)) !== undefined
        expect(isDnsNameWithMac(pattern)).toBe(expected)
      }),
      { numRuns: 5000 },
    )
    for (const pattern of ['atomicnix-{mac}', '{mac}', '{mac}.lan', 'edge-{mac}.', '0x{mac}', '0{mac}x', '-{mac}']) {
      const expected = normalizeDnsName(pattern.replaceAll('{mac}', SAMPLE_MAC)) !== undefined
      expect(isDnsNameWithMac(pattern), pattern).toBe(expected)
    }
  })
})

// base64 as first written, one character at a time: the oracle for the decoder that reads four at a time.
const ORACLE_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/'
const ORACLE_VALUES = new Int16Array(128).fill(-1)
for (let i = 0; i < ORACLE_ALPHABET.length; i++) ORACLE_VALUES[ORACLE_ALPHABET.charCodeAt(i)] = i

/**
 * Decodes canonical standard base64 (with `=` padding, no whitespace); undefined for anything else. Written here
 * because pure packages have neither `Buffer` nor DOM's `atob` in their types.
 */
function decodeBase64Oracle(text: string): Uint8Array | undefined {
  if (text.length === 0 || text.length % 4 !== 0) return undefined
  const padding = text.endsWith('==') ? 2 : text.endsWith('=') ? 1 : 0
  const out = new Uint8Array((text.length / 4) * 3 - padding)
  let o = 0
  for (let i = 0; i < text.length; i += 4) {
    let chunk = 0
    for (let j = 0; j < 4; j++) {
      const code = text.charCodeAt(i + j)
      const isPad = code === 61 && i + j >= text.length - padding
      const v = isPad ? 0 : code < 128 ? ORACLE_VALUES[code]! : -1
      if (v < 0) return undefined
      chunk = (chunk << 6) | v
    }
    if (o < out.length) out[o++] = (chunk >> 16) & 0xff
    if (o < out.length) out[o++] = (chunk >> 8) & 0xff
    if (o < out.length) out[o++] = chunk & 0xff
  }
  return out
}

describe('the base64 decoder', () => {
  it('decodes what the one-character decoder decodes, and refuses what it refuses', () => {
    const pieces = ['A', 'Q', '/', '+', 'z', '9', '=', '==', '-', '_', ' ', '\u00e9', '\u0100', 'AAAA', 'QUJD']
    fc.assert(
      fc.property(
        fc.oneof(
          text(pieces, 12),
          fc.uint8Array({ maxLength: 40 }).map((b) => Buffer.from(b).toString('base64')),
        ),
        (value) => {
          expect(decodeBase64(value)).toEqual(decodeBase64Oracle(value))
        },
      ),
      { numRuns: 5000 },
    )
  })
})

describe('service name collisions', () => {
  it('are the collisions that comparing every generated service name finds', () => {
    const name = fc.constantFrom('a', 'b', 'a-network', 'a-volume', 'a-build', 'b-build', 'a-volume-network', 'x-')
    const kinds = ['container', 'network', 'volume', 'build'] as const
    const units = fc.record({
      container: fc.uniqueArray(name, { maxLength: 4 }),
      network: fc.uniqueArray(name, { maxLength: 3 }),
      volume: fc.uniqueArray(name, { maxLength: 3 }),
      build: fc.uniqueArray(name, { maxLength: 3 }),
    })
    fc.assert(
      fc.property(units, (names) => {
        const document: Record<string, unknown> = {
          version: 1,
          admin: { ssh_keys: [ED25519_KEY] },
          firewall: { inbound: { tcp: [443] } },
        }
        const expected: string[] = []
        const services = new Map<string, string>()
        for (const kind of kinds) {
          const group: Record<string, unknown> = {}
          for (const n of names[kind]) {
            group[n] = kind === 'container' ? { privileged: true, Container: { Image: 'x' } } : {}
            const service = kind === 'container' ? `${n}.service` : `${n}-${kind}.service`
            const previous = services.get(service)
            if (previous !== undefined) expected.push(`${kind}.${n} ${previous} ${service}`)
            else services.set(service, `[${kind}.${n}]`)
          }
          if (names[kind].length > 0) document[kind] = group
        }
        const result = validateConfig(document)
        const found = (result.ok ? [] : result.errors)
          .filter((e) => e.code === 'service_name_collision')
          .map(
            (e) =>
              `${e.path} ${e.message
                .match(/and (\S+) would both generate (\S+);/)
                ?.slice(1)
                .join(' ')}`,
          )
        expect(found).toEqual(expected)
      }),
      { numRuns: 1000 },
    )
  })
})

/** The rewrite as first written, one path per item through formatPath and every rootless item parsed: the oracle. */
function rewriteOracle(unit: QuadletUnitSource, configRoot = '/data/config'): RewrittenUnit {
  const mode = quadletMode(unit)
  const own = ({ container: 'Container', network: 'Network', volume: 'Volume', build: 'Build' } as const)[unit.kind]
  const warnings: QuadletRewriteWarning[] = []
  const sections: { name: SectionName; entries: { key: string; value: string; path: string }[] }[] = []
  for (const name of ['Unit', own, 'Install'] as const) {
    const section = unit.sections[name]
    if (section === undefined && name !== own) continue
    const entries: { key: string; value: string; path: string }[] = []
    for (const key of Object.keys(section ?? {})) {
      const at: PathSegment[] = [unit.kind, unit.name, name, key]
      const value = section![key]!
      if (name === own && unit.kind === 'container' && key === 'Network') {
        const warning = forcedNetworkWarning(value, at, mode)
        if (warning) warnings.push(warning)
        continue
      }
      const items = Array.isArray(value)
        ? value.map((item, i) => ({ value: item, segments: [...at, i] }))
        : [{ value: value as QuadletScalar, segments: at }]
      for (const item of items) {
        let text = scalarText(item.value, configRoot)
        if (name === own && unit.kind === 'container' && key === 'PublishPort' && mode === 'rootless') {
          const parsed = typeof item.value === 'boolean' ? undefined : parsePublishPort(item.value)
          const rewrite = parsed?.ok ? loopbackRewrite(item.value as string | number, parsed.value) : undefined
          if (rewrite) {
            text = rewrite.value
            const { code, message } = rewrite
            const segments = item.segments
            warnings.push({ code, segments, path: formatPath(segments), message, anchor: 'value' })
          }
        }
        entries.push({ key, value: text, path: formatPath(item.segments) })
      }
    }
    if (name === own && unit.kind === 'container')
      entries.push({ key: 'Network', value: mode === 'rootful' ? 'host' : 'pasta', path: '' })
    if (name === own || entries.length > 0) sections.push({ name, entries })
  }
  return { mode, sections, warnings }
}

/** Pieces of PublishPort values around the loopback shortcut, valid and not. */
const PORT_PIECES = [
  '127.',
  '0',
  '1',
  '0.0.1',
  '.',
  ':',
  '::',
  '80',
  '8000-8000',
  '/tcp',
  '/udp',
  '/',
  '[',
  ']',
  '::1',
  '$',
  'x',
]

describe('the Quadlet rewrite', () => {
  it('rewrites PublishPort values as parsing each one does', () => {
    fc.assert(
      fc.property(fc.oneof(text(PORT_PIECES, 8), fc.integer({ min: -1, max: 70000 })), (value) => {
        const parsed = parsePublishPort(value)
        const general = parsed.ok ? loopbackRewrite(value, parsed.value) : undefined
        expect(publishPortRewrite(value)).toEqual(general)
      }),
      { numRuns: 5000 },
    )
    for (const value of ['127.0.0.1:80:80', '127.1:80:80', '127.0.0.1::80', '127.0.0.1:80', '127.0.0.1:x:80/tcp']) {
      const parsed = parsePublishPort(value)
      expect(publishPortRewrite(value), value).toEqual(parsed.ok ? loopbackRewrite(value, parsed.value) : undefined)
    }
  })

  it('gives the entries, paths and warnings of the rewrite that formats each item path', () => {
    const portValue = fc.oneof(text(PORT_PIECES, 6), fc.integer({ min: 1, max: 9 }), fc.boolean())
    const value = fc.oneof(portValue, fc.array(portValue, { maxLength: 3 }))
    const key = fc.constantFrom('PublishPort', 'Network', 'Image', 'odd key', 'Volume')
    const sectionArb = fc.dictionary(key, value, { maxKeys: 4 })
    const unitArb = fc.record({
      kind: fc.constantFrom('container', 'network', 'volume', 'build') as fc.Arbitrary<UnitKind>,
      name: fc.constantFrom('web', 'a.b', 'x\u0085y', '-'),
      privileged: fc.boolean(),
      Unit: fc.option(sectionArb, { nil: undefined }),
      own: fc.option(sectionArb, { nil: undefined }),
      Install: fc.option(sectionArb, { nil: undefined }),
    })
    fc.assert(
      fc.property(unitArb, ({ kind, name, privileged, Unit, own, Install }) => {
        const ownName = ({ container: 'Container', network: 'Network', volume: 'Volume', build: 'Build' } as const)[
          kind
        ]
        const sections: Partial<Record<SectionName, QuadletSection>> = {}
        if (Unit !== undefined) sections.Unit = Unit
        if (own !== undefined) sections[ownName] = own
        if (Install !== undefined) sections.Install = Install
        const unit: QuadletUnitSource = { kind, name, privileged, sections }
        expect(rewriteQuadletUnit(unit)).toEqual(rewriteOracle(unit))
        expect(rewriteQuadletUnit(unit, { configRoot: '/srv/c' })).toEqual(rewriteOracle(unit, '/srv/c'))
      }),
      { numRuns: 2000 },
    )
  })
})
