/**
 * A streaming tar reader: bytes are pushed in chunks of any size and each member is announced by its header before
 * any of its content is read, so the caller can refuse it (or stop the whole stream) before a byte of it is kept.
 * Reads POSIX ustar, pax extended headers (`path`, `linkpath`, `size`) and GNU long names; see tar(5).
 *
 * It is written here rather than taken from a package: the reader has to be synchronous (compileDevice is a pure,
 * synchronous function, fed by synchronous streaming decompressors) and has to hand every header to the caller's
 * limits before it buffers content; the streaming tar packages on npm are built on Node or web streams (async).
 */

const BLOCK = 512

/** A fault in the archive itself (not in what it contains): corrupt or truncated. */
export class TarError extends Error {
  override readonly name = 'TarError'
  constructor(
    readonly code: 'bundle_corrupt' | 'bundle_truncated',
    message: string,
  ) {
    super(message)
  }
}

/** What a member's header says, after pax and GNU extensions are applied. */
export interface TarHeader {
  /** The member's name as raw bytes (it may not be UTF-8; the caller decides). */
  readonly name: Uint8Array
  /** The typeflag: `0` regular file, `5` directory, `1` hard link, `2` symlink, `3`/`4` devices, `6` FIFO, ... */
  readonly type: string
  readonly mode: number
  /** Content bytes that follow the header; may be far larger than any limit (the caller refuses it first). */
  readonly size: number
}

/** What the caller does with a member: keep its content in a buffer of exactly `size` bytes, or skip it. */
export interface TarVisitor {
  /** Called for every member before its content; returns where to put the content, or undefined to skip it. */
  entry(header: TarHeader): Uint8Array | undefined
  /** Called once the content of the member just announced has been read in full. */
  contentDone(): void
  /** Pax and GNU extension headers are content too; their size is offered here first (throw to refuse). */
  extension(size: number): void
}

/** Extension content larger than this is refused: a path of 4 KiB and a few keys need far less. */
const MAX_EXTENSION = 64 * 1024

const ZERO = 0x30

function isZeroBlock(block: Uint8Array): boolean {
  for (let i = 0; i < BLOCK; i++) if (block[i] !== 0) return false
  return true
}

/** A NUL-terminated field, as bytes. */
function field(block: Uint8Array, start: number, length: number): Uint8Array {
  let end = start
  while (end < start + length && block[end] !== 0) end++
  return block.subarray(start, end)
}

/** An octal number field (spaces and NULs around it allowed), or base-256 when the high bit of its first byte is set. */
function number(block: Uint8Array, start: number, length: number, what: string): number {
  if ((block[start]! & 0x80) !== 0) {
    if ((block[start]! & 0x40) !== 0) throw new TarError('bundle_corrupt', `The ${what} field is negative.`)
    let value = block[start]! & 0x3f
    for (let i = start + 1; i < start + length; i++) value = value * 256 + block[i]!
    return value
  }
  let i = start
  const end = start + length
  while (i < end && block[i] === 0x20) i++
  let value = 0
  let digits = 0
  for (; i < end; i++) {
    const c = block[i]!
    if (c === 0 || c === 0x20) break
    if (c < ZERO || c > ZERO + 7) throw new TarError('bundle_corrupt', `The ${what} field is not an octal number.`)
    value = value * 8 + (c - ZERO)
    digits++
  }
  for (; i < end; i++) {
    if (block[i] !== 0 && block[i] !== 0x20) throw new TarError('bundle_corrupt', `The ${what} field is malformed.`)
  }
  if (digits === 0 && what === 'checksum') throw new TarError('bundle_corrupt', 'A header has no checksum.')
  return value
}

function checksumOk(block: Uint8Array): boolean {
  const stored = number(block, 148, 8, 'checksum')
  let unsigned = 0
  let signed = 0
  for (let i = 0; i < BLOCK; i++) {
    const b = i >= 148 && i < 156 ? 0x20 : block[i]!
    unsigned += b
    signed += b > 127 ? b - 256 : b
  }
  // Some old writers summed signed bytes; both sums are accepted, as GNU tar does.
  return stored === unsigned || stored === signed
}

const ascii = new TextDecoder('latin1')

/** Pax records: `LEN key=value\n`, where LEN counts the whole record. Only path, linkpath and size matter here. */
function parsePax(data: Uint8Array): { path?: Uint8Array; size?: number } {
  const out: { path?: Uint8Array; size?: number } = {}
  let i = 0
  while (i < data.length) {
    if (data[i] === 0) break
    let length = 0
    let j = i
    while (j < data.length && data[j] !== 0x20) {
      const c = data[j]!
      if (c < ZERO || c > ZERO + 9) throw new TarError('bundle_corrupt', 'A pax extended header is malformed.')
      length = length * 10 + (c - ZERO)
      j++
    }
    const end = i + length
    if (length === 0 || end > data.length || data[end - 1] !== 0x0a) {
      throw new TarError('bundle_corrupt', 'A pax extended header is malformed.')
    }
    const record = data.subarray(j + 1, end - 1)
    const eq = record.indexOf(0x3d)
    if (eq <= 0) throw new TarError('bundle_corrupt', 'A pax extended header is malformed.')
    const key = ascii.decode(record.subarray(0, eq))
    const value = record.subarray(eq + 1)
    if (key === 'path') out.path = value
    else if (key === 'size') {
      const text = ascii.decode(value)
      if (!/^[0-9]{1,20}$/.test(text)) throw new TarError('bundle_corrupt', 'A pax size record is not a number.')
      out.size = Number(text)
    }
    i = end
  }
  return out
}

type Mode = 'header' | 'content' | 'extension' | 'padding' | 'zero' | 'ended'

/** Push-based tar reader: `push` bytes as they are decompressed, then `end`. Throws TarError or the visitor's error. */
export class TarReader {
  private readonly block = new Uint8Array(BLOCK)
  private filled = 0
  private mode: Mode = 'header'
  /** Bytes of content (or padding) still to come for the current member. */
  private remaining = 0
  private target: Uint8Array | undefined
  private written = 0
  private extensionKind = ''
  private extensionData = new Uint8Array(0)
  private pendingPath: Uint8Array | undefined
  private pendingSize: number | undefined

  constructor(private readonly visitor: TarVisitor) {}

  /** True once the end-of-archive blocks have been read; everything after them is ignored. */
  get ended(): boolean {
    return this.mode === 'ended'
  }

  /** Reads what it can of `chunk` and returns how many bytes it used: fewer than given once the archive has ended. */
  push(chunk: Uint8Array): number {
    let i = 0
    while (i < chunk.length && this.mode !== 'ended') {
      if (this.mode === 'content' || this.mode === 'extension' || this.mode === 'padding') {
        const n = Math.min(this.remaining, chunk.length - i)
        if (this.mode === 'content' && this.target !== undefined) {
          this.target.set(chunk.subarray(i, i + n), this.written)
        } else if (this.mode === 'extension') this.extensionData.set(chunk.subarray(i, i + n), this.written)
        this.written += n
        this.remaining -= n
        i += n
        if (this.remaining === 0) this.finishContent()
        continue
      }
      const n = Math.min(BLOCK - this.filled, chunk.length - i)
      this.block.set(chunk.subarray(i, i + n), this.filled)
      this.filled += n
      i += n
      if (this.filled === BLOCK) {
        this.filled = 0
        this.readBlock()
      }
    }
    return i
  }

  /** The input is complete: anything but a finished archive is truncated. */
  end(): void {
    if (this.mode === 'ended') return
    // One end-of-archive block followed by the end of the data is accepted, as GNU tar does.
    if (this.mode === 'zero' && this.filled === 0) {
      this.mode = 'ended'
      return
    }
    if (this.mode === 'header' && this.filled === 0) {
      throw new TarError('bundle_truncated', 'The archive ends without its end-of-archive blocks.')
    }
    throw new TarError('bundle_truncated', 'The archive ends in the middle of a member.')
  }

  private readBlock(): void {
    const block = this.block
    if (isZeroBlock(block)) {
      if (this.pendingPath !== undefined || this.pendingSize !== undefined) {
        throw new TarError('bundle_corrupt', 'An extended header is not followed by a member.')
      }
      this.mode = this.mode === 'zero' ? 'ended' : 'zero'
      return
    }
    if (this.mode === 'zero') throw new TarError('bundle_corrupt', 'A zero block stands between two members.')
    if (!checksumOk(block)) throw new TarError('bundle_corrupt', 'A member header has a wrong checksum.')
    const type = block[156] === 0 ? '0' : String.fromCharCode(block[156]!)
    let size = number(block, 124, 12, 'size')
    if (type === 'x' || type === 'g' || type === 'L' || type === 'K') {
      if (size > MAX_EXTENSION) {
        throw new TarError('bundle_corrupt', `An extended header of ${size} bytes is larger than ${MAX_EXTENSION}.`)
      }
      this.visitor.extension(size)
      this.extensionKind = type
      this.extensionData = new Uint8Array(size)
      this.startContent(size, 'extension')
      return
    }
    const magic = ascii.decode(block.subarray(257, 263))
    let name = field(block, 0, 100)
    // The prefix field exists only in POSIX ustar; GNU's format keeps other data there.
    if (magic === 'ustar\u0000') {
      const prefix = field(block, 345, 155)
      if (prefix.length > 0) {
        const joined = new Uint8Array(prefix.length + 1 + name.length)
        joined.set(prefix)
        joined[prefix.length] = 0x2f
        joined.set(name, prefix.length + 1)
        name = joined
      }
    }
    if (this.pendingPath !== undefined) name = this.pendingPath
    if (this.pendingSize !== undefined) size = this.pendingSize
    this.pendingPath = undefined
    this.pendingSize = undefined
    // Links, directories, devices and FIFOs have no content in the archive whatever their size field says.
    const hasContent = !'123456'.includes(type)
    const header: TarHeader = { name, type, mode: number(block, 100, 8, 'mode') & 0o7777, size: hasContent ? size : 0 }
    this.target = this.visitor.entry(header)
    this.startContent(header.size, 'content')
  }

  private startContent(size: number, mode: 'content' | 'extension'): void {
    this.written = 0
    if (size === 0) {
      this.mode = mode
      this.remaining = 0
      this.finishContent()
      return
    }
    this.mode = mode
    this.remaining = size
  }

  private finishContent(): void {
    if (this.mode === 'padding') {
      this.mode = 'header'
      return
    }
    const size = this.written
    if (this.mode === 'extension') {
      const data = this.extensionData
      if (this.extensionKind === 'x') {
        const pax = parsePax(data)
        if (pax.path !== undefined) this.pendingPath = pax.path
        if (pax.size !== undefined) this.pendingSize = pax.size
      } else if (this.extensionKind === 'L') this.pendingPath = field(data, 0, data.length)
      this.extensionData = new Uint8Array(0)
    } else {
      this.target = undefined
      this.visitor.contentDone()
    }
    const padding = (BLOCK - (size % BLOCK)) % BLOCK
    this.mode = padding === 0 ? 'header' : 'padding'
    this.remaining = padding
  }
}
