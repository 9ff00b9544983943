import { LAN_DEFAULTS, parseLanSettings } from '@atomicnix/config-schema'
import { type ApiDeps, createApiApp } from '../api/app.js'
import { DEFAULT_LIMITS, type HttpListener, ListenError, listenHttp, type ServerLimits } from '../node/http-server.js'
import { validatePool } from '../node/validate-pool.js'
import { type CliDeps, EXIT, parseOptions, UsageError } from './run.js'
import { deviceApiDeps, inThreadValidate } from './serve-device.js'

/**
 * Bodies of `/api/validate` smaller than this are checked on the HTTP thread (batched per event-loop turn; a check
 * takes well under a millisecond), larger ones on the worker pool, so that no large check stalls the event loop.
 */
export const POOL_BYTES = 16 * 1024

/** The API's port on the LAN gateway address. */
export const API_PORT = 8080
/** How often the LAN settings are re-read to follow a re-addressing, and a missing address is retried. */
const POLL_MS = 2_000

/** `IP:PORT` (IPv4, or IPv6 in brackets) to host and port. */
export function parseListen(text: string): { host: string; port: number } {
  const match = /^(?:\[([0-9a-fA-F:.]+)\]|(\d{1,3}(?:\.\d{1,3}){3})):(\d{1,5})$/.exec(text)
  const port = Number(match?.[3])
  if (match === null || port > 65535) throw new UsageError(`--listen wants IP:PORT, not "${text}"`)
  return { host: match[1] ?? match[2]!, port }
}

function positiveInteger(name: string, text: string | undefined, fallback: number): number {
  if (text === undefined) return fallback
  if (!/^\d+$/.test(text) || Number(text) <= 0) throw new UsageError(`${name} wants a positive integer, not "${text}"`)
  return Number(text)
}

/** The LAN settings of the current generation; the fallback contract before provisioning or when unreadable. */
async function lanSettings(deps: CliDeps, dataDir: string) {
  try {
    const bytes = await deps.files.readRegularFile(`${dataDir}/config/lan-settings.json`, 64 * 1024)
    const parsed = parseLanSettings(JSON.parse(new TextDecoder().decode(bytes)))
    if (parsed.ok) return parsed.value
  } catch {
    // Unprovisioned (no file) or unreadable: the gateway keeps the contract's address, as the LAN services do.
  }
  return undefined
}

/** The Host header values the API accepts: its address and the gateway's names, each with the port. */
function hostsFor(
  listener: { host: string; port: number },
  lan: Awaited<ReturnType<typeof lanSettings>>,
  lanMac: string | undefined,
): ReadonlySet<string> {
  const port = `:${listener.port}`
  const names = new Set<string>([`${listener.host.includes(':') ? `[${listener.host}]` : listener.host}${port}`])
  if (listener.host === '127.0.0.1' || listener.host === '::1') names.add(`localhost${port}`)
  const domain = lan?.domain ?? LAN_DEFAULTS.domain
  const aliases = [...(lan?.gateway_aliases ?? LAN_DEFAULTS.gateway_aliases)]
  const pattern = lan?.hostname_pattern ?? ''
  if (pattern !== '' && lanMac !== undefined) aliases.push(pattern.replace('{mac}', lanMac))
  for (const alias of aliases) {
    names.add(`${alias}${port}`)
    names.add(`${alias}.${domain}${port}`)
  }
  return names
}

/**
 * `atomicnix serve [--data DIR] [--root DIR] [--listen IP:PORT] [--no-apply]`: the bootstrap API and console. Without
 * `--listen` it serves on the LAN gateway address of the current `lan-settings.json` (172.20.30.1:8080 before
 * provisioning), waits for that address to appear, and moves when the LAN is re-addressed. Runs until SIGTERM/SIGINT.
 * `--validate-threads N`: worker threads for `/api/validate` bodies of `POOL_BYTES` or more (default: the CPU count less
 * one, at least 1; 0 checks every body on the HTTP thread).
 */
export async function serveCommand(args: readonly string[], deps: CliDeps): Promise<number> {
  const { values } = parseOptions(
    args,
    {
      data: { type: 'string', default: '/data' },
      root: { type: 'string', default: '/' },
      listen: { type: 'string' },
      'no-apply': { type: 'boolean' },
      'body-limit': { type: 'string' },
      'headers-timeout': { type: 'string' },
      'request-timeout': { type: 'string' },
      'max-connections': { type: 'string' },
      'validate-threads': { type: 'string' },
    },
    0,
  )
  const fixed = values.listen === undefined ? undefined : parseListen(values.listen)
  const limits: ServerLimits = {
    ...DEFAULT_LIMITS,
    bodyLimitBytes: positiveInteger('--body-limit', values['body-limit'], DEFAULT_LIMITS.bodyLimitBytes),
    headersTimeoutMs: positiveInteger('--headers-timeout', values['headers-timeout'], DEFAULT_LIMITS.headersTimeoutMs),
    requestTimeoutMs: positiveInteger('--request-timeout', values['request-timeout'], DEFAULT_LIMITS.requestTimeoutMs),
    maxConnections: positiveInteger('--max-connections', values['max-connections'], DEFAULT_LIMITS.maxConnections),
  }
  const dataDir = values.data.replace(/\/+$/, '') || '/'
  const root = values.root
  const { log, clock, output } = deps
  // Large bodies of /api/validate are checked on worker threads: a large config must not stall the other clients.
  const threads = values['validate-threads']
  if (threads !== undefined && !/^\d+$/.test(threads)) {
    throw new UsageError(`--validate-threads wants a number of threads, not "${threads}"`)
  }
  const pool =
    threads === '0' ? undefined : validatePool({ log, ...(threads === undefined ? {} : { size: Number(threads) }) })
  const inThread = inThreadValidate()
  const device = await deviceApiDeps(deps, {
    dataDir,
    root,
    apply: values['no-apply'] !== true,
    validate:
      pool === undefined
        ? inThread
        : (input, fileName) => (input.length < POOL_BYTES ? inThread(input, fileName) : pool.validate(input, fileName)),
  })
  let hosts: ReadonlySet<string> = new Set()
  const apiDeps: ApiDeps = device.api
  const app = createApiApp(apiDeps, { allowedHosts: () => hosts, bodyLimitBytes: limits.bodyLimitBytes })

  const stop = new AbortController()
  const onSignal = () => stop.abort()
  process.once('SIGTERM', onSignal)
  process.once('SIGINT', onSignal)

  let listener: HttpListener | undefined
  let waitingFor = ''
  try {
    while (!stop.signal.aborted) {
      const lan = await lanSettings(deps, dataDir)
      const want = fixed ?? { host: lan?.gateway_ip ?? LAN_DEFAULTS.gateway_cidr.split('/')[0]!, port: API_PORT }
      if (
        listener === undefined ||
        listener.host !== want.host ||
        (fixed === undefined && listener.port !== want.port)
      ) {
        try {
          const next = await listenHttp(app, want, { limits, log })
          if (listener !== undefined) {
            log.info('LAN re-addressed: moved the API', { from: `${listener.host}:${listener.port}`, to: want.host })
            await listener.close()
          }
          listener = next
          waitingFor = ''
          hosts = hostsFor(next, lan, await device.lanMac())
          const where = `${next.host.includes(':') ? `[${next.host}]` : next.host}:${next.port}`
          log.info('serving the bootstrap API and console', { listen: where, data: dataDir })
          output.stdout(`listening on http://${where}/\n`)
        } catch (error) {
          if (!(error instanceof ListenError)) throw error
          // The gateway address appears only once networkd has applied it; other failures with --listen are final.
          if (fixed !== undefined && error.code !== 'EADDRNOTAVAIL') {
            output.stderr(`atomicnix serve: ${error.message}\n`)
            return EXIT.usage
          }
          const key = `${want.host}:${want.port} ${error.code}`
          if (waitingFor !== key)
            log.warn('waiting for the API address', { listen: `${want.host}:${want.port}`, reason: error.code })
          waitingFor = key
        }
      }
      if (listener !== undefined) hosts = hostsFor(listener, lan, await device.lanMac())
      await clock.sleep(POLL_MS, stop.signal)
    }
  } finally {
    process.off('SIGTERM', onSignal)
    process.off('SIGINT', onSignal)
    await listener?.close()
    await pool?.close()
    await device.idle()
  }
  log.info('stopped serving')
  return EXIT.ok
}
