/**
 * The gateway of DESIGN section 1 rebuilt in network namespaces: a gateway with `eth0` (WAN), `eth1` (LAN) and `tun0`
 * (VPN, a veth under the VPN's name), a WAN peer, a LAN client and a VPN peer. Addresses come from the documentation
 * ranges (RFC 5737, RFC 3849) and the default LAN subnet, and exist only inside the lab's namespaces.
 */
import { type ChildProcess, execFileSync } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { type Host, type Lab, withLab } from '../../../../test/support/netns.js'
import type { Protocol } from '../oracle.js'

/** Addresses of the lab, all private to its namespaces. */
export const ADDR = {
  gwWan: '192.0.2.1',
  wanPeer: '192.0.2.2',
  gwWan6: '2001:db8:0:1::1',
  wanPeer6: '2001:db8:0:1::2',
  gwLan: '172.20.30.1',
  lanClient: '172.20.30.50',
  gwLan6: '2001:db8:0:2::1',
  lanClient6: '2001:db8:0:2::50',
  gwVpn: '198.51.100.1',
  vpnPeer: '198.51.100.2',
} as const

const script = (name: string) => fileURLToPath(new URL(`./${name}`, import.meta.url))
const NODE = process.execPath

/** The four hosts and a scratch directory, all removed when the test ends. */
export interface GatewayLab {
  /** The lab's unique tag: every namespace name contains it. */
  readonly tag: string
  readonly gw: Host
  readonly wan: Host
  readonly lan: Host
  readonly vpn: Host
  readonly dir: string
}

/** Builds the topology in `lab`, with IP forwarding on in the gateway and client routes through it. */
function buildGatewayLab(lab: Lab, dir: string): GatewayLab {
  const gw = lab.host('gw')
  const wan = lab.host('wan')
  const lan = lab.host('lan')
  const vpn = lab.host('vpn')
  lab.link(gw, 'eth0', wan, 'eth0', { aAddr: `${ADDR.gwWan}/24`, bAddr: `${ADDR.wanPeer}/24` })
  lab.link(gw, 'eth1', lan, 'eth0', { aAddr: `${ADDR.gwLan}/24`, bAddr: `${ADDR.lanClient}/24` })
  lab.link(gw, 'tun0', vpn, 'eth0', { aAddr: `${ADDR.gwVpn}/24`, bAddr: `${ADDR.vpnPeer}/24` })
  // nodad: duplicate address detection would hold the addresses back for a second or two.
  gw.must(['ip', '-6', 'addr', 'add', `${ADDR.gwWan6}/64`, 'dev', 'eth0', 'nodad'])
  wan.must(['ip', '-6', 'addr', 'add', `${ADDR.wanPeer6}/64`, 'dev', 'eth0', 'nodad'])
  gw.must(['ip', '-6', 'addr', 'add', `${ADDR.gwLan6}/64`, 'dev', 'eth1', 'nodad'])
  lan.must(['ip', '-6', 'addr', 'add', `${ADDR.lanClient6}/64`, 'dev', 'eth0', 'nodad'])
  // The gateway would route if it could: only the forward chain stands between the LAN and the WAN.
  gw.must(['sh', '-c', 'echo 1 > /proc/sys/net/ipv4/ip_forward && echo 1 > /proc/sys/net/ipv6/conf/all/forwarding'])
  wan.must(['ip', 'route', 'add', '172.20.30.0/24', 'via', ADDR.gwWan])
  wan.must(['ip', '-6', 'route', 'add', '2001:db8:0:2::/64', 'via', ADDR.gwWan6])
  lan.must(['ip', 'route', 'add', '192.0.2.0/24', 'via', ADDR.gwLan])
  lan.must(['ip', '-6', 'route', 'add', '2001:db8:0:1::/64', 'via', ADDR.gwLan6])
  return { tag: lab.tag, gw, wan, lan, vpn, dir }
}

/** Builds the gateway lab, runs the body, and always removes the namespaces, their processes and the directory. */
export function withGatewayLab<T>(body: (lab: GatewayLab) => Promise<T>): Promise<T> {
  return withLab(async (lab) => {
    const dir = mkdtempSync(join(tmpdir(), 'anx-fw-'))
    try {
      return await body(buildGatewayLab(lab, dir))
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })
}

/** Loads an nft script in `host` with `nft -f`, as the device does. */
export function loadFirewall(host: Host, dir: string, nft: string, name = 'firewall.nft'): void {
  const file = join(dir, name)
  writeFileSync(file, nft)
  host.must(['nft', '-f', file])
}

/** Collects a spawned process's output until it exits (or until `until` matches stdout). */
export function output(child: ChildProcess, until?: RegExp, timeoutMs = 15_000): Promise<string> {
  return new Promise((resolve, reject) => {
    let stdout = ''
    let stderr = ''
    const timer = setTimeout(() => reject(new Error(`timed out; stdout: ${stdout} stderr: ${stderr}`)), timeoutMs)
    child.stdout?.on('data', (chunk) => {
      stdout += chunk
      if (until?.test(stdout)) {
        clearTimeout(timer)
        resolve(stdout)
      }
    })
    child.stderr?.on('data', (chunk) => {
      stderr += chunk
    })
    child.on('exit', (code) => {
      clearTimeout(timer)
      if (code === 0) resolve(stdout)
      else reject(new Error(`exited ${code}; stdout: ${stdout} stderr: ${stderr}`))
    })
  })
}

/** Starts the echo server in `host` on these ports and waits until every socket is bound. */
export async function startEchoServer(host: Host, ports: { tcp: number[]; udp: number[] }): Promise<ChildProcess> {
  const child = host.spawn([NODE, script('echo-server.mjs'), JSON.stringify(ports)])
  await output(child, /ready\n/)
  return child
}

/** Open (true) or closed (false) for each probed port. */
export type ProbeResult = Record<Protocol, Record<number, boolean>>

/** Probes `target` from inside `host`; every port is tried in parallel. */
export async function probe(
  host: Host,
  target: string,
  ports: { tcp: number[]; udp: number[] },
  timeoutMs = 1500,
): Promise<ProbeResult> {
  const child = host.spawn([NODE, script('probe.mjs'), JSON.stringify({ host: target, ...ports, timeoutMs })])
  return JSON.parse(await output(child, undefined, timeoutMs + 15_000)) as ProbeResult
}

/** Sends ICMP (or ICMPv6) echo requests from `host`; true when a reply came back within about a second. */
export async function ping(host: Host, target: string): Promise<boolean> {
  const applet = target.includes(':') ? 'ping6' : 'ping'
  const child = host.spawn(['busybox', applet, '-c', '2', '-i', '0.2', '-W', '1', target])
  return output(child).then(
    () => true,
    () => false,
  )
}

/** Starts a process that holds one TCP connection open; see hold-connection.mjs. */
export async function holdConnection(host: Host, target: string, port: number) {
  const child = host.spawn([NODE, script('hold-connection.mjs'), target, String(port)])
  let stdout = ''
  child.stdout?.on('data', (chunk) => {
    stdout += chunk
  })
  const exited = new Promise<number | null>((resolve) => child.on('exit', resolve))
  await output(child, /connected\n/)
  return {
    /** Sends a line over the held connection and resolves with whether its echo came back. */
    async echo(): Promise<boolean> {
      child.kill('SIGUSR2')
      const code = await Promise.race([exited, new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), 5000))])
      return code === 0 && stdout.includes('echoed')
    },
  }
}

/** The table as the kernel holds it, printed by `nft list table`. */
export function listTable(host: Host): string {
  return host.must(['nft', 'list', 'table', 'inet', 'atomicnix'])
}

/** The part of a rendered script that `nft list table` prints back: the table definition. */
export function tableBody(nft: string): string {
  return nft.slice(nft.indexOf('table inet atomicnix {'))
}

/** Names of all network namespaces on the machine (to check that a lab left nothing behind). */
export function namespaces(): string[] {
  return execFileSync('ip', ['netns', 'list'], { encoding: 'utf8' })
    .split('\n')
    .map((line) => line.split(' ')[0]!)
    .filter(Boolean)
}
