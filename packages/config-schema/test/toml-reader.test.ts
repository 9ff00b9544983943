import { readFileSync } from 'node:fs'
import fc from 'fast-check'
import { parse as smolParse, stringify as smolStringify, TomlError } from 'smol-toml'
import { describe, expect, it } from 'vitest'
import { CONFIG_WORDS } from '../src/config-words.js'
import type { PathSegment } from '../src/path.js'
import { TomlDate } from '../src/toml/date.js'
import { LineIndex } from '../src/toml/positions.js'
import { readToml, TomlSyntaxError } from '../src/toml/reader.js'
import { writeToml } from '../src/toml/writer.js'
import { isDataRecord } from '../src/values.js'
import { loadFixtures } from './fixtures.js'
import { SourceMap } from './source-map-oracle.js'

/**
 * The reader against smol-toml (the parser config-schema used before, kept as the oracle): the same verdict, the
 * same values, the same error sentence and offset, on generated documents, on mutations of them, and on a table of
 * hand-picked corner cases.
 */

type Shape = unknown

/** A value in a form `toEqual` compares strictly: tables as ordered entries, dates by kind and text. */
function shape(value: unknown, own: boolean): Shape {
  if (Array.isArray(value)) return value.map((v) => shape(v, own))
  if (value instanceof Date) {
    const d = value as TomlDate
    return {
      date: Number.isNaN(d.getTime()) ? 'invalid' : d.toISOString(),
      kind: [d.isDateTime(), d.isLocal(), d.isDate(), d.isTime()],
      ours: own ? value instanceof TomlDate : true,
    }
  }
  if (typeof value === 'object' && value !== null) {
    return {
      // Both inherit nothing: smol-toml's tables have no prototype, ours an empty frozen one without a prototype.
      prototype: isDataRecord(value) ? 'data' : 'other',
      entries: Object.keys(value).map((k) => [k, shape((value as Record<string, unknown>)[k], own)]),
    }
  }
  if (typeof value === 'number' && Object.is(value, -0)) return '-0'
  return value
}

/** smol-toml's verdict, in the form the reader gives it: a value, or an error sentence and its offset's line/col. */
function oracle(text: string): { value: Shape } | { error: string; line: number; column: number } {
  try {
    return { value: shape(smolParse(text, { integersAsBigInt: true, maxDepth: 32 }), false) }
  } catch (error) {
    if (!(error instanceof TomlError)) throw error
    const message = error.message.split('\n')[0]!.replace(/^Invalid TOML document: /, '')
    const sentence = `${message.charAt(0).toUpperCase()}${message.slice(1)}`.replace(/\.?$/, '.')
    return { error: sentence, line: error.line, column: error.column }
  }
}

function ours(
  text: string,
  words?: typeof CONFIG_WORDS,
): { value: Shape } | { error: string; line: number; column: number } {
  try {
    return { value: shape(readToml(text, 32, words).value, true) }
  } catch (error) {
    if (!(error instanceof TomlSyntaxError)) throw error
    const before = text.slice(0, error.offset).split(/\r?\n/)
    return { error: error.message, line: before.length, column: before[before.length - 1]!.length + 1 }
  }
}

function same(text: string): void {
  const expected = oracle(text)
  expect(ours(text), JSON.stringify(text)).toEqual(expected)
  // The table of config key names changes which strings the reader hands out, never what it reads.
  expect(ours(text, CONFIG_WORDS), JSON.stringify(text)).toEqual(expected)
}

// Generators of TOML text across styles.

const bareKey = fc.constantFrom(
  ...['a', 'b', 'c', 'key', 'x-y', 'x_y', '1', '__proto__', 'constructor', 'toString', 'A'],
  ...['Image', 'Imag', 'Images', 'lan', 'version', 'tcp', 'PublishPort'],
)
const quotedKey = fc.constantFrom(
  '"a"',
  "'b'",
  '"a.b"',
  '""',
  "''",
  '"\\u0041"',
  '"\\n"',
  '"é"',
  '"__proto__"',
  "'c d'",
)
const simpleKey = fc.oneof({ weight: 4, arbitrary: bareKey }, { weight: 1, arbitrary: quotedKey })
const dot = fc.constantFrom('.', '.', ' . ', '\t.')
const dottedKey = fc
  .tuple(simpleKey, fc.array(fc.tuple(dot, simpleKey), { maxLength: 2 }))
  .map(([first, rest]) => first + rest.map(([d, k]) => d + k).join(''))

const integer = fc.oneof(
  fc.bigInt({ min: -(2n ** 70n), max: 2n ** 70n }).map(String),
  fc.constantFrom(
    '0',
    '-0',
    '+0',
    '+1',
    '1_000',
    '1__0',
    '_1',
    '1_',
    '00',
    '01',
    '-01',
    '0x_1',
    '0xDEAD_beef',
    '0x',
    '0o17',
    '0o8',
    '0b101',
    '0b2',
    '+0x1',
    '-0o7',
    '0X1',
    '9223372036854775808',
    '-9223372036854775809',
  ),
)
const float = fc.oneof(
  fc.double({ noNaN: true }).map((d) => (Number.isFinite(d) ? String(d) : d > 0 ? 'inf' : '-inf')),
  fc.constantFrom(
    '1.5',
    '1e5',
    '1E-5',
    '1e+5',
    '-0.0',
    '+0.0',
    '0.0',
    '0e0',
    '0.1e1_0',
    '+inf',
    '-inf',
    'inf',
    'nan',
    '+nan',
    '-nan',
    '1.',
    '.5',
    '1e',
    '1.e5',
    '3.14_15',
    '1_.5',
    '1._5',
    '1e_5',
    '6.626e-34',
    'infinity',
    'na',
  ),
)
const date = fc.constantFrom(
  '1979-05-27T07:32:00Z',
  '1979-05-27t07:32:00z',
  '1979-05-27 07:32:00Z',
  '1979-05-27T00:32:00.999999-07:00',
  '1979-05-27T00:32:00+01:30',
  '1979-05-27T07:32:00',
  '1979-05-27 07:32:00',
  '1979-05-27T07:32',
  '1979-05-27',
  '1979-05-27 ',
  '07:32:00',
  '00:32:00.999999',
  '07:32',
  '24:00:00',
  '1979-05-27T24:00:00Z',
  '1979-02-30',
  '1979-13-01',
  '1979-5-27',
  '1979-05-27T07:32:00.Z',
  '2000-02-29T12:00:00+25:00',
  '0000-01-01',
  '7:32:00',
  'ab:cd',
  'in:f',
)
const boolean = fc.constantFrom('true', 'false', 'True', 'tru', 'falsey')
const basicChar = fc.constantFrom(
  'a',
  ' ',
  'é',
  '\t',
  "'",
  '#',
  '\\n',
  '\\t',
  '\\"',
  '\\\\',
  '\\e',
  '\\x41',
  '\\u00e9',
  '\\U0001F600',
  '\\uD800',
  '\\U00110000',
  '\\q',
  '\\u12',
  '\u0001',
  '\u007f',
  '😀',
)
const literalChar = fc.constantFrom('a', ' ', '\\', '"', 'é', '\t', '#', '\u0001')
const string = fc.oneof(
  fc.array(basicChar, { maxLength: 6 }).map((c) => `"${c.join('')}"`),
  fc.array(literalChar, { maxLength: 6 }).map((c) => `'${c.join('')}'`),
  fc
    .array(fc.oneof(basicChar, fc.constantFrom('\n', '\\\n  ', '\\  \n', '\\ x', '"', '""', '\r\n', '\r')), {
      maxLength: 6,
    })
    .chain((c) => fc.constantFrom(`"""${c.join('')}"""`, `"""\n${c.join('')}"""`, `"""${c.join('')}""""`)),
  fc
    .array(fc.oneof(literalChar, fc.constantFrom('\n', "'", "''", '\r\n')), { maxLength: 6 })
    .chain((c) => fc.constantFrom(`'''${c.join('')}'''`, `'''\n${c.join('')}'''''`, `'''${c.join('')}''''''`)),
  fc.constantFrom('"unterminated', "'", '"""a""""""', '""', "''", '"a"b"'),
)
const scalar = fc.oneof(integer, float, date, boolean, string)
const blank = fc.constantFrom('', ' ', '\n', ' # note\n', '\n  ', '\t')

const { value } = fc.letrec<{ value: string; array: string; inline: string }>((tie) => ({
  value: fc.oneof({ depthSize: 'small', withCrossShrink: true }, scalar, scalar, tie('array'), tie('inline')),
  array: fc
    .tuple(fc.array(fc.tuple(blank, tie('value'), blank), { maxLength: 4 }), fc.boolean(), blank)
    .map(
      ([items, trailing, end]) =>
        `[${items.map(([a, v, b]) => a + v + b).join(',')}${trailing && items.length > 0 ? ',' : ''}${end}]`,
    ),
  inline: fc
    .tuple(fc.array(fc.tuple(dottedKey, tie('value')), { maxLength: 3 }), fc.boolean())
    .map(
      ([pairs, trailing]) =>
        `{${pairs.map(([k, v]) => ` ${k} = ${v}`).join(',')}${trailing && pairs.length > 0 ? ',' : ''} }`,
    ),
}))

const statement = fc.oneof(
  { weight: 5, arbitrary: fc.tuple(dottedKey, value).map(([k, v]) => `${k} = ${v}`) },
  { weight: 2, arbitrary: dottedKey.map((k) => `[${k}]`) },
  { weight: 2, arbitrary: dottedKey.map((k) => `[[${k}]]`) },
  { weight: 1, arbitrary: fc.constantFrom('# comment', '', '  ', '\t# x', '[ a . b ]', '[[ a ]]', 'a = 1 # c') },
)
const document = fc
  .tuple(fc.array(statement, { maxLength: 12 }), fc.constantFrom('\n', '\r\n'), fc.boolean())
  .map(([lines, eol, bom]) => (bom ? '\ufeff' : '') + lines.join(eol))

/** A document with a few bytes deleted, inserted or duplicated. */
const mutated = fc
  .tuple(
    document,
    fc.array(
      fc.tuple(
        fc.constantFrom('delete', 'insert', 'duplicate'),
        fc.nat(),
        fc.nat(4),
        fc.constantFrom(
          '=',
          '.',
          '[',
          ']',
          '{',
          '}',
          ',',
          '"',
          "'",
          '\\',
          '\n',
          '\r',
          ' ',
          '#',
          '0',
          'a',
          '\u0000',
          '-',
          ':',
        ),
      ),
      { minLength: 1, maxLength: 3 },
    ),
  )
  .map(([text, edits]) => {
    let out = text
    for (const [kind, at, length, char] of edits) {
      const i = out.length === 0 ? 0 : at % (out.length + 1)
      if (kind === 'delete') out = out.slice(0, i) + out.slice(i + length + 1)
      else if (kind === 'insert') out = out.slice(0, i) + char + out.slice(i)
      else out = out.slice(0, i) + out.slice(i, i + length + 1) + out.slice(i)
    }
    return out
  })

describe('the TOML reader against smol-toml', () => {
  it('reads generated documents exactly as smol-toml does', () => {
    fc.assert(fc.property(document, same), { numRuns: 1000 })
  })

  it('refuses or reads mutated documents exactly as smol-toml does', () => {
    fc.assert(fc.property(mutated, same), { numRuns: 1000 })
  })

  it('resolves headers, arrays of tables and dotted keys over few names exactly as smol-toml does', () => {
    // Few names, so that tables are named again and again in every way: the redefinition rules at work.
    const path = fc.array(fc.constantFrom('a', 'b', 'c'), { minLength: 1, maxLength: 3 }).map((p) => p.join('.'))
    const line = fc.oneof(
      path.map((p) => `[${p}]`),
      path.map((p) => `[[${p}]]`),
      fc
        .tuple(path, fc.constantFrom('1', '"s"', '1979-05-27', '{}', '{x=1}', '[]', '[{}]', '{a.b=1}'))
        .map(([p, v]) => `${p} = ${v}`),
    )
    fc.assert(
      fc.property(
        fc.array(line, { maxLength: 8 }).map((lines) => lines.join('\n')),
        same,
      ),
      { numRuns: 2000 },
    )
  })

  it('reads every fixture and the seed exactly as smol-toml does', () => {
    const texts = [readFileSync(new URL('../../../examples/seed/config.toml', import.meta.url), 'utf8')]
    for (const fixture of [...loadFixtures('valid'), ...loadFixtures('invalid')]) texts.push(fixture.text)
    for (const text of texts) same(text)
  })

  // Each case: the text, and whether TOML (and so smol-toml and the reader) accepts it.
  const cases: [string, boolean][] = [
    ['a.b.c = 1\n[a.b]', false],
    ['[a.b]\nc = 1\n[a]\nd = 2', true],
    ['[a]\n[a]', false],
    ['[a]\nb = 1\n[a.b]', false],
    ['a = [1]\n[[a]]', false],
    ['[[a]]\n[a]', false],
    ['[[a]]\nb = 1\n[[a]]\nb = 2\n[a.c]\nd = 3', true],
    ['[[a.b]]\n[a]\nc = 1', true],
    ['a = {b = 1}\na.c = 2', false],
    ['a = {b.c = 1, b.d = 2}', true],
    ['a = {b = {c = 1}, b.d = 2}', false],
    ['a = {b.c = 1, b = 2}', false],
    ['a = {b = 1, b = 2}', false],
    ['a = {b = 1,}', true],
    ['a = {\nb = 1}', true],
    ['__proto__ = 1\nconstructor = 2\n[toString]\nx = 1', true],
    ['a.__proto__.b = 1\n["__proto__"]\nc = 1', true],
    ['x = 1979-05-27T07:32:00Z', true],
    ['x = 1979-05-27 07:32:00Z', true],
    ['x = 1979-05-27T07:32:00.5+05:30', true],
    ['x = 1979-05-27T25:32:00Z', false],
    ['x = 07:32:00', true],
    ['x = -0\ny = +0\nz = -0.0\nw = +inf\nv = -nan', true],
    ['x = 01', false],
    ['x = 0x', false],
    ['x = 0x_1', false],
    ['x = 0x1_', false],
    ['x = -0x1', false],
    ['x = 0xffffffffffffffffffff', true],
    ['x = "\\uD800"', false],
    ['x = "\\uDFFF"', false],
    ['x = "\\U0010FFFF"', true],
    ['x = "\\U00110000"', false],
    ['x = """a"""""', true],
    ['x = """a""""""', false],
    ["x = '''a'''''", true],
    ['x = """\\\n   a"""', true],
    ['x = """a \\ b"""', false],
    ['x = "a\tb"', true],
    ['x = "a\u0001b"', false],
    ['x = 1 # \u0001', false],
    ['x = 1\r\ny = 2\r\n', true],
    ['x = 1\ry = 2', false],
    ['x = 1 y = 2', false],
    ['\ufeffx = 1', true],
    ['"a"."b" = 1\na.c = 2', true],
    ['a = [1, "a", [2], {b = 1}]', true],
    ['a = [,]', false],
    ['a = [1,,]', false],
    ['= 1', false],
    ['a. = 1', false],
    ['a..b = 1', false],
    ['"""a""" = 1', false],
    ['a = 1\na = 2', false],
    ['[a]\nb.c = 1\n[a.b.d]', true],
    [`a = ${'['.repeat(32)}${']'.repeat(32)}`, true],
    [`a = ${'['.repeat(33)}${']'.repeat(33)}`, false],
    [`a = ${'{b='.repeat(33)}1${'}'.repeat(33)}`, false],
    ['a = tru', false],
    ['a = true', true],
    ['a = in:f', false],
  ]
  it.each(cases)('%j: the same verdict and values (accepted: %s)', (text, accepted) => {
    same(text)
    expect('value' in ours(text), text).toBe(accepted)
  })

  it('reads long and deeply repeated inputs in one pass', () => {
    const many = Array.from({ length: 2000 }, (_, i) => `[[t]]\nk${i} = "${'\\u0041'.repeat(20)}"`).join('\n')
    same(many)
    same(`a = [${'1,'.repeat(20000)}]`)
    same(`a = "${'\\\\'.repeat(20000)}"`)
    same(`a = """${'\\\n'.repeat(5000)}"""`)
  })
})

/** Every path of a document's tables, arrays and values, and for each a child path that is absent. */
function pathsOf(value: unknown, at: PathSegment[] = [], out: PathSegment[][] = []): PathSegment[][] {
  if (Array.isArray(value)) {
    value.forEach((item, i) => {
      out.push([...at, i])
      pathsOf(item, [...at, i], out)
    })
    out.push([...at, value.length])
  } else if (typeof value === 'object' && value !== null && !(value instanceof Date)) {
    for (const key of Object.keys(value)) {
      out.push([...at, key])
      pathsOf((value as Record<string, unknown>)[key], [...at, key], out)
    }
    out.push([...at, 'absent'], [...at, 0])
  }
  return out
}

describe('positions against the scanner they replace', () => {
  it('every key and value of generated documents is where the old scanner found it', () => {
    fc.assert(
      fc.property(document, (text) => {
        // As parseConfig reads: a byte order mark is a space.
        const source = text.charCodeAt(0) === 0xfeff ? ` ${text.slice(1)}` : text
        let read: ReturnType<typeof readToml>
        try {
          read = readToml(source, 32, CONFIG_WORDS)
        } catch {
          return
        }
        const paths = [[], ...pathsOf(read.value)]
        const old = new SourceMap(source, paths)
        // A third of the runs index every entry, a third only the containers on the paths they ask for (the first
        // half), as parseConfig does for many issues, and a third prepare for a single path, which makes the log
        // answer every path by walking it (parseConfig's way for a few issues).
        const mode = paths.length % 3
        const asked = mode === 1 ? paths.slice(0, paths.length >> 1) : paths
        if (mode === 1) read.positions.prepare(read.value, asked)
        if (mode === 2) read.positions.prepare(read.value, [paths[paths.length - 1]!])
        const lines = new LineIndex(source)
        for (const path of asked) {
          for (const anchor of ['key', 'value'] as const) {
            const offset = read.positions.locate(read.value, path, anchor)
            const position = offset === -1 ? { line: 1, column: 1 } : lines.position(offset)
            expect(position, `${JSON.stringify(source)} ${JSON.stringify(path)} ${anchor}`).toEqual(
              old.locate(path, anchor),
            )
          }
        }
      }),
      { numRuns: 500 },
    )
  })
})

describe('the TOML writer against smol-toml', () => {
  const leaf = fc.oneof(
    fc.string({ unit: 'binary', maxLength: 8 }),
    fc.constantFrom('', 'a"b', 'line\nbreak', '\u007f', '\ud800', 'é'),
    fc.double(),
    fc.integer().map((n) => n * 1e10),
    fc.bigInt(),
    fc.boolean(),
    fc.date({ noInvalidDate: true }),
  )
  const name = fc.oneof(
    fc.constantFrom('a', 'b-c', 'Image', '', 'a.b', 'x y', '"', '__proto__'),
    fc.string({ maxLength: 4 }),
  )
  const { data } = fc.letrec<{ data: unknown }>((tie) => ({
    data: fc.oneof(
      { depthSize: 'small' },
      leaf,
      fc.array(tie('data'), { maxLength: 3 }),
      fc.dictionary(name, tie('data'), { maxKeys: 3, noNullPrototype: false }),
    ),
  }))
  it('writes generated data byte for byte as smol-toml stringify does', () => {
    fc.assert(
      fc.property(fc.dictionary(name, data, { maxKeys: 4 }), (doc) => {
        const run = (write: () => string) => {
          try {
            return { text: write() }
          } catch (error) {
            return { error: (error as Error).message }
          }
        }
        expect(run(() => writeToml(doc))).toEqual(run(() => smolStringify(doc)))
      }),
      { numRuns: 500 },
    )
  })
})
