import type { FirewallInbound, LanSettings, PortSet } from './config.js'
import { RuleContext, toIssue } from './context.js'
import type { Issue, Result } from './issue.js'
import type { PathSegment } from './path.js'
import { serviceName, UNIT_NAME, type UnitKind } from './units.js'
import { checkServerUrl } from './url.js'
import { checkKnownKeys, checkLanTable, portListOf } from './validate-rules.js'
import { isTable, own, typeName } from './values.js'

/** `quadlet-runtime.json`: how the device syncs and names the rendered units. */
export interface QuadletRuntime {
  readonly app_user: 'appsvc'
  readonly rootless_network: 'pasta'
  readonly units: readonly QuadletRuntimeUnit[]
}

/** One unit in `quadlet-runtime.json`. */
export interface QuadletRuntimeUnit {
  readonly name: string
  readonly filename: string
  readonly service: string
  readonly mode: 'rootful' | 'rootless'
}

/** Parses JSON text (or takes an already parsed value) and runs `check` with a fresh context. */
function readJson<T>(input: unknown, check: (value: unknown, ctx: RuleContext) => T | undefined): Result<T> {
  let value = input
  if (typeof input === 'string') {
    try {
      value = JSON.parse(input)
    } catch (error) {
      const message = error instanceof Error ? error.message : 'invalid JSON'
      return {
        ok: false,
        errors: [
          { code: 'json_syntax', severity: 'error', path: '', message: `The file is not valid JSON: ${message}.` },
        ],
        warnings: [],
      }
    }
  }
  const ctx = new RuleContext()
  const result = check(value, ctx)
  const issues: Issue[] = ctx.issues.map((p) => toIssue(p))
  const errors = issues.filter((i) => i.severity === 'error')
  const warnings = issues.filter((i) => i.severity === 'warning')
  if (errors.length > 0 || result === undefined) return { ok: false, errors, warnings }
  return { ok: true, value: result, warnings }
}

function table(value: unknown, at: readonly PathSegment[], ctx: RuleContext, what: string) {
  if (isTable(value)) return value
  ctx.error('wrong_type', at, `${what} must be an object, not a ${typeName(value)}.`)
  return undefined
}

function ports(value: Record<string, unknown>, at: readonly PathSegment[], ctx: RuleContext): PortSet {
  checkKnownKeys(value, at, ['tcp', 'udp'], ctx)
  return {
    tcp: portListOf(own(value, 'tcp'), [...at, 'tcp'], ctx),
    udp: portListOf(own(value, 'udp'), [...at, 'udp'], ctx),
  }
}

/**
 * Reads `firewall-inbound.json`: the flat `{"tcp":[..],"udp":[..]}` (WAN ports) or the scoped
 * `{"wan":{..},"lan":{..}}`. Ports are integers 1..65535; an empty file object opens nothing.
 */
export function parseFirewallInbound(json: unknown): Result<FirewallInbound> {
  return readJson(json, (value, ctx) => {
    const root = table(value, [], ctx, 'firewall-inbound.json')
    if (root === undefined) return undefined
    const scoped = own(root, 'wan') !== undefined || own(root, 'lan') !== undefined
    if (!scoped) return { wan: ports(root, [], ctx) }
    checkKnownKeys(root, [], ['wan', 'lan'], ctx)
    const scope = (name: 'wan' | 'lan') => {
      const raw = own(root, name)
      if (raw === undefined) return undefined
      const t = table(raw, [name], ctx, `"${name}"`)
      return t === undefined ? undefined : ports(t, [name], ctx)
    }
    const wan = scope('wan') ?? { tcp: [], udp: [] }
    const lan = scope('lan')
    return lan === undefined ? { wan } : { wan, lan }
  })
}

const LAN_FIELDS = [
  'gateway_cidr',
  'gateway_ip',
  'subnet_cidr',
  'netmask',
  'dhcp_start',
  'dhcp_end',
  'domain',
  'hostname_pattern',
  'gateway_aliases',
] as const

/**
 * Reads `lan-settings.json`: all nine fields are required, pass the `[lan]` rules, and the derived fields
 * (`gateway_ip`, `subnet_cidr`, `netmask`) agree with `gateway_cidr`.
 */
export function parseLanSettings(json: unknown): Result<LanSettings> {
  return readJson(json, (value, ctx) => {
    const root = table(value, [], ctx, 'lan-settings.json')
    if (root === undefined) return undefined
    checkKnownKeys(root, [], LAN_FIELDS, ctx)
    for (const field of LAN_FIELDS) {
      if (own(root, field) === undefined) ctx.error('missing_key', [field], `"${field}" is required.`)
    }
    if (ctx.failed) return undefined
    const { gateway_ip, subnet_cidr, netmask, ...source } = root
    const lan = checkLanTable(source, [], ctx)
    if (ctx.failed) return undefined
    const derived = { gateway_ip, subnet_cidr, netmask }
    for (const [key, got] of Object.entries(derived)) {
      const want = lan[key as keyof typeof derived]
      if (got !== want) {
        ctx.error(
          'lan_settings_inconsistent',
          [key],
          `"${key}" is ${JSON.stringify(got)} but gateway_cidr implies "${want}".`,
        )
      }
    }
    for (const key of ['domain', 'hostname_pattern'] as const) {
      if (root[key] !== lan[key]) {
        ctx.error('lan_settings_inconsistent', [key], `"${key}" must be in canonical form "${lan[key]}".`)
      }
    }
    return lan
  })
}

/** Reads `health-required.json`: an array of container names (empty when nothing is required). */
export function parseHealthRequired(json: unknown): Result<readonly string[]> {
  return readJson(json, (value, ctx) => {
    if (!Array.isArray(value)) {
      ctx.error('wrong_type', [], `health-required.json must be an array, not a ${typeName(value)}.`)
      return undefined
    }
    const names: string[] = []
    const seen = new Set<string>()
    value.forEach((name, i) => {
      if (typeof name !== 'string' || !UNIT_NAME.test(name)) {
        ctx.error('unit_name_invalid', [i], 'Each entry must be a container name of letters, digits, "_" and "-".')
      } else if (seen.has(name)) ctx.warning('health_duplicate', [i], `"${name}" is listed twice.`)
      else {
        seen.add(name)
        names.push(name)
      }
    })
    return names
  })
}

const KINDS: readonly UnitKind[] = ['container', 'network', 'volume', 'build']

/** Reads `quadlet-runtime.json`, checking that every unit's file, service and mode agree with its name and kind. */
export function parseQuadletRuntime(json: unknown): Result<QuadletRuntime> {
  return readJson(json, (value, ctx) => {
    const root = table(value, [], ctx, 'quadlet-runtime.json')
    if (root === undefined) return undefined
    checkKnownKeys(root, [], ['app_user', 'rootless_network', 'units'], ctx)
    if (own(root, 'app_user') !== 'appsvc')
      ctx.error('runtime_value_invalid', ['app_user'], '"app_user" must be "appsvc".')
    if (own(root, 'rootless_network') !== 'pasta') {
      ctx.error('runtime_value_invalid', ['rootless_network'], '"rootless_network" must be "pasta".')
    }
    const rawUnits = own(root, 'units')
    if (!Array.isArray(rawUnits)) {
      ctx.error('wrong_type', ['units'], `"units" must be an array, not a ${typeName(rawUnits)}.`)
      return undefined
    }
    const units: QuadletRuntimeUnit[] = []
    const files = new Set<string>()
    rawUnits.forEach((raw, i) => {
      const unit = table(raw, ['units', i], ctx, 'A unit')
      if (unit === undefined) return
      checkKnownKeys(unit, ['units', i], ['name', 'filename', 'service', 'mode'], ctx)
      const { name, filename, service, mode } = unit
      if (typeof name !== 'string' || !UNIT_NAME.test(name)) {
        ctx.error(
          'unit_name_invalid',
          ['units', i, 'name'],
          'A unit name may contain only letters, digits, "_" and "-".',
        )
        return
      }
      const kind = typeof filename === 'string' ? KINDS.find((k) => filename === `${name}.${k}`) : undefined
      if (kind === undefined) {
        ctx.error(
          'runtime_value_invalid',
          ['units', i, 'filename'],
          `"filename" must be "${name}.<container|network|volume|build>".`,
        )
        return
      }
      if (service !== serviceName(kind, name)) {
        ctx.error('runtime_value_invalid', ['units', i, 'service'], `"service" must be "${serviceName(kind, name)}".`)
      }
      if (mode !== 'rootful' && mode !== 'rootless') {
        ctx.error('runtime_value_invalid', ['units', i, 'mode'], '"mode" must be "rootful" or "rootless".')
        return
      }
      if (kind !== 'container' && mode !== 'rootful') {
        ctx.error('runtime_value_invalid', ['units', i, 'mode'], `A ${kind} unit is always rootful.`)
      }
      if (files.has(filename as string)) {
        ctx.error('runtime_value_invalid', ['units', i, 'filename'], `"${filename}" is listed twice.`)
      }
      files.add(filename as string)
      units.push({ name, filename: filename as string, service: service as string, mode })
    })
    return { app_user: 'appsvc', rootless_network: 'pasta', units }
  })
}

/** Reads `os-upgrade.json`: `{"server_url": "https://..."}` (`http://` is accepted with a warning). */
export function parseOsUpgrade(json: unknown): Result<{ readonly server_url: string }> {
  return readJson(json, (value, ctx) => {
    const root = table(value, [], ctx, 'os-upgrade.json')
    if (root === undefined) return undefined
    checkKnownKeys(root, [], ['server_url'], ctx)
    const url = own(root, 'server_url')
    if (typeof url !== 'string') {
      ctx.error('wrong_type', ['server_url'], `"server_url" must be a string, not a ${typeName(url)}.`)
      return undefined
    }
    const check = checkServerUrl(url)
    if (!check.ok) {
      ctx.error('server_url_invalid', ['server_url'], `The update server URL is invalid: ${check.reason}.`)
      return undefined
    }
    if (!check.secure) {
      ctx.warning(
        'server_url_insecure',
        ['server_url'],
        'The update server URL uses http://; update metadata is not signed.',
      )
    }
    return { server_url: url }
  })
}
