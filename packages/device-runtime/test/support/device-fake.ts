/**
 * A fake device for the confirm and upgrade tests: recording programs on PATH (rauc, fw_printenv, systemctl, ip,
 * reboot) that log their argv and answer from a scenario directory, a fake clock, a recording log, and a data
 * directory holding the seed's rendered config as the current generation.
 */
import { createHash } from 'node:crypto'
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { compileDevice } from '../../src/compile.js'
import { openGenerations } from '../../src/generations/store.js'
import { nodeClock } from '../../src/node/clock.js'
import { nodeExec } from '../../src/node/exec.js'
import { nodeFiles } from '../../src/node/files.js'
import type { Clock, Exec, Log, LogFields } from '../../src/ports.js'

const PROGRAMS = ['rauc', 'fw_printenv', 'systemctl', 'ip', 'reboot']

// One bash script for every program (builtins only, to keep each call cheap): logs "name args..." and answers the
// Nth call of the same argv from answers/<key>.<N>.{out,code}, else answers/<key>.default.{out,code}; no answer is
// exit 127.
const SCRIPT = `#!/usr/bin/env bash
d="$ATOMICNIX_FAKE_DIR"
line="\${0##*/}"
for a in "$@"; do line="$line $a"; done
printf '%s\\n' "$line" >> "$d/calls.log"
if [[ "\${0##*/} $1" == "rauc install" && -f "$2" ]]; then sha256sum "$2" >> "$d/installed.log"; fi
key="\${line//[^A-Za-z0-9._-]/_}"
n=0
[[ -f "$d/count/$key" ]] && read -r n < "$d/count/$key"
n=$((n + 1))
printf '%s\\n' "$n" > "$d/count/$key"
if [[ -f "$d/answers/$key.$n.code" ]]; then p="$d/answers/$key.$n"
elif [[ -f "$d/answers/$key.default.code" ]]; then p="$d/answers/$key.default"
else printf 'fake: no answer for: %s\\n' "$line" >&2; exit 127; fi
out=''
IFS= read -r -d '' out < "$p.out"
printf '%s' "$out"
read -r code < "$p.code"
exit "$code"
`

/** One answer of a recording program. */
export interface Reply {
  readonly stdout?: string
  readonly code?: number
}

const keyOf = (argv: readonly string[]) => argv.join(' ').replace(/[^A-Za-z0-9._-]/g, '_')

/** Recording programs in a temporary bin directory, and an Exec that finds them first on PATH. */
export class DeviceFake {
  readonly dir = mkdtempSync(join(tmpdir(), 'anx-device-'))
  readonly bin = join(this.dir, 'bin')
  readonly data = join(this.dir, 'data')
  readonly bootIdFile = join(this.dir, 'boot_id')
  readonly macFile = join(this.dir, 'address')
  readonly exec: Exec

  constructor() {
    for (const sub of ['bin', 'answers', 'count']) mkdirSync(join(this.dir, sub), { recursive: true })
    writeFileSync(join(this.dir, 'calls.log'), '')
    const script = join(this.bin, 'fake-program')
    writeFileSync(script, SCRIPT)
    chmodSync(script, 0o755)
    for (const name of PROGRAMS) symlinkSync(script, join(this.bin, name))
    const env = { PATH: `${this.bin}:${process.env.PATH ?? ''}`, ATOMICNIX_FAKE_DIR: this.dir }
    this.exec = { run: (argv, options) => nodeExec.run(argv, { ...options, env: { ...options.env, ...env } }) }
    this.boot('0b5e1d2c-0000-4000-8000-000000000001')
    writeFileSync(this.macFile, '02:AB:cd:00:11:22\n')
  }

  /** The environment that puts the recording programs first on PATH (for the built CLI). */
  get env(): Record<string, string> {
    return { PATH: `${this.bin}:${process.env.PATH ?? ''}`, ATOMICNIX_FAKE_DIR: this.dir }
  }

  /** Sets this boot's id. */
  boot(id: string): void {
    writeFileSync(this.bootIdFile, `${id}\n`)
  }

  /** Answers an argv with these replies in turn; the last one repeats. Replaces earlier answers for it. */
  answer(argv: readonly string[], ...replies: Reply[]): void {
    const key = keyOf(argv)
    rmSync(join(this.dir, 'count', key), { force: true })
    for (let i = 1; i <= 1000; i++) {
      rmSync(join(this.dir, 'answers', `${key}.${i}.code`), { force: true })
      if (i > replies.length + 1) break
    }
    const write = (name: string, reply: Reply) => {
      writeFileSync(join(this.dir, 'answers', `${key}.${name}.out`), reply.stdout ?? '')
      writeFileSync(join(this.dir, 'answers', `${key}.${name}.code`), String(reply.code ?? 0))
    }
    for (const [i, reply] of replies.entries()) write(String(i + 1), reply)
    write('default', replies[replies.length - 1] ?? {})
  }

  /** Every call so far, one "program args..." line each. */
  calls(): string[] {
    return readFileSync(join(this.dir, 'calls.log'), 'utf8').split('\n').filter(Boolean)
  }

  /** The `sha256sum` lines of the bundles `rauc install` was given (recorded while the file existed). */
  installed(): string[] {
    try {
      return readFileSync(join(this.dir, 'installed.log'), 'utf8').split('\n').filter(Boolean)
    } catch {
      return []
    }
  }

  /** Clears the call log (answers stay). */
  clearCalls(): void {
    writeFileSync(join(this.dir, 'calls.log'), '')
  }

  /** Writes the seed's device files as a new current generation (the generation store's own way); `edit` may change them. */
  async provision(edit: (files: Map<string, string>) => void = () => undefined): Promise<void> {
    const seed = readFileSync(new URL('../../../../examples/seed/config.toml', import.meta.url), 'utf8')
    const compiled = compileDevice(seed, {})
    if (!compiled.ok) throw new Error('the seed does not compile')
    const files = new Map<string, string>()
    for (const f of compiled.value.files)
      if (f.path.startsWith('data/config/'))
        files.set(
          f.path.slice('data/config/'.length),
          typeof f.contents === 'string' ? f.contents : new TextDecoder().decode(f.contents),
        )
    edit(files)
    const quiet = { info: () => undefined, warn: () => undefined, error: () => undefined }
    await openGenerations({ files: nodeFiles, clock: nodeClock, log: quiet }, this.data).create({
      files: [...files].map(([path, contents]) => ({ path, contents, mode: 0o600 })),
      directories: [],
      source: { kind: 'cli', sha256: createHash('sha256').update(seed).digest('hex') },
    })
  }

  /** Removes everything. */
  remove(): void {
    rmSync(this.dir, { recursive: true, force: true })
  }
}

/** A clock whose sleep advances time at once. */
export class FakeClock implements Clock {
  private t = 0
  constructor(private readonly wall = Date.parse('2026-12-01T10:00:00.000Z')) {}
  now(): number {
    return this.wall + this.t
  }
  monotonic(): number {
    return this.t
  }
  sleep(ms: number): Promise<void> {
    this.t += ms
    return Promise.resolve()
  }
  /** Moves time forward without a sleep (between runs). */
  advance(ms: number): void {
    this.t += ms
  }
}

/** A log that keeps its lines. */
export class RecordingLog implements Log {
  readonly lines: { level: string; message: string; fields: LogFields }[] = []
  info(message: string, fields: LogFields = {}): void {
    this.lines.push({ level: 'info', message, fields })
  }
  warn(message: string, fields: LogFields = {}): void {
    this.lines.push({ level: 'warn', message, fields })
  }
  error(message: string, fields: LogFields = {}): void {
    this.lines.push({ level: 'error', message, fields })
  }
  /** Whether a line's message contains `text`. */
  has(text: string): boolean {
    return this.lines.some((l) => l.message.includes(text))
  }
}

/** One slot of the RAUC status fixture. */
export interface FakeSlot {
  readonly version?: string
  readonly hash?: string
  readonly bootStatus?: 'good' | 'bad'
}

/**
 * `rauc status --detailed --output-format=json` as rauc 1.8+ prints it (`r_status_formatter_json`): two rootfs
 * slots `rootfs.0` (bootname A) and `rootfs.1` (bootname B).
 */
export function raucStatusJson(options: {
  booted: 'A' | 'B'
  primary?: 'A' | 'B'
  A?: FakeSlot
  B?: FakeSlot
}): string {
  const slot = (bootname: 'A' | 'B', index: number, s: FakeSlot | undefined) => ({
    [`rootfs.${index}`]: {
      class: 'rootfs',
      device: `/dev/mmcblk1p${index + 2}`,
      type: 'raw',
      bootname,
      state: options.booted === bootname ? 'booted' : 'inactive',
      parent: null,
      mountpoint: options.booted === bootname ? '/' : null,
      boot_status: s?.bootStatus ?? 'good',
      slot_status: {
        bundle: {
          compatible: 'atomicnix-rock64',
          ...(s?.version === undefined ? {} : { version: s.version }),
          ...(s?.hash === undefined ? {} : { hash: s.hash }),
        },
        checksum: { sha256: 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855', size: 268435456 },
        installed: { timestamp: '2026-11-30T10:00:00Z', count: 1 },
        activated: { timestamp: '2026-11-30T10:00:05Z', count: 1 },
        status: 'ok',
      },
    },
  })
  const primary = options.primary ?? options.booted
  return JSON.stringify({
    compatible: 'atomicnix-rock64',
    variant: '',
    booted: options.booted,
    boot_primary: primary === 'A' ? 'rootfs.0' : 'rootfs.1',
    slots: [slot('A', 0, options.A), slot('B', 1, options.B)],
  })
}

/** `ip -j addr show dev X` with these IPv4 addresses (scope global). */
export function ipAddrJson(ifname: string, addresses: readonly string[]): string {
  return JSON.stringify([
    {
      ifindex: ifname === 'eth0' ? 2 : 3,
      ifname,
      flags: ['BROADCAST', 'MULTICAST', 'UP', 'LOWER_UP'],
      mtu: 1500,
      qdisc: 'mq',
      operstate: 'UP',
      group: 'default',
      txqlen: 1000,
      link_type: 'ether',
      address: '02:ab:cd:00:11:22',
      broadcast: 'ff:ff:ff:ff:ff:ff',
      addr_info: [
        ...addresses.map((local) => ({
          family: 'inet',
          local,
          prefixlen: 24,
          scope: 'global',
          label: ifname,
          valid_life_time: 4294967295,
          preferred_life_time: 4294967295,
        })),
        {
          family: 'inet6',
          local: 'fe80::ab:cdff:fe00:1122',
          prefixlen: 64,
          scope: 'link',
          valid_life_time: 4294967295,
          preferred_life_time: 4294967295,
        },
      ],
    },
  ])
}
