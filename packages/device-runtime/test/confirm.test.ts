import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { ConfirmPolicy } from '../src/confirm/decide.js'
import { runConfirm } from '../src/confirm/run.js'
import { readBootJournal } from '../src/journal/journal.js'
import { readSlotRecord, type SlotRecord } from '../src/journal/slots.js'
import { nodeFiles } from '../src/node/files.js'
import { DeviceFake, FakeClock, ipAddrJson, RecordingLog, raucStatusJson } from './support/device-fake.js'

const OLD = { version: '1.0.0', hash: 'a'.repeat(64) }
const NEW = { version: '1.1.0', hash: 'b'.repeat(64) }
const MARK_GOOD = 'rauc status mark-good booted'
const POLICY: ConfirmPolicy = { windowMs: 60_000, intervalMs: 5_000, deadlineMs: 60_000 }

let fake: DeviceFake
let clock: FakeClock
let log: RecordingLog

const active = { stdout: 'active\n', code: 0 }
const failed = { stdout: 'failed\n', code: 3 }
const wanUp = { stdout: ipAddrJson('eth0', ['203.0.113.7']) }
const wanDown = { stdout: ipAddrJson('eth0', []) }

/** A healthy device booted on B (the new bundle) with A committed in the record. */
function healthyTrial(): void {
  fake.answer(['rauc', 'status', '--detailed', '--output-format=json'], {
    stdout: raucStatusJson({ booted: 'B', A: OLD, B: { ...NEW, bootStatus: 'good' } }),
  })
  fake.answer(['systemctl', 'is-active', 'dnsmasq.service'], active)
  fake.answer(['systemctl', 'is-active', 'chronyd.service'], active)
  fake.answer(['systemctl', '--user', '-M', 'appsvc@', 'is-active', 'myapp.service'], active)
  fake.answer(['ip', '-j', 'addr', 'show', 'dev', 'eth1'], { stdout: ipAddrJson('eth1', ['172.20.30.1']) })
  fake.answer(['ip', '-j', 'addr', 'show', 'dev', 'eth0'], wanUp)
  fake.answer(['rauc', 'status', 'mark-good', 'booted'], { stdout: 'rauc status: marked slot rootfs.1 as good\n' })
  fake.answer(['rauc', 'status', 'mark-bad', 'booted'], { stdout: 'rauc status: marked slot rootfs.1 as bad\n' })
  fake.answer(['rauc', 'status', 'mark-bad', 'rootfs.1'], { stdout: 'rauc status: marked slot rootfs.1 as bad\n' })
  fake.answer(['fw_printenv'], { stdout: 'BOOT_ORDER=B A\nBOOT_A_LEFT=3\nBOOT_B_LEFT=3\nbootdelay=2\n' })
  fake.answer(['reboot'], {})
}

function writeRecord(record: SlotRecord): void {
  mkdirSync(join(fake.data, 'state'), { recursive: true })
  writeFileSync(join(fake.data, 'state', 'slots.json'), JSON.stringify(record))
}

const committedA: SlotRecord = {
  committed: [{ slot: 'rootfs.0', at: '2026-11-01T00:00:00.000Z', version: OLD.version, bundleHash: OLD.hash }],
  rolledBack: [],
}

const confirm = (policy = POLICY) =>
  runConfirm(
    { files: nodeFiles, exec: fake.exec, clock, log },
    { dataDir: fake.data, policy, bootIdPath: fake.bootIdFile, bootAttempts: 3 },
  )

/** How many times each health round ran before `line` (counted by the dnsmasq check), or -1 without `line`. */
function roundsBefore(line: string): number {
  const calls = fake.calls()
  const at = calls.indexOf(line)
  if (at < 0) return -1
  return calls.slice(0, at).filter((c) => c === 'systemctl is-active dnsmasq.service').length
}

beforeEach(async () => {
  fake = new DeviceFake()
  clock = new FakeClock()
  log = new RecordingLog()
  await fake.provision()
  healthyTrial()
})
afterEach(() => fake.remove())

describe('atomicnix confirm: a slot on trial', () => {
  it('RAUC calling the slot good is not trusted: healthy → mark-good only after the 60 s window, then read back', async () => {
    writeRecord(committedA)
    expect(await confirm()).toBe('committed')
    // Rounds at 0, 5, ..., 60 s: the 13th round completes the window.
    expect(roundsBefore(MARK_GOOD)).toBe(13)
    const calls = fake.calls()
    expect(calls.indexOf('fw_printenv')).toBeGreaterThan(calls.indexOf(MARK_GOOD))
    expect(calls).not.toContain('reboot')
    const record = await readSlotRecord(nodeFiles, fake.data)
    expect(record.committed.map((c) => [c.slot, c.version, c.bundleHash])).toEqual([
      ['rootfs.0', OLD.version, OLD.hash],
      ['rootfs.1', NEW.version, NEW.hash],
    ])
    const journal = await readBootJournal(nodeFiles, fake.data)
    expect(journal.at(-1)).toMatchObject({ slot: 'rootfs.1', version: NEW.version, outcome: 'committed' })
  })

  it('a flap restarts the window', async () => {
    writeRecord(committedA)
    // Healthy at 0..15 s, the container fails at 20 s, healthy again from 25 s: committed at 85 s (round 18).
    fake.answer(
      ['systemctl', '--user', '-M', 'appsvc@', 'is-active', 'myapp.service'],
      active,
      active,
      active,
      active,
      failed,
      active,
    )
    expect(await confirm()).toBe('committed')
    expect(roundsBefore(MARK_GOOD)).toBe(18)
    expect(log.has('health window restarts')).toBe(true)
    const journal = await readBootJournal(nodeFiles, fake.data)
    expect(journal.map((r) => r.outcome)).toEqual(['failed_check', 'committed'])
    expect(journal[0]?.detail).toContain('container:myapp')
  })

  it('a check that only fails (exit 3) → past the deadline mark-bad and reboot, the bundle recorded as rolled back', async () => {
    writeRecord(committedA)
    fake.answer(['systemctl', '--user', '-M', 'appsvc@', 'is-active', 'myapp.service'], failed)
    expect(await confirm()).toBe('marked_bad')
    const calls = fake.calls()
    expect(calls).not.toContain(MARK_GOOD)
    expect(calls.slice(-2)).toEqual(['rauc status mark-bad booted', 'reboot'])
    // Rounds at 0..60 s: the round at the deadline gives up.
    expect(roundsBefore('rauc status mark-bad booted')).toBe(13)
    const record = await readSlotRecord(nodeFiles, fake.data)
    expect(record.committed.map((c) => c.slot)).toEqual(['rootfs.0'])
    expect(record.rolledBack).toMatchObject([{ slot: 'rootfs.1', version: NEW.version, bundleHash: NEW.hash }])
    const journal = await readBootJournal(nodeFiles, fake.data)
    expect(journal.at(-1)).toMatchObject({ outcome: 'marked_bad', slot: 'rootfs.1' })
    expect(journal.at(-1)?.detail).toContain('myapp.service is failed')
    expect(log.lines.some((l) => l.level === 'error' && l.message.includes('marking it bad'))).toBe(true)
  })

  it('without a committed slot to fall back to, the deadline keeps the slot uncommitted instead of marking it bad', async () => {
    fake.answer(['systemctl', 'is-active', 'chronyd.service'], failed)
    expect(await confirm()).toBe('kept_uncommitted')
    expect(fake.calls()).not.toContain('rauc status mark-bad booted')
    expect(fake.calls()).not.toContain('reboot')
    expect((await readSlotRecord(nodeFiles, fake.data)).committed).toEqual([])
  })

  it('a rootless unit is checked in appsvc’s user manager, a rootful one in the system manager', async () => {
    writeRecord(committedA)
    expect(await confirm()).toBe('committed')
    expect(fake.calls()).toContain('systemctl --user -M appsvc@ is-active myapp.service')
    expect(fake.calls()).not.toContain('systemctl is-active myapp.service')

    await fake.provision((files) => {
      const runtime = JSON.parse(files.get('quadlet-runtime.json') ?? '{}')
      runtime.units[0].mode = 'rootful'
      files.set('quadlet-runtime.json', JSON.stringify(runtime))
    })
    fake.answer(['systemctl', 'is-active', 'myapp.service'], active)
    writeRecord(committedA)
    fake.clearCalls()
    expect(await confirm()).toBe('committed')
    expect(fake.calls()).toContain('systemctl is-active myapp.service')
    expect(fake.calls()).not.toContain('systemctl --user -M appsvc@ is-active myapp.service')
  })

  it('mark-good that exits 0 but did not reach the environment (read-back mismatch) → not recorded as committed', async () => {
    writeRecord(committedA)
    fake.answer(['fw_printenv'], { stdout: 'BOOT_ORDER=B A\nBOOT_A_LEFT=3\nBOOT_B_LEFT=2\n' })
    expect(await confirm()).toBe('mark_good_failed')
    const record = await readSlotRecord(nodeFiles, fake.data)
    expect(record.committed.map((c) => c.slot)).toEqual(['rootfs.0'])
    const journal = await readBootJournal(nodeFiles, fake.data)
    expect(journal.at(-1)).toMatchObject({ outcome: 'failed_check' })
    expect(journal.at(-1)?.detail).toContain('BOOT_B_LEFT is 2, not 3')
    // A slot that U-Boot would not boot first is a mismatch too.
    fake.answer(['fw_printenv'], { stdout: 'BOOT_ORDER=A B\nBOOT_A_LEFT=3\nBOOT_B_LEFT=3\n' })
    expect(await confirm()).toBe('mark_good_failed')
    expect((await readBootJournal(nodeFiles, fake.data)).at(-1)?.detail).toContain('puts A before B')
  })
})

describe('atomicnix confirm: a committed slot', () => {
  it('already committed → the counter is reset once the services are up, nothing else', async () => {
    writeRecord({
      ...committedA,
      committed: [
        ...committedA.committed,
        { slot: 'rootfs.1', at: '2026-11-02T00:00:00.000Z', version: NEW.version, bundleHash: NEW.hash },
      ],
    })
    expect(await confirm()).toBe('counter_reset')
    const calls = fake.calls()
    expect(roundsBefore(MARK_GOOD)).toBe(1)
    expect(calls.filter((c) => c.startsWith('rauc status mark'))).toEqual([MARK_GOOD])
    expect(calls.at(-1)).toBe('fw_printenv')
    expect(calls).not.toContain('reboot')
    const journal = await readBootJournal(nodeFiles, fake.data)
    expect(journal).toMatchObject([
      { outcome: 'committed', slot: 'rootfs.1', detail: 'already committed: counter reset' },
    ])
  })

  it('a different bundle in a committed slot is on trial again (the record keys on the bundle hash)', async () => {
    writeRecord({
      ...committedA,
      committed: [
        ...committedA.committed,
        { slot: 'rootfs.1', at: '2026-11-02T00:00:00.000Z', version: '1.0.5', bundleHash: 'c'.repeat(64) },
      ],
    })
    expect(await confirm()).toBe('committed')
    expect(roundsBefore(MARK_GOOD)).toBe(13)
  })

  it('WAN down on both the committed and the new slot → the new slot is still committed', async () => {
    // Boot 1: A committed, the uplink is down.
    fake.answer(['rauc', 'status', '--detailed', '--output-format=json'], {
      stdout: raucStatusJson({ booted: 'A', A: OLD }),
    })
    fake.answer(['fw_printenv'], { stdout: 'BOOT_ORDER=A B\nBOOT_A_LEFT=3\nBOOT_B_LEFT=3\n' })
    fake.answer(['ip', '-j', 'addr', 'show', 'dev', 'eth0'], wanDown)
    writeRecord(committedA)
    expect(await confirm()).toBe('counter_reset')
    expect((await readSlotRecord(nodeFiles, fake.data)).baseline?.failing).toEqual(['wan_address'])
    // Boot 2: B installed and booted, the uplink still down.
    healthyTrial()
    fake.answer(['ip', '-j', 'addr', 'show', 'dev', 'eth0'], wanDown)
    fake.boot('0b5e1d2c-0000-4000-8000-000000000002')
    expect(await confirm()).toBe('committed')
    expect(log.has('do not count against this slot')).toBe(true)
    expect((await readSlotRecord(nodeFiles, fake.data)).committed.map((c) => c.slot)).toEqual(['rootfs.0', 'rootfs.1'])
  })

  it('WAN down only on the new slot counts against it', async () => {
    writeRecord(committedA)
    fake.answer(['ip', '-j', 'addr', 'show', 'dev', 'eth0'], wanDown)
    expect(await confirm()).toBe('marked_bad')
    expect((await readBootJournal(nodeFiles, fake.data)).at(-1)?.detail).toContain('no global address on eth0')
  })

  it('a trial whose slot did not boot (U-Boot fell back) is recorded as rolled back and marked bad', async () => {
    fake.answer(['rauc', 'status', '--detailed', '--output-format=json'], {
      stdout: raucStatusJson({ booted: 'A', primary: 'A', A: OLD, B: { ...NEW, bootStatus: 'bad' } }),
    })
    fake.answer(['fw_printenv'], { stdout: 'BOOT_ORDER=B A\nBOOT_A_LEFT=3\nBOOT_B_LEFT=0\n' })
    writeRecord({
      ...committedA,
      trial: {
        slot: 'rootfs.1',
        installedInBoot: 'earlier-boot-id-0000',
        at: '2026-12-01T09:00:00.000Z',
        version: NEW.version,
        sha256: 'd'.repeat(64),
      },
    })
    expect(await confirm()).toBe('counter_reset')
    const record = await readSlotRecord(nodeFiles, fake.data)
    expect(record.trial).toBeUndefined()
    expect(record.rolledBack).toMatchObject([{ slot: 'rootfs.1', version: NEW.version, sha256: 'd'.repeat(64) }])
    expect(fake.calls()).toContain('rauc status mark-bad rootfs.1')
    const journal = await readBootJournal(nodeFiles, fake.data)
    expect(journal.map((r) => r.outcome)).toEqual(['rolled_back', 'committed'])
  })
})

describe('boot journal', () => {
  it('survives a torn last line: it is skipped on reading and the next record starts on its own line', async () => {
    writeRecord(committedA)
    mkdirSync(join(fake.data, 'state'), { recursive: true })
    const path = join(fake.data, 'state', 'boot-journal.jsonl')
    writeFileSync(path, '{"bootId":"x","time":"t","slot":"rootfs.0","outcome":"committed"}\n{"bootId":"y","ti')
    expect(await readBootJournal(nodeFiles, fake.data)).toHaveLength(1)
    expect(await confirm()).toBe('committed')
    const journal = await readBootJournal(nodeFiles, fake.data)
    expect(journal.map((r) => r.outcome)).toEqual(['committed', 'committed'])
    expect(readFileSync(path, 'utf8').split('\n')[1]).toBe('{"bootId":"y","ti')
    expect(await readBootJournal(nodeFiles, fake.data, 1)).toHaveLength(1)
    expect(existsSync(path)).toBe(true)
  })
})
