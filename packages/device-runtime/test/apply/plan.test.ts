import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { validFixtures } from '../../../../test/support/config-fixtures.js'
import { checkFirewallScript } from '../../src/apply/firewall-guard.js'
import {
  decideRevert,
  fileGroup,
  type InstalledFile,
  type PlannedAction,
  parseOwnedManifest,
  passwdUid,
  planApply,
  renderOwnedManifest,
  systemFiles,
  unitService,
} from '../../src/apply/plan.js'
import { compileDevice } from '../../src/compile.js'
import type { DeviceFile } from '../../src/device-file.js'

const SEED = readFileSync(new URL('../../../../examples/seed/config.toml', import.meta.url), 'utf8')
const UNITS = validFixtures().find((f) => f.name === 'units')!.text
const ROOT = '/r'
const encoder = new TextEncoder()

function desiredOf(text: string): DeviceFile[] {
  const result = compileDevice(text)
  if (!result.ok) throw new Error(JSON.stringify(result.errors))
  return systemFiles(result.value.files)
}

/** The installed state after `files` were written exactly. */
function installedOf(files: readonly DeviceFile[]): Map<string, InstalledFile> {
  return new Map(files.map((f) => [f.path, { contents: encoder.encode(text(f)), mode: f.mode }]))
}

/** A rendered file's text (system files are always text). */
function text(file: DeviceFile): string {
  if (typeof file.contents !== 'string') throw new Error(`${file.path} is not text`)
  return file.contents
}

/** The firewall script of a config. */
const scriptOf = (config: string) => text(desiredOf(config).find((f) => fileGroup(f.path) === 'firewall')!)

const argvs = (actions: readonly PlannedAction[]) =>
  actions.flatMap((a) => (a.kind === 'run' ? [a.argv.join(' ')] : a.kind === 'check' ? [`check ${a.name}`] : []))
const fileActions = (actions: readonly PlannedAction[]) =>
  actions.flatMap((a) =>
    a.kind === 'write' ? [`write ${a.file.path}`] : a.kind === 'remove' ? [`remove ${a.path}`] : [],
  )

describe('planApply', () => {
  it('a first apply writes every system file and runs every step, firewall first, in the design order', () => {
    const desired = desiredOf(SEED)
    expect(desired.every((f) => !f.path.startsWith('data/'))).toBe(true)
    const plan = planApply(desired, new Map(), [], { root: ROOT, appUid: 990 })
    expect(plan.writes).toHaveLength(desired.length)
    expect(plan.removals).toEqual([])
    expect(argvs(plan.actions)).toEqual([
      'check firewall-guard',
      'nft -c -f /r/etc/atomicnix/firewall.nft',
      'nft -f /r/etc/atomicnix/firewall.nft',
      'networkctl reload',
      'systemctl restart dnsmasq.service',
      'systemctl restart chronyd.service',
      'loginctl enable-linger appsvc',
      'systemctl start user@990.service',
      'systemctl --user -M appsvc@ daemon-reload',
      'systemctl --user -M appsvc@ restart myapp.service',
    ])
    // The script is checked before it is written, and written before nft reads it.
    const kinds = plan.actions.slice(0, 4).map((a) => (a.kind === 'run' ? a.name : a.kind))
    expect(kinds).toEqual(['check', 'write', 'nft-check', 'nft-load'])
    expect(plan.owned).toEqual(desired.map((f) => f.path).sort())
  })

  it('a rerun (the last run of this generation failed) rewrites every file and runs every step', () => {
    const desired = desiredOf(SEED)
    const plan = planApply(
      desired,
      installedOf(desired),
      desired.map((f) => f.path),
      {
        root: ROOT,
        appUid: 990,
        rerun: true,
      },
    )
    expect(plan.writes).toHaveLength(desired.length)
    expect(argvs(plan.actions)).toHaveLength(10)
  })

  it('with every file in place, nothing is written and nothing runs', () => {
    const desired = desiredOf(SEED)
    const plan = planApply(
      desired,
      installedOf(desired),
      desired.map((f) => f.path),
      { root: ROOT, appUid: 990 },
    )
    expect(plan.writes).toEqual([])
    expect(plan.actions).toEqual([])
  })

  it('a change of the gateway aliases touches the dnsmasq hosts file only and restarts dnsmasq only', () => {
    const before = desiredOf(SEED)
    const after = desiredOf(SEED.replace('gateway_aliases = ["atomicnix"]', 'gateway_aliases = ["atomicnix", "gw"]'))
    const plan = planApply(
      after,
      installedOf(before),
      before.map((f) => f.path),
      { root: ROOT },
    )
    expect(plan.writes).toEqual(['etc/atomicnix/dnsmasq-hosts'])
    expect(argvs(plan.actions)).toEqual(['systemctl restart dnsmasq.service'])
  })

  it('a file with the right contents but another mode is rewritten', () => {
    const desired = desiredOf(SEED)
    const installed = installedOf(desired)
    const chrony = 'etc/atomicnix/chrony.conf'
    installed.set(chrony, { ...installed.get(chrony)!, mode: 0o666 })
    const plan = planApply(desired, installed, [], { root: ROOT })
    expect(plan.writes).toEqual([chrony])
    expect(argvs(plan.actions)).toEqual(['systemctl restart chronyd.service'])
  })

  it('a removed container is stopped, then its file removed, then systemd reloaded; only owned files are removed', () => {
    const before = desiredOf(UNITS)
    const after = desiredOf(UNITS.replace(/\[container\.db\][\s\S]*$/, ''))
    const plan = planApply(
      after,
      installedOf(before),
      before.map((f) => f.path),
      { root: ROOT },
    )
    expect(plan.removals).toEqual(['etc/containers/systemd/db.container'])
    expect(argvs(plan.actions)).toEqual(['systemctl stop db.service', 'systemctl daemon-reload'])
    expect(fileActions(plan.actions)).toEqual(['remove etc/containers/systemd/db.container'])
    const order = plan.actions.map((a) => (a.kind === 'run' ? a.name : a.kind))
    expect(order).toEqual(['stop db.service', 'remove', 'daemon-reload'])
    // The same config, but apply never owned db.container: it is left alone.
    const foreign = planApply(
      after,
      installedOf(before),
      after.map((f) => f.path),
      { root: ROOT },
    )
    expect(foreign.removals).toEqual([])
    expect(foreign.actions).toEqual([])
  })

  it('starts builds, networks and volumes before containers, rootful before rootless', () => {
    const plan = planApply(desiredOf(UNITS), new Map(), [], { root: ROOT, appUid: 990 })
    const restarts = argvs(plan.actions).filter((a) => a.includes(' restart ') && a.endsWith('.service'))
    expect(restarts.slice(-6)).toEqual([
      'systemctl restart proxy-image-build.service',
      'systemctl restart backend-network.service',
      'systemctl restart pgdata-volume.service',
      'systemctl restart db.service',
      'systemctl restart proxy.service',
      'systemctl --user -M appsvc@ restart app.service',
    ])
    const names = plan.actions.flatMap((a) => (a.kind === 'run' ? [a.name] : []))
    expect(names.indexOf('daemon-reload')).toBeLessThan(names.indexOf('restart proxy-image-build.service'))
    expect(names.indexOf('user-manager')).toBeLessThan(names.indexOf('user-daemon-reload'))
  })

  it('rootless units without an appsvc account fail at a check before any Quadlet command', () => {
    const plan = planApply(desiredOf(SEED), new Map(), [], { root: ROOT })
    const check = plan.actions.find((a) => a.kind === 'check' && a.name === 'user-manager')
    expect(check).toMatchObject({ error: 'appsvc has no entry in /etc/passwd' })
  })

  it('never removes a path it does not manage, whatever the owned manifest says', () => {
    const desired = desiredOf(SEED)
    const owned = ['etc/passwd', '../etc/shadow', 'etc/containers/systemd/../../shadow', 'etc/atomicnix/other']
    const plan = planApply(desired, installedOf(desired), owned, { root: ROOT })
    expect(plan.removals).toEqual([])
    expect([...plan.ignored].sort()).toEqual([...owned].sort())
  })

  it('refuses to plan a desired file outside the managed paths (a programmer error)', () => {
    expect(() => planApply([{ path: 'etc/shadow', contents: '', mode: 0o600 }], new Map(), [], { root: ROOT })).toThrow(
      TypeError,
    )
  })
})

describe('managed paths and names', () => {
  it('groups device paths by the daemon that reads them', () => {
    expect(fileGroup('etc/atomicnix/firewall.nft')).toBe('firewall')
    expect(fileGroup('etc/atomicnix/dnsmasq-hosts')).toBe('dnsmasq')
    expect(fileGroup('etc/systemd/network/20-lan.network.d/50-atomicnix.conf')).toBe('networkd')
    expect(fileGroup('var/lib/appsvc/.config/containers/systemd/a.container')).toBe('rootless')
    expect(fileGroup('etc/containers/systemd/a.volume')).toBe('rootful')
    expect(fileGroup('etc/containers/systemd/a.conf')).toBeUndefined()
    expect(fileGroup('etc/containers/systemd/sub/a.container')).toBeUndefined()
  })

  it('names the services Quadlet generates', () => {
    expect(['a.container', 'a.network', 'a.volume', 'a.build'].map(unitService)).toEqual([
      'a.service',
      'a-network.service',
      'a-volume.service',
      'a-build.service',
    ])
  })

  it("reads appsvc's uid from /etc/passwd", () => {
    const passwd =
      'root:x:0:0:root:/root:/bin/sh\nappsvcx:x:1:1::/:/bin/sh\nappsvc:x:990:990::/var/lib/appsvc:/bin/sh\n'
    expect(passwdUid(passwd, 'appsvc')).toBe(990)
    expect(passwdUid(passwd, 'nobody')).toBeUndefined()
    expect(passwdUid('appsvc:x:abc:1::/:/bin/sh', 'appsvc')).toBeUndefined()
  })

  it('round-trips the owned manifest and distrusts another root or a broken document', () => {
    const manifest = { root: '/', generation: 'g1', ok: true, files: ['etc/atomicnix/chrony.conf'] }
    expect(parseOwnedManifest(renderOwnedManifest(manifest), '/')).toEqual(manifest)
    expect(parseOwnedManifest(renderOwnedManifest(manifest), '/other')).toEqual({ root: '/other', files: [] })
    expect(parseOwnedManifest('{', '/')).toEqual({ root: '/', files: [] })
    expect(parseOwnedManifest(undefined, '/')).toEqual({ root: '/', files: [] })
  })
})

describe('checkFirewallScript', () => {
  it('accepts the rendered script of every valid fixture', () => {
    for (const fixture of validFixtures()) {
      const script = scriptOf(fixture.text)
      expect(checkFirewallScript(script), fixture.name).toBeUndefined()
    }
  })

  it('refuses a script that would lock out the VPN or the LAN, or flush the ruleset', () => {
    const script = scriptOf(SEED)
    expect(checkFirewallScript(script.replace(/\t\tiifname "tun0" tcp dport 22 accept[^\n]*\n/, ''))).toMatch(/tun0/)
    expect(checkFirewallScript(script.replace(/\t\tiifname "eth1" accept[^\n]*\n/, ''))).toMatch(/eth1/)
    expect(checkFirewallScript(script.replace('iifname "lo" accept', 'iifname "eth1" drop'))).toMatch(/drop/)
    expect(checkFirewallScript(`flush ruleset\n${script}`)).toMatch(/flushes/)
    expect(checkFirewallScript('table inet x {}\n')).toMatch(/no input chain/)
  })
})

describe('decideRevert', () => {
  it('reverts a failed config change to the previous generation', () => {
    expect(
      decideRevert({
        ok: false,
        generation: 'g2',
        lastApplied: { generation: 'g1', ok: true },
        previous: 'g1',
        failure: 'x',
      }),
    ).toEqual({ revert: true, to: 'g1', reason: 'generation g2 failed: x' })
  })

  it('does not revert a success, a repeat of the installed generation, or without an earlier generation', () => {
    expect(decideRevert({ ok: true, generation: 'g2', previous: 'g1' }).revert).toBe(false)
    expect(
      decideRevert({ ok: false, generation: 'g2', lastApplied: { generation: 'g2', ok: true }, previous: 'g1' }).revert,
    ).toBe(false)
    expect(decideRevert({ ok: false, generation: 'g1' })).toMatchObject({ revert: false })
  })

  it('does not roll back when another generation became current during the run, but marks the failed one', () => {
    const decision = decideRevert({ ok: false, generation: 'g2', previous: 'g1', currentNow: 'g3', failure: 'x' })
    expect(decision).toMatchObject({ revert: false, markFailed: true })
    expect(decision.reason).toContain('g3 became current meanwhile')
  })

  it('a generation whose own earlier run failed is still a change, so it reverts', () => {
    expect(
      decideRevert({ ok: false, generation: 'g2', lastApplied: { generation: 'g2', ok: false }, previous: 'g1' })
        .revert,
    ).toBe(true)
  })
})

describe('planApply: units that others use', () => {
  it('a changed volume restarts the containers that mount it, after the volume', () => {
    const before = desiredOf(UNITS)
    const after = desiredOf(UNITS.replace('Volume.Label = "app=atomicnix"', 'Volume.Label = "app=atomicnix2"'))
    const plan = planApply(
      after,
      installedOf(before),
      before.map((f) => f.path),
      { root: ROOT },
    )
    expect(plan.writes).toEqual(['etc/containers/systemd/pgdata.volume'])
    expect(argvs(plan.actions)).toEqual([
      'systemctl daemon-reload',
      'systemctl restart pgdata-volume.service',
      'systemctl restart db.service',
    ])
  })
})

describe('planApply: owned files already gone', () => {
  it('an owned unit that is no longer installed (a reset root) is neither stopped nor removed, only forgotten', () => {
    const before = desiredOf(UNITS)
    const after = desiredOf(UNITS.replace(/\[container\.db\][\s\S]*$/, ''))
    const installed = installedOf(before)
    installed.delete('etc/containers/systemd/db.container')
    const plan = planApply(
      after,
      installed,
      before.map((f) => f.path),
      { root: ROOT },
    )
    expect(plan.removals).toEqual([])
    expect(plan.forgotten).toEqual(['etc/containers/systemd/db.container'])
    expect(plan.actions).toEqual([])
  })

  it('a stale unit whose service is not loaded (systemctl exit 5) still counts as stopped', () => {
    const before = desiredOf(UNITS)
    const after = desiredOf(UNITS.replace(/\[container\.db\][\s\S]*$/, ''))
    const plan = planApply(
      after,
      installedOf(before),
      before.map((f) => f.path),
      { root: ROOT },
    )
    expect(plan.actions[0]).toMatchObject({ kind: 'run', name: 'stop db.service', alsoOk: [5] })
  })
})
