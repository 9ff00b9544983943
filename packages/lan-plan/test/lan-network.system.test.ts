/**
 * The LAN services on exactly the rendered files, in network namespaces that the test creates and always removes:
 *
 *   gw   the gateway: a bridge named like the LAN interface, holding the drop-in's address, running dnsmasq and chronyd
 *   lan  a LAN client on a bridge port: DHCP lease, gateway names, time
 *   out  a host on the same link with an address outside the LAN subnet, routed both ways: it reaches the gateway but
 *        gets no time
 *
 * Paths in the rendered files point into a temporary directory through the renderers' path options; the files are
 * otherwise what ships. Command-line flags the test adds, none of which changes what is served:
 *   dnsmasq -k --log-facility=-   stay in the foreground, log to stderr (for the failure message)
 *   chronyd -d -x -u root         foreground with log to stderr; never touch the host's clock (namespaces share it);
 *                                 keep root, so that its root-owned 0700 directory passes chronyd's socket check
 * dnsmasq reads its names file after dropping root, so its directory is readable by all.
 * No namespace has a route out of the lab, so nothing here can reach an address outside it.
 */
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { LanSettings } from '@atomicnix/config-schema'
import {
  type LanPlan,
  planLan,
  renderChronyConf,
  renderDnsmasqConf,
  renderDnsmasqHosts,
  renderNetworkdDropIn,
} from '@atomicnix/lan-plan'
import { expect, it } from 'vitest'
import { type Host, withLab } from '../../../test/support/netns.js'
import { describeSystem } from '../../../test/support/system.js'
import { type Daemon, startDaemon, waitFor } from './daemons.js'
import { DEFAULT_LAN, PLANT_LAN } from './fixtures.js'

const LAN_IF = 'eth1'

// udhcpc runs this at each DHCP event; it prints the lease it was given instead of configuring anything.
const UDHCPC_SCRIPT = `#!/bin/sh
[ "$1" = bound ] || exit 0
for key in ip subnet router dns domain ntpsrv serverid lease; do eval "echo $key=\\$$key"; done
`

const ipv4ToNumber = (ip: string): number => ip.split('.').reduce((n, octet) => n * 256 + Number(octet), 0)

/** Runs in the host and returns stdout and stderr together, whatever the exit status. */
function output(host: Host, argv: readonly string[], timeoutMs?: number): { status: number | null; text: string } {
  const r = host.run(argv, { timeoutMs })
  return { status: r.status, text: `${r.stdout}${r.stderr}` }
}

/** The A records busybox nslookup printed for a name, or the failure it printed. */
function lookup(
  client: Host,
  name: string,
  server: string,
): { status: number | null; addresses: string[]; text: string } {
  const { status, text } = output(client, ['busybox', 'nslookup', '-type=a', name, server])
  // The answer section follows the server's own lines: "Name:\t<name>" then "Address: <ip>".
  const answer = text
    .split(/^Name:/m)
    .slice(1)
    .join('\n')
  const addresses = [...answer.matchAll(/^Address:\s*(\S+)$/gm)].map((m) => m[1]!)
  return { status, addresses, text }
}

/** One NTP client exchange with chronyd -Q, which asks without setting the clock; true when it got time. */
function getsTime(client: Host, server: string, dir: string, seconds: number): { ok: boolean; text: string } {
  const { status, text } = output(
    client,
    [
      'chronyd',
      '-Q',
      '-t',
      String(seconds),
      '-u',
      'root',
      `server ${server} iburst maxsamples 1`,
      `pidfile ${dir}/${client.name}-query.pid`,
    ],
    (seconds + 5) * 1000,
  )
  return { ok: status === 0 && /System clock wrong by/.test(text), text }
}

/** An address and a subnet outside the LAN's /24, for the host that must get no time. */
function outsideNet(lan: LanSettings): { addr: string; net: string } {
  return lan.subnet_cidr === '198.51.100.0/24'
    ? { addr: '203.0.113.2/24', net: '203.0.113.0/24' }
    : { addr: '198.51.100.2/24', net: '198.51.100.0/24' }
}

async function exerciseLan(lan: LanSettings): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'lan-plan-net-'))
  // Others may pass through (dnsmasq, once it has dropped root) but not list it.
  chmodSync(dir, 0o711)
  try {
    await withLab(async (lab) => {
      const gw = lab.host('gw')
      const client = lab.host('lan')
      const out = lab.host('out')
      gw.must(['ip', 'link', 'add', LAN_IF, 'type', 'bridge'])
      lab.link(gw, 'lanport', client, 'eth0')
      lab.link(gw, 'outport', out, 'eth0')
      for (const port of ['lanport', 'outport']) gw.must(['ip', 'link', 'set', port, 'master', LAN_IF])
      gw.must(['ip', 'link', 'set', LAN_IF, 'up'])

      // The plan gets the interface's own MAC, as the device would read it.
      const mac = gw.must(['cat', `/sys/class/net/${LAN_IF}/address`]).trim()
      const plan: LanPlan = planLan(lan, { interface: LAN_IF, mac })
      const gateway = plan.settings.gateway_ip

      // The address comes from the rendered networkd drop-in, as networkd would apply it.
      const address = /^Address=(\S+)$/m.exec(renderNetworkdDropIn(plan))![1]!
      gw.must(['ip', 'addr', 'add', address, 'dev', LAN_IF])

      const dnsmasqDir = join(dir, 'dnsmasq')
      const chronyDir = join(dir, 'chrony')
      mkdirSync(dnsmasqDir, { mode: 0o755 })
      mkdirSync(chronyDir, { mode: 0o700 })
      const hostsFile = join(dnsmasqDir, 'dnsmasq-hosts')
      const leaseFile = join(dnsmasqDir, 'dnsmasq.leases')
      const socket = join(chronyDir, 'chronyd.sock')
      writeFileSync(hostsFile, renderDnsmasqHosts(plan))
      writeFileSync(
        join(dnsmasqDir, 'dnsmasq.conf'),
        renderDnsmasqConf(plan, { hostsFile, leaseFile, pidFile: join(dnsmasqDir, 'dnsmasq.pid') }),
      )
      writeFileSync(
        join(chronyDir, 'chrony.conf'),
        renderChronyConf(plan, {
          driftFile: join(chronyDir, 'chrony.drift'),
          pidFile: join(chronyDir, 'chronyd.pid'),
          commandSocket: socket,
        }),
      )
      writeFileSync(join(dir, 'udhcpc.sh'), UDHCPC_SCRIPT, { mode: 0o700 })

      const dnsmasq: Daemon = startDaemon(gw, [
        'dnsmasq',
        '-k',
        '--log-facility=-',
        '-C',
        join(dnsmasqDir, 'dnsmasq.conf'),
      ])
      const chronyd: Daemon = startDaemon(gw, [
        'chronyd',
        '-d',
        '-x',
        '-u',
        'root',
        '-f',
        join(chronyDir, 'chrony.conf'),
      ])
      const logs = () => `\n--- dnsmasq\n${dnsmasq.log()}\n--- chronyd\n${chronyd.log()}`
      await waitFor(() => dnsmasq.log().includes(`read ${hostsFile}`), logs)
      await waitFor(() => gw.run(['chronyc', '-h', socket, 'tracking']).status === 0, logs)

      // DHCP: a lease inside the range, with the gateway as router, DNS and NTP server.
      const dhcp = output(
        client,
        [
          'busybox',
          'udhcpc',
          '-i',
          'eth0',
          '-f',
          '-q',
          '-n',
          '-t',
          '10',
          '-T',
          '1',
          '-O',
          'ntpsrv',
          '-x',
          'hostname:lan-client',
          '-s',
          join(dir, 'udhcpc.sh'),
        ],
        20_000,
      )
      const lease = Object.fromEntries([...dhcp.text.matchAll(/^(\w+)=(.*)$/gm)].map((m) => [m[1]!, m[2]!]))
      expect(lease.ip, dhcp.text + logs()).toBeDefined()
      const ip = ipv4ToNumber(lease.ip!)
      expect(ip).toBeGreaterThanOrEqual(ipv4ToNumber(plan.settings.dhcp_start))
      expect(ip).toBeLessThanOrEqual(ipv4ToNumber(plan.settings.dhcp_end))
      expect(lease).toMatchObject({
        subnet: '255.255.255.0',
        router: gateway,
        dns: gateway,
        ntpsrv: gateway,
        serverid: gateway,
        domain: plan.settings.domain,
        lease: '86400',
      })
      expect(readFileSync(leaseFile, 'utf8')).toContain(` ${lease.ip} lan-client `)
      client.must(['ip', 'addr', 'add', `${lease.ip}/24`, 'dev', 'eth0'])

      // DNS: every gateway name, and the DHCP client under the local domain, answered by the gateway.
      const names = plan.gatewayNames.flat()
      if (lan.hostname_pattern !== '')
        expect(names).toContain(lan.hostname_pattern.replace('{mac}', mac.replaceAll(':', '')))
      for (const name of names) {
        const answer = lookup(client, name, gateway)
        expect(answer.addresses, `${name}: ${answer.text}`).toEqual([gateway])
      }
      expect(lookup(client, `lan-client.${plan.settings.domain}`, gateway).addresses).toEqual([lease.ip])
      // Inside the local domain an unknown name does not exist; outside it nothing is forwarded, so nothing answers.
      const unknown = lookup(client, `no-such-host.${plan.settings.domain}`, gateway)
      expect(unknown.addresses).toEqual([])
      expect(unknown.text).toMatch(/NXDOMAIN/)
      for (const name of ['example.com', 'pool.ntp.org']) {
        const outside = lookup(client, name, gateway)
        expect(outside.status, outside.text).not.toBe(0)
        expect(outside.addresses).toEqual([])
        expect(outside.text).toMatch(/REFUSED|NXDOMAIN/)
      }

      // NTP: the gateway serves its local clock at stratum 10 while the upstream pool stays offline.
      const tracking = gw.must(['chronyc', '-h', socket, 'tracking'])
      expect(tracking).toMatch(/^Stratum\s*:\s*10$/m)
      expect(gw.must(['chronyc', '-h', socket, 'activity'])).toMatch(/^0 sources online$/m)
      const time = getsTime(client, gateway, dir, 5)
      expect(time.ok, time.text + logs()).toBe(true)

      // Outside the LAN subnet: the gateway is reachable, but chronyd does not answer.
      const outside = outsideNet(lan)
      out.must(['ip', 'addr', 'add', outside.addr, 'dev', 'eth0'])
      out.must(['ip', 'route', 'add', plan.settings.subnet_cidr, 'dev', 'eth0'])
      gw.must(['ip', 'route', 'add', outside.net, 'dev', LAN_IF])
      out.must(['busybox', 'ping', '-c', '1', '-W', '2', gateway])
      const denied = getsTime(out, gateway, dir, 3)
      expect(denied.ok, denied.text).toBe(false)
      expect(denied.text).toMatch(/Timeout reached|No suitable source/)
    })
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

describeSystem(
  'LAN services on the rendered files, in network namespaces',
  { root: true, commands: ['ip', 'dnsmasq', 'chronyd', 'chronyc', 'busybox'] },
  () => {
    it('default LAN', () => exerciseLan(DEFAULT_LAN))
    it('non-default LAN (10.44.7.0/24, plant.example, several aliases, MAC-based name)', () => exerciseLan(PLANT_LAN))
  },
)
