import { spawnSync } from 'node:child_process'
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { DeviceFake, ipAddrJson, raucStatusJson } from './support/device-fake.js'

const CLI = fileURLToPath(new URL('../dist/cli.js', import.meta.url))

function atomicnix(args: string[], env: Record<string, string> = {}) {
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', env: { ...process.env, ...env } })
  return { code: r.status, stdout: r.stdout, stderr: r.stderr }
}

beforeAll(() => {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run "npm run build" first (npm test does)`)
})

let fake: DeviceFake
beforeEach(() => {
  fake = new DeviceFake()
})
afterEach(() => fake.remove())

const state = (name: string, text: string) => {
  mkdirSync(join(fake.data, 'state'), { recursive: true })
  writeFileSync(join(fake.data, 'state', name), text)
}

describe('atomicnix status', () => {
  it('shows the current generation, the last apply and the boot journal, newest last', async () => {
    await fake.provision()
    const id = readdirSync(join(fake.data, 'generations')).find((n) => /^g\d+-/.test(n)) ?? ''
    state(
      'boot-journal.jsonl',
      `${[
        {
          bootId: '11111111-aaaa',
          time: '2026-12-01T08:00:00.000Z',
          slot: 'rootfs.1',
          version: '1.1.0',
          outcome: 'trial',
        },
        {
          bootId: '22222222-bbbb',
          time: '2026-12-01T08:05:00.000Z',
          slot: 'rootfs.1',
          version: '1.1.0',
          outcome: 'committed',
          detail: 'healthy for 60 s',
        },
      ]
        .map((r) => JSON.stringify(r))
        .join('\n')}\n`,
    )
    state(
      'last-apply.json',
      JSON.stringify({
        ok: true,
        dryRun: false,
        started: '2026-12-01T08:06:00.000Z',
        runs: [{ generation: id, steps: [] }],
        future: 1,
      }),
    )
    const r = atomicnix(['status', '--data', fake.data])
    expect(r.code).toBe(0)
    expect(r.stdout).toMatch(new RegExp(`generation: ${id} \\(created \\d{4}-.*Z, from cli\\)`))
    expect(r.stdout).toContain(`last apply: ok at 2026-12-01T08:06:00.000Z, generation ${id}`)
    const lines = r.stdout.split('\n')
    expect(lines.findIndex((l) => l.includes(' trial'))).toBeLessThan(
      lines.findIndex((l) => l.includes(' committed: healthy')),
    )
    const json = JSON.parse(atomicnix(['status', '--data', fake.data, '--json']).stdout)
    expect(json.generation.id).toBe(id)
    expect(json.lastApply).toMatchObject({ ok: true, generations: [id] })
    expect(json.journal.map((x: { outcome: string }) => x.outcome)).toEqual(['trial', 'committed'])
    expect(
      JSON.parse(atomicnix(['status', '--data', fake.data, '--json', '--limit', '1']).stdout).journal,
    ).toHaveLength(1)
  })

  it('an empty device and an unreadable last apply are shown, not errors', () => {
    const empty = mkdtempSync(join(tmpdir(), 'anx-empty-'))
    try {
      const r = atomicnix(['status', '--data', empty])
      expect(r.code).toBe(0)
      expect(r.stdout).toContain('generation: none\nlast apply: none\n')
      expect(r.stdout).toContain('boot journal: empty')
      mkdirSync(join(empty, 'state'))
      writeFileSync(join(empty, 'state', 'last-apply.json'), '{"ok": tru')
      expect(atomicnix(['status', '--data', empty]).stdout).toContain('last apply: unreadable')
    } finally {
      rmSync(empty, { recursive: true, force: true })
    }
  })
})

describe('atomicnix upgrade and confirm (built CLI, recording programs on PATH)', () => {
  it('upgrade --once without os-upgrade.json exits 0 saying so', async () => {
    await fake.provision()
    const r = atomicnix(['upgrade', '--once', '--data', fake.data], fake.env)
    expect(r.code).toBe(0)
    expect(r.stdout).toBe('upgrade: not_configured\n')
    expect(r.stderr).toContain('OS upgrades are not configured')
  })

  it('upgrade --once with the server down exits 0 and logs the back-off', async () => {
    await fake.provision((files) => files.set('os-upgrade.json', JSON.stringify({ server_url: 'http://127.0.0.1:9' })))
    state('slots.json', JSON.stringify({ committed: [{ slot: 'rootfs.0', at: '', version: '1.0.0' }], rolledBack: [] }))
    fake.answer(['rauc', 'status', '--detailed', '--output-format=json'], {
      stdout: raucStatusJson({ booted: 'A', A: { version: '1.0.0' } }),
    })
    const r = atomicnix(
      ['upgrade', '--once', '--data', fake.data, '--boot-id-file', fake.bootIdFile, '--mac-file', fake.macFile],
      fake.env,
    )
    expect(r.code).toBe(0)
    expect(r.stdout).toBe('upgrade: failed\n')
    expect(r.stderr).toContain('the update server cannot be reached: backing off')
    expect(r.stderr).toContain('server_url is http://')
  })

  it('confirm commits a healthy trial, and rejects a bad duration with exit 2', async () => {
    await fake.provision()
    state('slots.json', JSON.stringify({ committed: [{ slot: 'rootfs.0', at: '', version: '1.0.0' }], rolledBack: [] }))
    fake.answer(['rauc', 'status', '--detailed', '--output-format=json'], {
      stdout: raucStatusJson({ booted: 'B', A: { version: '1.0.0' }, B: { version: '1.1.0' } }),
    })
    for (const unit of ['dnsmasq.service', 'chronyd.service'])
      fake.answer(['systemctl', 'is-active', unit], { stdout: 'active\n' })
    fake.answer(['systemctl', '--user', '-M', 'appsvc@', 'is-active', 'myapp.service'], { stdout: 'active\n' })
    fake.answer(['ip', '-j', 'addr', 'show', 'dev', 'eth1'], { stdout: ipAddrJson('eth1', ['172.20.30.1']) })
    fake.answer(['ip', '-j', 'addr', 'show', 'dev', 'eth0'], { stdout: ipAddrJson('eth0', ['203.0.113.9']) })
    fake.answer(['rauc', 'status', 'mark-good', 'booted'], {})
    fake.answer(['fw_printenv'], { stdout: 'BOOT_ORDER=B A\nBOOT_B_LEFT=3\n' })
    const args = ['confirm', '--data', fake.data, '--boot-id-file', fake.bootIdFile]
    const r = atomicnix([...args, '--window', '0s', '--interval', '1s', '--deadline', '10s'], fake.env)
    expect(r.stderr).toContain('slot committed')
    expect(r.code).toBe(0)
    expect(r.stdout).toBe('confirm: committed\n')
    const bad = atomicnix([...args, '--window', 'soon'], fake.env)
    expect(bad.code).toBe(2)
    expect(bad.stderr).toContain('--window must be a duration')
  })
})
