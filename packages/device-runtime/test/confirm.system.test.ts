import { execFileSync } from 'node:child_process'
import { chmodSync, mkdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterEach, beforeEach, expect, it } from 'vitest'
import { describeSystem, findCommand } from '../../../test/support/system.js'
import { runConfirm } from '../src/confirm/run.js'
import { readBootJournal } from '../src/journal/journal.js'
import { readSlotRecord } from '../src/journal/slots.js'
import { nodeFiles } from '../src/node/files.js'
import { DeviceFake, FakeClock, ipAddrJson, RecordingLog, raucStatusJson } from './support/device-fake.js'

// The boot environment is a real U-Boot environment image (mkenvimage) read and written by libubootenv's
// fw_printenv/fw_setenv; `rauc status mark-good` does what RAUC's U-Boot backend does: fw_setenv BOOT_<x>_LEFT 3.
describeSystem(
  'confirm reads mark-good back from a real U-Boot environment',
  { commands: ['fw_printenv', 'fw_setenv', 'mkenvimage'] },
  () => {
    let fake: DeviceFake
    let config: string
    const printenv = (name: string) =>
      execFileSync(findCommand('fw_printenv')!, ['-c', config, name], { encoding: 'utf8' }).trim()

    beforeEach(async () => {
      fake = new DeviceFake()
      await fake.provision()
      const env = join(fake.dir, 'uboot.env')
      writeFileSync(join(fake.dir, 'env.txt'), 'BOOT_ORDER=B A\nBOOT_A_LEFT=3\nBOOT_B_LEFT=2\nbootdelay=2\n')
      execFileSync(findCommand('mkenvimage')!, ['-s', '0x4000', '-o', env, join(fake.dir, 'env.txt')])
      config = join(fake.dir, 'fw_env.config')
      writeFileSync(config, `${env} 0x0000 0x4000\n`)
      // A config whose device does not exist: the environment write that fails while mark-good says it worked.
      writeFileSync(join(fake.dir, 'fw_env.broken'), `${join(fake.dir, 'missing', 'uboot.env')} 0x0000 0x4000\n`)
      // The recording program under its own name, for every other rauc call.
      mkdirSync(join(fake.dir, 'recorder'))
      symlinkSync(join(fake.bin, 'fake-program'), join(fake.dir, 'recorder', 'rauc'))
      const wrap = (name: string, body: string) => {
        rmSync(join(fake.bin, name))
        writeFileSync(join(fake.bin, name), `#!/usr/bin/env bash\n${body}\n`)
        chmodSync(join(fake.bin, name), 0o755)
      }
      wrap('fw_printenv', `exec ${findCommand('fw_printenv')} -c ${config} "$@"`)
      wrap(
        'rauc',
        [
          'if [[ "$1 $2 $3" == "status mark-good booted" ]]; then',
          `  printf '%s\\n' "rauc $*" >> "$ATOMICNIX_FAKE_DIR/calls.log"`,
          `  ${findCommand('fw_setenv')} -c "$MARK_CONFIG" BOOT_B_LEFT 3`,
          '  exit 0',
          'fi',
          `exec ${join(fake.dir, 'recorder', 'rauc')} "$@"`,
        ].join('\n'),
      )
      fake.answer(['rauc', 'status', '--detailed', '--output-format=json'], {
        stdout: raucStatusJson({ booted: 'B', A: { version: '1.0.0' }, B: { version: '1.1.0' } }),
      })
      for (const unit of ['dnsmasq.service', 'chronyd.service'])
        fake.answer(['systemctl', 'is-active', unit], { stdout: 'active\n' })
      fake.answer(['systemctl', '--user', '-M', 'appsvc@', 'is-active', 'myapp.service'], { stdout: 'active\n' })
      fake.answer(['ip', '-j', 'addr', 'show', 'dev', 'eth1'], { stdout: ipAddrJson('eth1', ['172.20.30.1']) })
      fake.answer(['ip', '-j', 'addr', 'show', 'dev', 'eth0'], { stdout: ipAddrJson('eth0', ['203.0.113.9']) })
      mkdirSync(join(fake.data, 'state'), { recursive: true })
      writeFileSync(
        join(fake.data, 'state', 'slots.json'),
        JSON.stringify({ committed: [{ slot: 'rootfs.0', at: '', version: '1.0.0' }], rolledBack: [] }),
      )
    })
    afterEach(() => fake.remove())

    const confirm = (markConfig: string) =>
      runConfirm(
        {
          files: nodeFiles,
          exec: { run: (argv, o) => fake.exec.run(argv, { ...o, env: { ...o.env, MARK_CONFIG: markConfig } }) },
          clock: new FakeClock(),
          log: new RecordingLog(),
        },
        {
          dataDir: fake.data,
          policy: { windowMs: 10_000, intervalMs: 5_000, deadlineMs: 60_000 },
          bootIdPath: fake.bootIdFile,
          bootAttempts: 3,
        },
      )

    it('a mark-good that reached the environment is read back and committed', async () => {
      expect(printenv('BOOT_B_LEFT')).toBe('BOOT_B_LEFT=2')
      expect(await confirm(config)).toBe('committed')
      expect(printenv('BOOT_B_LEFT')).toBe('BOOT_B_LEFT=3')
      expect((await readSlotRecord(nodeFiles, fake.data)).committed.map((c) => c.slot)).toEqual([
        'rootfs.0',
        'rootfs.1',
      ])
    })

    it('a mark-good whose environment write failed (exit 0 all the same) is not committed', async () => {
      expect(await confirm(join(fake.dir, 'fw_env.broken'))).toBe('mark_good_failed')
      expect(printenv('BOOT_B_LEFT')).toBe('BOOT_B_LEFT=2')
      expect((await readSlotRecord(nodeFiles, fake.data)).committed.map((c) => c.slot)).toEqual(['rootfs.0'])
      expect((await readBootJournal(nodeFiles, fake.data)).at(-1)?.detail).toContain('BOOT_B_LEFT is 2, not 3')
    })
  },
)
