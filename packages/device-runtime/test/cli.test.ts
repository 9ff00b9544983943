import { spawnSync } from 'node:child_process'
import {
  chmodSync,
  closeSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { SEED_LAN_SETTINGS } from '../../../test/support/lan-settings.js'
import { COMMANDS, USAGE } from '../src/cli/run.js'
import { wantsColor } from '../src/node/output.js'

const CLI = fileURLToPath(new URL('../dist/cli.js', import.meta.url))
const SEED = fileURLToPath(new URL('../../../examples/seed/config.toml', import.meta.url))
const INVALID = fileURLToPath(new URL('../../config-schema/test/fixtures/invalid/', import.meta.url))
const VALID = fileURLToPath(new URL('../../config-schema/test/fixtures/valid/', import.meta.url))
const SHIPPED_SCHEMA = fileURLToPath(new URL('../../config-schema/config.schema.json', import.meta.url))

let dir: string
beforeAll(() => {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run "npm run build" first (npm test does)`)
  dir = mkdtempSync(join(tmpdir(), 'anx-cli-'))
})
afterAll(() => rmSync(dir, { recursive: true, force: true }))

function atomicnix(args: string[], env: Record<string, string> = {}, input?: string | Buffer) {
  const r = spawnSync(process.execPath, [CLI, ...args], {
    encoding: 'utf8',
    env: { ...process.env, ...env },
    ...(input === undefined ? {} : { input }),
  })
  return { code: r.status, stdout: r.stdout, stderr: r.stderr }
}

/** Every file below `root`, relative, sorted. */
function tree(root: string, prefix = ''): string[] {
  if (!existsSync(root)) return []
  return readdirSync(join(root, prefix), { withFileTypes: true })
    .flatMap((e) => (e.isDirectory() ? tree(root, join(prefix, e.name)) : [join(prefix, e.name)]))
    .sort()
}

describe('atomicnix validate', () => {
  it('exits 0 for the seed example, with its rewrite warning on stderr', () => {
    const r = atomicnix(['validate', SEED])
    expect(r.code).toBe(0)
    expect(r.stdout).toBe(`${SEED}: valid\n`)
    expect(r.stderr).toContain('warning[publish_port_loopback]')
  })

  it('exits 1 with every issue, a caret frame and no stack trace', () => {
    const r = atomicnix(['validate', join(INVALID, 'unknown-key.toml')])
    expect(r.code).toBe(1)
    expect(r.stderr).toMatch(/unknown-key\.toml:12:1 error\[unknown_key\] lan\.dhcp_strat: .*did you mean "dhcp_start"/)
    expect(r.stderr).toContain(' 12 | dhcp_strat = "172.20.30.20"\n    | ^')
    expect(r.stderr).not.toMatch(/\bat .*\.js:\d+/)
  })

  it('--json prints {ok, errors, warnings} on stdout', () => {
    const bad = atomicnix(['validate', '--json', join(INVALID, 'port-out-of-range.toml')])
    expect(bad.code).toBe(1)
    const report = JSON.parse(bad.stdout)
    expect(Object.keys(report)).toEqual(['ok', 'errors', 'warnings'])
    expect(report.ok).toBe(false)
    expect(report.errors.map((e: { code: string }) => e.code)).toEqual(['port_out_of_range', 'port_out_of_range'])
    const good = JSON.parse(atomicnix(['validate', SEED, '--json']).stdout)
    expect(good.ok).toBe(true)
    expect(good.warnings).toHaveLength(1)
  })

  it('--strict makes warnings fatal', () => {
    expect(atomicnix(['validate', '--strict', SEED]).code).toBe(1)
    const json = JSON.parse(atomicnix(['validate', '--strict', '--json', SEED]).stdout)
    expect(json.ok).toBe(false)
    expect(atomicnix(['validate', '--strict', join(VALID, 'lan-defaults-omitted.toml')]).code).toBe(1)
  })

  it('exits 2 with one line for usage and I/O errors', () => {
    const notUtf8 = join(dir, 'latin1.toml')
    writeFileSync(notUtf8, Buffer.from([0x76, 0x3d, 0xe9, 0x0a]))
    const unreadable = join(dir, 'secret.toml')
    writeFileSync(unreadable, 'version = 1\n')
    chmodSync(unreadable, 0)
    const cases: [string[], RegExp][] = [
      [['validate', join(dir, 'missing.toml')], /cannot read .*missing\.toml: no such file$/],
      [['validate', dir], /cannot read .*: is a directory$/],
      [['validate', notUtf8], /cannot read .*latin1\.toml: not UTF-8 text$/],
      [['validate'], /missing FILE argument/],
      [['validate', SEED, '--bogus'], /Unknown option '--bogus'/],
      [['validate', SEED, 'extra'], /unexpected argument "extra"/],
      [['frobnicate'], /unknown command "frobnicate"/],
      [[], /Usage:/],
    ]
    // Root reads any file whatever its mode, so the unreadable case only means something for other users.
    if (process.getuid?.() !== 0) cases.push([['validate', unreadable], /permission denied$/])
    for (const [args, message] of cases) {
      const r = atomicnix(args)
      expect(r.code, args.join(' ')).toBe(2)
      expect(r.stderr.split('\n')[0]).toMatch(message)
      expect(r.stdout).toBe('')
    }
  })

  it('reports an oversized file as input_too_large without reading all of it', () => {
    const big = join(dir, 'big.toml')
    writeFileSync(big, `# ${'x'.repeat(2 * 1024 * 1024)}\n`)
    const r = atomicnix(['validate', '--json', big])
    expect(r.code).toBe(1)
    expect(JSON.parse(r.stdout).errors.map((e: { code: string }) => e.code)).toEqual(['input_too_large'])
  })

  it('reads standard input for "-", named <stdin> in messages, with the file limits', () => {
    const seed = readFileSync(SEED)
    const good = atomicnix(['validate', '-'], {}, seed)
    expect(good.code).toBe(0)
    expect(good.stdout).toBe('<stdin>: valid\n')
    expect(good.stderr).toContain('<stdin>:26:16 warning[publish_port_loopback]')
    const bad = atomicnix(['validate', '-'], {}, readFileSync(join(INVALID, 'unknown-key.toml')))
    expect(bad.code).toBe(1)
    expect(bad.stderr).toMatch(/^<stdin>:12:1 error\[unknown_key\]/m)
    expect(atomicnix(['validate', '--json', '-'], {}, seed).stdout).toBe(atomicnix(['validate', '--json', SEED]).stdout)
    // Larger than MAX_CONFIG_BYTES: read only up to the limit, reported as the config's error.
    const big = atomicnix(['validate', '--json', '-'], {}, `# ${'x'.repeat(3 * 1024 * 1024)}\n`)
    expect(big.code).toBe(1)
    expect(JSON.parse(big.stdout).errors.map((e: { code: string }) => e.code)).toEqual(['input_too_large'])
    const latin1 = atomicnix(['validate', '-'], {}, Buffer.from([0x76, 0x3d, 0xe9, 0x0a]))
    expect(latin1.code).toBe(2)
    expect(latin1.stderr).toBe('atomicnix validate: cannot read <stdin>: not UTF-8 text\n')
    // A directory as standard input (`< dir` in a shell) is an I/O error, not an empty config.
    const dirFd = openSync(dir, 'r')
    const fromDir = spawnSync(process.execPath, [CLI, 'validate', '-'], {
      encoding: 'utf8',
      stdio: [dirFd, 'pipe', 'pipe'],
    })
    closeSync(dirFd)
    expect(fromDir.status).toBe(2)
    expect(fromDir.stderr).toBe('atomicnix validate: cannot read standard input: is a directory\n')
    const empty = atomicnix(['validate', '--json', '-'], {}, '')
    expect(empty.code).toBe(1)
    expect(JSON.parse(empty.stdout).errors[0].code).toBe('missing_key')
  })

  it('--json prints {ok:false, errors:[{code:"io_error"|"usage_error"}]} for I/O and usage errors too', () => {
    const cases: [string[], string, RegExp][] = [
      [['validate', '--json', join(dir, 'missing.toml')], 'io_error', /^cannot read .*missing\.toml: no such file$/],
      [['validate', dir, '--json'], 'io_error', /: is a directory$/],
      [['validate', '--json'], 'usage_error', /^missing FILE argument$/],
      [['validate', '--json', SEED, '--bogus'], 'usage_error', /^Unknown option '--bogus'/],
      [['frobnicate', '--json'], 'usage_error', /^unknown command "frobnicate"$/],
      [['render', SEED, '--json', '--root', join(dir, 'never')], 'usage_error', /^Unknown option '--json'/],
    ]
    for (const [args, code, message] of cases) {
      const r = atomicnix(args)
      expect(r.code, args.join(' ')).toBe(2)
      const report = JSON.parse(r.stdout)
      expect(Object.keys(report)).toEqual(['ok', 'errors', 'warnings'])
      expect(report.ok).toBe(false)
      expect(report.warnings).toEqual([])
      expect(report.errors).toHaveLength(1)
      expect(report.errors[0]).toEqual({ code, severity: 'error', path: '', message: expect.stringMatching(message) })
      // The human line stays on stderr.
      expect(r.stderr.split('\n')[0]).toContain(report.errors[0].message)
    }
    // After "--", --json is an argument, not the option.
    expect(atomicnix(['validate', '--', '--json']).stdout).toBe('')
  })

  it('colours only on a terminal or with FORCE_COLOR, never with NO_COLOR', () => {
    const file = join(INVALID, 'unknown-key.toml')
    const colour = (env: Record<string, string>) =>
      atomicnix(['validate', file], { NO_COLOR: '', FORCE_COLOR: '', TERM: 'xterm', ...env }).stderr.includes('\u001b[')
    expect(colour({})).toBe(false) // a pipe is not a terminal
    expect(colour({ FORCE_COLOR: '1' })).toBe(true)
    expect(colour({ FORCE_COLOR: '3', TERM: 'dumb' })).toBe(true)
    expect(colour({ FORCE_COLOR: '0' })).toBe(false)
    expect(colour({ FORCE_COLOR: 'false' })).toBe(false)
    expect(colour({ FORCE_COLOR: '1', NO_COLOR: '1' })).toBe(false)
  })
})

describe('wantsColor, the decision of the Node adapter', () => {
  it('honours NO_COLOR, then FORCE_COLOR, then TERM=dumb, then the terminal', () => {
    expect(wantsColor({}, true)).toBe(true)
    expect(wantsColor({}, false)).toBe(false)
    expect(wantsColor({ TERM: 'dumb' }, true)).toBe(false)
    expect(wantsColor({ TERM: 'xterm-256color' }, true)).toBe(true)
    expect(wantsColor({ NO_COLOR: '1' }, true)).toBe(false)
    expect(wantsColor({ NO_COLOR: '' }, true)).toBe(true)
    expect(wantsColor({ FORCE_COLOR: '1' }, false)).toBe(true)
    expect(wantsColor({ FORCE_COLOR: '' }, false)).toBe(false)
    expect(wantsColor({ FORCE_COLOR: '0' }, true)).toBe(false)
    expect(wantsColor({ FORCE_COLOR: 'FALSE' }, true)).toBe(false)
    expect(wantsColor({ FORCE_COLOR: '1', TERM: 'dumb' }, false)).toBe(true)
    expect(wantsColor({ FORCE_COLOR: '1', NO_COLOR: 'x' }, true)).toBe(false)
  })
})

describe('atomicnix CMD --help', () => {
  // Every command that the global usage lists, so that a command added later is covered too.
  const commands = [...USAGE.matchAll(/^ {2}atomicnix ([a-z][a-z-]*)/gm)].map((m) => m[1]!)

  it('lists every command of the COMMANDS table, each on its own line', () => {
    expect([...commands].sort()).toEqual(Object.keys(COMMANDS).sort())
    expect(commands).toEqual(expect.arrayContaining(['validate', 'render', 'schema']))
  })

  it.each(commands)('%s --help prints its usage on stdout and exits 0', (command) => {
    const line = USAGE.split('\n').find((l) => l.startsWith(`  atomicnix ${command}`))!
    for (const args of [
      [command, '--help'],
      [command, '-h'],
      ['help', command],
      [command, 'x', '--help'],
    ]) {
      const r = atomicnix(args)
      expect(r.code, args.join(' ')).toBe(0)
      expect(r.stdout, args.join(' ')).toMatch(/^Usage:\n/)
      expect(r.stdout).toContain(line)
      expect(r.stdout).not.toContain('--version')
      expect(r.stderr).toBe('')
    }
  })
})

describe('atomicnix render', () => {
  it('writes the device files of the seed example with their modes', () => {
    const root = join(dir, 'seed-root')
    const r = atomicnix(['render', SEED, '--root', root, '--mac', '02:00:5e:10:20:30'])
    expect(r.code).toBe(0)
    const files = tree(root)
    for (const path of [
      'data/config/config.toml',
      'data/config/ssh-authorized-keys/admin',
      'data/config/firewall-inbound.json',
      'data/config/lan-settings.json',
      'data/config/health-required.json',
      'etc/atomicnix/firewall.nft',
      'etc/atomicnix/dnsmasq.conf',
      'etc/atomicnix/dnsmasq-hosts',
      'etc/atomicnix/chrony.conf',
      'etc/systemd/network/20-lan.network.d/50-atomicnix.conf',
      'data/config/quadlet/myapp.container',
      'data/config/quadlet-runtime.json',
      'var/lib/appsvc/.config/containers/systemd/myapp.container',
    ]) {
      expect(files).toContain(path)
    }
    expect(files).not.toContain('data/config/os-upgrade.json')
    for (const file of files) {
      expect(r.stdout).toContain(`wrote ${join(root, file)} (`)
      const mode = statSync(join(root, file)).mode & 0o777
      expect(mode, file).toBe(
        file.startsWith('data/config/') && !file.startsWith('data/config/quadlet/') ? 0o600 : 0o644,
      )
      const text = readFileSync(join(root, file), 'utf8')
      expect(text.endsWith('\n'), file).toBe(true)
    }
    expect(readFileSync(join(root, 'data/config/config.toml'))).toEqual(readFileSync(SEED))
    expect(readFileSync(join(root, 'etc/atomicnix/dnsmasq-hosts'), 'utf8')).toContain('atomicnix-02005e102030')
  })

  it('matches the seed documents: firewall-inbound.json and lan-settings.json', () => {
    const root = join(dir, 'seed-json')
    expect(atomicnix(['render', SEED, '--root', root]).code).toBe(0)
    const read = (p: string) => readFileSync(join(root, 'data/config', p), 'utf8')
    expect(JSON.parse(read('firewall-inbound.json'))).toEqual({ tcp: [443], udp: [1194] })
    expect(JSON.parse(read('lan-settings.json'))).toEqual(SEED_LAN_SETTINGS)
    // The same key order as the seed's JSON.
    expect(Object.keys(JSON.parse(read('lan-settings.json')))).toEqual(Object.keys(SEED_LAN_SETTINGS))
    expect(read('health-required.json')).toBe('[\n  "myapp"\n]\n')
  })

  it('an invalid config writes nothing', () => {
    const root = join(dir, 'invalid-root')
    const r = atomicnix(['render', join(INVALID, 'dhcp-range-reversed.toml'), '--root', root])
    expect(r.code).toBe(1)
    expect(r.stderr).toContain('error[dhcp_range_reversed]')
    expect(tree(root)).toEqual([])
    expect(r.stdout).toBe('')
  })

  it('needs --root, and checks --mac', () => {
    expect(atomicnix(['render', SEED]).stderr).toMatch(/missing --root DIR/)
    expect(atomicnix(['render', SEED, '--root', dir, '--mac', 'zz']).code).toBe(2)
  })

  it('writes os-upgrade.json only when [os_upgrade] exists', () => {
    const root = join(dir, 'large')
    expect(atomicnix(['render', join(VALID, 'large.toml'), '--root', root]).code).toBe(0)
    expect(JSON.parse(readFileSync(join(root, 'data/config/os-upgrade.json'), 'utf8'))).toEqual({
      server_url: 'https://updates.example.com/fleet/site-17',
    })
  })

  it('an unwritable root is an I/O error (exit 2)', () => {
    const file = join(dir, 'plain-file')
    writeFileSync(file, '')
    const r = atomicnix(['render', SEED, '--root', join(file, 'sub')])
    expect(r.code).toBe(2)
    expect(r.stderr).toMatch(/^atomicnix render: cannot write /m)
  })
})

describe('atomicnix schema', () => {
  it('prints the JSON Schema that config-schema ships, byte for byte', () => {
    const r = atomicnix(['schema'])
    expect(r.code).toBe(0)
    expect(r.stdout).toBe(readFileSync(SHIPPED_SCHEMA, 'utf8'))
    const schema = JSON.parse(r.stdout)
    expect(schema.title).toBe('AtomicNix config.toml v1')
    expect(schema.properties.version).toEqual(expect.objectContaining({ const: 1 }))
  })
  it('--help and --version', () => {
    expect(atomicnix(['--help']).stdout).toContain('atomicnix validate FILE')
    expect(atomicnix(['--version']).stdout).toMatch(/^\d+\.\d+\.\d+\n$/)
  })
})

describe('render output directory', () => {
  it('creates nested directories', () => {
    const root = join(dir, 'a', 'b', 'c')
    mkdirSync(join(dir, 'a'), { recursive: true })
    expect(atomicnix(['render', SEED, '--root', root]).code).toBe(0)
    expect(existsSync(join(root, 'etc/atomicnix/firewall.nft'))).toBe(true)
  })
})
