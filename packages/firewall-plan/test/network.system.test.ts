/**
 * The firewall proven with packets: the rendered script is loaded with `nft -f` into a gateway namespace, and peers on
 * the WAN, the LAN and the VPN probe it. See lab/gateway-lab.ts for the topology and lab/matrix.ts for the probes.
 */
import type { ChildProcess } from 'node:child_process'
import { join } from 'node:path'
import { type FirewallPlan, planFirewall, renderNftables } from '@atomicnix/firewall-plan'
import { describe, expect, it } from 'vitest'
import { describeSystem } from '../../../test/support/system.js'
import { FIXTURES, type FirewallFixture } from './fixtures.js'
import {
  ADDR,
  type GatewayLab,
  holdConnection,
  listTable,
  loadFirewall,
  namespaces,
  probe,
  startEchoServer,
  tableBody,
  withGatewayLab,
} from './lab/gateway-lab.js'
import { checkMatrix, startListeners } from './lab/matrix.js'
import { expectedOpen } from './oracle.js'

const fixture = (name: string): FirewallFixture => FIXTURES.find((f) => f.name === name)!
const scriptOf = (f: FirewallFixture) => renderNftables(planFirewall(f.inbound, f.options))

/** The configs the issue names, plus an empty LAN scope (LAN stays open). */
const MATRIX = [
  'seed',
  'wan-only',
  'lan-allowlist-tcp',
  'lan-allowlist-udp',
  'ssh-on-wan',
  'many-ports',
  'lan-scope-empty',
]
/** Every fixture whose LAN is an allowlist on the default interfaces. */
const ALLOWLISTS = ['lan-allowlist-tcp', 'lan-allowlist-udp', 'lan-only', 'many-ports']

/** Starts dnsmasq on the gateway's LAN as the device runs it: DHCP and DNS for the LAN, nothing upstream. */
async function startDnsmasq(lab: GatewayLab): Promise<void> {
  const child = lab.gw.spawn([
    'dnsmasq',
    '--keep-in-foreground',
    '--conf-file=/dev/null',
    '--no-resolv',
    '--no-hosts',
    // By default dnsmasq pings an address for seconds before offering it; the lab's client would give up first.
    '--no-ping',
    '--interface=eth1',
    '--bind-interfaces',
    '--dhcp-range=172.20.30.100,172.20.30.150,255.255.255.0,1h',
    '--dhcp-authoritative',
    `--dhcp-leasefile=${join(lab.dir, 'leases')}`,
    `--pid-file=${join(lab.dir, 'dnsmasq.pid')}`,
    '--address=/atomicnix.local/172.20.30.1',
    '--user=root',
    '--log-facility=-',
  ])
  await waitForLog(child, /started/)
}

/** Waits until a daemon logs a line matching `pattern` on stderr (dnsmasq logs "started" once its sockets are open). */
async function waitForLog(child: ChildProcess, pattern: RegExp): Promise<void> {
  let log = ''
  child.stderr?.on('data', (chunk) => {
    log += chunk
  })
  for (let i = 0; i < 100 && !pattern.test(log); i++) await new Promise((r) => setTimeout(r, 50))
  if (!pattern.test(log)) throw new Error(`no ${pattern} in the log: ${log}`)
}

/** Asks for a lease from the LAN client: DISCOVER goes from 0.0.0.0 to 255.255.255.255, as on a real LAN. */
function dhcpLease(lab: GatewayLab): { ok: boolean; log: string } {
  const r = lab.lan.run(['busybox', 'udhcpc', '-i', 'eth0', '-n', '-q', '-f', '-t', '3', '-T', '1', '-s', '/bin/true'])
  const log = r.stdout + r.stderr
  return { ok: r.status === 0 && /lease of 172\.20\.30\.1\d\d obtained/.test(log), log }
}

/** The plan with UDP 67 taken out of the LAN platform rule: the control that shows the DHCP probe can fail. */
function withoutDhcp(plan: FirewallPlan): FirewallPlan {
  const [input, forward, output] = plan.chains
  const rules = input.rules.map((rule) =>
    rule.protocol === 'udp' && rule.source === 'platform'
      ? { ...rule, ports: rule.ports.filter((p) => p !== 67) }
      : rule,
  )
  return { ...plan, chains: [{ ...input, rules }, forward, output] }
}

describeSystem('firewall in network namespaces', { root: true, commands: ['nft', 'ip', 'busybox', 'dnsmasq'] }, () => {
  describe('reachability matrix', () => {
    for (const name of MATRIX) {
      it(`${name}: each port open or closed from WAN, LAN and VPN exactly as DESIGN section 5 says; nothing forwarded`, () =>
        withGatewayLab(async (lab) => {
          const f = fixture(name)
          const script = scriptOf(f)
          loadFirewall(lab.gw, lab.dir, script)
          expect(listTable(lab.gw)).toBe(tableBody(script))
          await startListeners(lab, f.inbound)
          const report = await checkMatrix(lab, f.inbound, f.options?.sshOnWan ?? false)
          expect(report.wrong).toEqual([])
          expect(report.forwarded).toEqual([])
          expect(report.probes).toBeGreaterThan(100)
        }))
    }

    it('the lab forwards and answers everything without the firewall (control)', () =>
      withGatewayLab(async (lab) => {
        const f = fixture('lan-allowlist-tcp')
        await startListeners(lab, f.inbound)
        const report = await checkMatrix(lab, f.inbound, false)
        expect(report.forwarded.length).toBe(2 * 2 * 2 * 6 + 2)
        // With no firewall every port answers, so each probe the oracle calls closed is reported wrong.
        expect(report.wrong.some((w) => w.startsWith('wan ipv4 tcp 1: open'))).toBe(true)
      }))
  })

  describe('DHCP and DNS through the firewall', () => {
    for (const name of ALLOWLISTS) {
      it(`${name}: a LAN client gets a DHCP lease and a DNS answer from dnsmasq on the gateway`, () =>
        withGatewayLab(async (lab) => {
          const f = fixture(name)
          expect(expectedOpen(f.inbound, false, 'lan', 'udp', 67)).toBe(true)
          loadFirewall(lab.gw, lab.dir, scriptOf(f))
          await startDnsmasq(lab)
          const lease = dhcpLease(lab)
          expect(lease.ok, lease.log).toBe(true)
          const dns = lab.lan.run(['busybox', 'nslookup', 'atomicnix.local', ADDR.gwLan])
          expect(dns.stdout, dns.stderr).toMatch(/Address:\s+172\.20\.30\.1\b/)
          // DNS over TCP and NTP: the echo server cannot share the ports with dnsmasq, so probe NTP only here.
          await startEchoServer(lab.gw, { tcp: [], udp: [123] })
          const ntp = await probe(lab.lan, ADDR.gwLan, { tcp: [53], udp: [123] })
          expect(ntp).toEqual({ tcp: { 53: true }, udp: { 123: true } })
        }))
    }

    it('the gateway still gets its own WAN address by DHCP through the firewall', () =>
      withGatewayLab(async (lab) => {
        loadFirewall(lab.gw, lab.dir, scriptOf(fixture('seed')))
        const server = lab.wan.spawn([
          'dnsmasq',
          '--keep-in-foreground',
          '--conf-file=/dev/null',
          '--port=0',
          '--no-ping',
          '--interface=eth0',
          '--bind-interfaces',
          '--dhcp-range=192.0.2.100,192.0.2.150,255.255.255.0,1h',
          `--dhcp-leasefile=${join(lab.dir, 'wan-leases')}`,
          `--pid-file=${join(lab.dir, 'wan-dnsmasq.pid')}`,
          '--user=root',
          '--log-facility=-',
        ])
        await waitForLog(server, /started/)
        const r = lab.gw.run([
          'busybox',
          'udhcpc',
          '-i',
          'eth0',
          '-n',
          '-q',
          '-f',
          '-t',
          '3',
          '-T',
          '1',
          '-s',
          '/bin/true',
        ])
        expect(r.stdout + r.stderr).toMatch(/lease of 192\.0\.2\.1\d\d obtained/)
      }))

    it('without the UDP 67 rule the same client gets no lease (control)', () =>
      withGatewayLab(async (lab) => {
        const f = fixture('lan-allowlist-tcp')
        loadFirewall(lab.gw, lab.dir, renderNftables(withoutDhcp(planFirewall(f.inbound))))
        await startDnsmasq(lab)
        expect(dhcpLease(lab).ok).toBe(false)
      }))
  })

  describe('the WAN reaches the WAN address only', () => {
    /** The plan without its foreign-destination drop: the control that shows the probe can see the hole. */
    const withoutDestinationCheck = (plan: FirewallPlan): FirewallPlan => {
      const [input, forward, output] = plan.chains
      const rules = input.rules.filter((rule) => !('foreignDestination' in rule && rule.foreignDestination))
      expect(rules.length).toBe(input.rules.length - 1)
      return { ...plan, chains: [{ ...input, rules }, forward, output] }
    }
    const gatewayLan = { tcp: [443, 8080, 22], udp: [1194, 53] }

    for (const name of ['seed', 'many-ports', 'ssh-on-wan']) {
      it(`${name}: a WAN peer cannot reach the LAN (or VPN) gateway address, even on a port open on the WAN`, () =>
        withGatewayLab(async (lab) => {
          const f = fixture(name)
          loadFirewall(lab.gw, lab.dir, scriptOf(f))
          const ports = {
            tcp: [...new Set([...f.inbound.wan.tcp, 22, 8080])],
            udp: [...new Set([...f.inbound.wan.udp, 53])],
          }
          await startEchoServer(lab.gw, ports)
          // The WAN peer routes the LAN subnets (and here the VPN's) through the gateway: the packets arrive on eth0.
          lab.wan.must(['ip', 'route', 'add', '198.51.100.0/24', 'via', ADDR.gwWan])
          const [lan4, lan6, vpn4, wan4] = await Promise.all([
            probe(lab.wan, ADDR.gwLan, ports),
            probe(lab.wan, ADDR.gwLan6, ports),
            probe(lab.wan, ADDR.gwVpn, ports),
            probe(lab.wan, ADDR.gwWan, ports),
          ])
          const open = (r: typeof lan4) => [...Object.entries(r.tcp), ...Object.entries(r.udp)].filter(([, v]) => v)
          expect(open(lan4)).toEqual([])
          expect(open(lan6)).toEqual([])
          expect(open(vpn4)).toEqual([])
          // The same ports on the WAN address answer exactly as the config says.
          const sshOnWan = f.options?.sshOnWan ?? false
          expect(open(wan4).length).toBeGreaterThan(0)
          for (const protocol of ['tcp', 'udp'] as const) {
            for (const port of ports[protocol]) {
              const expected = expectedOpen(f.inbound, sshOnWan, 'wan', protocol, port)
              expect(wan4[protocol][port], `${protocol} ${port}`).toBe(expected)
            }
          }
          // The LAN client still reaches the LAN address.
          expect((await probe(lab.lan, ADDR.gwLan, gatewayLan)).tcp[22]).toBe(true)
        }))
    }

    it('without the destination check the same WAN peer reaches the LAN address on an open WAN port (control)', () =>
      withGatewayLab(async (lab) => {
        const f = fixture('seed')
        loadFirewall(lab.gw, lab.dir, renderNftables(withoutDestinationCheck(planFirewall(f.inbound, f.options))))
        await startEchoServer(lab.gw, { tcp: [...f.inbound.wan.tcp], udp: [] })
        const r = await probe(lab.wan, ADDR.gwLan, { tcp: [...f.inbound.wan.tcp], udp: [] })
        expect(Object.values(r.tcp)).toContain(true)
      }))
  })

  describe('replacing the firewall', () => {
    it('a second config replaces the first completely while an established connection survives', () =>
      withGatewayLab(async (lab) => {
        const first = fixture('many-ports')
        const second = fixture('lan-allowlist-udp')
        // A table of someone else's must survive both loads: the script never flushes the ruleset.
        lab.gw.must(['nft', 'add table inet other; add chain inet other keep { type filter hook input priority 10; }'])
        loadFirewall(lab.gw, lab.dir, scriptOf(first), 'first.nft')
        expect(listTable(lab.gw)).toBe(tableBody(scriptOf(first)))
        await startListeners(lab, first.inbound, second.inbound)
        // TCP 8000 is open on the WAN in the first config and closed in the second.
        expect(expectedOpen(second.inbound, false, 'wan', 'tcp', 8000)).toBe(false)
        const held = await holdConnection(lab.wan, ADDR.gwWan, 8000)

        loadFirewall(lab.gw, lab.dir, scriptOf(second), 'second.nft')

        const listed = listTable(lab.gw)
        expect(listed).toBe(tableBody(scriptOf(second)))
        expect(listed).not.toContain('firewall.inbound.wan.udp')
        expect(listed).not.toContain('8000')
        expect(lab.gw.must(['nft', 'list', 'tables']).split('\n').filter(Boolean).sort()).toEqual([
          'table inet atomicnix',
          'table inet other',
        ])
        expect(await held.echo()).toBe(true)
        const fresh = await probe(lab.wan, ADDR.gwWan, { tcp: [8000, 443], udp: [] })
        expect(fresh.tcp).toEqual({ 8000: false, 443: true })
        const report = await checkMatrix(lab, second.inbound, false)
        expect(report.wrong).toEqual([])
      }))

    it('a script that nft rejects leaves the loaded table exactly as it was', () =>
      withGatewayLab(async (lab) => {
        const script = scriptOf(fixture('many-ports'))
        loadFirewall(lab.gw, lab.dir, script)
        const broken = scriptOf(fixture('seed')).replace('policy drop;\n', 'policy drop;\n\t\ttcp dport 70000 accept\n')
        expect(() => loadFirewall(lab.gw, lab.dir, broken, 'broken.nft')).toThrow(/exited 1/)
        expect(listTable(lab.gw)).toBe(tableBody(script))
      }))

    it('loading the same script twice leaves one copy of each rule', () =>
      withGatewayLab(async (lab) => {
        const script = scriptOf(fixture('seed'))
        loadFirewall(lab.gw, lab.dir, script)
        loadFirewall(lab.gw, lab.dir, script)
        expect(listTable(lab.gw)).toBe(tableBody(script))
      }))
  })

  describe('the lab itself', () => {
    it('removes its namespaces and processes even when the test fails', async () => {
      let tag = ''
      let exited: Promise<string | null> | undefined
      await expect(
        withGatewayLab(async (lab) => {
          tag = lab.tag
          const server = await startEchoServer(lab.gw, { tcp: [9], udp: [] })
          exited = new Promise((resolve) => server.on('exit', (_code, signal) => resolve(signal)))
          throw new Error('deliberate failure')
        }),
      ).rejects.toThrow('deliberate failure')
      expect(tag).not.toBe('')
      expect(namespaces().filter((ns) => ns.includes(tag))).toEqual([])
      expect(await exited).toBe('SIGKILL')
    })

    it('two labs run at once without colliding', async () => {
      const run = (name: string) =>
        withGatewayLab(async (lab) => {
          const f = fixture(name)
          loadFirewall(lab.gw, lab.dir, scriptOf(f))
          await startListeners(lab, f.inbound)
          return { tag: lab.tag, report: await checkMatrix(lab, f.inbound, false) }
        })
      const [a, b] = await Promise.all([run('seed'), run('lan-allowlist-tcp')])
      expect(a.tag).not.toBe(b.tag)
      expect([a.report.wrong, b.report.wrong, a.report.forwarded, b.report.forwarded]).toEqual([[], [], [], []])
    })
  })
})
