import { defineConfig } from 'tsup'

export default defineConfig({
  // The JSON Schema has its own entry so that a program can load it, and TypeBox, only when it needs them.
  entry: ['src/index.ts', 'src/schema.ts'],
  format: ['esm'],
  dts: true,
  clean: true,
  sourcemap: false,
  target: 'es2022',
})
