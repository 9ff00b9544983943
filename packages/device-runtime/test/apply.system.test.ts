/**
 * `atomicnix apply` end to end: the built CLI runs inside a network namespace (`ip netns exec`) on a temporary root,
 * with the real `nft` loading and replacing the table in that namespace, and recording fakes for the programs that
 * need systemd (`systemctl`, `networkctl`, `loginctl`, `runuser`) first on PATH.
 */
import { spawnSync } from 'node:child_process'
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, beforeEach, expect, it } from 'vitest'
import { type Host, Lab } from '../../../test/support/netns.js'
import { describeSystem } from '../../../test/support/system.js'
import type { ApplyReport } from '../src/apply/report.js'
import { FakeCommands } from './support/fake-commands.js'

const CLI = fileURLToPath(new URL('../dist/cli.js', import.meta.url))
const SEED = readFileSync(new URL('../../../examples/seed/config.toml', import.meta.url), 'utf8')
const UNITS = readFileSync(new URL('../../config-schema/test/fixtures/valid/units.toml', import.meta.url), 'utf8')
const PASSWD = 'root:x:0:0:root:/root:/bin/sh\nappsvc:x:990:990:app:/var/lib/appsvc:/bin/sh\n'

let lab: Lab
let gw: Host
let dir: string
let fakes: FakeCommands
let data: string
let root: string
let n = 0

describeSystem(
  'atomicnix apply (real nft in a namespace, recording systemd fakes)',
  { root: true, commands: ['nft', 'ip'] },
  () => {
    beforeAll(() => {
      if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run "npm run build" first (npm test does)`)
      dir = mkdtempSync(join(tmpdir(), 'anx-apply-'))
      fakes = new FakeCommands(join(dir, 'fakes'))
      lab = new Lab()
      gw = lab.host('gw')
      // A LAN interface, so that apply reads the device's MAC from /sys/class/net/eth1 for hostname_pattern.
      lab.link(gw, 'eth1', lab.host('lan'), 'eth0')
      gw.must(['ip', 'link', 'set', 'eth1', 'address', '02:00:00:aa:bb:cc'])
    })
    afterAll(() => {
      lab?.destroy()
      if (dir) rmSync(dir, { recursive: true, force: true })
    })
    beforeEach(() => {
      n += 1
      data = join(dir, `data${n}`)
      root = join(dir, `root${n}`)
      mkdirSync(join(root, 'etc'), { recursive: true })
      writeFileSync(join(root, 'etc/passwd'), PASSWD)
      fakes.reset()
      gw.run(['nft', 'delete', 'table', 'inet', 'atomicnix'])
    })

    /** Imports `text` as a new generation (the real `atomicnix import`), which becomes the current one. */
    function provision(text: string): string {
      const file = join(dir, `config-${n}.toml`)
      writeFileSync(file, text)
      const r = spawnSync(process.execPath, [CLI, 'import', file, '--data', data], { encoding: 'utf8' })
      if (r.status !== 0) throw new Error(`import exited ${r.status}: ${r.stderr}`)
      return /generation (g\S+)/.exec(r.stdout)![1]!
    }

    /** Runs `atomicnix apply --json` in the namespace; the exit code and the report. */
    function apply(...extra: string[]): { code: number | null; report: ApplyReport; stderr: string } {
      return applyWith(fakes.env(), ...extra)
    }

    /** The same with another environment. */
    function applyWith(vars: Record<string, string>, ...extra: string[]) {
      const env = Object.entries(vars).map(([k, v]) => `${k}=${v}`)
      const r = gw.run([
        'env',
        ...env,
        process.execPath,
        CLI,
        'apply',
        '--data',
        data,
        '--root',
        root,
        '--json',
        ...extra,
      ])
      let report: ApplyReport
      try {
        report = JSON.parse(r.stdout) as ApplyReport
      } catch {
        throw new Error(`apply printed no report (exit ${r.status}): ${r.stderr}${r.stdout}`)
      }
      return { code: r.status, report, stderr: r.stderr }
    }

    const stepNames = (report: ApplyReport, run = 0) => report.runs[run]!.steps.map((s) => s.name)
    const table = () => gw.must(['nft', 'list', 'table', 'inet', 'atomicnix'])

    /** Path, mode, size and mtime of every file below `root`: equal snapshots mean nothing was written. */
    function snapshot(): string[] {
      const walk = (rel: string): string[] =>
        readdirSync(join(root, rel), { withFileTypes: true }).flatMap((e) => {
          const path = join(rel, e.name)
          if (e.isDirectory()) return walk(path)
          const s = statSync(join(root, path))
          return [`${path} ${s.mode.toString(8)} ${s.size} ${s.mtimeMs} ${s.ino}`]
        })
      return walk('').sort()
    }

    it('a first apply installs every file, loads the table, and runs every step; a second changes nothing', () => {
      provision(SEED)
      const first = apply()
      expect(first.code, first.stderr).toBe(0)
      expect(first.report.ok).toBe(true)
      expect(stepNames(first.report)).toEqual([
        'firewall-guard',
        'nft-check',
        'nft-load',
        'networkd-reload',
        'dnsmasq-restart',
        'chrony-restart',
        'linger',
        'user-manager',
        'user-daemon-reload',
        'restart myapp.service',
      ])
      expect(first.report.runs[0]!.steps.every((s) => s.ok && s.skipped === undefined)).toBe(true)
      expect([...first.report.runs[0]!.written].sort()).toEqual([
        'etc/atomicnix/chrony.conf',
        'etc/atomicnix/dnsmasq-hosts',
        'etc/atomicnix/dnsmasq.conf',
        'etc/atomicnix/firewall.nft',
        'etc/systemd/network/20-lan.network.d/50-atomicnix.conf',
        'var/lib/appsvc/.config/containers/systemd/myapp.container',
      ])
      expect(table()).toContain('tcp dport 443 accept')
      expect(fakes.lines()).toEqual([
        'networkctl reload',
        'systemctl restart dnsmasq.service',
        'systemctl restart chronyd.service',
        'loginctl enable-linger appsvc',
        'systemctl start user@990.service',
        'systemctl --user -M appsvc@ daemon-reload',
        'systemctl --user -M appsvc@ restart myapp.service',
      ])
      expect(statSync(join(root, 'etc/atomicnix/firewall.nft')).mode & 0o7777).toBe(0o644)
      expect(readFileSync(join(root, 'etc/atomicnix/dnsmasq-hosts'), 'utf8')).toContain('atomicnix-020000aabbcc')
      const saved = JSON.parse(readFileSync(join(data, 'state/last-apply.json'), 'utf8')) as ApplyReport
      expect(saved).toEqual(first.report)

      const before = snapshot()
      fakes.reset()
      const second = apply()
      expect(second.code).toBe(0)
      expect(second.report.runs[0]).toMatchObject({ steps: [], written: [], removed: [], ok: true })
      expect(fakes.calls()).toEqual([])
      expect(snapshot()).toEqual(before)
      expect(table()).toContain('tcp dport 443 accept')
    })

    it('a change of the gateway aliases restarts dnsmasq and nothing else', () => {
      provision(SEED)
      expect(apply().code).toBe(0)
      provision(SEED.replace('gateway_aliases = ["atomicnix"]', 'gateway_aliases = ["atomicnix", "gw"]'))
      fakes.reset()
      const { code, report } = apply()
      expect(code).toBe(0)
      expect(report.runs[0]!.written).toEqual(['etc/atomicnix/dnsmasq-hosts'])
      expect(stepNames(report)).toEqual(['dnsmasq-restart'])
      expect(fakes.lines()).toEqual(['systemctl restart dnsmasq.service'])
    })

    it('a firewall change replaces the table whole and leaves other tables alone', () => {
      provision(SEED)
      gw.must(['nft', 'add', 'table', 'inet', 'other'])
      expect(apply().code).toBe(0)
      provision(SEED.replace('tcp = [443]', 'tcp = [8443]'))
      const { code, report } = apply()
      expect(code).toBe(0)
      expect(stepNames(report)).toEqual(['firewall-guard', 'nft-check', 'nft-load'])
      expect(table()).toContain('tcp dport 8443 accept')
      expect(table()).not.toContain('tcp dport 443 accept')
      expect(gw.must(['nft', 'list', 'tables'])).toContain('table inet other')
      gw.must(['nft', 'delete', 'table', 'inet', 'other'])
    })

    it('a removed container is stopped before its unit file is removed', () => {
      const withDb = provision(UNITS)
      const first = apply()
      expect(first.code, first.stderr).toBe(0)
      const unit = join(root, 'etc/containers/systemd/db.container')
      expect(existsSync(unit)).toBe(true)

      // While the stop fails the file stays: it is removed only after its service stopped. (The failure also
      // reverts to the generation with db, whose files are all still in place: the second run changes nothing.)
      const withoutDb = provision(UNITS.replace(/\[container\.db\][\s\S]*$/, ''))
      fakes.reset()
      fakes.fail('^systemctl stop db\\.service$')
      const refused = apply()
      expect(refused.code).toBe(1)
      expect(refused.report.runs[0]!.removed).toEqual([])
      expect(stepNames(refused.report)).toEqual(['stop db.service', 'daemon-reload'])
      expect(refused.report.runs[0]!.steps[1]).toMatchObject({ skipped: 'an earlier step failed' })
      expect(refused.report.reverted).toMatchObject({ from: withoutDb, to: withDb })
      expect(refused.report.runs[1]).toMatchObject({
        generation: withDb,
        steps: [],
        written: [],
        removed: [],
        ok: true,
      })
      expect(existsSync(unit)).toBe(true)

      provision(UNITS.replace(/\[container\.db\][\s\S]*$/, ''))
      fakes.reset()
      const { code, report } = apply()
      expect(code).toBe(0)
      expect(report.runs[0]!.removed).toEqual(['etc/containers/systemd/db.container'])
      expect(fakes.lines()).toEqual(['systemctl stop db.service', 'systemctl daemon-reload'])
      expect(existsSync(unit)).toBe(false)
    })

    it('after a reset root, an owned unit that is gone is forgotten: nothing is stopped', () => {
      provision(UNITS)
      expect(apply().code).toBe(0)
      // The root is a tmpfs overlay on the device: after a reboot the installed units are gone.
      rmSync(join(root, 'etc/containers/systemd/db.container'))
      provision(UNITS.replace(/\[container\.db\][\s\S]*$/, ''))
      fakes.reset()
      const { code, report } = apply()
      expect(code).toBe(0)
      expect(report.runs[0]).toMatchObject({ steps: [], written: [], removed: [] })
      expect(fakes.calls()).toEqual([])
      const owned = JSON.parse(readFileSync(join(data, 'state/apply-owned.json'), 'utf8'))
      expect(owned.files).not.toContain('etc/containers/systemd/db.container')
    })

    it('a failing step after a config change reverts: the earlier generation is re-applied, the failed one marked', () => {
      const good = provision(SEED)
      expect(apply().code).toBe(0)
      const bad = provision(
        SEED.replace('gateway_aliases = ["atomicnix"]', 'gateway_aliases = ["atomicnix", "gw"]').concat(
          '\n[container.broken]\nprivileged = true\n\n[container.broken.Container]\nImage = "docker.io/library/busybox:1"\n',
        ),
      )
      fakes.reset()
      fakes.fail('^systemctl restart broken\\.service$')
      const { code, report, stderr } = apply()
      expect(code).toBe(1)
      expect(report.ok).toBe(false)
      expect(report.runs.map((r) => [r.generation, r.ok])).toEqual([
        [bad, false],
        [good, true],
      ])
      expect(report.reverted).toEqual({
        from: bad,
        to: good,
        reason: expect.stringContaining('restart broken.service'),
      })
      expect(report.runs[0]!.steps.map((s) => [s.name, s.ok])).toEqual([
        ['dnsmasq-restart', true],
        ['daemon-reload', true],
        ['restart broken.service', false],
      ])
      expect(report.runs[1]!.written).toEqual(['etc/atomicnix/dnsmasq-hosts'])
      expect(report.runs[1]!.removed).toEqual(['etc/containers/systemd/broken.container'])
      expect(fakes.lines()).toEqual([
        'systemctl restart dnsmasq.service',
        'systemctl daemon-reload',
        'systemctl restart broken.service',
        'systemctl restart dnsmasq.service',
        'systemctl stop broken.service',
        'systemctl daemon-reload',
      ])
      expect(readFileSync(join(root, 'etc/atomicnix/dnsmasq-hosts'), 'utf8')).not.toContain(' gw')
      expect(stderr).toContain('reverting to the previous generation')

      // The failed generation is marked (with the step that failed) and the earlier one is current again.
      const manifest = JSON.parse(readFileSync(join(data, 'generations', bad, 'generation.json'), 'utf8'))
      expect(manifest.failed.reason).toContain('restart broken.service')
      expect(readlinkSync(join(data, 'config'))).toContain(good)

      // The next apply (the next boot) keeps the good generation and changes nothing.
      fakes.reset()
      const again = apply()
      expect(again.code).toBe(0)
      expect(again.report.runs).toEqual([{ generation: good, steps: [], written: [], removed: [], ok: true }])
      expect(fakes.calls()).toEqual([])
    })

    it('rootless units enable lingering and start the user manager before reloading it', () => {
      provision(UNITS)
      const { code, report } = apply()
      expect(code).toBe(0)
      const lines = fakes.lines()
      const at = (line: string) => lines.indexOf(line)
      expect(at('loginctl enable-linger appsvc')).toBeGreaterThanOrEqual(0)
      expect(at('loginctl enable-linger appsvc')).toBeLessThan(at('systemctl start user@990.service'))
      expect(at('systemctl start user@990.service')).toBeLessThan(at('systemctl --user -M appsvc@ daemon-reload'))
      expect(at('systemctl --user -M appsvc@ daemon-reload')).toBeLessThan(
        at('systemctl --user -M appsvc@ restart app.service'),
      )
      expect(lines.filter((l) => l.includes(' restart ') && !l.includes('chronyd') && !l.includes('dnsmasq'))).toEqual([
        'systemctl restart proxy-image-build.service',
        'systemctl restart backend-network.service',
        'systemctl restart pgdata-volume.service',
        'systemctl restart db.service',
        'systemctl restart proxy.service',
        'systemctl --user -M appsvc@ restart app.service',
      ])
      expect(existsSync(join(root, 'var/lib/appsvc/.config/containers/systemd/app.container'))).toBe(true)
      expect(report.runs[0]!.ok).toBe(true)
    })

    it('a script that nft -c refuses is never loaded, and nothing after it runs', () => {
      provision(SEED)
      // A stand-in nft, only here, that refuses every check (the rendered script never fails the real one).
      const nft = new FakeCommands(join(dir, 'nft-fake'), ['nft'])
      nft.fail('^nft -c ')
      const env = {
        ...fakes.env(),
        PATH: `${nft.bin}:${fakes.env().PATH}`,
        ANX_FAKE_LOG: nft.log,
        ANX_FAKE_RULES: nft.rules,
      }
      const { code, report } = applyWith(env)
      expect(code).toBe(1)
      expect(report.ok).toBe(false)
      const steps = report.runs[0]!.steps
      expect(steps[1]).toMatchObject({ name: 'nft-check', ok: false, exitCode: 1 })
      expect(steps[1]!.error).toContain('failing as the test asked')
      expect(steps.slice(2).every((s) => s.skipped === 'an earlier step failed')).toBe(true)
      expect(nft.lines()).toEqual([`nft -c -f ${root}/etc/atomicnix/firewall.nft`])
      expect(report.runs[0]!.written).toEqual(['etc/atomicnix/firewall.nft'])
      expect(gw.run(['nft', 'list', 'table', 'inet', 'atomicnix']).status).not.toBe(0)

      // The files are in place now but were never loaded: the next apply of the same generation runs every step
      // again (here with the real nft), instead of finding nothing changed.
      fakes.reset()
      const retry = apply()
      expect(retry.code).toBe(0)
      expect(stepNames(retry.report)).toContain('nft-load')
      expect(retry.report.runs[0]!.written).toHaveLength(6)
      expect(table()).toContain('tcp dport 443 accept')
      expect(fakes.lines()).toContain('systemctl restart dnsmasq.service')
    })

    it('two applies at once do not interleave: the second waits, then finds nothing to do', async () => {
      provision(SEED)
      fakes.delay('^systemctl restart dnsmasq\\.service$', 2)
      const env = Object.entries(fakes.env()).map(([k, v]) => `${k}=${v}`)
      const argv = ['env', ...env, process.execPath, CLI, 'apply', '--data', data, '--root', root, '--json']
      const first = gw.spawn(argv)
      let firstOut = ''
      first.stdout?.on('data', (chunk: Buffer) => {
        firstOut += chunk.toString()
      })
      const done = new Promise<number | null>((resolve) => first.on('close', resolve))
      // Started once the first one is inside its steps (it has recorded its first call).
      for (let i = 0; i < 100 && fakes.calls().length === 0; i++) await new Promise((r) => setTimeout(r, 50))
      expect(fakes.calls().length).toBeGreaterThan(0)
      const second = applyWith(fakes.env())
      expect(await done).toBe(0)
      expect((JSON.parse(firstOut) as ApplyReport).runs[0]!.steps).toHaveLength(10)
      expect(second.code).toBe(0)
      expect(second.stderr).toContain('waiting for another apply')
      expect(second.report.runs[0]).toMatchObject({ steps: [], written: [], removed: [] })
      expect(fakes.lines().filter((l) => l === 'systemctl restart dnsmasq.service')).toHaveLength(1)
    })

    it("older firmware's plain DATA/config directory becomes a generation and is applied", () => {
      mkdirSync(join(data, 'config'), { recursive: true })
      writeFileSync(join(data, 'config/config.toml'), SEED)
      const { code, report } = apply()
      expect(code).toBe(0)
      expect(report.runs[0]!.written).toHaveLength(6)
      const id = report.runs[0]!.generation
      const manifest = JSON.parse(readFileSync(join(data, 'generations', id, 'generation.json'), 'utf8'))
      expect(manifest.source.kind).toBe('migration')
      expect(readlinkSync(join(data, 'config'))).toContain(id)
    })

    it('--dry-run reports the plan and neither writes nor runs anything', () => {
      provision(SEED)
      const { code, report } = apply('--dry-run')
      expect(code).toBe(0)
      expect(report.dryRun).toBe(true)
      expect(report.runs[0]!.steps.filter((s) => s.argv).every((s) => s.skipped === 'dry run')).toBe(true)
      expect(report.runs[0]!.written).toHaveLength(6)
      expect(fakes.calls()).toEqual([])
      expect(existsSync(join(root, 'etc/atomicnix'))).toBe(false)
      expect(existsSync(join(data, 'state/last-apply.json'))).toBe(false)
      expect(gw.run(['nft', 'list', 'table', 'inet', 'atomicnix']).status).not.toBe(0)
    })

    it('prints short lines without --json', () => {
      provision(SEED)
      const env = Object.entries(fakes.env()).map(([k, v]) => `${k}=${v}`)
      const r = gw.run(['env', ...env, process.execPath, CLI, 'apply', '--data', data, '--root', root])
      expect(r.status).toBe(0)
      expect(r.stdout).toContain('  ok   nft-load: nft -f ')
      expect(r.stdout).toMatch(/applied: 10 steps ok\n$/)
      expect(r.stderr).toContain('atomicnix apply: nft-check: nft -c -f ')
    })
  },
)
