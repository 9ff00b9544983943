import type { LanSettings } from '@atomicnix/config-schema'
import {
  type LanPlan,
  lanDeviceFiles,
  planLan,
  renderChronyConf,
  renderDnsmasqConf,
  renderDnsmasqHosts,
  renderHostsBlock,
  renderLanSettingsJson,
  renderNetworkdDropIn,
} from '@atomicnix/lan-plan'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { hostsLines } from '../src/dnsmasq-hosts.js'
import { lanPlanOptions, lanSettings } from './arbitraries.js'
import { DEFAULT_LAN } from './fixtures.js'

const RENDERERS: Record<string, (plan: LanPlan) => string> = {
  renderLanSettingsJson,
  renderDnsmasqConf,
  renderDnsmasqHosts,
  renderChronyConf,
  renderNetworkdDropIn,
  renderHostsBlock,
}

/** The directives of a configuration: the first word (or `key=`) of each line that is not blank or a comment. */
function directives(text: string, separator: RegExp): string[] {
  return text
    .split('\n')
    .filter((line) => line !== '' && !line.startsWith('#'))
    .map((line) => line.split(separator)[0]!)
}

const planned = fc.tuple(lanSettings, lanPlanOptions).map(([lan, options]) => planLan(lan, options))

describe('renderers', () => {
  it('are deterministic and end every file with one newline', () => {
    fc.assert(
      fc.property(lanSettings, lanPlanOptions, (lan, options) => {
        const a = planLan(lan, options)
        const b = planLan(structuredClone(lan), { ...options })
        for (const [name, render] of Object.entries(RENDERERS)) {
          const text = render(a)
          expect(render(b), name).toBe(text)
          expect(text.endsWith('\n') && !text.endsWith('\n\n'), name).toBe(true)
        }
      }),
    )
  })

  it('round-trip through lan-settings.json', () => {
    fc.assert(
      fc.property(lanSettings, lanPlanOptions, (lan, options) => {
        const plan = planLan(lan, options)
        const json = JSON.parse(renderLanSettingsJson(plan)) as LanSettings
        expect(Object.keys(json)).toEqual(Object.keys(DEFAULT_LAN))
        expect(json).toEqual(lan)
        expect(lanDeviceFiles(planLan(json, options))).toEqual(lanDeviceFiles(plan))
      }),
    )
  })

  it('never let a value add a line or an option', () => {
    const baseline = planLan(DEFAULT_LAN)
    const dnsmasqKeys = directives(renderDnsmasqConf(baseline), /=/)
    const chronyKeys = directives(renderChronyConf(baseline), / /)
    const lines = (text: string) => text.split('\n').length
    fc.assert(
      fc.property(planned, (plan) => {
        expect(directives(renderDnsmasqConf(plan), /=/)).toEqual(dnsmasqKeys)
        expect(lines(renderDnsmasqConf(plan))).toBe(lines(renderDnsmasqConf(baseline)))
        expect(directives(renderChronyConf(plan), / /)).toEqual(chronyKeys)
        expect(lines(renderChronyConf(plan))).toBe(lines(renderChronyConf(baseline)))
        expect(renderNetworkdDropIn(plan)).toBe(`[Network]\nAddress=${plan.settings.gateway_cidr}\n`)
        // One hosts line per name group, each exactly the address and the group's names.
        const hosts = renderDnsmasqHosts(plan).split('\n').slice(1, -1)
        expect(hosts).toEqual(plan.gatewayNames.map((group) => [plan.settings.gateway_ip, ...group].join(' ')))
        const block = renderHostsBlock(plan).split('\n')
        expect(block).toHaveLength(plan.gatewayNames.length + 3)
        // Braces, nine fields, the alias array over n + 2 lines (one when empty), and the final newline.
        const aliases = plan.settings.gateway_aliases.length
        expect(lines(renderLanSettingsJson(plan))).toBe(aliases === 0 ? 12 : 13 + aliases)
      }),
    )
  })

  it('render the DHCP, DNS and NTP values of the plan', () => {
    fc.assert(
      fc.property(planned, (plan) => {
        const s = plan.settings
        const dnsmasq = renderDnsmasqConf(plan)
        expect(dnsmasq).toContain(`\ninterface=${plan.interface}\n`)
        expect(dnsmasq).toContain(`\ndhcp-range=${s.dhcp_start},${s.dhcp_end},255.255.255.0,24h\n`)
        for (const option of ['router', 'dns-server', 'ntp-server']) {
          expect(dnsmasq).toContain(`\ndhcp-option=option:${option},${s.gateway_ip}\n`)
        }
        expect(dnsmasq).toContain(`\nlocal=/${s.domain}/\n`)
        expect(dnsmasq).not.toMatch(/^server=/m)
        const chrony = renderChronyConf(plan)
        expect(chrony).toContain(`\nallow ${s.subnet_cidr}\n`)
        expect(chrony).not.toMatch(/^allow\s*$/m)
        expect(chrony).toMatch(/^pool \S+ iburst offline$/m)
      }),
    )
  })

  it('take device paths by default and the given ones otherwise', () => {
    const plan = planLan(DEFAULT_LAN)
    expect(renderDnsmasqConf(plan)).toContain('\naddn-hosts=/etc/atomicnix/dnsmasq-hosts\n')
    expect(renderDnsmasqConf(plan)).not.toContain('pid-file')
    const dnsmasq = renderDnsmasqConf(plan, {
      hostsFile: '/tmp/t/hosts',
      leaseFile: '/tmp/t/leases',
      pidFile: '/tmp/t/pid',
    })
    expect(dnsmasq).toContain('\naddn-hosts=/tmp/t/hosts\n')
    expect(dnsmasq).toContain('\ndhcp-leasefile=/tmp/t/leases\n')
    expect(dnsmasq).toContain('\npid-file=/tmp/t/pid\n')
    const chrony = renderChronyConf(plan, {
      driftFile: '/tmp/t/drift',
      pidFile: '/tmp/t/pid',
      commandSocket: '/tmp/t/s',
    })
    expect(chrony).toContain('\ndriftfile /tmp/t/drift\n')
    expect(chrony).toContain('\npidfile /tmp/t/pid\n')
    expect(chrony).toContain('\nbindcmdaddress /tmp/t/s\n')
    for (const bad of ['relative', '/with space', '/new\nline', '/a/../b', '/hash#x', '']) {
      expect(() => renderDnsmasqConf(plan, { hostsFile: bad }), bad).toThrow(TypeError)
      expect(() => renderChronyConf(plan, { driftFile: bad }), bad).toThrow(TypeError)
    }
  })

  it('each refuse a value that is not a plain token', () => {
    // The schema never produces these; a plan built from a tampered lan-settings.json could.
    const tampered: [keyof LanSettings, string][] = [
      ['gateway_ip', '172.20.30.1\nserver=8.8.8.8'],
      ['dhcp_start', '172.20.30.10 '],
      ['dhcp_end', '172.20.30.254,infinite'],
      ['netmask', '255.255.255.0\n'],
      ['subnet_cidr', '172.20.30.0/24\nallow'],
      ['gateway_cidr', '172.20.30.1/24\nDNS=1.1.1.1'],
      ['domain', 'local/\nserver=/#/8.8.8.8'],
    ]
    for (const [field, value] of tampered) {
      const plan = planLan({ ...DEFAULT_LAN, [field]: value })
      const uses: Record<string, readonly (keyof LanSettings)[]> = {
        renderDnsmasqConf: ['gateway_ip', 'dhcp_start', 'dhcp_end', 'netmask', 'domain'],
        renderChronyConf: ['gateway_ip', 'subnet_cidr'],
        renderNetworkdDropIn: ['gateway_cidr'],
        renderDnsmasqHosts: ['gateway_ip'],
        renderHostsBlock: ['gateway_ip'],
      }
      for (const [name, fields] of Object.entries(uses)) {
        if (fields.includes(field)) expect(() => RENDERERS[name]!(plan), `${name} ${field}`).toThrow(TypeError)
      }
    }
    const badAlias = planLan({ ...DEFAULT_LAN, gateway_aliases: ['gw\n10.0.0.1 evil'] })
    expect(() => renderDnsmasqHosts(badAlias)).toThrow(TypeError)
    expect(() => renderHostsBlock(badAlias)).toThrow(TypeError)
    expect(renderLanSettingsJson(badAlias)).toContain('"gw\\n10.0.0.1 evil"')
  })

  it('list the device files with their paths and modes', () => {
    const files = lanDeviceFiles(planLan(DEFAULT_LAN))
    expect(files.map((f) => [f.path, f.mode.toString(8)])).toEqual([
      ['data/config/lan-settings.json', '600'],
      ['etc/atomicnix/dnsmasq.conf', '644'],
      ['etc/atomicnix/dnsmasq-hosts', '644'],
      ['etc/atomicnix/chrony.conf', '644'],
      ['etc/systemd/network/20-lan.network.d/50-atomicnix.conf', '644'],
    ])
  })
})

describe('the dnsmasq names file', () => {
  const header = '# Gateway names for the AtomicNix LAN, generated from the [lan] table of config.toml.\n'
  /** The file as the header and hostsLines' lines, each with its newline; or the error that hostsLines throws. */
  const fromLines = (plan: LanPlan): string =>
    header +
    hostsLines(plan)
      .map((line) => `${line}\n`)
      .join('')
  const outcome = (render: () => string): string => {
    try {
      return render()
    } catch (error) {
      return `${(error as Error).name}: ${(error as Error).message}`
    }
  }

  it("is the header and hostsLines' lines, for any plan, names refused the same way", () => {
    const name = fc.constantFrom('gw', 'gw.lan', 'Upper', 'bad name', '-x', 'a.1', 'time.site')
    fc.assert(
      fc.property(
        lanSettings,
        lanPlanOptions,
        fc.array(fc.array(name, { maxLength: 3 }), { maxLength: 4 }),
        (s, o, g) => {
          const planned = planLan(s, o)
          for (const plan of [planned, { ...planned, gatewayNames: g }]) {
            expect(outcome(() => renderDnsmasqHosts(plan))).toBe(outcome(() => fromLines(plan)))
          }
        },
      ),
      { numRuns: 1000 },
    )
  })
})
