import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
  checkBootEnv,
  compareVersions,
  DEFAULT_CONFIRM_POLICY,
  decideCommitted,
  decideOffer,
  decideTrial,
  judgeCheck,
  parseBootEnv,
  parseOffer,
  parseRaucStatus,
  planHealthChecks,
} from '../src/index.js'
import { sameBundle } from '../src/journal/slots.js'
import { backoffMs, parseRetryAfter } from '../src/upgrade/decide.js'
import { ipAddrJson, raucStatusJson } from './support/device-fake.js'

const ok = (name: string) => ({ name, ok: true, detail: '' })
const bad = (name: string) => ({ name, ok: false, detail: 'down' })
const P = DEFAULT_CONFIRM_POLICY

describe('decideTrial (pure)', () => {
  it('commits only after a full healthy window, observed from its first to its last healthy round', () => {
    let progress = { startedAt: 0 }
    for (let t = 0; t < 60_000; t += 5_000) {
      const d = decideTrial(progress, { at: t, results: [ok('a')] }, P, new Set())
      expect(d.kind).toBe('wait')
      if (d.kind === 'wait') progress = d.progress
    }
    expect(decideTrial(progress, { at: 60_000, results: [ok('a')] }, P, new Set()).kind).toBe('commit')
  })

  it('a failure restarts the window, and past the deadline gives up', () => {
    const d = decideTrial({ startedAt: 0, healthySince: 0 }, { at: 55_000, results: [bad('a')] }, P, new Set())
    expect(d).toMatchObject({ kind: 'wait', restarted: true, progress: { startedAt: 0 } })
    expect(decideTrial({ startedAt: 0 }, { at: 600_000, results: [bad('a')] }, P, new Set()).kind).toBe('give_up')
  })

  it('a check in the baseline does not count, and is reported as ignored', () => {
    const d = decideTrial(
      { startedAt: 0, healthySince: 0 },
      { at: 60_000, results: [ok('a'), bad('wan')] },
      P,
      new Set(['wan']),
    )
    expect(d).toMatchObject({ kind: 'commit', ignored: [{ name: 'wan' }] })
  })

  it('never commits with a counted failure and always ends by deadline + window (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.boolean(), { minLength: 1, maxLength: 400 }), (healthy) => {
        let progress: { startedAt: number; healthySince?: number } = { startedAt: 0 }
        for (const [i, h] of healthy.entries()) {
          const at = i * P.intervalMs
          const d = decideTrial(progress, { at, results: [h ? ok('a') : bad('a')] }, P, new Set())
          if (d.kind === 'commit') {
            expect(h).toBe(true)
            return
          }
          if (d.kind === 'give_up') {
            expect(h).toBe(false)
            expect(at).toBeGreaterThanOrEqual(P.deadlineMs)
            return
          }
          expect(at).toBeLessThan(P.deadlineMs + P.windowMs)
          progress = d.progress
        }
      }),
    )
  })
})

describe('decideCommitted (pure)', () => {
  const services = new Set(['unit:dnsmasq.service'])
  it('resets at once when healthy; waits a window for addresses once the services are up; resets at the deadline', () => {
    expect(
      decideCommitted({ startedAt: 0 }, { at: 0, results: [ok('unit:dnsmasq.service')] }, P, services),
    ).toMatchObject({
      kind: 'reset',
      reason: 'healthy',
    })
    const wait = decideCommitted(
      { startedAt: 0 },
      { at: 0, results: [ok('unit:dnsmasq.service'), bad('wan_address')] },
      P,
      services,
    )
    expect(wait).toMatchObject({ kind: 'wait', progress: { servicesUpSince: 0 } })
    expect(
      decideCommitted({ startedAt: 0, servicesUpSince: 0 }, { at: 60_000, results: [bad('wan_address')] }, P, services),
    ).toMatchObject({ kind: 'reset', reason: 'window', failing: [{ name: 'wan_address' }] })
    expect(
      decideCommitted({ startedAt: 0 }, { at: 600_000, results: [bad('unit:dnsmasq.service')] }, P, services),
    ).toMatchObject({ kind: 'reset', reason: 'deadline' })
  })
})

describe('compareVersions', () => {
  it('orders semver by precedence, not by string', () => {
    expect(compareVersions('1.10.0', '1.9.0')).toBe(1)
    expect(compareVersions('1.0.0-rc.1', '1.0.0')).toBe(-1)
    expect(compareVersions('1.0.0-alpha.10', '1.0.0-alpha.9')).toBe(1)
    expect(compareVersions('1.0.0-alpha', '1.0.0-alpha.1')).toBe(-1)
    expect(compareVersions('1.0.0+build.2', '1.0.0+build.1')).toBe(0)
    expect(compareVersions('v2.0.0', '2.0.0')).toBe(0)
  })

  it('orders other strings by runs of digits and letters', () => {
    expect(compareVersions('2024.10', '2024.9')).toBe(1)
    expect(compareVersions('2024.05', '2024.05.1')).toBe(-1)
    expect(compareVersions('1.0', '1-0')).toBe(0)
    expect(compareVersions('1.0.1', '1.0.rc')).toBe(1)
    expect(compareVersions('r12', 'r9')).toBe(1)
    expect(compareVersions('99999999999999999999', '99999999999999999998')).toBe(1)
  })

  it('is reflexive and antisymmetric (property)', () => {
    const version = fc.oneof(
      fc.stringMatching(/^[0-9a-z.+-]{0,12}$/),
      fc.tuple(fc.nat(20), fc.nat(20), fc.nat(20)).map(([a, b, c]) => `${a}.${b}.${c}`),
    )
    fc.assert(
      fc.property(version, version, (a, b) => {
        expect(compareVersions(a, a)).toBe(0)
        expect(compareVersions(a, b)).toBe(-compareVersions(b, a) || 0)
      }),
    )
  })
})

describe('offers', () => {
  const offer = { version: '1.2.0', bundle_url: '/b.raucb', sha256: 'a'.repeat(64), size: 10 }
  it('installs only a newer version that never rolled back and fits the limit', () => {
    expect(decideOffer(offer, '1.1.9', [], 100).install).toBe(true)
    expect(decideOffer(offer, '1.2.0', [], 100)).toMatchObject({
      install: false,
      reason: expect.stringContaining('booted'),
    })
    expect(decideOffer(offer, '1.10.0', [], 100)).toMatchObject({
      install: false,
      reason: expect.stringContaining('older'),
    })
    expect(
      decideOffer(offer, '1.0.0', [{ slot: 'rootfs.1', at: '', reason: 'x', version: 'v1.2.0' }], 100).install,
    ).toBe(false)
    expect(
      decideOffer(offer, '1.0.0', [{ slot: 'rootfs.1', at: '', reason: 'x', sha256: 'a'.repeat(64) }], 100).install,
    ).toBe(false)
    expect(decideOffer(offer, '1.0.0', [], 9).install).toBe(false)
    expect(decideOffer(offer, undefined, [], 100).install).toBe(true)
  })

  it('parses the offer strictly', () => {
    expect(parseOffer(JSON.stringify({ ...offer, sha256: 'A'.repeat(64) }))).toMatchObject({
      ok: true,
      offer: { sha256: 'a'.repeat(64) },
    })
    for (const broken of [
      '[]',
      'x',
      JSON.stringify({ ...offer, size: 1.5 }),
      JSON.stringify({ ...offer, sha256: 'ab' }),
      JSON.stringify({ ...offer, version: '' }),
    ])
      expect(parseOffer(broken).ok).toBe(false)
  })

  it('reads Retry-After as seconds or an HTTP date, at most a day; backs off 5 min doubling to 6 h', () => {
    const now = Date.parse('2026-12-01T10:00:00Z')
    expect(parseRetryAfter('120', now)).toBe(120_000)
    expect(parseRetryAfter('Tue, 01 Dec 2026 10:02:00 GMT', now)).toBe(120_000)
    expect(parseRetryAfter('99999999', now)).toBe(24 * 3600_000)
    expect(parseRetryAfter('soon', now)).toBeUndefined()
    expect([1, 2, 3, 10, 100].map(backoffMs)).toEqual([300_000, 600_000, 1_200_000, 6 * 3600_000, 6 * 3600_000])
  })
})

describe('RAUC status and boot environment', () => {
  it('reads the booted slot, its bundle version and hash from rauc’s JSON', () => {
    const r = parseRaucStatus(
      raucStatusJson({ booted: 'B', primary: 'B', A: { version: '1.0.0' }, B: { version: '1.1.0', hash: 'h' } }),
    )
    expect(r).toMatchObject({
      ok: true,
      status: {
        booted: { name: 'rootfs.1', bootname: 'B', version: '1.1.0', bundleHash: 'h', bootStatus: 'good' },
        bootPrimary: 'rootfs.1',
      },
    })
    expect(parseRaucStatus('{"slots":[]}')).toMatchObject({ ok: false })
    expect(parseRaucStatus('not json')).toMatchObject({ ok: false })
  })

  it('read-back: the counter at its maximum and the slot the one U-Boot boots next', () => {
    const env = (text: string) => parseBootEnv(text)
    expect(checkBootEnv(env('BOOT_ORDER=B A\nBOOT_B_LEFT=3\n'), 'B', 3)).toBeUndefined()
    expect(checkBootEnv(env('BOOT_ORDER=B A\nBOOT_B_LEFT=0\nBOOT_A_LEFT=3\n'), 'A', 3)).toBeUndefined()
    expect(checkBootEnv(env('BOOT_ORDER=B A\nBOOT_B_LEFT=1\nBOOT_A_LEFT=3\n'), 'A', 3)).toContain('puts B before A')
    expect(checkBootEnv(env('BOOT_ORDER=A\nBOOT_A_LEFT=0\nBOOT_B_LEFT=3\n'), 'B', 3)).toContain('does not contain B')
    expect(checkBootEnv(env('BOOT_ORDER=B A\n'), 'B', 3)).toContain('not set')
    expect(checkBootEnv(env('BOOT_ORDER=B A\nBOOT_B_LEFT=2\n'), 'B', 3)).toContain('is 2, not 3')
  })

  it('a bundle is identified by RAUC’s hash, else by version; two slots without bundle data are the same', () => {
    expect(sameBundle({ bundleHash: 'x', version: '1' }, { bundleHash: 'y', version: '1' })).toBe(false)
    expect(sameBundle({ version: '1' }, { bundleHash: 'y', version: '1' })).toBe(true)
    expect(sameBundle({}, {})).toBe(true)
    expect(sameBundle({}, { version: '1' })).toBe(false)
  })
})

describe('health checks', () => {
  it('plans dnsmasq, chronyd, the LAN gateway, a WAN address and each required container in its scope', () => {
    const checks = planHealthChecks({
      healthRequired: ['web', 'db', 'ghost'],
      quadletRuntime: {
        app_user: 'appsvc',
        units: [
          { name: 'web', filename: 'web.container', service: 'web.service', mode: 'rootless' },
          { name: 'db', filename: 'db.container', service: 'db.service', mode: 'rootful' },
          { name: 'ghost', filename: 'ghost.volume', service: 'ghost-volume.service', mode: 'rootful' },
        ],
      },
      lanSettings: { gateway_ip: '10.1.2.1' },
    })
    expect(checks.map((c) => c.name)).toEqual([
      'unit:dnsmasq.service',
      'unit:chronyd.service',
      'lan_gateway',
      'wan_address',
      'container:web',
      'container:db',
      'container:ghost',
    ])
    expect(checks[2]).toMatchObject({ address: '10.1.2.1', iface: 'eth1' })
    expect(checks[4]).toMatchObject({ scope: { user: 'appsvc' } })
    expect(checks[5]).toMatchObject({ scope: 'system' })
    expect(checks[6]).toMatchObject({ kind: 'broken' })
  })

  it('judges unit states and addresses from the programs’ output', () => {
    const [dnsmasq, , lan, wan] = planHealthChecks({})
    expect(judgeCheck(dnsmasq!, { exitCode: 0, stdout: 'active\n' }).ok).toBe(true)
    expect(judgeCheck(dnsmasq!, { exitCode: 3, stdout: 'activating\n' })).toMatchObject({
      ok: false,
      detail: 'dnsmasq.service is activating',
    })
    expect(
      judgeCheck(dnsmasq!, { exitCode: null, stdout: '', error: 'systemctl: not found on PATH' }).detail,
    ).toContain('not found')
    expect(judgeCheck(lan!, { exitCode: 0, stdout: ipAddrJson('eth1', ['172.20.30.1']) }).ok).toBe(true)
    expect(judgeCheck(lan!, { exitCode: 0, stdout: ipAddrJson('eth1', ['172.20.30.2']) }).ok).toBe(false)
    expect(judgeCheck(wan!, { exitCode: 0, stdout: ipAddrJson('eth0', []) }).ok).toBe(false)
    expect(judgeCheck(wan!, { exitCode: 0, stdout: ipAddrJson('eth0', ['198.51.100.4']) }).ok).toBe(true)
    expect(judgeCheck(wan!, { exitCode: 1, stdout: '' }).ok).toBe(false)
    expect(judgeCheck(wan!, { exitCode: 0, stdout: 'garbage' }).ok).toBe(false)
  })
})
