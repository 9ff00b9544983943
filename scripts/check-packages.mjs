// Checks every workspace package as its users get it: packs it with `npm pack`, lints the tarball with publint and
// @arethetypeswrong/cli (attw), then unpacks the tarballs into a scratch node_modules and loads each package with
// `require` and with `import`, subpaths included, in fresh Node processes. Run after `npm run build`
// (`npm run check:packages`); exits 1 when any check fails and says which.
import { execFileSync, spawnSync } from 'node:child_process'
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = fileURLToPath(new URL('../', import.meta.url))
const bin = (name) => join(root, 'node_modules', '.bin', name)
const { workspaces } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'))
const scratch = mkdtempSync(join(tmpdir(), 'anx-packages-'))
const aloneRoot = mkdtempSync(join(tmpdir(), 'anx-package-alone-'))
const failures = []

function check(label, command, args, options = {}) {
  const r = spawnSync(command, args, { encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' }, ...options })
  const output = `${r.stdout ?? ''}${r.stderr ?? ''}`.trim()
  if (r.status === 0) console.log(`ok    ${label}`)
  else {
    failures.push(label)
    console.log(`FAIL  ${label}\n${output.replace(/^/gm, '      ')}`)
  }
  return output
}

try {
  const modules = join(scratch, 'node_modules')
  mkdirSync(join(modules, '@atomicnix'), { recursive: true })
  const packages = []
  for (const dir of workspaces) {
    const manifest = JSON.parse(readFileSync(join(root, dir, 'package.json'), 'utf8'))
    const [packed] = JSON.parse(
      execFileSync('npm', ['pack', '--json', '--pack-destination', scratch], {
        cwd: join(root, dir),
        encoding: 'utf8',
      }),
    )
    const tarball = join(scratch, packed.filename)
    const files = packed.files.map((f) => f.path)
    for (const required of ['LICENSE', 'package.json', 'README.md']) {
      if (!files.includes(required)) failures.push(`${manifest.name}: ${required} is not in the tarball`)
    }
    check(`publint ${manifest.name}`, bin('publint'), ['run', '--strict', '--level', 'suggestion', tarball])
    check(`attw ${manifest.name}`, bin('attw'), [tarball, '--format', 'ascii', '--no-emoji'])
    const target = join(modules, manifest.name)
    mkdirSync(target, { recursive: true })
    execFileSync('tar', ['-xzf', tarball, '-C', target, '--strip-components=1'])
    // Third-party dependencies come from the workspace's own install: this checks our tarballs, not the registry.
    for (const dep of Object.keys(manifest.dependencies ?? {})) {
      if (!dep.startsWith('@atomicnix/')) {
        try {
          symlinkSync(join(root, 'node_modules', dep), join(modules, dep), 'dir')
        } catch (error) {
          if (error.code !== 'EEXIST') throw error
        }
      }
    }
    const subpaths = Object.keys(manifest.exports).filter((k) => k !== './package.json')
    packages.push({ name: manifest.name, subpaths, tarball })
  }
  // config-schema's main entry needs no dependency at all (TypeBox is only for ./json-schema): it loads from a
  // node_modules that holds nothing but its own tarball (outside `scratch`, whose node_modules resolution would find).
  const alone = join(aloneRoot, 'project')
  const aloneTarget = join(alone, 'node_modules/@atomicnix/config-schema')
  mkdirSync(aloneTarget, { recursive: true })
  const schemaTarball = packages.find((p) => p.name === '@atomicnix/config-schema').tarball
  execFileSync('tar', ['-xzf', schemaTarball, '-C', aloneTarget, '--strip-components=1'])
  const probe = `m.parseConfig('version = 1').ok === false || process.exit(3)`
  check(
    'config-schema (.) without its dependencies, require',
    process.execPath,
    ['-e', `const m = require('@atomicnix/config-schema'); ${probe}`],
    { cwd: alone },
  )
  check(
    'config-schema (.) without its dependencies, import',
    process.execPath,
    ['--input-type=module', '-e', `const m = await import('@atomicnix/config-schema'); ${probe}`],
    { cwd: alone },
  )
  for (const { name, subpaths } of packages) {
    for (const subpath of subpaths) {
      const specifier = subpath === '.' ? name : `${name}/${subpath.slice(2)}`
      const json = specifier.endsWith('.json')
      const cjs = `const m = require(${JSON.stringify(specifier)}); if (Object.keys(m).length === 0) process.exit(3)`
      const esm = json
        ? `const m = await import(${JSON.stringify(specifier)}, { with: { type: 'json' } }); if (!m.default.$id) process.exit(3)`
        : `const m = await import(${JSON.stringify(specifier)}); if (Object.keys(m).length === 0) process.exit(3)`
      check(`require('${specifier}')`, process.execPath, ['-e', cjs], { cwd: scratch })
      check(`import '${specifier}'`, process.execPath, ['--no-warnings', '--input-type=module', '-e', esm], {
        cwd: scratch,
      })
    }
  }
  // The inlined parser and address code work in both builds: the seed example is valid through each.
  const seed = JSON.stringify(join(root, 'examples/seed/config.toml'))
  const valid = `if (!m.parseConfig(require('node:fs').readFileSync(${seed}, 'utf8')).ok) process.exit(4)`
  check(
    'parseConfig(seed) from require',
    process.execPath,
    ['-e', `const m = require('@atomicnix/config-schema'); ${valid}`],
    { cwd: scratch },
  )
  check(
    'parseConfig(seed) from import',
    process.execPath,
    [
      '--input-type=module',
      '-e',
      `import { createRequire } from 'node:module'; const require = createRequire(process.cwd() + '/'); const m = await import('@atomicnix/config-schema'); ${valid}`,
    ],
    { cwd: scratch },
  )
} finally {
  rmSync(scratch, { recursive: true, force: true })
  rmSync(aloneRoot, { recursive: true, force: true })
}

if (failures.length > 0) {
  console.log(`\n${failures.length} package check(s) failed:\n  ${failures.join('\n  ')}`)
  process.exit(1)
}
console.log('\nevery package packs cleanly and loads from require and import')
