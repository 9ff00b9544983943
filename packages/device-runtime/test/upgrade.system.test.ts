import { execFile, execFileSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { createServer, type Server } from 'node:https'
import type { AddressInfo } from 'node:net'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterEach, beforeEach, expect, it } from 'vitest'
import { describeSystem, findCommand } from '../../../test/support/system.js'
import { DeviceFake, raucStatusJson } from './support/device-fake.js'

const CLI = fileURLToPath(new URL('../dist/cli.js', import.meta.url))
const BUNDLE = new Uint8Array(50_000).map((_, i) => i % 253)
const SHA = createHash('sha256').update(BUNDLE).digest('hex')

/** The built CLI, run asynchronously so that the HTTPS server in this process can answer it. */
function atomicnix(args: string[], env: Record<string, string>) {
  return new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
    execFile(process.execPath, [CLI, ...args], { env: { ...process.env, ...env } }, (error, stdout, stderr) =>
      resolve({ code: error === null ? 0 : Number((error as { code?: number }).code ?? 1), stdout, stderr }),
    )
  })
}

// HTTPS on loopback with a throw-away certificate (openssl): the device trusts it only through NODE_EXTRA_CA_CERTS.
describeSystem('atomicnix upgrade over HTTPS (throw-away certificate on loopback)', { commands: ['openssl'] }, () => {
  let fake: DeviceFake
  let server: Server
  let base: string
  let bundleUrl: string
  let requests: string[]
  let cert: string

  beforeEach(async () => {
    fake = new DeviceFake()
    const key = join(fake.dir, 'key.pem')
    cert = join(fake.dir, 'cert.pem')
    execFileSync(
      findCommand('openssl')!,
      [
        'req',
        '-x509',
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:prime256v1',
        '-nodes',
        '-days',
        '1',
        '-subj',
        '/CN=127.0.0.1',
        '-addext',
        'subjectAltName=IP:127.0.0.1',
        '-keyout',
        key,
        '-out',
        cert,
      ],
      { stdio: 'ignore' },
    )
    requests = []
    bundleUrl = '/bundles/b.raucb'
    server = createServer({ key: readFileSync(key), cert: readFileSync(cert) }, (req, res) => {
      requests.push(req.url ?? '')
      if (req.url === '/api/v1/updates/latest') {
        res.writeHead(200, { 'content-type': 'application/json' })
        res.end(JSON.stringify({ version: '1.1.0', bundle_url: bundleUrl, sha256: SHA, size: BUNDLE.length }))
      } else if (req.url === '/bundles/b.raucb') {
        res.writeHead(200, { 'content-length': BUNDLE.length })
        res.end(BUNDLE)
      } else res.writeHead(404).end()
    })
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    base = `https://127.0.0.1:${(server.address() as AddressInfo).port}`
    await fake.provision((files) => files.set('os-upgrade.json', JSON.stringify({ server_url: base })))
    mkdirSync(join(fake.data, 'state'), { recursive: true })
    writeFileSync(
      join(fake.data, 'state', 'slots.json'),
      JSON.stringify({ committed: [{ slot: 'rootfs.0', at: '', version: '1.0.0' }], rolledBack: [] }),
    )
    fake.answer(['rauc', 'status', '--detailed', '--output-format=json'], {
      stdout: raucStatusJson({ booted: 'A', A: { version: '1.0.0' } }),
    })
    fake.answer(['rauc', 'install', join(fake.data, 'downloads', `${SHA}.raucb`)], {})
    fake.answer(['reboot'], {})
  })
  afterEach(async () => {
    server.closeAllConnections()
    await new Promise((resolve) => server.close(resolve))
    fake.remove()
  })

  const args = () => [
    'upgrade',
    '--once',
    '--data',
    fake.data,
    '--boot-id-file',
    fake.bootIdFile,
    '--mac-file',
    fake.macFile,
  ]

  it('a trusted server: the bundle is downloaded over HTTPS, installed, and the device reboots', async () => {
    const r = await atomicnix(args(), { ...fake.env, NODE_EXTRA_CA_CERTS: cert })
    expect(r.stdout).toBe('upgrade: installed\n')
    expect(r.code).toBe(0)
    expect(requests).toEqual(['/api/v1/updates/latest', '/bundles/b.raucb'])
    expect(fake.installed()).toHaveLength(1)
    expect(fake.calls().at(-1)).toBe('reboot')
    expect(r.stderr).not.toContain('http://')
  })

  it('an untrusted certificate: unreachable, exit 0, nothing asked or installed', async () => {
    const r = await atomicnix(args(), fake.env)
    expect(r.code).toBe(0)
    expect(r.stdout).toBe('upgrade: failed\n')
    expect(r.stderr).toContain('cannot be reached')
    expect(requests).toEqual([])
    expect(fake.installed()).toEqual([])
  })

  it('an https:// server offering an http:// bundle: refused, nothing downloaded or installed', async () => {
    bundleUrl = 'http://127.0.0.1:9/bundles/b.raucb'
    const r = await atomicnix(args(), { ...fake.env, NODE_EXTRA_CA_CERTS: cert })
    expect(r.code).toBe(0)
    expect(r.stderr).toContain('http:// is refused')
    expect(requests).toEqual(['/api/v1/updates/latest'])
    expect(fake.installed()).toEqual([])
  })
})
