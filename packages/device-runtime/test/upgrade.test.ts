import { createHash } from 'node:crypto'
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { readBootJournal } from '../src/journal/journal.js'
import { readSlotRecord, type SlotRecord } from '../src/journal/slots.js'
import { nodeFiles } from '../src/node/files.js'
import { nodeHttp } from '../src/node/http.js'
import type { Files } from '../src/ports.js'
import { downloadBundle } from '../src/upgrade/download.js'
import { DEFAULT_UPGRADE_LIMITS, runUpgradeLoop, runUpgradeOnce, type UpgradeOptions } from '../src/upgrade/run.js'
import { DeviceFake, FakeClock, RecordingLog, raucStatusJson } from './support/device-fake.js'

const OLD = { version: '1.0.0', hash: 'a'.repeat(64) }
const BUNDLE = new Uint8Array(200_000).map((_, i) => (i * 7 + 3) % 251)
const SHA = createHash('sha256').update(BUNDLE).digest('hex')

type Handler = (req: IncomingMessage, res: ServerResponse) => void
let fake: DeviceFake
let clock: FakeClock
let log: RecordingLog
let server: Server
let base: string
let requests: { url: string; headers: IncomingMessage['headers'] }[]
let offer: (req: IncomingMessage, res: ServerResponse) => void
let bundle: Handler

const committedA: SlotRecord = {
  committed: [{ slot: 'rootfs.0', at: '2026-11-01T00:00:00.000Z', version: OLD.version, bundleHash: OLD.hash }],
  rolledBack: [],
}

function writeRecord(record: SlotRecord): void {
  mkdirSync(join(fake.data, 'state'), { recursive: true })
  writeFileSync(join(fake.data, 'state', 'slots.json'), JSON.stringify(record))
}

const json =
  (value: unknown, status = 200) =>
  (_req: IncomingMessage, res: ServerResponse) => {
    res.writeHead(status, { 'content-type': 'application/json' })
    res.end(JSON.stringify(value))
  }
const offering = (version: string, extra: Record<string, unknown> = {}) =>
  json({ version, bundle_url: '/bundles/atomicnix.raucb', sha256: SHA, size: BUNDLE.length, ...extra })

/** Serves the bundle, honouring `Range: bytes=N-`. */
const serveBundle: Handler = (req, res) => {
  const range = /^bytes=(\d+)-$/.exec(req.headers.range ?? '')
  if (range !== null) {
    const from = Number(range[1])
    res.writeHead(206, {
      'content-length': BUNDLE.length - from,
      'content-range': `bytes ${from}-${BUNDLE.length - 1}/${BUNDLE.length}`,
    })
    res.end(BUNDLE.subarray(from))
    return
  }
  res.writeHead(200, { 'content-length': BUNDLE.length })
  res.end(BUNDLE)
}

/** Sends the first `bytes` of the bundle with the full Content-Length, then cuts the connection. */
const cutAfter =
  (bytes: number): Handler =>
  (_req, res) => {
    res.writeHead(200, { 'content-length': BUNDLE.length })
    res.write(BUNDLE.subarray(0, bytes), () => setTimeout(() => res.socket?.destroy(), 20))
  }

const options = (): UpgradeOptions => ({
  dataDir: fake.data,
  bootIdPath: fake.bootIdFile,
  macPath: fake.macFile,
  ...DEFAULT_UPGRADE_LIMITS,
  reserveBytes: 0,
})
const upgrade = (files: Files = nodeFiles, opts = options()) =>
  runUpgradeOnce({ files, exec: fake.exec, clock, log, http: nodeHttp }, opts)
const downloads = () => {
  try {
    return readdirSync(join(fake.data, 'downloads'))
  } catch {
    return []
  }
}
const installs = () => fake.calls().filter((c) => c.startsWith('rauc install'))
const upgradeState = () => JSON.parse(readFileSync(join(fake.data, 'state', 'upgrade.json'), 'utf8'))

beforeEach(async () => {
  fake = new DeviceFake()
  clock = new FakeClock()
  log = new RecordingLog()
  requests = []
  offer = offering('1.1.0')
  bundle = serveBundle
  server = createServer((req, res) => {
    requests.push({ url: req.url ?? '', headers: req.headers })
    if (req.url === '/api/v1/updates/latest') offer(req, res)
    else if (req.url?.split('?')[0] === '/bundles/atomicnix.raucb') bundle(req, res)
    else res.writeHead(404).end()
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  await fake.provision((files) => files.set('os-upgrade.json', JSON.stringify({ server_url: base })))
  writeRecord(committedA)
  fake.answer(['rauc', 'status', '--detailed', '--output-format=json'], {
    stdout: raucStatusJson({ booted: 'A', A: OLD }),
  })
  fake.answer(['reboot'], {})
  mkdirSync(join(fake.data, 'state'), { recursive: true })
  writeFileSync(
    join(fake.data, 'state', 'boot-journal.jsonl'),
    `${JSON.stringify({ bootId: 'x', time: '2026-12-01T09:00:00.000Z', slot: 'rootfs.0', outcome: 'committed' })}\n`,
  )
})
afterEach(async () => {
  server.closeAllConnections()
  await new Promise((resolve) => server.close(resolve))
  fake.remove()
})

/** Answers `rauc install <that path>` with success, and the status afterwards with B primary. */
function installSucceeds(): void {
  fake.answer(['rauc', 'install', join(fake.data, 'downloads', `${SHA}.raucb`)], { stdout: 'Installing done.\n' })
}

describe('atomicnix upgrade', () => {
  it('newer → downloads, checks the digest, rauc install, records the trial and reboots', async () => {
    installSucceeds()
    expect(await upgrade()).toBe('installed')
    expect(requests[0]?.headers).toMatchObject({
      'x-device-id': '02abcd001122',
      'x-current-version': '1.0.0',
      'x-last-result': 'committed',
    })
    expect(installs()).toHaveLength(1)
    expect(fake.installed()).toEqual([`${SHA}  ${join(fake.data, 'downloads', `${SHA}.raucb`)}`])
    expect(fake.calls().at(-1)).toBe('reboot')
    expect(downloads()).toEqual([])
    const record = await readSlotRecord(nodeFiles, fake.data)
    expect(record.trial).toMatchObject({ slot: 'rootfs.1', version: '1.1.0', sha256: SHA })
    expect((await readBootJournal(nodeFiles, fake.data)).at(-1)).toMatchObject({
      outcome: 'trial',
      slot: 'rootfs.1',
      version: '1.1.0',
    })
    expect(log.has('downloading the bundle')).toBe(true)
  })

  for (const [name, answer] of [
    ['equal', offering('1.0.0')],
    ['older', offering('0.9.12')],
    ['older by order though greater as a string', offering('1.0.0-rc.1')],
    ['204', (_req: IncomingMessage, res: ServerResponse) => res.writeHead(204).end()],
  ] as const) {
    it(`${name} → nothing downloaded or installed, next poll in an hour`, async () => {
      offer = answer
      expect(['skipped', 'nothing']).toContain(await upgrade())
      expect(requests.map((r) => r.url)).toEqual(['/api/v1/updates/latest'])
      expect(installs()).toEqual([])
      expect(upgradeState()).toMatchObject({ failures: 0, nextPollAt: clock.now() + 3600_000 })
    })
  }

  it('a signed bundle URL’s token stays out of the log and the journal', async () => {
    installSucceeds()
    offer = offering('1.1.0', { bundle_url: '/bundles/atomicnix.raucb?token=SECRET' })
    let first = true
    bundle = (req, res) => {
      if (first) {
        first = false
        cutAfter(10_000)(req, res)
      } else serveBundle(req, res)
    }
    expect(await upgrade()).toBe('installed')
    expect(requests.filter((r) => r.url.includes('token=SECRET'))).toHaveLength(2)
    expect(JSON.stringify(log.lines)).not.toContain('SECRET')
    expect(readFileSync(join(fake.data, 'state', 'boot-journal.jsonl'), 'utf8')).not.toContain('SECRET')
    expect(JSON.stringify(log.lines)).toContain('/bundles/atomicnix.raucb?…')
  })

  it('a slot on trial → nothing, the server is not even asked', async () => {
    writeRecord({ committed: [], rolledBack: [] })
    expect(await upgrade()).toBe('refused')
    expect(requests).toEqual([])
    expect(log.has('not committed yet')).toBe(true)
    // A bundle installed but not yet settled by confirm (it may be the one that just rolled back): nothing either.
    writeRecord({
      ...committedA,
      trial: { slot: 'rootfs.1', installedInBoot: 'an-earlier-boot', at: '2026-12-01T09:00:00.000Z', version: '1.1.0' },
    })
    expect(await upgrade()).toBe('refused')
    expect(requests).toEqual([])
    expect(log.has('waits for confirm to settle its trial')).toBe(true)
  })

  it('a version that rolled back → nothing, also when offered under another name with the same digest', async () => {
    writeRecord({
      ...committedA,
      rolledBack: [{ slot: 'rootfs.1', at: '2026-11-20T00:00:00.000Z', reason: 'marked bad', version: '1.1.0' }],
    })
    expect(await upgrade()).toBe('skipped')
    expect(log.has('offer skipped')).toBe(true)
    writeRecord({
      ...committedA,
      rolledBack: [{ slot: 'rootfs.1', at: '2026-11-20T00:00:00.000Z', reason: 'marked bad', sha256: SHA }],
    })
    offer = offering('1.1.1')
    clock.advance(2 * 3600_000)
    expect(await upgrade()).toBe('skipped')
    expect(installs()).toEqual([])
    expect(requests.filter((r) => r.url.startsWith('/bundles'))).toEqual([])
  })

  for (const [name, setup] of [
    ['wrong digest', () => (offer = offering('1.1.0', { sha256: 'f'.repeat(64) }))],
    [
      'truncated',
      () =>
        (bundle = (_req: IncomingMessage, res: ServerResponse) =>
          res.writeHead(200, { 'content-length': 1000 }).end(BUNDLE.subarray(0, 1000))),
    ],
    [
      'oversized (more bytes than offered)',
      () =>
        (bundle = (_req: IncomingMessage, res: ServerResponse) =>
          res.writeHead(200).end(new Uint8Array(BUNDLE.length + 1))),
    ],
    [
      'oversized (Content-Length above the offer)',
      () =>
        (bundle = (_req: IncomingMessage, res: ServerResponse) =>
          res.writeHead(200, { 'content-length': BUNDLE.length + 1 }).end(new Uint8Array(BUNDLE.length + 1))),
    ],
    ['larger than the device limit', () => (offer = offering('1.1.0', { size: DEFAULT_UPGRADE_LIMITS.maxBytes + 1 }))],
  ] as const) {
    it(`${name} → nothing installed and no file left`, async () => {
      installSucceeds()
      setup()
      expect(['failed', 'skipped']).toContain(await upgrade())
      expect(installs()).toEqual([])
      expect(downloads()).toEqual([])
      expect((await readSlotRecord(nodeFiles, fake.data)).trial).toBeUndefined()
    })
  }

  it('not enough free space → nothing downloaded', async () => {
    installSucceeds()
    const tight: Files = { ...nodeFiles, freeBytes: async () => BUNDLE.length - 1 }
    expect(await upgrade(tight)).toBe('failed')
    expect(requests.filter((r) => r.url.startsWith('/bundles'))).toEqual([])
    expect(installs()).toEqual([])
  })

  it('an interrupted download is resumed with a Range request', async () => {
    installSucceeds()
    let first = true
    bundle = (req, res) => {
      if (first) {
        first = false
        cutAfter(65_536)(req, res)
      } else serveBundle(req, res)
    }
    expect(await upgrade()).toBe('installed')
    const gets = requests.filter((r) => r.url.startsWith('/bundles'))
    expect(gets.map((r) => r.headers.range)).toEqual([undefined, 'bytes=65536-'])
    expect(fake.installed()).toHaveLength(1)
    expect(log.has('resuming the bundle download')).toBe(true)
  })

  it('a download interrupted on every attempt keeps its partial file and resumes at the next poll', async () => {
    installSucceeds()
    let served = 0
    bundle = (req, res) => {
      served += 1
      if (served <= 3) {
        const from = Number(/^bytes=(\d+)-$/.exec(req.headers.range ?? '')?.[1] ?? 0)
        res.writeHead(from === 0 ? 200 : 206, {
          'content-length': BUNDLE.length - from,
          ...(from === 0 ? {} : { 'content-range': `bytes ${from}-${BUNDLE.length - 1}/${BUNDLE.length}` }),
        })
        res.write(BUNDLE.subarray(from, from + 20_000), () => setTimeout(() => res.socket?.destroy(), 20))
      } else serveBundle(req, res)
    }
    expect(await upgrade()).toBe('failed')
    expect(downloads()).toEqual([`${SHA}.raucb.part`])
    expect(installs()).toEqual([])
    expect(upgradeState().partial).toMatchObject({ sha256: SHA })
    clock.advance(upgradeState().nextPollAt - clock.now())
    expect(await upgrade()).toBe('installed')
    expect(requests.filter((r) => r.url.startsWith('/bundles')).at(-1)?.headers.range).toBe('bytes=60000-')
    expect(downloads()).toEqual([])
  })

  it('server down → exit 0 outcome, next poll later (back-off), logged', async () => {
    const port = (server.address() as AddressInfo).port
    server.closeAllConnections()
    await new Promise((resolve) => server.close(resolve))
    expect(await upgrade()).toBe('failed')
    expect(upgradeState()).toMatchObject({
      failures: 1,
      lastResult: 'unreachable',
      nextPollAt: clock.now() + 5 * 60_000,
    })
    expect(log.has('cannot be reached')).toBe(true)
    expect(await upgrade()).toBe('not_due')
    clock.advance(5 * 60_000)
    expect(await upgrade()).toBe('failed')
    expect(upgradeState()).toMatchObject({ failures: 2, nextPollAt: clock.now() + 10 * 60_000 })
    server = createServer().listen(port, '127.0.0.1')
  })

  it('503 with Retry-After → next poll when the server asked, and no request before', async () => {
    offer = (_req, res) => res.writeHead(503, { 'retry-after': '120' }).end()
    expect(await upgrade()).toBe('failed')
    expect(upgradeState()).toMatchObject({ failures: 1, lastResult: 'http_503', nextPollAt: clock.now() + 120_000 })
    expect(log.has('answered with an error')).toBe(true)
    clock.advance(119_000)
    expect(await upgrade()).toBe('not_due')
    expect(requests).toHaveLength(1)
  })

  it('a second upgrade while one runs does nothing (one writer of the partial download)', async () => {
    const held = await nodeFiles.tryLock(join(fake.data, 'state', '.upgrade.lock'))
    expect(held.acquired).toBe(true)
    try {
      expect(await upgrade()).toBe('not_due')
      expect(requests).toEqual([])
      expect(log.has('another upgrade is running')).toBe(true)
    } finally {
      if (held.acquired) await held.release()
    }
    installSucceeds()
    expect(await upgrade()).toBe('installed')
  })

  it('no os-upgrade.json → nothing, saying so', async () => {
    await fake.provision()
    expect(await upgrade()).toBe('not_configured')
    expect(log.has('OS upgrades are not configured')).toBe(true)
    expect(requests).toEqual([])
  })
})

describe('bundle download', () => {
  it('refuses an http:// bundle URL unless the config allowed http, without sending a request', async () => {
    const result = await downloadBundle(
      { files: nodeFiles, http: nodeHttp, log },
      {
        url: `${base}/bundles/atomicnix.raucb`,
        sha256: SHA,
        size: BUNDLE.length,
        dir: join(fake.dir, 'dl'),
        reserveBytes: 0,
        allowHttp: false,
        attempts: 1,
        idleTimeoutMs: 5_000,
        headers: {},
        nowMs: 0,
      },
    )
    expect(result).toMatchObject({ ok: false, reason: expect.stringContaining('http:// is refused') })
    expect(requests).toEqual([])
  })
})

describe('atomicnix upgrade without --once', () => {
  it('sleeps until the next poll the server asked for, then an hour after nothing new, until aborted', async () => {
    const answers = [
      (_req: IncomingMessage, res: ServerResponse) => res.writeHead(503, { 'retry-after': '600' }).end(),
      (_req: IncomingMessage, res: ServerResponse) => res.writeHead(204).end(),
      offering('1.0.0'),
    ]
    let n = 0
    offer = (req, res) => answers[Math.min(n++, answers.length - 1)]!(req, res)
    const sleeps: number[] = []
    const stop = new AbortController()
    const counting = {
      now: () => clock.now(),
      monotonic: () => clock.monotonic(),
      sleep: async (ms: number) => {
        sleeps.push(ms)
        if (sleeps.length === 3) stop.abort()
        await clock.sleep(ms)
      },
    }
    const outcome = await runUpgradeLoop(
      { files: nodeFiles, exec: fake.exec, clock: counting, log, http: nodeHttp },
      options(),
      stop.signal,
    )
    expect(outcome).toBe('skipped')
    expect(sleeps).toEqual([600_000, 3600_000, 3600_000])
    expect(requests.map((r) => r.url)).toEqual(Array(3).fill('/api/v1/updates/latest'))
  })

  it('stops at once when upgrades are not configured', async () => {
    await fake.provision()
    expect(await runUpgradeLoop({ files: nodeFiles, exec: fake.exec, clock, log, http: nodeHttp }, options())).toBe(
      'not_configured',
    )
  })
})
