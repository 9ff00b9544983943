/** fast-check generators for what the firewall consumes: resolved inbound port sets and device options. */
import type { FirewallInbound, PortSet } from '@atomicnix/config-schema'
import type { FirewallOptions } from '@atomicnix/firewall-plan'
import fc from 'fast-check'

const port = fc.integer({ min: 1, max: 65535 })

// Plain random ports rarely touch the edges that matter, so lists also draw runs (intervals in nft) and the ports
// next to the platform's own.
const portChunk = fc.oneof(
  port.map((p) => [p]),
  fc.tuple(port, fc.integer({ min: 1, max: 40 })).map(([from, length]) => {
    const to = Math.min(65535, from + length)
    return Array.from({ length: to - from + 1 }, (_, i) => from + i)
  }),
  fc.constantFrom(1, 21, 22, 23, 52, 53, 54, 66, 67, 68, 69, 122, 123, 124, 8079, 8080, 8081, 65535).map((p) => [p]),
)

/** A port list as config-schema returns it: sorted ascending, no duplicates, possibly empty. */
export const portList: fc.Arbitrary<number[]> = fc
  .array(portChunk, { maxLength: 8 })
  .map((chunks) => [...new Set(chunks.flat())].sort((a, b) => a - b))

/** One scope's TCP and UDP ports. */
export const portSet: fc.Arbitrary<PortSet> = fc.record({ tcp: portList, udp: portList })

/** `[firewall.inbound]` resolved: WAN always, a LAN scope sometimes (empty or not). */
export const inbound: fc.Arbitrary<FirewallInbound> = fc.oneof(
  fc.record({ wan: portSet }),
  fc.record({ wan: portSet, lan: portSet }),
  fc.record({ wan: portSet, lan: fc.constant({ tcp: [], udp: [] }) }),
)

/** A valid interface name other than loopback. */
export const interfaceName: fc.Arbitrary<string> = fc
  .stringMatching(/^[A-Za-z0-9_.-]{1,15}$/)
  .filter((name) => name !== '.' && name !== '..' && name !== 'lo')

/** Device options: sometimes none, sometimes three distinct interface names and the SSH flag. */
export const options: fc.Arbitrary<FirewallOptions | undefined> = fc.oneof(
  fc.constant(undefined),
  fc.record({ sshOnWan: fc.boolean() }),
  fc
    .tuple(fc.uniqueArray(interfaceName, { minLength: 3, maxLength: 3 }), fc.boolean())
    .map(([[wanInterface, lanInterface, vpnInterface], sshOnWan]) => ({
      wanInterface: wanInterface!,
      lanInterface: lanInterface!,
      vpnInterface: vpnInterface!,
      sshOnWan,
    })),
)
