import type { Issue } from '@atomicnix/config-schema'
import type { Files } from '../ports.js'

/** Largest input read: a bundle's unpacked limit (64 MiB) plus room for its tar headers. */
export const MAX_INPUT_BYTES = 80 * 1024 * 1024

/** Reads a config or bundle file; one byte more than the limit is read to tell an oversized file without the rest. */
export async function readInput(files: Files, path: string): Promise<{ bytes: Uint8Array; tooLarge?: Issue }> {
  const bytes = await files.readRegularFile(path, MAX_INPUT_BYTES + 1)
  if (bytes.length <= MAX_INPUT_BYTES) return { bytes }
  return {
    bytes: new Uint8Array(),
    tooLarge: {
      code: 'input_too_large',
      severity: 'error',
      path: '',
      message: `The file is larger than ${MAX_INPUT_BYTES} bytes.`,
    },
  }
}
