import { readFileSync } from 'node:fs'
import fc from 'fast-check'
import { gzip as gzipSync } from 'pako'
import { afterAll, describe, expect, it } from 'vitest'
import { BUNDLE_ISSUE_CODES, type CompileResult, compileDevice, detectFormat } from '../src/index.js'
import { type TarMember, tar, zstdFrame } from './support/tar.js'

const SEED = readFileSync(new URL('../../../examples/seed/config.toml', import.meta.url), 'utf8')
const WITH_FILES = `${SEED}Volume = ["\${FILES_DIR}/web/site:/srv:ro"]\nEnvironmentFile = "\${FILES_DIR}/app.env"\n`
const encoder = new TextEncoder()

/** Every issue code the tests below have seen, checked against the full list at the end. */
const seen = new Set<string>()
afterAll(() => {
  expect([...BUNDLE_ISSUE_CODES].filter((c) => !seen.has(c))).toEqual([])
})

const config: TarMember = { name: 'config.toml', content: WITH_FILES }
/** A config without `${FILES_DIR}` references, for bundles without a payload. */
const plainConfig: TarMember = { name: 'config.toml', content: SEED }
const payload: TarMember[] = [
  { name: 'files/', type: '5' },
  { name: 'files/web/site/index.html', content: '<h1>hi</h1>\n' },
  { name: 'files/app.env', content: 'A=1\n' },
  { name: 'files/bin/run', content: new Uint8Array([0, 1, 2, 255]), mode: 0o4755 },
  { name: 'files/empty/', type: '5' },
]

function compile(members: readonly TarMember[], options: Parameters<typeof compileDevice>[1] = {}): CompileResult {
  return compileDevice(tar(members), { fileName: 'bundle.tar', ...options })
}

/** The codes of a result's errors, recorded as seen. */
function codes(result: CompileResult): string[] {
  if (result.ok) return []
  for (const e of result.errors) seen.add(e.code)
  return result.errors.map((e) => e.code)
}

/** Asserts a bundle is refused with exactly one issue of `code` that names `member`. */
function refused(members: readonly TarMember[], code: string, member: string, options = {}) {
  const result = compile(members, options)
  expect(codes(result)).toEqual([code])
  if (!result.ok) expect(result.errors[0]!.path).toBe(member)
  expect('value' in result).toBe(false)
}

describe('bundles: the three formats', () => {
  const archive = tar([config, ...payload])
  const expectPayload = (result: CompileResult) => {
    expect(result.ok).toBe(true)
    if (!result.ok) return
    const files = Object.fromEntries(result.value.files.map((f) => [f.path, f]))
    expect(files['data/config/config.toml']!.contents).toBe(WITH_FILES)
    expect(files['data/config/files/web/site/index.html']!.contents).toEqual(encoder.encode('<h1>hi</h1>\n'))
    expect(files['data/config/files/bin/run']).toEqual({
      path: 'data/config/files/bin/run',
      contents: new Uint8Array([0, 1, 2, 255]),
      mode: 0o755,
    })
    expect(files['data/config/files/app.env']!.mode).toBe(0o644)
    expect(result.value.directories).toEqual([
      'data/config/files',
      'data/config/files/bin',
      'data/config/files/empty',
      'data/config/files/web',
      'data/config/files/web/site',
    ])
    const paths = result.value.files.map((f) => f.path)
    expect(paths).toEqual([...paths].sort())
    expect(result.warnings.map((w) => w.code)).toEqual(['publish_port_loopback'])
  }

  it('plain .tar, recognised by its ustar magic whatever the name', () => {
    expect(detectFormat(archive)).toBe('tar')
    expectPayload(compileDevice(archive))
    expectPayload(compileDevice(archive, { fileName: 'x.txt' }))
  })

  it('.tar.gz and .tgz, by magic first', () => {
    const gz = gzipSync(archive)
    expect(detectFormat(gz, 'bundle.tar.zst')).toBe('tar.gz')
    expectPayload(compileDevice(gz, { fileName: 'bundle.tgz' }))
    expectPayload(compileDevice(gz))
  })

  it('.tar.zst, .tar.zstd and .tzst', () => {
    const zst = zstdFrame(archive)
    expect(detectFormat(zst)).toBe('tar.zst')
    for (const fileName of ['b.tar.zst', 'b.tar.zstd', 'b.tzst', undefined]) {
      expectPayload(compileDevice(zst, fileName === undefined ? {} : { fileName }))
    }
  })

  it('concatenated gzip members, and zstd frames with checksums and a skippable frame, read as one stream', () => {
    const half = 1536
    const gz = new Uint8Array([...gzipSync(archive.subarray(0, half)), ...gzipSync(archive.subarray(half))])
    expectPayload(compileDevice(gz))
    const zst = new Uint8Array([
      ...zstdFrame(archive.subarray(0, half), { checksum: true }),
      ...[0x50, 0x2a, 0x4d, 0x18, 3, 0, 0, 0, 1, 2, 3],
      ...zstdFrame(archive.subarray(half), { checksum: true }),
    ])
    expectPayload(compileDevice(zst))
  })

  it('a v7 tar without magic is recognised by its name only', () => {
    const v7 = tar([plainConfig])
    v7.fill(0, 257, 263)
    // recompute the checksum without the magic
    v7.fill(0x20, 148, 156)
    let sum = 0
    for (let i = 0; i < 512; i++) sum += v7[i]!
    v7.set(encoder.encode(`${sum.toString(8).padStart(6, '0')}\u0000 `), 148)
    expect(detectFormat(v7, 'old.tar')).toBe('tar')
    expect(detectFormat(v7, 'old.toml')).toBe('config')
    expect(compileDevice(v7, { fileName: 'old.tar' }).ok).toBe(true)
  })

  it('"./" prefixes, the "." root entry, pax and GNU long names are accepted', () => {
    const long = `files/${'d'.repeat(90)}/${'f'.repeat(90)}`
    const result = compile([
      { name: './', type: '5' },
      { name: './config.toml', content: SEED },
      { name: `${long}-pax`, content: 'a' },
      { name: `${long}-gnu`, content: 'b', gnuLongName: true },
    ])
    expect(result.ok).toBe(true)
    if (!result.ok) return
    expect(result.value.files.map((f) => f.path)).toContain(`data/config/${long}-pax`)
    expect(result.value.files.map((f) => f.path)).toContain(`data/config/${long}-gnu`)
  })

  it('a plain config.toml as bytes is compiled as text; a file named like a bundle must be one', () => {
    expect(compileDevice(encoder.encode(SEED)).ok).toBe(true)
    expect(compileDevice(encoder.encode(SEED), { fileName: 'config.toml' })).toEqual(compileDevice(SEED))
    expect(codes(compileDevice(encoder.encode(SEED), { fileName: 'b.tgz' }))).toEqual(['bundle_corrupt'])
    expect(codes(compileDevice(encoder.encode(SEED), { fileName: 'b.tar.zst' }))).toEqual(['bundle_corrupt'])
    expect(codes(compileDevice(encoder.encode(SEED), { fileName: 'b.tar' }))).toEqual(['bundle_corrupt'])
    expect(codes(compileDevice(new Uint8Array([0x76, 0x3d, 0xe9, 0x0a])))).toEqual(['config_not_utf8'])
  })
})

describe('bundles: every rule refuses with an issue naming the member', () => {
  it('only config.toml and files/ at the top', () => {
    refused([config, { name: 'README.md', content: 'x' }], 'bundle_member_not_allowed', 'README.md')
    refused([config, { name: '._config.toml', content: 'x' }], 'bundle_member_not_allowed', '._config.toml')
    refused([config, { name: 'etc/', type: '5' }], 'bundle_member_not_allowed', 'etc/')
    const dir = codes(compile([{ name: 'config.toml/', type: '5' }]))
    expect(dir).toEqual(['bundle_member_not_allowed', 'bundle_config_missing'])
  })

  it('links, devices and FIFOs', () => {
    refused([config, { name: 'files/l', type: '2', linkName: '/etc/shadow' }], 'bundle_symlink', 'files/l')
    refused([config, { name: 'files/h', type: '1', linkName: 'config.toml' }], 'bundle_hard_link', 'files/h')
    refused([config, { name: 'files/c', type: '3' }], 'bundle_special_file', 'files/c')
    refused([config, { name: 'files/b', type: '4' }], 'bundle_special_file', 'files/b')
    refused([config, { name: 'files/p', type: '6' }], 'bundle_special_file', 'files/p')
    refused([config, { name: 'files/s', type: 'S', content: 'x' }], 'bundle_special_file', 'files/s')
    refused([config, { name: 'files/k', type: '7', content: 'x' }], 'bundle_special_file', 'files/k')
  })

  it('absolute paths, "..", empty, NUL, control-character and non-UTF-8 names', () => {
    refused([config, { name: '/etc/passwd', content: 'x' }], 'bundle_path_absolute', '/etc/passwd')
    refused([config, { name: 'files/../../x', content: 'x' }], 'bundle_path_traversal', 'files/../../x')
    refused([config, { name: '../config.toml', content: 'x' }], 'bundle_path_traversal', '../config.toml')
    refused([config, { name: '', content: 'x' }], 'bundle_name_invalid', '')
    refused([config, { name: 'files/a', pax: { path: 'files/a\u0000b' } }], 'bundle_name_invalid', 'files/a\\u0000b')
    refused([config, { name: 'files/a\nb', content: 'x' }], 'bundle_name_invalid', 'files/a\\nb')
    refused([config, { name: 'files//a', content: 'x' }], 'bundle_name_invalid', 'files//a')
    refused([config, { name: 'files/\u009b2J', content: 'x' }], 'bundle_name_invalid', 'files/\\u009b2J')
    refused(
      [config, { name: 'files/evil\u202etxt.sh', content: 'x' }],
      'bundle_name_invalid',
      'files/evil\\u202etxt.sh',
    )
    refused([config, { name: 'files/./a', content: 'x' }], 'bundle_name_invalid', 'files/./a')
    refused([config, { name: 'files/a/', content: 'x' }], 'bundle_name_invalid', 'files/a/')
    refused(
      [config, { name: `files/${'n'.repeat(256)}`, content: 'x' }],
      'bundle_name_invalid',
      `files/${'n'.repeat(256)}`,
    )
    const latin1 = new Uint8Array([...encoder.encode('files/caf'), 0xe9])
    refused([config, { name: latin1, content: 'x' }], 'bundle_name_invalid', 'files/caf\ufffd')
  })

  it('duplicate paths and a file where a directory is', () => {
    refused([config, config], 'bundle_duplicate_path', 'config.toml')
    refused(
      [config, { name: 'files/d/', type: '5' }, { name: 'files/d', type: '5' }],
      'bundle_duplicate_path',
      'files/d',
    )
    refused(
      [config, { name: 'files/a', content: 'x' }, { name: 'files/a/b', content: 'y' }],
      'bundle_path_conflict',
      'files/a/b',
    )
    refused(
      [config, { name: 'files/a/b', content: 'y' }, { name: 'files/a', content: 'x' }],
      'bundle_path_conflict',
      'files/a',
    )
    refused([config, { name: 'files', content: 'x' }], 'bundle_path_conflict', 'files')
  })

  it('every violation is reported at once, up to a bound', () => {
    const result = compile([config, { name: '/a', content: '' }, { name: 'b', content: '' }, { name: 'files/../c' }])
    expect(codes(result)).toEqual(['bundle_path_absolute', 'bundle_member_not_allowed', 'bundle_path_traversal'])
    const many = Array.from({ length: 150 }, (_, i) => ({ name: `x${i}`, content: '' }))
    const flood = codes(compile([config, ...many]))
    expect(flood).toHaveLength(100)
    expect(flood.at(-1)).toBe('bundle_too_many_issues')
  })

  it('no config.toml, a config.toml that is not UTF-8 or is too large', () => {
    refused([{ name: 'files/a', content: 'x' }], 'bundle_config_missing', '')
    refused([{ name: 'config.toml', content: new Uint8Array([0xff, 0xfe]) }], 'config_not_utf8', 'config.toml')
    refused([{ name: 'config.toml', content: `# ${'x'.repeat(1024 * 1024)}\n` }], 'input_too_large', 'config.toml')
  })

  it('FILES_DIR references must exist in files/ (an error in a bundle, a warning for a plain config)', () => {
    const missing = compile([config, { name: 'files/app.env', content: 'A=1\n' }])
    expect(codes(missing)).toEqual(['files_reference_missing'])
    if (!missing.ok) {
      expect(missing.errors[0]).toMatchObject({ path: 'container.myapp.Container.Volume[0]', line: 27, column: 12 })
      expect(missing.source).toBe(WITH_FILES)
    }
    const leaving = WITH_FILES.replace('/web/site', '/../config.toml')
    expect(codes(compile([{ name: 'config.toml', content: leaving }, ...payload]))).toEqual(['files_reference_missing'])
    const plain = compileDevice(WITH_FILES)
    expect(plain.ok).toBe(true)
    expect(plain.warnings.map((w) => w.code)).toEqual([
      'publish_port_loopback',
      'files_reference_unchecked',
      'files_reference_unchecked',
    ])
  })
})

describe('bundles: limits stop the stream as soon as one is crossed', () => {
  it('entries, depth, one file, the total', () => {
    const files = Array.from({ length: 5 }, (_, i) => ({ name: `files/f${i}`, content: 'x' }))
    refused([plainConfig, ...files], 'bundle_too_many_entries', 'files/f3', { limits: { maxEntries: 4 } })
    const deep = `files/${Array.from({ length: 32 }, () => 'd').join('/')}`
    refused([plainConfig, { name: deep, content: 'x' }], 'bundle_too_deep', deep)
    expect(compile([plainConfig, { name: deep.slice(0, -2), content: 'x' }]).ok).toBe(true)
    const big = { name: 'files/big', content: new Uint8Array(600) }
    refused([plainConfig, big], 'bundle_file_too_large', 'files/big', { limits: { maxFileBytes: 599 } })
    const total = SEED.length + 2 * 600
    refused([plainConfig, big, { ...big, name: 'files/big2' }], 'bundle_too_large', 'files/big2', {
      limits: { maxTotalBytes: total - 1 },
    })
  })

  it("a header's claim of 8 GiB is refused before a byte of it is read or allocated", () => {
    const claim = tar([plainConfig, { name: 'files/huge', size: 8 * 1024 ** 3 }], { end: false })
    refused([plainConfig, { name: 'files/huge', size: 8 * 1024 ** 3 }], 'bundle_file_too_large', 'files/huge')
    // The archive holds no content at all: had the reader waited for it, it would say truncated.
    expect(codes(compileDevice(claim))).toEqual(['bundle_file_too_large'])
  })

  it('a zstd bomb (RLE blocks) stops at the total limit; a frame asking for a huge window is refused', () => {
    const head = tar([plainConfig, { name: 'files/zeros', size: 30 * 1024 * 1024 }], { end: false })
    const bomb = zstdFrame(head, { rle: { byte: 0, length: 1024 ** 3 } })
    expect(bomb.length).toBeLessThan(64 * 1024)
    expect(
      codes(compileDevice(bomb, { limits: { maxTotalBytes: 1024 * 1024, maxFileBytes: 32 * 1024 * 1024 } })),
    ).toEqual(['bundle_too_large'])
    const wide = zstdFrame(tar([plainConfig]), { windowLog: 31 })
    expect(codes(compileDevice(wide))).toEqual(['bundle_corrupt'])
  })

  it('data after the end of the archive counts, up to 1 MiB', () => {
    const archive = tar([plainConfig])
    const padded = new Uint8Array(archive.length + 10240)
    padded.set(archive)
    expect(compileDevice(padded).ok).toBe(true)
    const flooded = zstdFrame(archive, { rle: { byte: 0, length: 2 * 1024 * 1024 } })
    expect(codes(compileDevice(flooded))).toEqual(['bundle_corrupt'])
  })
})

describe('bundles: truncated and corrupt archives are issues, never exceptions', () => {
  const archive = tar([config, ...payload])

  it('truncated tar, gzip and zstd', () => {
    expect(codes(compileDevice(archive.subarray(0, 700)))).toEqual(['bundle_truncated'])
    expect(codes(compileDevice(tar([config], { end: false }), { fileName: 'b.tar' }))).toEqual(['bundle_truncated'])
    const gz = gzipSync(archive)
    expect(codes(compileDevice(gz.subarray(0, gz.length - 100)))).toEqual(['bundle_truncated'])
    const zst = zstdFrame(archive)
    expect(codes(compileDevice(zst.subarray(0, zst.length - 100)))).toEqual(['bundle_truncated'])
  })

  it('a bad header checksum, a flipped gzip byte, a wrong CRC, garbage between members', () => {
    expect(codes(compile([config, { name: 'files/a', content: 'x', badChecksum: true }]))).toEqual(['bundle_corrupt'])
    const gz = gzipSync(archive)
    const crc = gz.slice()
    crc[crc.length - 6]! ^= 0xff
    expect(codes(compileDevice(crc))).toEqual(['bundle_corrupt'])
    const flipped = gz.slice()
    flipped[20]! ^= 0xff
    expect(codes(compileDevice(flipped)).length).toBe(1)
    const gap = tar([plainConfig])
    const spliced = new Uint8Array([...gap.subarray(0, 512 + 1024 + 512), ...tar([{ name: 'files/x', content: 'y' }])])
    expect(codes(compileDevice(spliced))).toEqual(['bundle_corrupt'])
  })

  it('never throws, for random bytes and for random damage to a valid bundle (property)', () => {
    const gz = gzipSync(archive)
    const zst = zstdFrame(archive)
    fc.assert(
      fc.property(
        fc.constantFrom(archive, gz, zst),
        fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 8 }),
        fc.nat(),
        (base, edits, cut) => {
          const damaged = base.slice(0, Math.max(1, base.length - (cut % 64)))
          for (const [at, value] of edits) damaged[at % damaged.length] = value
          const result = compileDevice(damaged, { fileName: 'b.tar' })
          if (!result.ok) for (const e of result.errors) expect(typeof e.message).toBe('string')
        },
      ),
      { numRuns: 300 },
    )
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 2048 }), (bytes) => void compileDevice(bytes, { fileName: 'x.tgz' })),
    )
  })
})
