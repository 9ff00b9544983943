/**
 * The A/B boot logic of nix/lib in a real U-Boot: `qemuBootScript` compiled with mkimage and run by Debian's
 * u-boot-qemu on QEMU's `virt` board, from a disk laid out with `partitions`, with the boot-count environment in the
 * raw region of `ubootEnv`. Between boots Linux's side is Debian's fw_printenv/fw_setenv (libubootenv) on the disk
 * image file, through the fw_env.config that nix/lib writes. Each boot prints its decision on the serial console and
 * powers off; the test reads the decision from the console and the environment from the disk.
 */
import { spawnSync } from 'node:child_process'
import { closeSync, mkdtempSync, openSync, readSync, rmSync, writeFileSync, writeSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { nixLib, runOk } from './support/nix.js'
import { describeSystem } from './support/system.js'

const UBOOT = '/usr/lib/u-boot/qemu_arm64/u-boot.bin'

interface Partition {
  name: string
  number: number
  start: number
  size: number
  startSector: number
  sizeSectors: number
  fs: string
  bootable: boolean
  bootname: string | null
}
interface Partitions {
  diskBytes: number
  table: Partition[]
  byName: Record<string, Partition>
  sfdisk: string
}
interface UbootEnv {
  offset: number
  redundOffset: number
  size: number
  defaults: Record<string, string>
  fwEnvConfig: string
}

/** The decision a boot printed on the serial console. */
interface Decision {
  slot: string
  bootpart: string
  order: string
  aLeft: string
  bLeft: string
  committed: string
  envRead: string
  envWritten: string
  bootargs: string
  kernelBytes: string | undefined
  console: string
}

const DECISION =
  /atomicnix: decision slot=(\S*) bootpart=(\S*) BOOT_ORDER=(.*) BOOT_A_LEFT=(\S*) BOOT_B_LEFT=(\S*) BOOT_COMMITTED=(\S*) env_read=(\S+) env_written=(\S+)/

function parseConsole(text: string): Decision {
  const m = DECISION.exec(text)
  if (!m) throw new Error(`no decision on the serial console:\n${text.slice(-3000)}`)
  const bootargs = /atomicnix: bootargs (.*)/.exec(text)?.[1]?.trim() ?? ''
  const kernel = /kernel of slot \S+ loaded from partition \S+, (\S+) bytes/.exec(text)?.[1]
  return {
    slot: m[1]!,
    bootpart: m[2]!,
    order: m[3]!.trim(),
    aLeft: m[4]!,
    bLeft: m[5]!,
    committed: m[6]!,
    envRead: m[7]!,
    envWritten: m[8]!,
    bootargs,
    kernelBytes: kernel,
    console: text,
  }
}

describeSystem(
  'A/B boot script in U-Boot on QEMU virt',
  {
    commands: [
      'nix-instantiate',
      'mkimage',
      'mkenvimage',
      'qemu-system-aarch64',
      'fw_printenv',
      'fw_setenv',
      'sfdisk',
      'mkfs.vfat',
      'mcopy',
    ],
    files: [UBOOT],
  },
  () => {
    let dir: string
    let disk: string
    let fwConfig: string
    let parts: Partitions
    let env: UbootEnv
    // Dummy kernels of different sizes show which boot partition the script loaded from.
    const kernelSize: Record<string, number> = { A: 1000, B: 2000 }
    const slotInit = (slot: string) => `init=/nix/store/system-${slot.toLowerCase()}/init`

    beforeAll(() => {
      dir = mkdtempSync(join(tmpdir(), 'atomicnix-uboot-'))
      disk = join(dir, 'disk.img')
      parts = nixLib<Partitions>('partitions')
      env = nixLib<UbootEnv>('ubootEnv', { str: { envDevice: disk } })
      fwConfig = join(dir, 'fw_env.config')
      writeFileSync(fwConfig, env.fwEnvConfig)

      const script = join(dir, 'boot.txt')
      writeFileSync(script, nixLib<string>('qemuBootScript'))
      runOk('mkimage', [
        '-A',
        'arm64',
        '-O',
        'linux',
        '-T',
        'script',
        '-C',
        'none',
        '-d',
        script,
        join(dir, 'boot.scr'),
      ])

      // The whole 16 GB eMMC layout as a sparse file, partitioned by the sfdisk script of nix/lib.
      writeFileSync(disk, '')
      runOk('truncate', ['-s', String(parts.diskBytes), disk])
      runOk('sfdisk', ['--quiet', disk], { input: parts.sfdisk })
      for (const slot of ['A', 'B']) {
        const p = parts.byName[`boot-${slot.toLowerCase()}`]!
        runOk('mkfs.vfat', ['-F', '16', '-n', `BOOT_${slot}`, `--offset=${p.startSector}`, disk, String(p.size / 1024)])
        const kernel = join(dir, `Image-${slot}`)
        writeFileSync(kernel, Buffer.alloc(kernelSize[slot]!, slot))
        // The slot's boot.env, as nix/image.nix writes it: the rest of that slot's command line.
        const bootEnv = join(dir, `boot-${slot}.env`)
        writeFileSync(bootEnv, `ab_extra=${slotInit(slot)} panic=10\n`)
        for (const [src, dst] of [
          [join(dir, 'boot.scr'), '::boot.scr'],
          [kernel, '::Image'],
          [bootEnv, '::boot.env'],
        ] as const) {
          runOk('mcopy', ['-i', `${disk}@@${p.start}`, src, dst])
        }
      }

      // A freshly flashed environment: the defaults of nix/lib in both copies, as the image build writes them.
      const envText = join(dir, 'env.txt')
      writeFileSync(
        envText,
        Object.entries(env.defaults)
          .map(([k, v]) => `${k}=${v}\n`)
          .join(''),
      )
      const envBin = join(dir, 'env.bin')
      runOk('mkenvimage', ['-r', '-s', String(env.size), '-o', envBin, envText])
      const blob = readRegion(envBin, 0, env.size)
      writeRegion(disk, env.offset, blob)
      writeRegion(disk, env.redundOffset, blob)
    })

    afterAll(() => {
      if (dir) rmSync(dir, { recursive: true, force: true })
    })

    function readRegion(file: string, offset: number, length: number): Buffer {
      const fd = openSync(file, 'r')
      try {
        const buf = Buffer.alloc(length)
        readSync(fd, buf, 0, length, offset)
        return buf
      } finally {
        closeSync(fd)
      }
    }

    function writeRegion(file: string, offset: number, data: Buffer): void {
      const fd = openSync(file, 'r+')
      try {
        writeSync(fd, data, 0, data.length, offset)
      } finally {
        closeSync(fd)
      }
    }

    /** One power-on: U-Boot finds boot.scr through distro boot, the script decides and powers QEMU off. */
    function boot(): Decision {
      const r = spawnSync(
        'qemu-system-aarch64',
        [
          '-M',
          'virt',
          '-cpu',
          'cortex-a53',
          '-m',
          '512',
          '-nographic',
          '-no-reboot',
          '-nic',
          'none',
          '-bios',
          UBOOT,
          '-drive',
          `if=none,file=${disk},format=raw,id=hd0`,
          '-device',
          'virtio-blk-device,drive=hd0',
        ],
        { encoding: 'utf8', timeout: 90_000, input: '' },
      )
      if (r.error) throw r.error
      expect(r.status, r.stderr).toBe(0)
      return parseConsole(r.stdout)
    }

    function printenv(): Record<string, string> {
      const out = runOk('fw_printenv', ['-c', fwConfig])
      return Object.fromEntries(
        out
          .split('\n')
          .filter((l) => l.includes('='))
          .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
      )
    }

    /** fw_setenv with a script of `name=value` lines (an empty value deletes the variable); libubootenv 0.3 ignores
     * `name value` lines in a script without an error, so the form matters. */
    function setenv(vars: Record<string, string>): void {
      const file = join(dir, 'setenv.txt')
      writeFileSync(
        file,
        Object.entries(vars)
          .map(([k, v]) => `${k}=${v}\n`)
          .join(''),
      )
      runOk('fw_setenv', ['-c', fwConfig, '-s', file])
    }

    /** The slot's expectations: its boot partition, root, rauc.slot and boot.env on the command line, its kernel. */
    function expectSlot(d: Decision, slot: 'A' | 'B'): void {
      expect(d.slot).toBe(slot)
      const boot = parts.byName[`boot-${slot.toLowerCase()}`]!
      const rootfs = parts.byName[`rootfs-${slot.toLowerCase()}`]!
      expect(d.bootpart).toBe(String(boot.number))
      expect(d.bootargs.split(' ')).toContain(`rauc.slot=${slot}`)
      expect(d.bootargs.split(' ')).toContain(`root=/dev/vda${rootfs.number}`)
      expect(d.bootargs.split(' ').filter((a) => a.startsWith('rauc.slot='))).toHaveLength(1)
      expect(d.bootargs).toMatch(new RegExp(` ${slotInit(slot)} panic=10$`))
      expect(d.kernelBytes, d.console).toBe(kernelSize[slot]!.toString(16))
    }

    /** What the script saved is what fw_printenv reads back from the disk. */
    function expectSaved(d: Decision): void {
      expect(printenv()).toEqual({
        BOOT_ORDER: d.order,
        BOOT_A_LEFT: d.aLeft,
        BOOT_B_LEFT: d.bLeft,
        BOOT_COMMITTED: d.committed,
      })
    }

    /** The flags counter of a copy (the byte after the CRC). */
    function flags(offset: number): number {
      return readRegion(disk, offset + 4, 1)[0]!
    }

    describe('in order, each boot continuing from the environment the previous one left', () => {
      it('the partition table on the disk image is the one of nix/lib', () => {
        const dump = JSON.parse(runOk('sfdisk', ['--json', disk])) as {
          partitiontable: { partitions: { start: number; size: number; name: string }[] }
        }
        expect(dump.partitiontable.partitions.map((p) => [p.name, p.start, p.size])).toEqual(
          parts.table.map((p) => [p.name, p.startSector, p.sizeSectors]),
        )
        expect(printenv()).toEqual(env.defaults)
      })

      it('three failed boots of A, then B', () => {
        const seen: string[] = []
        for (const left of ['2', '1', '0']) {
          const d = boot()
          expectSlot(d, 'A')
          expect(d.aLeft).toBe(left)
          expect(d.bLeft).toBe('3')
          expectSaved(d)
          seen.push(`${d.slot}${d.aLeft}`)
        }
        const d = boot()
        expectSlot(d, 'B')
        expect([d.aLeft, d.bLeft, d.order]).toEqual(['0', '2', 'A B'])
        expectSaved(d)
        expect(seen).toEqual(['A2', 'A1', 'A0'])
      })

      it("after fw_setenv resets A's count (what mark-good does), A again", () => {
        setenv({ BOOT_A_LEFT: '3' })
        const d = boot()
        expectSlot(d, 'A')
        expect([d.aLeft, d.bLeft]).toEqual(['2', '2'])
        expectSaved(d)
      })

      it('both exhausted: the last committed slot with a fresh count, first in BOOT_ORDER', () => {
        setenv({ BOOT_A_LEFT: '0', BOOT_B_LEFT: '0', BOOT_COMMITTED: 'B' })
        const d = boot()
        expect(d.console).toContain('every slot is exhausted, booting the last committed slot B with a fresh count')
        expectSlot(d, 'B')
        expect([d.order, d.aLeft, d.bLeft]).toEqual(['B A', '0', '2'])
        expectSaved(d)
        // And from there the normal count-down goes on: no reset loop.
        const next = boot()
        expectSlot(next, 'B')
        expect(next.bLeft).toBe('1')
      })

      it('a corrupted primary copy: the redundant copy is read, and the primary is rewritten', () => {
        const state = { BOOT_ORDER: 'A B', BOOT_A_LEFT: '3', BOOT_B_LEFT: '3', BOOT_COMMITTED: 'A' }
        // libubootenv writes the older copy each time; write until both hold this state and the primary is newer.
        setenv(state)
        setenv(state)
        if (flags(env.offset) <= flags(env.redundOffset)) setenv(state)
        expect(flags(env.offset)).toBeGreaterThan(flags(env.redundOffset))
        const primary = readRegion(disk, env.offset, env.size)
        primary[16] = primary[16]! ^ 0xff
        writeRegion(disk, env.offset, primary)

        const d = boot()
        expect(d.console).toContain('environment copy 0 is invalid (CRC)')
        expect([d.envRead, d.envWritten]).toEqual(['1', '0'])
        expectSlot(d, 'A')
        expect([d.aLeft, d.bLeft]).toEqual(['2', '3'])
        // The rewritten primary is valid again and newer: fw_printenv reads the boot's state from it.
        expect(flags(env.offset)).toBeGreaterThan(flags(env.redundOffset))
        expectSaved(d)
      })

      it('an invalid BOOT_ORDER falls back to the default: the committed slot first', () => {
        setenv({ BOOT_ORDER: 'C D', BOOT_COMMITTED: 'B', BOOT_A_LEFT: '3', BOOT_B_LEFT: '3' })
        const d = boot()
        expect(d.console).toContain('BOOT_ORDER [C D] is invalid, using the default [B A]')
        expectSlot(d, 'B')
        expect([d.order, d.bLeft]).toEqual(['B A', '2'])
        expectSaved(d)
      })

      it('a missing BOOT_ORDER and counter are repaired, not a reset loop', () => {
        setenv({ BOOT_ORDER: '', BOOT_A_LEFT: '', BOOT_COMMITTED: 'A' })
        const d = boot()
        expect(d.console).toContain('BOOT_ORDER [] is invalid, using the default [A B]')
        expect(d.console).toContain('BOOT_A_LEFT is missing, using 3')
        expectSlot(d, 'A')
        expect([d.order, d.aLeft]).toEqual(['A B', '2'])
        expectSaved(d)
      })
    })

    it('the Rock64 script compiles with mkimage as a U-Boot script image', () => {
      const script = join(dir, 'rock64.txt')
      writeFileSync(script, nixLib<string>('bootScript'))
      const out = join(dir, 'rock64.scr')
      runOk('mkimage', ['-A', 'arm64', '-O', 'linux', '-T', 'script', '-C', 'none', '-d', script, out])
      expect(runOk('mkimage', ['-l', out])).toContain('Script')
    })
  },
)
