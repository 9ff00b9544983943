import { defineConfig } from 'tsup'

const common = {
  // The TypeBox schema has its own entry, so that a program loads it, and TypeBox, only when it asks for it;
  // `parseConfig` never does.
  entry: ['src/index.ts', 'src/schema.ts'],
  dts: true,
  sourcemap: false,
  target: 'es2022',
} as const

// The TOML parser is inlined, so that `import '@atomicnix/config-schema'` reads two files: smol-toml is nine ES
// modules found through node_modules, which cost about 0.15x `node -e 0` to resolve and link; inlined, the package
// also runs exactly the parser its position scanner (source-map.ts) was tested against.
const INLINED = ['smol-toml']

export default defineConfig([
  { ...common, format: ['esm'], clean: true, noExternal: INLINED },
  // TypeBox is published as ESM only, which Node 20's `require` cannot load: the CommonJS build inlines it too.
  { ...common, format: ['cjs'], clean: false, noExternal: [...INLINED, 'typebox'] },
])
