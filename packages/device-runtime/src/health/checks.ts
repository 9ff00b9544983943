/** The system units every AtomicNix device runs (NixOS unit names). */
export const DNSMASQ_UNIT = 'dnsmasq.service'
export const CHRONYD_UNIT = 'chronyd.service'
/** The LAN and WAN interfaces of the Rock64 gateway. */
export const LAN_INTERFACE = 'eth1'
export const WAN_INTERFACE = 'eth0'
/** The gateway address of the fallback LAN contract, used when the device holds no lan-settings.json. */
export const DEFAULT_GATEWAY_IP = '172.20.30.1'
/** The app user of rootless units when quadlet-runtime.json does not say. */
export const DEFAULT_APP_USER = 'appsvc'

/** One health check: a unit in a manager, or an address on an interface. `name` is stable (journal, baseline). */
export type HealthCheck =
  | { kind: 'unit'; name: string; unit: string; scope: 'system' | { user: string } }
  | { kind: 'lan_gateway'; name: string; iface: string; address: string }
  | { kind: 'wan_address'; name: string; iface: string }
  /** A required unit the device cannot check (not in quadlet-runtime.json): always failing, with the reason. */
  | { kind: 'broken'; name: string; reason: string }

/** The outcome of one check in one observation. */
export interface CheckResult {
  name: string
  ok: boolean
  /** Why it failed (or what it saw). */
  detail: string
}

/** The documents the plan reads from the current generation, as parsed JSON (absent: undefined). */
export interface HealthInputs {
  healthRequired?: unknown
  quadletRuntime?: unknown
  lanSettings?: unknown
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v)

/** The checks of a device: dnsmasq, chronyd, LAN gateway on eth1, a WAN address on eth0, every required unit. */
export function planHealthChecks(inputs: HealthInputs): HealthCheck[] {
  const gateway =
    isObject(inputs.lanSettings) && typeof inputs.lanSettings.gateway_ip === 'string'
      ? inputs.lanSettings.gateway_ip
      : DEFAULT_GATEWAY_IP
  const checks: HealthCheck[] = [
    { kind: 'unit', name: `unit:${DNSMASQ_UNIT}`, unit: DNSMASQ_UNIT, scope: 'system' },
    { kind: 'unit', name: `unit:${CHRONYD_UNIT}`, unit: CHRONYD_UNIT, scope: 'system' },
    { kind: 'lan_gateway', name: 'lan_gateway', iface: LAN_INTERFACE, address: gateway },
    { kind: 'wan_address', name: 'wan_address', iface: WAN_INTERFACE },
  ]
  const runtime = isObject(inputs.quadletRuntime) ? inputs.quadletRuntime : {}
  const appUser = typeof runtime.app_user === 'string' && runtime.app_user !== '' ? runtime.app_user : DEFAULT_APP_USER
  const units = Array.isArray(runtime.units) ? runtime.units.filter(isObject) : []
  const required = Array.isArray(inputs.healthRequired) ? inputs.healthRequired : []
  for (const name of required) {
    if (typeof name !== 'string') continue
    const unit = units.find(
      (u) => u.name === name && typeof u.filename === 'string' && u.filename.endsWith('.container'),
    )
    if (unit === undefined || typeof unit.service !== 'string') {
      checks.push({
        kind: 'broken',
        name: `container:${name}`,
        reason: `${name} is not a container of quadlet-runtime.json`,
      })
      continue
    }
    const scope = unit.mode === 'rootless' ? { user: appUser } : 'system'
    checks.push({ kind: 'unit', name: `container:${name}`, unit: unit.service, scope })
  }
  return checks
}

/** The argv of a check (`broken` checks run nothing). */
export function checkArgv(check: HealthCheck): readonly string[] | undefined {
  switch (check.kind) {
    case 'unit':
      // `-M user@` reaches that user's manager without a login session (systemctl(1), --machine).
      return check.scope === 'system'
        ? ['systemctl', 'is-active', check.unit]
        : ['systemctl', '--user', '-M', `${check.scope.user}@`, 'is-active', check.unit]
    case 'lan_gateway':
    case 'wan_address':
      return ['ip', '-j', 'addr', 'show', 'dev', check.iface]
    case 'broken':
      return undefined
  }
}

interface AddrInfo {
  family?: unknown
  local?: unknown
  scope?: unknown
  tentative?: unknown
  dadfailed?: unknown
}

/** The addresses of `ip -j addr show dev X` output; undefined when it is not that JSON. */
function addresses(stdout: string): AddrInfo[] | undefined {
  let value: unknown
  try {
    value = JSON.parse(stdout)
  } catch {
    return undefined
  }
  if (!Array.isArray(value)) return undefined
  return value.flatMap((link) =>
    isObject(link) && Array.isArray(link.addr_info) ? link.addr_info.filter(isObject) : [],
  )
}

/** Judges a check from its program's exit code and output. */
export function judgeCheck(
  check: HealthCheck,
  run: { exitCode: number | null; stdout: string; error?: string },
): CheckResult {
  const { name } = check
  if (check.kind === 'broken') return { name, ok: false, detail: check.reason }
  if (run.exitCode === null) return { name, ok: false, detail: run.error ?? 'did not run' }
  if (check.kind === 'unit') {
    const state = run.stdout.trim().split('\n')[0] ?? ''
    return run.exitCode === 0 && state === 'active'
      ? { name, ok: true, detail: 'active' }
      : { name, ok: false, detail: `${check.unit} is ${state || `not active (exit ${run.exitCode})`}` }
  }
  if (run.exitCode !== 0) return { name, ok: false, detail: `${check.iface}: ip exited ${run.exitCode}` }
  const list = addresses(run.stdout)
  if (list === undefined) return { name, ok: false, detail: `${check.iface}: ip printed no address JSON` }
  const usable = list.filter((a) => a.tentative !== true && a.dadfailed !== true)
  if (check.kind === 'lan_gateway') {
    return usable.some((a) => a.family === 'inet' && a.local === check.address)
      ? { name, ok: true, detail: `${check.address} on ${check.iface}` }
      : { name, ok: false, detail: `${check.address} is not on ${check.iface}` }
  }
  const global = usable.find((a) => (a.family === 'inet' || a.family === 'inet6') && a.scope === 'global')
  return global !== undefined
    ? { name, ok: true, detail: `${String(global.local)} on ${check.iface}` }
    : { name, ok: false, detail: `no global address on ${check.iface}` }
}
