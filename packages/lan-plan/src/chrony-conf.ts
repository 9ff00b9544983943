import { dnsNameToken, ipv4Slash24Token, ipv4Token, pathToken } from './guard.js'
import { type LanPlan, UPSTREAM_POOL } from './lan-plan.js'

/** Where chronyd keeps its files; the defaults are the device's paths. */
export interface ChronyPaths {
  /** The drift file (`driftfile`), default `/var/lib/chrony/drift`. */
  readonly driftFile?: string
  /** The pid file (`pidfile`); by default the directive is left out and chronyd uses its built-in path. */
  readonly pidFile?: string
  /** The Unix command socket (`bindcmdaddress`); by default left out, so chronyd uses its built-in path. */
  readonly commandSocket?: string
}

/** Device path of chronyd's drift file. */
export const CHRONY_DRIFT_PATH = '/var/lib/chrony/drift'

/**
 * Renders the complete chronyd configuration (`chronyd -f FILE`): follow the upstream pool while the WAN is up, serve
 * time to the LAN subnet and to no one else, and keep serving from the local clock when no upstream is reachable.
 * Directives: https://chrony-project.org/doc/4.3/chrony.conf.html
 */
export function renderChronyConf(plan: LanPlan, paths: ChronyPaths = {}): string {
  const s = plan.settings
  // The planner's pool is a constant that passes the guard (tested); any other is checked.
  const pool = plan.upstreamPool === UPSTREAM_POOL ? UPSTREAM_POOL : dnsNameToken(plan.upstreamPool, 'upstreamPool')
  const gateway = ipv4Token(s.gateway_ip, 'gateway_ip')
  const subnet = ipv4Slash24Token(s.subnet_cidr, 'subnet_cidr')
  // The default drift file is a constant that passes the guard (tested); a path given is checked.
  const driftFile = paths.driftFile === undefined ? CHRONY_DRIFT_PATH : pathToken(paths.driftFile, 'driftFile')
  const pidFile = paths.pidFile === undefined ? '' : `pidfile ${pathToken(paths.pidFile, 'pidFile')}\n`
  const socket =
    paths.commandSocket === undefined ? '' : `bindcmdaddress ${pathToken(paths.commandSocket, 'commandSocket')}\n`
  return `# chronyd configuration for the AtomicNix gateway, generated from the [lan] table of config.toml.
# Complete by itself: chronyd -f <this file>.

# Upstream time over the WAN, offline until the WAN is up (chronyc online); the board may boot with a wrong
# clock, so step it whenever it is more than a second off.
pool ${pool} iburst offline
makestep 1.0 -1
driftfile ${driftFile}
${pidFile}
# Serve the LAN subnet and no one else: chronyd answers only clients that an allow matches, and it listens on
# the gateway address alone (it binds it even before the address is configured).
bindaddress ${gateway}
allow ${subnet}
# Without a reachable upstream, keep serving LAN clients from the local clock.
local stratum 10

# Control through the Unix socket only (chronyc as root); no UDP command port.
${socket}cmdport 0
`
}
