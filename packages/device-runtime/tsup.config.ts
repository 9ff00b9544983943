import { readFileSync } from 'node:fs'
import { defineConfig } from 'tsup'

const { version } = JSON.parse(readFileSync(new URL('./package.json', import.meta.url), 'utf8')) as { version: string }

export default defineConfig([
  {
    entry: ['src/index.ts'],
    format: ['esm'],
    dts: true,
    clean: true,
    target: 'node20',
    platform: 'node',
  },
  {
    // The CLI is one bundle with its dependencies inlined and split per command: a cold `atomicnix validate`
    // loads the validator and nothing else (no module resolution across node_modules, no TypeBox).
    entry: { cli: 'src/cli.ts' },
    format: ['esm'],
    dts: false,
    clean: false,
    splitting: true,
    treeshake: true,
    noExternal: [/.*/],
    target: 'node20',
    platform: 'node',
    define: { __VERSION__: JSON.stringify(version) },
    outDir: 'dist',
  },
])
