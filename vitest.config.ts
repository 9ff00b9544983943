import { fileURLToPath } from 'node:url'
import { defineConfig } from 'vitest/config'

const pkg = (name: string) => fileURLToPath(new URL(`./packages/${name}/src/index.ts`, import.meta.url))

// Tests import the packages' sources, so `vitest` needs no build; the CLI tests run the built binary.
const alias = {
  '@atomicnix/config-schema/config.schema.json': fileURLToPath(
    new URL('./packages/config-schema/config.schema.json', import.meta.url),
  ),
  '@atomicnix/config-schema/json-schema': fileURLToPath(
    new URL('./packages/config-schema/src/schema.ts', import.meta.url),
  ),
  '@atomicnix/config-schema': pkg('config-schema'),
  '@atomicnix/firewall-plan': pkg('firewall-plan'),
  '@atomicnix/lan-plan': pkg('lan-plan'),
  '@atomicnix/quadlet-render': pkg('quadlet-render'),
  '@atomicnix/device-runtime': pkg('device-runtime'),
}

export default defineConfig({
  resolve: { alias },
  test: {
    projects: [
      {
        resolve: { alias },
        test: {
          name: 'unit',
          include: ['packages/*/test/**/*.test.ts', 'packages/*/src/**/*.test.ts', 'test/**/*.test.ts'],
          exclude: ['**/*.system.test.ts', '**/node_modules/**', '**/dist/**'],
          testTimeout: 60_000,
        },
      },
      {
        resolve: { alias },
        test: {
          name: 'system',
          include: ['packages/*/test/**/*.system.test.ts', 'test/**/*.system.test.ts'],
          testTimeout: 300_000,
          hookTimeout: 300_000,
        },
      },
    ],
  },
})
