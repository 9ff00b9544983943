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
  { ...common, format: ['esm'], clean: true },
  // TypeBox is published as ESM only, which Node 20's `require` cannot load: the CommonJS build inlines it too.
  { ...common, format: ['cjs'], clean: false, noExternal: ['typebox'] },
])
