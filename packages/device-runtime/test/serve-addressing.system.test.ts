import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { expect, it } from 'vitest'
import { withLab } from '../../../test/support/netns.js'
import { describeSystem } from '../../../test/support/system.js'
import { CLI } from './api/serve-process.js'

const SEED = readFileSync(new URL('../../../examples/seed/config.toml', import.meta.url), 'utf8')

/** Polls `check` every 100 ms until it holds or `ms` pass. */
async function until(check: () => boolean, ms: number, what: string): Promise<void> {
  const deadline = performance.now() + ms
  while (!check()) {
    if (performance.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
}

describeSystem(
  'atomicnix serve follows the LAN gateway address',
  { root: true, commands: ['ip', 'curl'], files: [CLI] },
  () => {
    it('waits for the gateway address, serves there, and moves when the LAN is re-addressed', async () => {
      const dir = mkdtempSync(join(tmpdir(), 'anx-serve-addr-'))
      try {
        await withLab(async (lab) => {
          const gw = lab.host('gw')
          const lan = lab.host('lan')
          lab.link(gw, 'eth1', lan, 'eth0')
          // The LAN MAC names the gateway through hostname_pattern ("atomicnix-{mac}" in the seed).
          gw.must(['ip', 'link', 'set', 'eth1', 'address', '02:00:00:aa:bb:cc'])
          const serve = gw.spawn([process.execPath, CLI, 'serve', '--data', join(dir, 'data'), '--no-apply'])
          let out = ''
          let err = ''
          serve.stdout!.on('data', (chunk) => {
            out += chunk
          })
          serve.stderr!.on('data', (chunk) => {
            err += chunk
          })
          const curl = (url: string, ...args: string[]) =>
            lan.run(['curl', '-s', '-o', '/dev/null', '-w', '%{http_code}', '--max-time', '3', ...args, url]).stdout

          // Unprovisioned: the contract's 172.20.30.1:8080, which is not on any interface yet.
          await until(() => err.includes('waiting for the API address'), 10_000, 'the wait to be logged')
          expect(err).toContain('listen=172.20.30.1:8080 reason=EADDRNOTAVAIL')
          expect(out).toBe('')
          gw.must(['ip', 'addr', 'add', '172.20.30.1/24', 'dev', 'eth1'])
          lan.must(['ip', 'addr', 'add', '172.20.30.50/24', 'dev', 'eth0'])
          await until(() => out.includes('listening on http://172.20.30.1:8080/'), 10_000, 'the first address')
          expect(curl('http://172.20.30.1:8080/api/status')).toBe('200')
          // The gateway's names are allowed hosts; other names are not (DNS rebinding).
          expect(curl('http://172.20.30.1:8080/api/status', '-H', 'Host: atomicnix:8080')).toBe('200')
          expect(curl('http://172.20.30.1:8080/api/status', '-H', 'Host: atomicnix.local:8080')).toBe('200')
          expect(curl('http://172.20.30.1:8080/api/status', '-H', 'Host: evil.example:8080')).toBe('403')

          // A config that moves the LAN to 172.20.40.0/24, sent from the LAN itself.
          const moved = SEED.replace('172.20.30.1/24', '172.20.40.1/24')
            .replace('172.20.30.10', '172.20.40.10')
            .replace('172.20.30.254', '172.20.40.254')
            .replace('domain = "local"', 'domain = "site"')
          writeFileSync(join(dir, 'moved.toml'), moved)
          const posted = curl(
            'http://172.20.30.1:8080/api/config',
            '-H',
            'Content-Type: application/toml',
            '--data-binary',
            `@${join(dir, 'moved.toml')}`,
          )
          expect(posted).toBe('200')
          // Until the new address exists, the API stays where it is.
          await until(() => err.includes('listen=172.20.40.1:8080'), 10_000, 'the wait for the new address')
          expect(curl('http://172.20.30.1:8080/api/status')).toBe('200')
          gw.must(['ip', 'addr', 'add', '172.20.40.1/24', 'dev', 'eth1'])
          lan.must(['ip', 'addr', 'add', '172.20.40.50/24', 'dev', 'eth0'])
          await until(() => out.includes('listening on http://172.20.40.1:8080/'), 10_000, 'the new address')
          expect(err).toContain('LAN re-addressed: moved the API')
          expect(curl('http://172.20.40.1:8080/api/status')).toBe('200')
          expect(curl('http://172.20.40.1:8080/api/status', '-H', 'Host: atomicnix.site:8080')).toBe('200')
          expect(curl('http://172.20.40.1:8080/api/status', '-H', 'Host: atomicnix-020000aabbcc.site:8080')).toBe('200')
          expect(curl('http://172.20.40.1:8080/api/status', '-H', 'Host: atomicnix-020000aabbcd:8080')).toBe('403')
          expect(curl('http://172.20.30.1:8080/api/status')).toBe('000')
          serve.kill('SIGTERM')
          await new Promise((resolve) => serve.once('exit', resolve))
        })
      } finally {
        rmSync(dir, { recursive: true, force: true })
      }
    })
  },
)
