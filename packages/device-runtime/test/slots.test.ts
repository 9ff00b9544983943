import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { parseSlotRecord, readSlotRecord, updateSlotRecord } from '../src/journal/slots.js'
import { nodeClock } from '../src/node/clock.js'
import { nodeFiles } from '../src/node/files.js'

describe('slot record', () => {
  it('concurrent changes (confirm and upgrade at once) are serialized: none is lost', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'anx-slots-'))
    try {
      await Promise.all(
        Array.from({ length: 12 }, (_, i) =>
          updateSlotRecord({ files: nodeFiles, clock: nodeClock }, dir, (r) => ({
            ...r,
            rolledBack: [...r.rolledBack, { slot: 'rootfs.1', at: '', reason: `r${i}`, version: `1.${i}.0` }],
          })),
        ),
      )
      const record = await readSlotRecord(nodeFiles, dir)
      expect(record.rolledBack.map((r) => r.reason).sort()).toEqual(
        Array.from({ length: 12 }, (_, i) => `r${i}`).sort(),
      )
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })

  it('a record that is not JSON is an I/O error, not an empty record (nothing is guessed)', () => {
    expect(() => parseSlotRecord('{"committed": [')).toThrow(/not JSON/)
    expect(parseSlotRecord('{"committed":[{"slot":"rootfs.0","version":"1"}],"extra":1}').committed).toMatchObject([
      { slot: 'rootfs.0', version: '1' },
    ])
  })
})
