import { defineConfig } from 'tsup'

const common = {
  // The TypeBox schema has its own entry, so that a program loads it, and TypeBox, only when it asks for it;
  // `parseConfig` never does.
  entry: ['src/index.ts', 'src/schema.ts'],
  dts: true,
  sourcemap: false,
  target: 'es2022',
} as const

export default defineConfig([
  // ipaddr.js is CommonJS: importing it from ESM starts Node's CommonJS loader and lexer, which alone costs a
  // third of `node -e 0`. Inlined (one small module), `import '@atomicnix/config-schema'` loads ESM only.
  { ...common, format: ['esm'], clean: true, noExternal: ['ipaddr.js'] },
  // TypeBox is published as ESM only, which Node 20's `require` cannot load: the CommonJS build inlines it.
  { ...common, format: ['cjs'], clean: false, noExternal: ['typebox', 'ipaddr.js'] },
])
