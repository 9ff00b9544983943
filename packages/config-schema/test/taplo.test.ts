import { spawnSync } from 'node:child_process'
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, describe, expect, it } from 'vitest'
import { loadFixtures } from './fixtures.js'

// taplo's CLI (npm @taplo/cli, WebAssembly: no binary to download) is what Even Better TOML runs in editors.
const root = fileURLToPath(new URL('../../../', import.meta.url))
const TAPLO = join(root, 'node_modules/@taplo/cli/dist/cli.js')
const SCHEMA = fileURLToPath(new URL('../config.schema.json', import.meta.url))
const FIXTURES = fileURLToPath(new URL('./fixtures/', import.meta.url))

/** Runs `taplo check FILES` in `cwd`; returns its exit code and the files it reported invalid. */
function taploCheck(cwd: string, files: readonly string[]) {
  const r = spawnSync(process.execPath, [TAPLO, 'check', '--colors', 'never', ...files], {
    cwd,
    encoding: 'utf8',
    env: { ...process.env, NO_COLOR: '1', RUST_LOG: 'error' },
  })
  const invalid = [...r.stderr.matchAll(/invalid file .*path="([^"]+)"/g)].map((m) => m[1]!).sort()
  return { code: r.status, invalid, output: r.stderr }
}

// Invalid fixtures whose error a JSON Schema can state (a shape, not a rule across values): taplo must flag them.
const SHAPE_ERRORS = [
  'unknown-key',
  'unknown-top-level',
  'unsupported-version',
  'wrong-type-version',
  'missing-version',
  'missing-admin',
  'missing-firewall',
  'missing-ssh-keys',
  'ssh-keys-empty',
  'port-out-of-range',
  'port-not-integer',
  'privileged-wrong-type',
  'containers-missing',
  'lan-wrong-type',
  'lan-prefix-not-24',
  'unit-name-invalid',
  'value-control-char',
  'health-required-empty',
]

const scratch = mkdtempSync(join(tmpdir(), 'anx-taplo-'))
afterAll(() => rmSync(scratch, { recursive: true, force: true }))

describe('taplo with the shipped schema and the repository .taplo.toml', () => {
  it('accepts the seed example and every valid fixture', () => {
    const files = ['examples/seed/config.toml', ...loadFixtures('valid').map((f) => `${FIXTURES}valid/${f.name}.toml`)]
    const r = taploCheck(root, files)
    expect(r.invalid).toEqual([])
    expect(r.code, r.output).toBe(0)
  })

  it('flags every invalid fixture whose error is one of shape', () => {
    const files = SHAPE_ERRORS.map((name) => `${FIXTURES}invalid/${name}.toml`)
    const r = taploCheck(root, files)
    expect(r.code).not.toBe(0)
    expect(r.invalid).toEqual([...files].sort())
  })
})

describe('taplo with a #:schema line, as the README shows', () => {
  it('checks a config.toml against node_modules/@atomicnix/config-schema/config.schema.json', () => {
    const installed = join(scratch, 'node_modules/@atomicnix/config-schema')
    mkdirSync(installed, { recursive: true })
    copyFileSync(SCHEMA, join(installed, 'config.schema.json'))
    const directive = '#:schema ./node_modules/@atomicnix/config-schema/config.schema.json\n'
    const read = (path: string) => readFileSync(join(FIXTURES, path), 'utf8')
    writeFileSync(join(scratch, 'config.toml'), directive + read('valid/seed.toml'))
    writeFileSync(join(scratch, 'typo.toml'), directive + read('invalid/unknown-key.toml'))
    const r = taploCheck(scratch, ['config.toml', 'typo.toml'])
    expect(r.invalid).toEqual([join(scratch, 'typo.toml')])
    expect(r.output).toContain("'dhcp_strat' was unexpected")
  })
})
