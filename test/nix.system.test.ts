import { spawnSync } from 'node:child_process'
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, relative } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { nixLib, ROOT, run, runOk } from './support/nix.js'
import { describeSystem } from './support/system.js'

function nixFilesBelow(dir: string): string[] {
  return readdirSync(join(ROOT, dir), { withFileTypes: true }).flatMap((e) => {
    const path = `${dir}/${e.name}`
    if (e.isDirectory()) return nixFilesBelow(path)
    return e.name.endsWith('.nix') ? [path] : []
  })
}

const nixFiles = ['flake.nix', ...nixFilesBelow('nix')]

function nixEval(expr: string): unknown {
  return JSON.parse(runOk('nix-instantiate', ['--eval', '--strict', '--json', '-E', expr]))
}

interface Partition {
  name: string
  number: number
  start: number
  size: number
  startSector: number
  sizeSectors: number
  bootname: string | null
  slot: string | null
}

describeSystem('Nix expressions', { commands: ['nix-instantiate'] }, () => {
  it('finds the modules, the lib and the tests', () => {
    expect(nixFiles).toEqual(
      expect.arrayContaining([
        'nix/package.nix',
        'nix/lib/default.nix',
        'nix/modules/default.nix',
        'nix/tests/default.nix',
        'nix/image.nix',
      ]),
    )
  })

  it.each(nixFiles)('%s parses', (file) => {
    const r = run('nix-instantiate', ['--parse', file])
    expect(r.status, r.stderr).toBe(0)
  })

  it('the flake has a description, a nixpkgs input and an outputs function of self and nixpkgs', () => {
    expect(
      nixEval(
        'let f = import ./flake.nix; in { inputs = builtins.attrNames f.inputs; url = f.inputs.nixpkgs.url; args = builtins.attrNames (builtins.functionArgs f.outputs); description = f.description; }',
      ),
    ).toEqual({
      inputs: ['nixpkgs'],
      url: 'github:NixOS/nixpkgs/nixos-24.11',
      args: ['nixpkgs', 'self'],
      description: expect.stringContaining('atomicnix'),
    })
  })

  it('flake.lock locks exactly the inputs of flake.nix, at a full revision with a content hash', () => {
    const lock = JSON.parse(readFileSync(join(ROOT, 'flake.lock'), 'utf8'))
    expect(lock.version).toBe(7)
    expect(lock.nodes[lock.root].inputs).toEqual({ nixpkgs: 'nixpkgs' })
    const node = lock.nodes.nixpkgs
    expect(node.original).toEqual({ owner: 'NixOS', repo: 'nixpkgs', ref: 'nixos-24.11', type: 'github' })
    expect(node.locked).toMatchObject({ owner: 'NixOS', repo: 'nixpkgs', type: 'github' })
    expect(node.locked.rev).toMatch(/^[0-9a-f]{40}$/)
    expect(node.locked.narHash).toMatch(/^sha256-[A-Za-z0-9+/]{43}=$/)
    expect(Number.isInteger(node.locked.lastModified)).toBe(true)
  })

  it('nix/lib evaluates without nixpkgs to the names the modules and images use', () => {
    expect(nixEval('builtins.attrNames (import ./nix/lib { })')).toEqual([
      'bootScript',
      'compatible',
      'partitions',
      'qemuBootScript',
      'raucManifest',
      'raucSystemConf',
      'ubootEnv',
    ])
    for (const name of ['partitions', 'ubootEnv', 'raucSystemConf', 'bootScript', 'qemuBootScript']) {
      expect(nixLib(name), name).toBeTruthy()
    }
    expect(nixLib<string>('raucManifest', { str: { version: '1.0.0' } })).toContain('version=1.0.0\n')
  })

  it('the VM tests are listed without nixpkgs', () => {
    expect(
      nixEval('builtins.attrNames (import ./nix/tests { pkgs = throw "no nixpkgs"; atomicnix = throw "no nixpkgs"; })'),
    ).toEqual(['firewall', 'lan-services', 'provisioning', 'update-rollback'])
  })

  describe('partitions', () => {
    const MiB = 1024 * 1024
    it('boot A/B, rootfs A/B and data, 1 MiB aligned, in order, without overlap, on a 16 GB eMMC', () => {
      const p = nixLib<{ diskBytes: number; table: Partition[]; bootloader: { end: number; ubootOffset: number } }>(
        'partitions',
      )
      expect(p.table.map((x) => [x.number, x.name, x.slot, x.bootname])).toEqual([
        [1, 'boot-a', 'boot.0', 'A'],
        [2, 'boot-b', 'boot.1', 'B'],
        [3, 'rootfs-a', 'rootfs.0', 'A'],
        [4, 'rootfs-b', 'rootfs.1', 'B'],
        [5, 'data', null, null],
      ])
      expect(p.table[0]!.start).toBe(p.bootloader.end)
      for (const [i, x] of p.table.entries()) {
        expect(x.start % MiB, x.name).toBe(0)
        expect(x.size % MiB, x.name).toBe(0)
        expect(x.startSector * 512).toBe(x.start)
        expect(x.sizeSectors * 512).toBe(x.size)
        if (i > 0) expect(x.start).toBe(p.table[i - 1]!.start + p.table[i - 1]!.size)
      }
      const last = p.table.at(-1)!
      // Room for the backup GPT (33 sectors) after /data, on the smallest "16 GB" eMMC user area (14.5 GiB).
      expect(last.start + last.size + 33 * 512).toBeLessThanOrEqual(p.diskBytes)
      expect(p.diskBytes).toBeLessThanOrEqual(14.5 * 1024 * MiB)
      expect(last.size).toBeGreaterThan(4 * 1024 * MiB)
    })

    it('the boot-count environment: two copies in the raw region, clear of U-Boot and the partitions', () => {
      const env = nixLib<{ offset: number; redundOffset: number; size: number; fwEnvConfig: string }>('ubootEnv', {
        str: { envDevice: '/dev/mmcblk1' },
      })
      const p = nixLib<{ bootloader: { end: number; ubootOffset: number } }>('partitions')
      expect(env.offset).toBeGreaterThanOrEqual(p.bootloader.ubootOffset + 4 * MiB)
      expect(env.redundOffset).toBeGreaterThanOrEqual(env.offset + env.size)
      expect(env.redundOffset + env.size).toBeLessThanOrEqual(p.bootloader.end)
      expect(env.fwEnvConfig.split('\n').filter((l) => l && !l.startsWith('#'))).toEqual([
        `/dev/mmcblk1 0x${env.offset.toString(16)} 0x${env.size.toString(16)}`,
        `/dev/mmcblk1 0x${env.redundOffset.toString(16)} 0x${env.size.toString(16)}`,
      ])
    })
  })

  it('the CI report names the checks that need nixpkgs and why', () => {
    const r = spawnSync('bash', ['scripts/nix-offline-report.sh'], { cwd: ROOT, encoding: 'utf8' })
    expect(r.status, r.stderr).toBe(0)
    expect(r.stdout).toMatch(/nix: (not run \(no nixpkgs here|a nixpkgs is on NIX_PATH)/)
    expect(r.stdout).toContain('nix: run here:')
  })
})

describeSystem('The fallback files rendered at build time', { root: true, commands: ['nft'] }, () => {
  // The same steps as nix/package.nix's installPhase, with the CLI that `npm run build` made.
  const cli = join(ROOT, 'packages/device-runtime/dist/cli.js')
  const out = mkdtempSync(join(tmpdir(), 'atomicnix-fallback-'))
  afterAll(() => rmSync(out, { recursive: true, force: true }))

  it('nix/fallback.toml renders the base firewall, the fallback LAN files and the networkd drop-in', () => {
    runOk(process.execPath, [cli, 'validate', 'nix/fallback.toml'])
    runOk(process.execPath, [cli, 'render', 'nix/fallback.toml', '--root', out])
    const files = (dir: string): string[] =>
      readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
        e.isDirectory() ? files(join(dir, e.name)) : [relative(join(out, 'etc'), join(dir, e.name))],
      )
    // What the modules link from share/atomicnix/fallback/etc.
    expect(files(join(out, 'etc')).sort()).toEqual([
      'atomicnix/chrony.conf',
      'atomicnix/dnsmasq-hosts',
      'atomicnix/dnsmasq.conf',
      'atomicnix/firewall.nft',
      'systemd/network/20-lan.network.d/50-atomicnix.conf',
    ])
    const modules = nixFilesBelow('nix/modules')
      .map((f) => readFileSync(join(ROOT, f), 'utf8'))
      .join('\n')
    for (const f of ['firewall.nft', 'dnsmasq.conf', 'dnsmasq-hosts', 'chrony.conf']) expect(modules).toContain(f)
    expect(modules).toContain('systemd/network/20-lan.network.d/50-atomicnix.conf')
  })

  it('the base firewall opens nothing on the WAN and is accepted by nft -c', () => {
    const nft = readFileSync(join(out, 'etc/atomicnix/firewall.nft'), 'utf8')
    // Nothing is accepted on the WAN; its one rule drops packets addressed to another local address (the LAN's).
    expect(nft.split('\n').filter((line) => line.includes('iifname "eth0"'))).toEqual([
      expect.stringMatching(/^\t\tiifname "eth0" fib daddr \. iif type != \{ local, broadcast, multicast \} drop /),
    ])
    expect(nft).toContain('iifname "eth1" tcp dport { 22, 53, 8080 } accept')
    expect(nft).toContain('policy drop')
    const r = run('nft', ['-c', '-f', join(out, 'etc/atomicnix/firewall.nft')])
    expect(r.status, r.stderr).toBe(0)
  })

  it('the JSON Schema that the package installs comes from the CLI', () => {
    const schema = JSON.parse(runOk(process.execPath, [cli, 'schema']))
    expect(schema.$schema ?? schema.type).toBeTruthy()
  })
})
