import { Decompress as ZstdDecompress } from 'fzstd'
import { Inflate } from 'pako'
import { TarError } from './tar.js'
import { ZstdFrameGuard } from './zstd-frames.js'

/** How an input is packed: a bundle in one of three containers, or a plain config.toml. */
export type InputFormat = 'tar' | 'tar.gz' | 'tar.zst' | 'config'

const GZIP_NAME = /\.(tar\.gz|tgz)$/i
const ZSTD_NAME = /\.(tar\.zst|tar\.zstd|tzst)$/i
const TAR_NAME = /\.tar$/i

function isUstar(bytes: Uint8Array): boolean {
  // "ustar\0" (POSIX) or "ustar " (GNU) at offset 257 of the first header.
  const magic = [0x75, 0x73, 0x74, 0x61, 0x72]
  return bytes.length >= 263 && magic.every((b, i) => bytes[257 + i] === b)
}

/** The format of an input: magic bytes first, then the file name's suffix; anything else is a config.toml. */
export function detectFormat(bytes: Uint8Array, fileName = ''): InputFormat {
  if (bytes[0] === 0x1f && bytes[1] === 0x8b) return 'tar.gz'
  const magic = (bytes[0]! | (bytes[1]! << 8) | (bytes[2]! << 16) | (bytes[3]! << 24)) >>> 0
  if (bytes.length >= 4 && (magic === 0xfd2fb528 || (magic & 0xfffffff0) >>> 0 === 0x184d2a50)) return 'tar.zst'
  if (isUstar(bytes)) return 'tar'
  if (GZIP_NAME.test(fileName)) return 'tar.gz'
  if (ZSTD_NAME.test(fileName)) return 'tar.zst'
  if (TAR_NAME.test(fileName)) return 'tar'
  return 'config'
}

/**
 * gzip output comes in chunks of this size whatever the input: pako's inflate, like zlib's, fills a bounded output
 * buffer and hands it over before it decodes more, so a bomb never makes the decoder hold more than this.
 */
const GZIP_CHUNK = 64 * 1024
/** zstd's decoder emits one block (at most 128 KiB) per call, so the slice size only sets the call overhead. */
const ZSTD_SLICE = 64 * 1024

/** Why a decoder threw, as a sentence; the libraries' own messages are short lower-case phrases. */
function decoderFault(format: string, error: unknown): TarError {
  if (error instanceof TarError) return error
  const message = error instanceof Error ? error.message : String(error)
  if (/unexpected EOF|eof/i.test(message)) return new TarError('bundle_truncated', `The ${format} data is truncated.`)
  return new TarError('bundle_corrupt', `The ${format} data is corrupt (${message}).`)
}

/** Options of `decompress`: where output goes, and the largest zstd window accepted. */
export interface DecompressOptions {
  /** Receives the decompressed bytes in order; may throw to stop (a limit was crossed). */
  readonly write: (chunk: Uint8Array) => void
  /** Largest zstd window accepted. */
  readonly maxZstdWindow: number
}

/**
 * Streams the input through its decoder into `write`, to the end (the consumer counts what follows the archive).
 * gzip members are checked against their CRC-32 and length trailers; zstd frame windows are checked before the decoder
 * allocates them. Throws TarError for corrupt or truncated data, and whatever `write` throws.
 */
export function decompress(bytes: Uint8Array, format: 'tar.gz' | 'tar.zst', options: DecompressOptions): void {
  const { write } = options
  if (format === 'tar.gz') {
    if (bytes[0] !== 0x1f || bytes[1] !== 0x8b) {
      throw new TarError('bundle_corrupt', 'The file is named as a gzip bundle but is not gzip data.')
    }
    // gzip only (16 + 15): every member's CRC-32 and length trailer is checked; concatenated members are one stream.
    const inflate = new Inflate({ windowBits: 16 + 15, chunkSize: GZIP_CHUNK })
    // What write throws (a limit crossed) comes straight out of push, and the decoder is abandoned where it is.
    inflate.onData = write
    inflate.push(bytes, true)
    if (inflate.err === -5) throw new TarError('bundle_truncated', 'The gzip data is truncated.')
    if (inflate.err !== 0) throw decoderFault('gzip', new Error(inflate.msg || `error ${inflate.err}`))
    return
  }
  const guard = new ZstdFrameGuard(options.maxZstdWindow)
  let failure: unknown
  const zstd = new ZstdDecompress((chunk) => {
    if (failure !== undefined) return
    try {
      write(chunk)
    } catch (error) {
      failure = error
      throw error
    }
  })
  if (bytes.length === 0) throw new TarError('bundle_truncated', 'The zstd data is empty.')
  for (let at = 0; at < bytes.length; at += ZSTD_SLICE) {
    const end = Math.min(at + ZSTD_SLICE, bytes.length)
    const slice = bytes.subarray(at, end)
    guard.scan(slice)
    if (end === bytes.length) guard.end()
    try {
      zstd.push(slice, end === bytes.length)
    } catch (error) {
      if (failure !== undefined) throw failure
      throw decoderFault('zstd', error)
    }
  }
}
