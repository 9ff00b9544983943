import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { defineConfig } from 'tsup'

const source = (name: string) => fileURLToPath(new URL(`../${name}/src/index.ts`, import.meta.url))

const { version } = JSON.parse(readFileSync(new URL('./package.json', import.meta.url), 'utf8')) as { version: string }

export default defineConfig([
  {
    // The main entry is the pure core; `./node` adds the Node adapters of the ports.
    entry: { index: 'src/index.ts', node: 'src/node/index.ts' },
    format: ['esm', 'cjs'],
    dts: true,
    clean: true,
    target: 'node20',
    platform: 'node',
  },
  {
    // The CLI is one bundle with its dependencies inlined and split per command: a cold `atomicnix validate`
    // loads the validator and nothing else (no module resolution across node_modules, no TypeBox). The workspace
    // packages are bundled from their sources, one module per concept, so that esbuild can leave a module that only
    // one command needs (the JSON Schema and TypeBox) out of the others' chunks; their dist is a single module.
    // The validation worker of `serve` is its own entry next to cli.js, sharing the validator's chunks.
    entry: { cli: 'src/cli.ts', 'validate-worker': 'src/node/validate-worker.ts' },
    format: ['esm'],
    dts: false,
    clean: false,
    splitting: true,
    noExternal: [/.*/],
    target: 'node20',
    platform: 'node',
    define: { __VERSION__: JSON.stringify(version) },
    esbuildOptions(options) {
      options.alias = {
        '@atomicnix/config-schema/config.schema.json': fileURLToPath(
          new URL('../config-schema/config.schema.json', import.meta.url),
        ),
        '@atomicnix/config-schema/json-schema': fileURLToPath(
          new URL('../config-schema/src/schema.ts', import.meta.url),
        ),
        '@atomicnix/config-schema': source('config-schema'),
        '@atomicnix/firewall-plan': source('firewall-plan'),
        '@atomicnix/lan-plan': source('lan-plan'),
        '@atomicnix/quadlet-render': source('quadlet-render'),
      }
    },
    outDir: 'dist',
  },
])
