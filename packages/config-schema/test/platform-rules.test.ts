import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { formatIpv4, ipv4NotUnicast, isIpv4UrlHost, parseOsUpgrade, validateConfig } from '../src/index.js'

const base = {
  version: 1,
  admin: { ssh_keys: ['ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIIHfTcrdK6PyhPLrqKNmRkAO2OkRmpVpUpxvBEthfD0B t'] },
  firewall: { inbound: { tcp: [443] } },
  container: { app: { privileged: false, Container: { Image: 'ghcr.io/x/y:1' } } },
}

function issues(doc: Record<string, unknown>) {
  const result = validateConfig({ ...base, ...doc })
  return [...(result.ok ? [] : result.errors), ...result.warnings].map((i) => `${i.code} ${i.path}`)
}

const url = (server_url: string) => issues({ os_upgrade: { server_url } })

describe('URL hosts that URL parsers read as IPv4', () => {
  it.each(['0x7f000001', '0x7f.0.0.1', '2130706433', '0177.0.0.1', '127.1', '127.0.0.1.', 'updates.example.123', '0x'])(
    '%s is refused, neither a name nor the dotted quad',
    (host) => {
      expect(isIpv4UrlHost(host)).toBe(true)
      expect(url(`https://${host}/b`)).toEqual(['server_url_invalid os_upgrade.server_url'])
      expect(parseOsUpgrade({ server_url: `https://${host}/b` }).ok).toBe(false)
    },
  )

  it('accepts the dotted quad, bracketed IPv6 and names whose last label is not a number', () => {
    for (const host of ['127.0.0.1', '[::1]', '[2001:db8::1]', 'updates.example.com', '1.2.3.4.example', 'x0x1']) {
      expect(url(`https://${host}/b`), host).toEqual([])
    }
    expect(url('https://[::ffff:01.2.3.4]/b')).toEqual(['server_url_invalid os_upgrade.server_url'])
    expect(url('https://\u212Aiosk.example.com/b')).toEqual(['server_url_invalid os_upgrade.server_url'])
  })
})

describe('LAN addresses are usable unicast', () => {
  const blocks: [string, number, number][] = [
    ['0.0.0.0/8', 0x00000000, 8],
    ['127.0.0.0/8', 0x7f000000, 8],
    ['169.254.0.0/16', 0xa9fe0000, 16],
    ['224.0.0.0/4', 0xe0000000, 4],
    ['240.0.0.0/4', 0xf0000000, 4],
  ]
  it('refuses a gateway in every block that is not, wherever in the block', () => {
    for (const [name, start, bits] of blocks) {
      fc.assert(
        fc.property(fc.integer({ min: 0, max: 2 ** (32 - bits) - 1 }), (offset) => {
          const address = start + offset - ((start + offset) % 256) + 1
          expect(ipv4NotUnicast(address), name).toContain(name)
          const got = issues({ lan: { gateway_cidr: `${formatIpv4(address)}/24` } })
          expect(got, formatIpv4(address)).toEqual(['lan_subnet_not_unicast lan.gateway_cidr'])
        }),
        { numRuns: 50 },
      )
    }
  })

  it('accepts private, shared and public unicast LANs next to the blocks', () => {
    for (const gw of [
      '10.0.0.1',
      '100.64.0.1',
      '1.0.0.1',
      '126.255.255.1',
      '128.0.0.1',
      '169.253.0.1',
      '223.255.255.1',
    ]) {
      expect(issues({ lan: { gateway_cidr: `${gw}/24` } }), gw).toEqual([])
    }
  })
})

describe('names and ports that clash with the platform', () => {
  it('aliases and domains that shadow localhost, the NTP pool or the update server', () => {
    expect(issues({ lan: { domain: 'localhost' } })).toEqual(['lan_name_reserved lan.domain'])
    expect(issues({ lan: { domain: 'lan.localhost' } })).toEqual(['lan_name_reserved lan.domain'])
    expect(issues({ lan: { gateway_aliases: ['LOCALHOST'] } })).toEqual(['lan_name_reserved lan.gateway_aliases[0]'])
    expect(issues({ lan: { gateway_aliases: ['Pool.NTP.org.'] } })).toEqual([
      'lan_name_reserved lan.gateway_aliases[0]',
    ])
    const update = { os_upgrade: { server_url: 'https://u.example.com/' } }
    expect(issues({ ...update, lan: { domain: 'example.com', gateway_aliases: ['u'] } })).toEqual([
      'lan_name_reserved lan.gateway_aliases[0]',
      'lan_domain_shadows lan.domain',
    ])
    expect(issues({ ...update, lan: { gateway_aliases: ['u.example.com'] } })).toEqual([
      'lan_name_reserved lan.gateway_aliases[0]',
    ])
    // Without [os_upgrade] the name is free.
    expect(issues({ lan: { gateway_aliases: ['u.example.com'] } })).toEqual([])
  })

  it('platform ports on the WAN in both forms, and never on the LAN scope', () => {
    const scoped = (wan: object, lan?: object) => issues({ firewall: { inbound: lan ? { wan, lan } : { wan } } })
    expect(scoped({ tcp: [22] })).toEqual(['firewall_wan_platform_port firewall.inbound.wan.tcp[0]'])
    expect(scoped({ tcp: [8080], udp: [123] })).toEqual([
      'firewall_wan_platform_port firewall.inbound.wan.tcp[0]',
      'firewall_wan_lan_service firewall.inbound.wan.udp[0]',
    ])
    expect(scoped({ tcp: [443] }, { tcp: [22, 8080], udp: [53, 67, 123] })).toEqual([])
    expect(issues({ firewall: { inbound: { tcp: [443], udp: [22, 8080, 68] } } })).toEqual([])
  })
})
