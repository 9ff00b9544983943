/**
 * `atomicnix first-boot` end to end, in a network namespace with the real `nft` and the recording systemd fakes: the
 * sources in order (an existing generation, the boot partition, USB sticks, none), an invalid seed skipped with its
 * issues, and a USB bundle made by the real `tar`.
 */
import { execFileSync, spawnSync } from 'node:child_process'
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, beforeEach, expect, it } from 'vitest'
import { type Host, Lab } from '../../../test/support/netns.js'
import { describeSystem } from '../../../test/support/system.js'
import type { FirstBootReport } from '../src/first-boot.js'
import { FakeCommands } from './support/fake-commands.js'

const CLI = fileURLToPath(new URL('../dist/cli.js', import.meta.url))
const SEED = readFileSync(new URL('../../../examples/seed/config.toml', import.meta.url), 'utf8')
const PASSWD = 'appsvc:x:990:990:app:/var/lib/appsvc:/bin/sh\n'

let lab: Lab
let gw: Host
let dir: string
let fakes: FakeCommands
let base: string
let n = 0

describeSystem(
  'atomicnix first-boot (real nft in a namespace, recording systemd fakes)',
  { root: true, commands: ['nft', 'ip', 'tar'] },
  () => {
    beforeAll(() => {
      if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run "npm run build" first (npm test does)`)
      dir = mkdtempSync(join(tmpdir(), 'anx-first-boot-'))
      fakes = new FakeCommands(join(dir, 'fakes'))
      lab = new Lab()
      gw = lab.host('gw')
    })
    afterAll(() => {
      lab?.destroy()
      if (dir) rmSync(dir, { recursive: true, force: true })
    })
    beforeEach(() => {
      n += 1
      base = join(dir, `device${n}`)
      for (const d of ['root/etc', 'boot', 'usb1', 'usb2']) mkdirSync(join(base, d), { recursive: true })
      writeFileSync(join(base, 'root/etc/passwd'), PASSWD)
      fakes.reset()
      gw.run(['nft', 'delete', 'table', 'inet', 'atomicnix'])
    })

    const at = (path: string) => join(base, path)

    /** Runs `atomicnix first-boot --json` with the boot partition and both USB sticks of this device. */
    function firstBoot(): { code: number | null; report: FirstBootReport; stderr: string } {
      const env = Object.entries(fakes.env()).map(([k, v]) => `${k}=${v}`)
      const r = gw.run([
        'env',
        ...env,
        process.execPath,
        CLI,
        'first-boot',
        '--data',
        at('data'),
        '--root',
        at('root'),
        '--boot',
        at('boot'),
        '--usb',
        at('usb1'),
        '--usb',
        at('usb2'),
        '--json',
      ])
      try {
        return { code: r.status, report: JSON.parse(r.stdout) as FirstBootReport, stderr: r.stderr }
      } catch {
        throw new Error(`first-boot printed no report (exit ${r.status}): ${r.stderr}${r.stdout}`)
      }
    }

    /** The generations on disk: id and recorded source kind. */
    function generations(): { id: string; source: string; fileName?: string }[] {
      const gens = at('data/generations')
      if (!existsSync(gens)) return []
      return readdirSync(gens)
        .filter((name) => name.startsWith('g'))
        .sort()
        .map((id) => {
          const manifest = JSON.parse(readFileSync(join(gens, id, 'generation.json'), 'utf8'))
          return { id, source: manifest.source.kind, fileName: manifest.source.fileName }
        })
    }

    it('an existing generation is applied as it is; the seeds are not looked at', () => {
      const file = at('existing.toml')
      writeFileSync(file, SEED)
      execFileSync(process.execPath, [CLI, 'import', file, '--data', at('data')], { stdio: 'ignore' })
      writeFileSync(at('boot/config.toml'), SEED.replace('tcp = [443]', 'tcp = [8443]'))
      const { code, report } = firstBoot()
      expect(code).toBe(0)
      expect(report).toMatchObject({ ok: true, outcome: 'existing', skipped: [] })
      expect(generations()).toHaveLength(1)
      expect(report.apply?.runs[0]?.ok).toBe(true)
      expect(gw.must(['nft', 'list', 'table', 'inet', 'atomicnix'])).toContain('tcp dport 443 accept')
    })

    it('on a fresh flash the boot partition comes before the USB sticks; its source is recorded', () => {
      writeFileSync(at('boot/config.toml'), SEED)
      writeFileSync(at('usb1/config.toml'), SEED.replace('tcp = [443]', 'tcp = [8443]'))
      const { code, report } = firstBoot()
      expect(code).toBe(0)
      expect(report).toMatchObject({
        ok: true,
        outcome: 'imported',
        source: { kind: 'boot', path: at('boot/config.toml') },
      })
      expect(generations()).toEqual([{ id: report.generation, source: 'boot', fileName: 'config.toml' }])
      expect(report.apply?.runs[0]?.steps.map((s) => s.name)).toContain('nft-load')
      expect(gw.must(['nft', 'list', 'table', 'inet', 'atomicnix'])).toContain('tcp dport 443 accept')
      expect(fakes.lines()).toContain('systemctl restart dnsmasq.service')
    })

    it('without a boot seed the first USB stick that has one is used', () => {
      writeFileSync(at('usb2/config.toml'), SEED)
      const { code, report } = firstBoot()
      expect(code).toBe(0)
      expect(report).toMatchObject({ outcome: 'imported', source: { kind: 'usb', path: at('usb2/config.toml') } })
      expect(generations().map((g) => g.source)).toEqual(['usb'])
    })

    it('invalid and unreadable seeds are skipped with their issues, nothing of them written; a USB bundle is imported', () => {
      writeFileSync(at('boot/config.toml'), SEED.replace('version = 1', 'version = 2'))
      mkdirSync(at('boot/config.tgz'))
      // A bundle made by the real tar: config.toml and a files/ payload.
      const bundle = at('bundle')
      mkdirSync(join(bundle, 'files'), { recursive: true })
      writeFileSync(join(bundle, 'config.toml'), SEED)
      writeFileSync(join(bundle, 'files/motd'), 'hello from the stick\n')
      execFileSync('tar', ['-czf', at('usb1/config.tar.gz'), '-C', bundle, 'config.toml', 'files'])
      const { code, report, stderr } = firstBoot()
      expect(code, stderr).toBe(0)
      expect(report.skipped).toHaveLength(2)
      expect(report.skipped[0]).toMatchObject({ source: 'boot', path: at('boot/config.toml') })
      expect(report.skipped[0]!.errors.map((e) => e.code)).toEqual(['unsupported_version'])
      expect(report.skipped[1]).toMatchObject({ source: 'boot', path: at('boot/config.tgz'), errors: [] })
      expect(report.skipped[1]!.unreadable).toContain('is a directory')
      expect(report).toMatchObject({ outcome: 'imported', source: { kind: 'usb', path: at('usb1/config.tar.gz') } })
      expect(generations()).toEqual([{ id: report.generation, source: 'usb', fileName: 'config.tar.gz' }])
      expect(readFileSync(at('data/config/files/motd'), 'utf8')).toBe('hello from the stick\n')
      expect(report.apply?.ok).toBe(true)
    })

    it('with no seed anywhere it says the device waits for the bootstrap API, and exits 0', () => {
      writeFileSync(at('usb1/README.txt'), 'not a seed\n')
      const { code, report } = firstBoot()
      expect(code).toBe(0)
      expect(report).toEqual({ ok: true, outcome: 'waiting', skipped: [], warnings: [] })
      expect(generations()).toEqual([])
      expect(fakes.calls()).toEqual([])
      const human = spawnSync(
        process.execPath,
        [CLI, 'first-boot', '--data', at('data'), '--root', at('root'), '--boot', at('boot')],
        { encoding: 'utf8' },
      )
      expect(human.status).toBe(0)
      expect(human.stdout).toBe('first boot: no config found; waiting for the bootstrap API\n')
    })
  },
)
