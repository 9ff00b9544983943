import { execFile } from 'node:child_process'
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { describe, expect, it } from 'vitest'

const ROOT = fileURLToPath(new URL('..', import.meta.url))
const PURE = ['config-schema', 'firewall-plan', 'lan-plan', 'quadlet-render']
const TSC = join(ROOT, 'node_modules/typescript/bin/tsc')
const run = promisify(execFile)

/** Every .ts file below a directory. */
function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? sources(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : [],
  )
}

describe('pure packages', () => {
  for (const name of PURE) {
    it(`${name}: no source file imports a node: module or uses process, Buffer or require`, () => {
      for (const file of sources(join(ROOT, 'packages', name, 'src')).filter((f) => !f.endsWith('.test.ts'))) {
        const text = readFileSync(file, 'utf8')
        expect(text, file).not.toMatch(/from ['"]node:|import\(['"]node:|require\(/)
        expect(text, file).not.toMatch(/\bprocess\.|\bBuffer\.|\bDate\.now\(|Math\.random\(/)
      }
    })
  }

  it('device-runtime: its core (everything outside src/node/, src/cli/ and src/cli.ts) is pure too', () => {
    const src = join(ROOT, 'packages', 'device-runtime', 'src')
    const core = sources(src).filter(
      (f) =>
        !f.endsWith('.test.ts') && !/[/\\]src[/\\](node|cli)[/\\]/.test(f) && !f.endsWith(`${join('src', 'cli.ts')}`),
    )
    expect(core.length).toBeGreaterThan(0)
    for (const file of core) {
      const text = readFileSync(file, 'utf8')
      expect(text, file).not.toMatch(/from ['"]node:|import\(['"]node:|require\(/)
      expect(text, file).not.toMatch(/\bprocess\.|\bBuffer\.|\bDate\.now\(|Math\.random\(/)
    }
  })

  it('their tsconfig refuses a node: import (no Node types), while device-runtime accepts it', async () => {
    const probe = async (name: string) => {
      // A scratch project that extends the package's tsconfig and adds one file importing node:fs.
      const dir = mkdtempSync(join(ROOT, 'packages', name, '.purity-'))
      try {
        writeFileSync(join(dir, 'probe.ts'), "import { readFileSync } from 'node:fs'\nexport const f = readFileSync\n")
        writeFileSync(
          join(dir, 'tsconfig.json'),
          JSON.stringify({ extends: '../tsconfig.json', include: ['probe.ts'], compilerOptions: { noEmit: true } }),
        )
        await run(process.execPath, [TSC, '-p', join(dir, 'tsconfig.json')], { cwd: dir })
        return ''
      } catch (error) {
        return String((error as { stdout?: string }).stdout ?? error)
      } finally {
        rmSync(dir, { recursive: true, force: true })
      }
    }
    const results = await Promise.all([...PURE, 'device-runtime'].map(probe))
    for (const [i, name] of PURE.entries())
      expect(results[i], name).toMatch(/error TS\d+: Cannot find (module|name) 'node:fs'/)
    expect(results[PURE.length]).toBe('')
  })
})
