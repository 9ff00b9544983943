import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { createContext, runInContext } from 'node:vm'
import { build } from 'esbuild'
import { gzip as gzipSync } from 'pako'
import { describe, expect, it } from 'vitest'
import { describeCompile } from './support/browser-entry.js'
import { tar, zstdFrame } from './support/tar.js'

const source = (name: string) => fileURLToPath(new URL(`../../${name}/src/index.ts`, import.meta.url))
const SEED = readFileSync(new URL('../../../examples/seed/config.toml', import.meta.url), 'utf8')

/** The entry bundled by esbuild for the browser platform: one script, no imports, no Node built-ins. */
async function browserBundle(): Promise<string> {
  const result = await build({
    entryPoints: [fileURLToPath(new URL('./support/browser-entry.ts', import.meta.url))],
    bundle: true,
    platform: 'browser',
    format: 'iife',
    globalName: 'atomicnix',
    write: false,
    logLevel: 'silent',
    alias: {
      '@atomicnix/config-schema': source('config-schema'),
      '@atomicnix/firewall-plan': source('firewall-plan'),
      '@atomicnix/lan-plan': source('lan-plan'),
      '@atomicnix/quadlet-render': source('quadlet-render'),
    },
  })
  return result.outputFiles[0]!.text
}

describe('compileDevice in a browser-like build', () => {
  it('gives byte-identical results for bundles and configs, without any Node global', async () => {
    const code = await browserBundle()
    expect(code).not.toMatch(/\brequire\(|["']node:/)
    // Only what a browser or worker has: no process, Buffer, require, module or setImmediate in this realm.
    const context = createContext({ TextDecoder, TextEncoder })
    runInContext(code, context)
    expect(runInContext('[typeof process, typeof Buffer, typeof require, typeof module]', context)).toEqual([
      'undefined',
      'undefined',
      'undefined',
      'undefined',
    ])
    const browser = (context as { atomicnix: { describeCompile: typeof describeCompile } }).atomicnix
    const archive = tar([
      { name: 'config.toml', content: SEED },
      { name: 'files/bin/tool', content: new Uint8Array([0, 255, 7]), mode: 0o755 },
      { name: 'files/empty/', type: '5' },
    ])
    const inputs: [Uint8Array, string][] = [
      [archive, 'b.tar'],
      [gzipSync(archive), 'b.tgz'],
      [zstdFrame(archive, { checksum: true }), 'b.tar.zst'],
      [new TextEncoder().encode(SEED), 'config.toml'],
      [tar([{ name: 'files/l', type: '2', linkName: '/' }]), 'bad.tar'],
    ]
    for (const [bytes, name] of inputs) {
      const inBrowser = browser.describeCompile(Array.from(bytes), name)
      expect(inBrowser, name).toBe(describeCompile(Array.from(bytes), name))
      expect(inBrowser.length).toBeGreaterThan(100)
    }
  })
})
