/**
 * A small tar writer for tests: every malicious bundle is built here, in the open, from a list of members, so that no
 * test depends on a binary fixture nobody can read. Writes POSIX ustar headers (tar(5)), pax `x` headers for names
 * that do not fit, and lets a test break any rule on purpose (a wrong size, a bad checksum, a raw name).
 */

/** One member as a test describes it. */
export interface TarMember {
  /** The name, as text or raw bytes (for names that are not UTF-8). */
  readonly name: string | Uint8Array
  /** Typeflag: '0' file (default), '5' directory, '1' hard link, '2' symlink, '3'/'4' devices, '6' FIFO. */
  readonly type?: string
  readonly content?: string | Uint8Array
  readonly mode?: number
  readonly linkName?: string
  /** Size written in the header, when it must differ from the content's length. */
  readonly size?: number
  /** Pax records written in an `x` header before the member. */
  readonly pax?: Readonly<Record<string, string>>
  /** Written as a GNU `L` long-name header instead of pax. */
  readonly gnuLongName?: boolean
  /** Corrupts the header's checksum. */
  readonly badChecksum?: boolean
}

const encoder = new TextEncoder()
const bytes = (v: string | Uint8Array) => (typeof v === 'string' ? encoder.encode(v) : v)

function octal(block: Uint8Array, at: number, length: number, value: number): void {
  if (value >= 8 ** (length - 1)) {
    // base-256, as GNU tar writes sizes of 8 GiB and more
    block[at] = 0x80
    let v = value
    for (let i = at + length - 1; i > at; i--) {
      block[i] = v % 256
      v = Math.floor(v / 256)
    }
    return
  }
  const text = value.toString(8).padStart(length - 1, '0')
  block.set(encoder.encode(text), at)
  block[at + length - 1] = 0
}

function header(name: Uint8Array, type: string, size: number, mode: number, linkName = '', badChecksum = false) {
  const block = new Uint8Array(512)
  block.set(name.subarray(0, 100), 0)
  octal(block, 100, 8, mode)
  octal(block, 108, 8, 0)
  octal(block, 116, 8, 0)
  octal(block, 124, 12, size)
  octal(block, 136, 12, 1_700_000_000)
  block.fill(0x20, 148, 156)
  block[156] = type.charCodeAt(0)
  block.set(encoder.encode(linkName).subarray(0, 100), 157)
  block.set(encoder.encode('ustar\u000000'), 257)
  block.set(encoder.encode('root'), 265)
  block.set(encoder.encode('root'), 297)
  let sum = 0
  for (const b of block) sum += b
  if (badChecksum) sum += 1
  block.set(encoder.encode(`${sum.toString(8).padStart(6, '0')}\u0000 `), 148)
  return block
}

function padded(data: Uint8Array): Uint8Array[] {
  const pad = (512 - (data.length % 512)) % 512
  return [data, new Uint8Array(pad)]
}

function paxRecords(records: Readonly<Record<string, string>>): Uint8Array {
  let text = ''
  for (const [key, value] of Object.entries(records)) {
    const body = ` ${key}=${value}\n`
    let length = body.length + 1
    while (String(length).length + encoder.encode(body).length !== length) length++
    text += `${length}${body}`
  }
  return encoder.encode(text)
}

/** Builds a tar archive from members; `end: false` leaves out the two end-of-archive blocks. */
export function tar(members: readonly TarMember[], options: { end?: boolean } = {}): Uint8Array {
  const parts: Uint8Array[] = []
  for (const m of members) {
    const name = bytes(m.name)
    const content = m.content === undefined ? new Uint8Array() : bytes(m.content)
    const type = m.type ?? '0'
    const size = m.size ?? content.length
    const pax: Record<string, string> = { ...m.pax }
    if (name.length > 100 && m.gnuLongName) {
      const long = new Uint8Array(name.length + 1)
      long.set(name)
      parts.push(header(encoder.encode('././@LongLink'), 'L', long.length, 0), ...padded(long))
    } else if (name.length > 100) pax.path = new TextDecoder().decode(name)
    if (Object.keys(pax).length > 0) {
      const records = paxRecords(pax)
      parts.push(header(encoder.encode('PaxHeader'), 'x', records.length, 0o644), ...padded(records))
    }
    parts.push(header(name, type, size, m.mode ?? (type === '5' ? 0o755 : 0o644), m.linkName, m.badChecksum))
    parts.push(...padded(content))
  }
  if (options.end !== false) parts.push(new Uint8Array(1024))
  const total = parts.reduce((n, p) => n + p.length, 0)
  const out = new Uint8Array(total)
  let at = 0
  for (const p of parts) {
    out.set(p, at)
    at += p.length
  }
  return out
}

/**
 * A Zstandard frame (RFC 8878) of raw blocks: valid zstd that any decoder reads, built without a compressor, so that
 * the unit tests need no zstd program. `windowLog` sets the window the frame asks for; `rle` adds that many bytes
 * of one value as RLE blocks (128 KiB each), which is how a zstd bomb is made cheaply.
 */
export function zstdFrame(
  data: Uint8Array,
  options: { windowLog?: number; rle?: { byte: number; length: number }; checksum?: boolean } = {},
) {
  const windowLog = options.windowLog ?? 20
  const parts: number[][] = [[0x28, 0xb5, 0x2f, 0xfd, options.checksum ? 0x04 : 0x00, (windowLog - 10) << 3]]
  const blocks: Uint8Array[] = []
  const blockHeader = (last: boolean, type: number, size: number) => {
    const v = (last ? 1 : 0) | (type << 1) | (size << 3)
    return new Uint8Array([v & 0xff, (v >> 8) & 0xff, (v >> 16) & 0xff])
  }
  const max = 64 * 1024
  const rleBlocks = options.rle === undefined ? 0 : Math.ceil(options.rle.length / (128 * 1024))
  for (let at = 0; at < data.length || (at === 0 && rleBlocks === 0); at += max) {
    const chunk = data.subarray(at, Math.min(at + max, data.length))
    const last = at + max >= data.length && rleBlocks === 0
    blocks.push(blockHeader(last, 0, chunk.length), chunk)
    if (data.length === 0) break
  }
  for (let i = 0; i < rleBlocks; i++) {
    const size = Math.min(128 * 1024, options.rle!.length - i * 128 * 1024)
    blocks.push(blockHeader(i === rleBlocks - 1, 1, size), new Uint8Array([options.rle!.byte]))
  }
  // The content checksum (XXH64) is left zero: it is the frame's own business, and these tests do not rely on it.
  if (options.checksum) blocks.push(new Uint8Array(4))
  const head = new Uint8Array(parts[0]!)
  const total = head.length + blocks.reduce((n, b) => n + b.length, 0)
  const out = new Uint8Array(total)
  out.set(head)
  let at = head.length
  for (const b of blocks) {
    out.set(b, at)
    at += b.length
  }
  return out
}
