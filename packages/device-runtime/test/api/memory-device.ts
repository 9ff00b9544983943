import { type Issue, parseConfig } from '@atomicnix/config-schema'
import type { ApiDeps, ApiOptions, PersistResult } from '../../src/api/app.js'
import { nodeClock } from '../../src/node/clock.js'
import type { Clock, Log } from '../../src/ports.js'

export const HOST = '172.20.30.1:8080'

/** A clock whose monotonic time the test moves; waiting uses real timers. */
export function testClock(): Clock & { advance(ms: number): void } {
  let offset = 0
  return {
    now: () => Date.now(),
    monotonic: () => performance.now() + offset,
    sleep: nodeClock.sleep,
    advance(ms) {
      offset += ms
    },
  }
}

export function recordingLog(): Log & { lines: string[] } {
  const lines: string[] = []
  const push = (level: string) => (message: string, fields?: object) =>
    lines.push(`${level} ${message} ${JSON.stringify(fields ?? {})}`)
  return { lines, info: push('info'), warn: push('warn'), error: push('error') }
}

/**
 * App dependencies over an in-memory device, for the HTTP behaviour alone: validate and persist use the real
 * validator; persistence itself is tested with the generations store (device.test.ts).
 */
export function memoryDevice(overrides: Partial<ApiDeps> = {}) {
  const generations: { id: string; input: string }[] = []
  const clock = testClock()
  const log = recordingLog()
  const check = async (input: Uint8Array) => {
    const result = parseConfig(new TextDecoder().decode(input))
    return result.ok ? { ok: true as const, warnings: result.warnings } : result
  }
  const deps: ApiDeps = {
    clock,
    log,
    deviceId: async () => '0a1b2c3d4e5f',
    provisioning: async () => {
      const current = generations.at(-1)
      if (current === undefined) return { provisioned: false }
      const parsed = parseConfig(current.input)
      return { provisioned: true, adminKeys: parsed.ok ? parsed.value.admin.ssh_keys : [] }
    },
    validate: check,
    persist: async (input, _fileName, change): Promise<PersistResult> => {
      const result = await check(input)
      if (!result.ok) return result
      if (change.unsigned && generations.length > 0) return { ok: false, provisioned: true }
      const id = `g${String(generations.length + 1).padStart(6, '0')}`
      generations.push({ id, input: new TextDecoder().decode(input) })
      return { ok: true, generation: { id }, warnings: result.warnings }
    },
    currentConfig: async () => {
      const current = generations.at(-1)
      return current === undefined ? undefined : new TextEncoder().encode(current.input)
    },
    status: async () => ({ provisioned: generations.length > 0, generation: generations.at(-1)?.id ?? null }),
    ...overrides,
  }
  return { deps, generations, clock, log }
}

export const options = (extra: Partial<ApiOptions> = {}): ApiOptions => ({
  allowedHosts: () => new Set([HOST, 'atomicnix:8080', 'atomicnix.local:8080']),
  ...extra,
})

/** The JSON documents the API answers with. */
export interface Answer {
  ok: boolean
  errors: Issue[]
  warnings: Issue[]
  challenge: string
  device: string
  generation: { id: string }
  apply: string
}

/** A POST to the API as the LAN gateway's address. */
export function post(path: string, body: BodyInit | null, headers: Record<string, string> = {}): Request {
  return new Request(`http://${HOST}${path}`, {
    method: 'POST',
    headers: { host: HOST, 'content-type': 'application/toml', ...headers },
    body,
    ...(body instanceof ReadableStream ? { duplex: 'half' } : {}),
  } as RequestInit)
}

/** A GET of the API as the LAN gateway's address. */
export const get = (path: string, headers: Record<string, string> = {}) =>
  new Request(`http://${HOST}${path}`, { headers: { host: HOST, ...headers } })
