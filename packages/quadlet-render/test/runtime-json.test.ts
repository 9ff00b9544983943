import { APP_USER, FORCED_NETWORK } from '@atomicnix/config-schema'
import { renderQuadletRuntime } from '@atomicnix/quadlet-render'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'

const anyText = fc.string({ unit: 'binary', maxLength: 12 })
const unit = fc.record({
  name: anyText,
  filename: anyText,
  service: anyText,
  mode: fc.constantFrom('rootful' as const, 'rootless' as const),
})

describe('quadlet-runtime.json is what JSON.stringify writes', () => {
  it('for any units, none included', () => {
    fc.assert(
      fc.property(fc.array(unit, { maxLength: 5 }), (units) => {
        const doc = {
          app_user: APP_USER,
          rootless_network: FORCED_NETWORK.rootless,
          units: units.map((u) => ({ name: u.name, filename: u.filename, service: u.service, mode: u.mode })),
        }
        // Extra fields of a unit are not written.
        const planned = units.map((u) => ({ ...u, kind: 'container', sections: [], warnings: [] }))
        expect(renderQuadletRuntime({ units: planned } as never)).toBe(`${JSON.stringify(doc, null, 2)}\n`)
      }),
    )
  })
})
