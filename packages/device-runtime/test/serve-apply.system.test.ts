/**
 * `atomicnix serve` with apply: a change posted to the API is persisted, answered, and then applied in the background
 * (the real `nft` in a network namespace, recording fakes for systemd's programs), with the report at /api/status.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { expect, it } from 'vitest'
import { withLab } from '../../../test/support/netns.js'
import { describeSystem } from '../../../test/support/system.js'
import { CLI } from './api/serve-process.js'
import { FakeCommands } from './support/fake-commands.js'

const SEED = readFileSync(new URL('../../../examples/seed/config.toml', import.meta.url), 'utf8')

describeSystem(
  'atomicnix serve applies a posted change in the background',
  { root: true, commands: ['ip', 'nft', 'curl'], files: [CLI] },
  () => {
    it('answers once persisted, then applies; the report is at /api/status', async () => {
      const dir = mkdtempSync(join(tmpdir(), 'anx-serve-apply-'))
      try {
        await withLab(async (lab) => {
          const gw = lab.host('gw')
          const fakes = new FakeCommands(join(dir, 'fakes'))
          const root = join(dir, 'root')
          mkdirSync(join(root, 'etc'), { recursive: true })
          writeFileSync(join(root, 'etc/passwd'), 'appsvc:x:990:990:app:/var/lib/appsvc:/bin/sh\n')
          const env = Object.entries(fakes.env()).map(([k, v]) => `${k}=${v}`)
          const serve = gw.spawn([
            'env',
            ...env,
            process.execPath,
            CLI,
            'serve',
            '--listen',
            '127.0.0.1:8080',
            '--data',
            join(dir, 'data'),
            '--root',
            root,
          ])
          let out = ''
          let err = ''
          serve.stdout!.on('data', (chunk) => {
            out += chunk
          })
          serve.stderr!.on('data', (chunk) => {
            err += chunk
          })
          const deadline = performance.now() + 10_000
          while (!out.includes('listening on') && performance.now() < deadline)
            await new Promise((r) => setTimeout(r, 100))
          expect(out).toContain('listening on http://127.0.0.1:8080/')
          writeFileSync(join(dir, 'config.toml'), SEED)
          const posted = gw.must([
            'curl',
            '-s',
            '-H',
            'Content-Type: application/toml',
            '--data-binary',
            `@${join(dir, 'config.toml')}`,
            'http://127.0.0.1:8080/api/config',
          ])
          expect(JSON.parse(posted)).toMatchObject({ ok: true, apply: 'started' })

          let status: { apply: { state: string; last: { ok: boolean; runs: { steps: { name: string }[] }[] } | null } }
          for (;;) {
            status = JSON.parse(gw.must(['curl', '-s', 'http://127.0.0.1:8080/api/status']))
            if (status.apply.state === 'idle' && status.apply.last !== null) break
            if (performance.now() > deadline + 20_000) throw new Error(`apply did not finish: ${err}`)
            await new Promise((r) => setTimeout(r, 200))
          }
          expect(status.apply.last!.ok, err).toBe(true)
          expect(status.apply.last!.runs[0]!.steps.map((s) => s.name)).toContain('nft-load')
          expect(gw.must(['nft', 'list', 'table', 'inet', 'atomicnix'])).toContain('chain input')
          expect(readFileSync(join(root, 'etc/atomicnix/firewall.nft'), 'utf8')).toContain('table inet atomicnix')
          expect(fakes.lines()).toContain('systemctl restart dnsmasq.service')
          expect(err).toContain('background apply finished ok=true')
          serve.kill('SIGTERM')
          await new Promise((resolve) => serve.once('exit', resolve))
        })
      } finally {
        rmSync(dir, { recursive: true, force: true })
      }
    })
  },
)
