import { TarError } from './tar.js'

/**
 * Walks the frame and block headers of a Zstandard stream (RFC 8878) as the compressed bytes go by, without
 * decompressing, so that a frame whose window the decoder would allocate in full is refused before the decoder sees
 * it: the window is the archive's claim, and memory must be bounded by our limits, not by claims.
 */
export class ZstdFrameGuard {
  /** Header bytes being collected (frame header up to 18 bytes, block header 3, skippable size 4). */
  private readonly head = new Uint8Array(18)
  private filled = 0
  /** How many header bytes the current state needs; grows once the frame header descriptor is known. */
  private need = 4
  private state: 'magic' | 'frame' | 'block' | 'skip' | 'skippable' = 'magic'
  private skip = 0
  private lastBlock = false
  private checksum = 0

  constructor(private readonly maxWindow: number) {}

  /** Scans a chunk; throws TarError for a frame it refuses or a stream that is not Zstandard. */
  scan(chunk: Uint8Array): void {
    let i = 0
    while (i < chunk.length) {
      if (this.state === 'skip') {
        const n = Math.min(this.skip, chunk.length - i)
        this.skip -= n
        i += n
        if (this.skip === 0) this.afterSkip()
        continue
      }
      const n = Math.min(this.need - this.filled, chunk.length - i)
      this.head.set(chunk.subarray(i, i + n), this.filled)
      this.filled += n
      i += n
      if (this.filled === this.need) this.header()
    }
  }

  /** The input is complete: it must end between two frames. */
  end(): void {
    if (this.state !== 'magic' || this.filled !== 0) {
      throw new TarError('bundle_truncated', 'The zstd data ends in the middle of a frame.')
    }
  }

  private afterSkip(): void {
    if (this.lastBlock) {
      // After the last block comes the frame's optional 4-byte checksum, then the next frame.
      if (this.checksum > 0) {
        this.skip = this.checksum
        this.checksum = 0
        return
      }
      this.lastBlock = false
      this.expect('magic', 4)
    } else this.expect('block', 3)
  }

  private expect(state: 'magic' | 'frame' | 'block' | 'skippable', need: number): void {
    this.state = state
    this.need = need
    this.filled = 0
  }

  private header(): void {
    const h = this.head
    switch (this.state) {
      case 'magic': {
        const magic = (h[0]! | (h[1]! << 8) | (h[2]! << 16) | (h[3]! << 24)) >>> 0
        // The magic stays in the header buffer: the frame header's offsets below count from it.
        if (magic === 0xfd2fb528) this.state = 'frame'
        else if ((magic & 0xfffffff0) >>> 0 === 0x184d2a50) this.state = 'skippable'
        else throw new TarError('bundle_corrupt', 'The data is not a Zstandard stream.')
        this.need = this.state === 'frame' ? 5 : 8
        return
      }
      case 'skippable': {
        this.state = 'skip'
        this.skip = (h[4]! | (h[5]! << 8) | (h[6]! << 16) | (h[7]! << 24)) >>> 0
        this.lastBlock = true
        this.checksum = 0
        if (this.skip === 0) this.afterSkip()
        return
      }
      case 'frame': {
        const descriptor = h[4]!
        const contentSizeFlag = descriptor >> 6
        const singleSegment = (descriptor >> 5) & 1
        if ((descriptor & 0x08) !== 0) throw new TarError('bundle_corrupt', 'A zstd frame header is malformed.')
        const dictBytes = [0, 1, 2, 4][descriptor & 3]!
        const sizeBytes = contentSizeFlag === 0 ? singleSegment : 1 << contentSizeFlag
        const length = 5 + (singleSegment ? 0 : 1) + dictBytes + sizeBytes
        if (this.need < length) {
          this.need = length
          return
        }
        if (dictBytes > 0) {
          let dict = 0
          for (let k = 0; k < dictBytes; k++) dict += h[5 + (singleSegment ? 0 : 1) + k]! * 256 ** k
          if (dict !== 0) throw new TarError('bundle_corrupt', 'The zstd data needs a dictionary.')
        }
        let window: number
        if (singleSegment) {
          let size = 0
          const at = 5 + dictBytes
          for (let k = 0; k < sizeBytes; k++) size += h[at + k]! * 256 ** k
          window = sizeBytes === 2 ? size + 256 : size
        } else {
          const w = h[5]!
          const base = 2 ** (10 + (w >> 3))
          window = base + (base / 8) * (w & 7)
        }
        if (window > this.maxWindow) {
          throw new TarError(
            'bundle_corrupt',
            `A zstd frame asks for a window of ${window} bytes; at most ${this.maxWindow} are allowed (compress without --long or --ultra).`,
          )
        }
        this.checksum = (descriptor & 0x04) !== 0 ? 4 : 0
        this.expect('block', 3)
        return
      }
      case 'block': {
        const value = h[0]! | (h[1]! << 8) | (h[2]! << 16)
        const type = (value >> 1) & 3
        if (type === 3) throw new TarError('bundle_corrupt', 'A zstd block has the reserved type.')
        this.lastBlock = (value & 1) === 1
        this.state = 'skip'
        this.skip = type === 1 ? 1 : value >>> 3
        if (this.skip === 0) this.afterSkip()
        return
      }
    }
  }
}
