import { MAX_CONFIG_BYTES } from '@atomicnix/config-schema'
import { type Files, IoError } from '../ports.js'

/** The FILE argument that means standard input. */
export const STDIN = '-'

/** How a FILE argument is named in messages: `<stdin>` for `-`, the path otherwise. */
export function displayName(path: string): string {
  return path === STDIN ? '<stdin>' : path
}

/**
 * Reads a config file, or standard input for `-`, as UTF-8 text. One byte more than the limit is read so that an
 * oversized input reaches `parseConfig`, which reports it as `input_too_large`, without reading all of it.
 */
export async function readConfigText(files: Files, path: string): Promise<string> {
  const limit = MAX_CONFIG_BYTES + 1
  const bytes = await (path === STDIN ? files.readStandardInput(limit) : files.readRegularFile(path, limit))
  if (bytes.length > MAX_CONFIG_BYTES) return new TextDecoder('utf-8').decode(bytes)
  try {
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes)
  } catch {
    throw new IoError(`cannot read ${displayName(path)}: not UTF-8 text`)
  }
}
