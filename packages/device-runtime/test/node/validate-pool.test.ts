import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { afterEach, beforeAll, describe, expect, it } from 'vitest'
import { type ApiDeps, createApiApp, type InputCheck } from '../../src/api/app.js'
import { checkDeviceInput } from '../../src/compile.js'
import { MOVE_BYTES, type ValidatePool, ValidateWorkerError, validatePool } from '../../src/node/validate-pool.js'
import { memoryDevice, options, post, recordingLog } from '../api/memory-device.js'
import { tar } from '../support/tar.js'

// The pool runs the built worker (the CLI's dist), as `atomicnix serve` does.
const WORKER = new URL('../../dist/validate-worker.js', import.meta.url)
const FAILING = new URL('./failing-worker.mjs', import.meta.url)
const SEED = readFileSync(new URL('../../../../examples/seed/config.toml', import.meta.url), 'utf8')
const encoder = new TextEncoder()
let pool: ValidatePool | undefined

beforeAll(() => {
  if (!existsSync(WORKER)) throw new Error('dist/validate-worker.js is missing: run `npm run build` first')
})

afterEach(async () => {
  await pool?.close()
  pool = undefined
})

/** What `serve` answers for an input when it validates in its own thread. */
function inProcess(input: Uint8Array, fileName: string | undefined): InputCheck {
  const result = checkDeviceInput(input, fileName === undefined ? {} : { fileName })
  return result.ok
    ? { ok: true, warnings: result.warnings }
    : { ok: false, errors: result.errors, warnings: result.warnings }
}

/** Threads of this process, from the kernel's view. */
const threadCount = () => readdirSync('/proc/self/task').length

const inputs: [string, Uint8Array, string | undefined][] = [
  ['the seed', encoder.encode(SEED), 'config.toml'],
  [
    'an unknown key and a bad version',
    encoder.encode(SEED.replace('dhcp_start', 'dhcp_strat').replace('version = 1', 'version = 3')),
    'config.toml',
  ],
  ['TOML that does not parse', encoder.encode('[lan\nx = '), 'config.toml'],
  ['bytes that are not UTF-8', new Uint8Array([0x5b, 0xff, 0xfe, 0x5d]), undefined],
  ['a bundle with its config', tar([{ name: 'config.toml', content: SEED }]), 'bundle.tar'],
  ['a bundle without a config', tar([{ name: 'files/x', content: 'x' }]), 'bundle.tar'],
  // A small Buffer is a view into Node's shared pool: the worker must see these bytes only.
  ['a Buffer view into a larger buffer', Buffer.from(SEED), undefined],
]

describe('the validation worker pool', () => {
  it('answers the same issue objects as the in-process check, for configs and bundles', async () => {
    pool = validatePool({ log: recordingLog(), size: 2, workerUrl: WORKER })
    expect(pool.threads).toBe(0) // lazy: no thread before the first job
    for (const [, input, fileName] of inputs) {
      expect(await pool.validate(input, fileName)).toEqual(inProcess(input, fileName))
    }
    // Many at once: batches, both threads, every answer to its own job.
    const many = await Promise.all(
      Array.from({ length: 40 }, (_, i) =>
        pool!.validate(inputs[i % inputs.length]![1], inputs[i % inputs.length]![2]),
      ),
    )
    for (const [i, answer] of many.entries()) {
      const [, input, fileName] = inputs[i % inputs.length]!
      expect(answer).toEqual(inProcess(input, fileName))
    }
    expect(pool.threads).toBeGreaterThanOrEqual(1)
    expect(pool.threads).toBeLessThanOrEqual(2)
  })

  it('moves a large input to the worker instead of copying it, with the same answer', async () => {
    pool = validatePool({ log: recordingLog(), size: 1, workerUrl: WORKER })
    const large = readFileSync(
      new URL('../../../config-schema/test/fixtures/valid/large.toml', import.meta.url),
      'utf8',
    )
    const texts = [
      `${large}\n${'# padding\n'.repeat(8_000)}`,
      `${large.replace('version = 1', 'version = 9')}${' '.repeat(80_000)}`,
    ]
    for (const text of texts) {
      const input = encoder.encode(text)
      expect(input.byteLength).toBeGreaterThanOrEqual(MOVE_BYTES)
      const expected = inProcess(input, 'config.toml')
      const small = encoder.encode(SEED)
      // A large one and a small one in the same turn: each gets its own answer.
      const [answer, other] = await Promise.all([pool.validate(input, 'config.toml'), pool.validate(small, undefined)])
      expect(answer).toEqual(expected)
      expect(other).toEqual(inProcess(small, undefined))
      expect(input.byteLength).toBe(0) // moved: the caller's buffer is detached
      expect(small.byteLength).toBe(SEED.length) // copied
    }
  })

  it('gives the HTTP app the same answers as in-process validation', async () => {
    pool = validatePool({ log: recordingLog(), workerUrl: WORKER })
    const { deps } = memoryDevice()
    const local: ApiDeps = { ...deps, validate: async (input, fileName) => inProcess(input, fileName) }
    const pooled: ApiDeps = { ...deps, validate: (input, fileName) => pool!.validate(input, fileName) }
    const a = createApiApp(local, options())
    const b = createApiApp(pooled, options())
    for (const body of [SEED, SEED.replace('dhcp_start', 'dhcp_strat'), 'not = [toml']) {
      const [x, y] = [await a(post('/api/validate', body)), await b(post('/api/validate', body))]
      expect(y.status).toBe(x.status)
      expect(await y.text()).toBe(await x.text())
    }
  })

  it('answers a job whose worker dies with an error without internals, and recovers with a new worker', async () => {
    const log = recordingLog()
    pool = validatePool({ log, size: 1, workerUrl: FAILING })
    const seed = encoder.encode(SEED)
    expect(await pool.validate(seed, 'config.toml')).toEqual(inProcess(seed, 'config.toml'))
    // In one batch with the crashing input: the other job runs again on its own and is answered.
    const crash = pool.validate(encoder.encode(`${SEED}\n#exit-worker\n`), 'config.toml')
    const innocent = pool.validate(seed, 'config.toml')
    await expect(crash).rejects.toThrow(ValidateWorkerError)
    await expect(crash).rejects.toThrow(/^The validation worker failed\.$/)
    expect(await innocent).toEqual(inProcess(seed, 'config.toml'))
    const thrown = pool.validate(encoder.encode('#throw-in-worker'), undefined)
    await expect(thrown).rejects.toThrow(/^The validation worker failed\.$/)
    expect(await pool.validate(seed, 'config.toml')).toEqual(inProcess(seed, 'config.toml'))
    expect(pool.threads).toBe(1)
    expect(log.lines.join('\n')).toContain('exited with code 70')
    expect(log.lines.join('\n')).toContain('secret internal detail')

    // Through the app: 500 with no internals; the next request is answered again.
    const app = createApiApp({ ...memoryDevice().deps, log, validate: (i, f) => pool!.validate(i, f) }, options())
    const failed = await app(post('/api/validate', '#throw-in-worker'))
    expect(failed.status).toBe(500)
    const text = await failed.text()
    expect(text).toContain('internal_error')
    expect(text).not.toContain('secret')
    expect((await app(post('/api/validate', SEED))).status).toBe(200)
  })

  it('stops idle workers, and leaves no thread behind once closed', async () => {
    const before = threadCount()
    pool = validatePool({ log: recordingLog(), size: 2, workerUrl: WORKER, idleMs: 200 })
    const seed = encoder.encode(SEED)
    await Promise.all(Array.from({ length: 8 }, () => pool!.validate(seed, undefined)))
    expect(pool.threads).toBeGreaterThanOrEqual(1)
    expect(threadCount()).toBeGreaterThan(before)
    await expect.poll(() => pool!.threads, { timeout: 5_000 }).toBe(0)
    await pool.validate(seed, undefined)
    expect(pool.threads).toBe(1)
    const pending = expect(pool.validate(seed, undefined)).rejects.toThrow(ValidateWorkerError)
    await pool.close()
    await pending
    await expect(pool.validate(seed, undefined)).rejects.toThrow(/closed/)
    expect(pool.threads).toBe(0)
    await expect.poll(threadCount, { timeout: 5_000 }).toBe(before)
  })
})
