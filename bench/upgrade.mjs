// The bundle download of `atomicnix upgrade` (streamed through the Http and Files ports, size-checked, fsynced, then
// hashed) against the plainest Node download of the same bytes: http.get piped to a file, fsync, SHA-256 of the file.
import { createHash, randomBytes } from 'node:crypto'
import { createReadStream, createWriteStream, mkdtempSync, rmSync } from 'node:fs'
import { open } from 'node:fs/promises'
import { createServer, get } from 'node:http'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pipeline } from 'node:stream/promises'
import { downloadBundle } from '@atomicnix/device-runtime'
import { nodeFiles, nodeHttp } from '@atomicnix/device-runtime/node'

const SIZE = 64 * 1024 * 1024
const quiet = { info() {}, warn() {}, error() {} }

async function sha256(path) {
  const hash = createHash('sha256')
  for await (const chunk of createReadStream(path)) hash.update(chunk)
  return hash.digest('hex')
}

/** Runs the benchmark and hands one row to `report`. */
export async function run(report) {
  const bundle = randomBytes(SIZE)
  const digest = createHash('sha256').update(bundle).digest('hex')
  const server = createServer((_req, res) => {
    res.writeHead(200, { 'content-length': SIZE })
    res.end(bundle)
  })
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve))
  const url = `http://127.0.0.1:${server.address().port}/bundle.raucb`
  const dir = mkdtempSync(join(tmpdir(), 'anx-bench-'))
  const plain = async () => {
    const path = join(dir, 'plain.raucb')
    await new Promise((resolve, reject) =>
      get(url, (res) => pipeline(res, createWriteStream(path)).then(resolve, reject)),
    )
    const handle = await open(path, 'r+')
    await handle.sync()
    await handle.close()
    if ((await sha256(path)) !== digest) throw new Error('plain download: wrong digest')
    rmSync(path)
  }
  const ours = async () => {
    const result = await downloadBundle(
      { files: nodeFiles, http: nodeHttp, log: quiet },
      {
        url,
        sha256: digest,
        size: SIZE,
        dir,
        reserveBytes: 0,
        allowHttp: true,
        attempts: 1,
        idleTimeoutMs: 30_000,
        headers: {},
        nowMs: 0,
      },
    )
    if (!result.ok) throw new Error(`downloadBundle: ${result.reason}`)
    rmSync(result.path)
  }
  const time = async (fn) => {
    const start = performance.now()
    await fn()
    return performance.now() - start
  }
  const a = []
  const b = []
  try {
    for (let i = 0; i < 7; i++) {
      a.push(await time(plain))
      b.push(await time(ours))
    }
  } finally {
    server.closeAllConnections()
    server.close()
    rmSync(dir, { recursive: true, force: true })
  }
  const med = (xs) => xs.sort((x, y) => x - y)[xs.length >> 1]
  const mbps = (ms) => ((SIZE / 1024 / 1024) * 1000) / ms
  report([
    'upgrade bundle download (64 MiB, loopback)',
    `${med(b).toFixed(0)} ms (${mbps(med(b)).toFixed(0)} MiB/s)`,
    `http.get | file + sha256: ${med(a).toFixed(0)} ms`,
    `${(med(b) / med(a)).toFixed(2)}x time`,
  ])
}
