import { existsSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { BOOT_ID_PATH, readBootId } from '../../src/device.js'
import { nodeFiles } from '../../src/node/files.js'

describe('nodeFiles on the files the device services read', () => {
  it.skipIf(!existsSync(BOOT_ID_PATH))(
    'reads /proc/sys/kernel/random/boot_id whole, though /proc reports size 0',
    async () => {
      expect(await readBootId(nodeFiles, BOOT_ID_PATH)).toMatch(
        /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/,
      )
    },
  )

  it('statfs of a directory not created yet is that of its nearest existing ancestor', async () => {
    expect(await nodeFiles.freeBytes('/tmp/atomicnix-no-such-dir/downloads')).toBeGreaterThan(0)
  })
})
