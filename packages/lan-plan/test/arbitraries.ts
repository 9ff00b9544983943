/** fast-check arbitraries for valid, resolved `[lan]` tables, as config-schema accepts them. */
import { type LanSettings, normalizeDnsName, parseLanSettings } from '@atomicnix/config-schema'
import type { LanPlanOptions } from '@atomicnix/lan-plan'
import fc from 'fast-check'

const LABEL_CHARS = 'abcdefghijklmnopqrstuvwxyz0123456789-'.split('')
const ALNUM = 'abcdefghijklmnopqrstuvwxyz0123456789'.split('')

/** A DNS label of `[a-z0-9-]`, not starting or ending with `-`, of at most `max` characters. */
export function label(max = 63): fc.Arbitrary<string> {
  return fc.oneof(
    fc.constantFrom(...ALNUM),
    fc
      .tuple(
        fc.constantFrom(...ALNUM),
        fc.string({ unit: fc.constantFrom(...LABEL_CHARS), maxLength: max - 2 }),
        fc.constantFrom(...ALNUM),
      )
      .map(([a, mid, b]) => `${a}${mid}${b}`),
  )
}

/** A DNS name of 1..4 labels, at most 253 characters. */
export const dnsName: fc.Arbitrary<string> = fc
  .array(fc.oneof({ weight: 4, arbitrary: label(12) }, { weight: 1, arbitrary: label(63) }), {
    minLength: 1,
    maxLength: 4,
  })
  .map((labels) => labels.join('.'))
  // config-schema's one rule: at most 253 characters and a last label that is not a number.
  .filter((name) => normalizeDnsName(name) === name)

/** A hostname pattern: one label carries `{mac}`; valid once `{mac}` is 12 hex digits. */
export const hostnamePattern: fc.Arbitrary<string> = fc
  .tuple(
    fc.option(label(20), { nil: undefined }),
    fc.option(label(20), { nil: undefined }),
    fc.array(label(20), { maxLength: 2 }),
  )
  .map(([before, after, rest]) =>
    [`${before === undefined ? '' : `${before}-`}{mac}${after === undefined ? '' : `-${after}`}`, ...rest].join('.'),
  )
  // A MAC of decimal digits must still give a name: the last label may not be {mac} alone, or digits around it.
  .filter((pattern) => normalizeDnsName(pattern.replaceAll('{mac}', '001122334455')) !== undefined)

const octet = fc.integer({ min: 0, max: 255 })

/** A valid resolved `[lan]`: a /24 gateway address, a DHCP range beside it, a domain, aliases and a pattern. */
export const lanSettings: fc.Arbitrary<LanSettings> = fc
  .record({
    net: fc.tuple(fc.integer({ min: 1, max: 223 }), octet, octet),
    host: fc.integer({ min: 1, max: 254 }),
    range: fc.tuple(fc.integer({ min: 1, max: 253 }), fc.integer({ min: 1, max: 253 })),
    domain: dnsName,
    aliases: fc.uniqueArray(dnsName, { maxLength: 4 }),
    pattern: fc.oneof(fc.constant(''), hostnamePattern),
  })
  .map(({ net, host, range, domain, aliases, pattern }) => {
    // Two host numbers give a range on one side of the gateway: [a, b] below it or shifted above it.
    const [a, b] = range[0] <= range[1] ? range : [range[1], range[0]]
    let [start, end] = [a, b]
    if (start <= host && host <= end) {
      if (host + 1 + (end - start) <= 254) [start, end] = [host + 1, host + 1 + (end - start)]
      else if (host - 1 - (end - start) >= 1) [start, end] = [host - 1 - (end - start), host - 1]
      else [start, end] = host > 1 ? [1, host - 1] : [2, 254]
    }
    const prefix = net.join('.')
    return {
      gateway_cidr: `${prefix}.${host}/24`,
      gateway_ip: `${prefix}.${host}`,
      subnet_cidr: `${prefix}.0/24`,
      netmask: '255.255.255.0',
      dhcp_start: `${prefix}.${start}`,
      dhcp_end: `${prefix}.${end}`,
      domain,
      hostname_pattern: pattern,
      gateway_aliases: aliases,
    }
  })
  // What config-schema alone decides: usable unicast subnets, aliases clear of localhost and the NTP pool.
  .filter((settings) => parseLanSettings(settings).ok)

/** A MAC address in one of the accepted spellings, with its 12 lower-case hex digits. */
export const mac: fc.Arbitrary<{ spelled: string; normal: string }> = fc
  .tuple(
    fc.array(fc.integer({ min: 0, max: 255 }), { minLength: 6, maxLength: 6 }),
    fc.constantFrom('', ':', '-'),
    fc.boolean(),
  )
  .map(([bytes, sep, upper]) => {
    const pairs = bytes.map((b) => b.toString(16).padStart(2, '0'))
    const spelled = pairs.join(sep)
    return { spelled: upper ? spelled.toUpperCase() : spelled, normal: pairs.join('') }
  })

/** Device options: the default or another interface, with or without a MAC. */
export const lanPlanOptions: fc.Arbitrary<LanPlanOptions> = fc.record(
  {
    interface: fc.constantFrom('eth1', 'lan0', 'br-lan', 'enp1s0u1'),
    mac: mac.map((m) => m.spelled),
  },
  { requiredKeys: [] },
)
