import { MAX_CONFIG_BYTES } from '@atomicnix/config-schema'
import { type Files, IoError } from '../ports.js'

/**
 * Reads a config file as UTF-8 text. One byte more than the limit is read so that an oversized file reaches
 * `parseConfig`, which reports it as `input_too_large`, without reading all of it.
 */
export async function readConfigText(files: Files, path: string): Promise<string> {
  const bytes = await files.readRegularFile(path, MAX_CONFIG_BYTES + 1)
  if (bytes.length > MAX_CONFIG_BYTES) return new TextDecoder('utf-8').decode(bytes)
  try {
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes)
  } catch {
    throw new IoError(`cannot read ${path}: not UTF-8 text`)
  }
}
