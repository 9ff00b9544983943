import { execFileSync } from 'node:child_process'
import { mkdirSync, mkdtempSync, readFileSync, readlinkSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { type BrowserContext, chromium } from 'playwright-core'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { describeSystem } from '../../../test/support/system.js'
import { type ServeProcess, startServe } from './api/serve-process.js'

const CHROMIUM = '/usr/bin/chromium'
const SEED = readFileSync(new URL('../../../examples/seed/config.toml', import.meta.url), 'utf8')
// UPDATE_SCREENSHOT=1 refreshes the picture in docs/ that the README shows.
const SCREENSHOT = fileURLToPath(new URL('../../../docs/console.png', import.meta.url))

describeSystem(
  'the web console in Chromium',
  { commands: ['tar'], files: [CHROMIUM, fileURLToPath(new URL('../dist/cli.js', import.meta.url))] },
  () => {
    let dir: string
    let server: ServeProcess
    let browser: BrowserContext

    beforeAll(async () => {
      dir = mkdtempSync(join(tmpdir(), 'anx-console-'))
      server = await startServe(['--data', join(dir, 'data'), '--no-apply'])
      // A fresh profile per run; playwright-core drives Debian's Chromium and downloads nothing.
      browser = await chromium.launchPersistentContext(join(dir, 'profile'), {
        executablePath: CHROMIUM,
        headless: true,
        viewport: { width: 1100, height: 1400 },
        args: [
          '--headless',
          '--no-sandbox',
          '--disable-gpu',
          '--disable-quic',
          '--no-first-run',
          '--disable-background-networking',
          '--disable-component-update',
          '--disable-sync',
        ],
      })
    })
    afterAll(async () => {
      await browser?.close()
      await server?.stop()
      rmSync(dir, { recursive: true, force: true })
    })

    it('shows errors with line numbers as you type, applies the fixed config, and the generation is on disk', async () => {
      const page = await browser.newPage()
      const failures: string[] = []
      page.on('pageerror', (error) => failures.push(error.message))
      page.on('requestfailed', (request) => failures.push(`${request.url()} failed`))
      await page.goto(`${server.url}/`)
      await expect.poll(() => page.textContent('#state-line')).toContain('Not provisioned')

      const broken = SEED.replace('dhcp_start', 'dhcp_strat').replace('tcp = [443]', 'tcp = [443, 70000]')
      await page.fill('#config', broken)
      await expect.poll(() => page.textContent('#issue-summary')).toContain('Invalid: 2 errors, 1 warning.')
      const issues = await page.locator('#issues li').allTextContents()
      expect(issues.join('\n')).toContain('12:1 [unknown_key] lan.dhcp_strat')
      expect(issues.join('\n')).toMatch(/Error.*7:\d+ \[port_out_of_range\]/)
      // The state is in words, not only in colour; the apply button says why it is disabled.
      expect(await page.isDisabled('#apply')).toBe(true)
      expect(await page.textContent('#apply-hint')).toBe('Fix the errors first.')
      if (process.env.UPDATE_SCREENSHOT) await page.screenshot({ path: SCREENSHOT, fullPage: false })

      // Keyboard: an issue's position is a button that puts the caret on that line.
      await page.locator('#issues li button', { hasText: '12:1' }).focus()
      await page.keyboard.press('Enter')
      const caret = await page.$eval('#config', (area) => (area as HTMLTextAreaElement).selectionStart)
      expect(broken.slice(0, caret).split('\n')).toHaveLength(12)

      await page.fill('#config', SEED)
      await expect.poll(() => page.textContent('#issue-summary')).toContain('Valid, with 1 warning')
      await page.click('#apply')
      await expect.poll(() => page.textContent('#apply-result')).toMatch(/Saved as generation g\d+/)
      const shown = /generation (g\S+?)\./.exec((await page.textContent('#apply-result')) ?? '')![1]!
      const link = readlinkSync(join(dir, 'data', 'config'))
      expect(link).toContain(shown)
      expect(readFileSync(join(dir, 'data', 'config', 'config.toml'), 'utf8')).toBe(SEED)
      await expect.poll(() => page.textContent('#state-line')).toContain(`Provisioned: generation ${shown}`)
      expect(await page.isHidden('#signed-section')).toBe(false)
      expect(await page.textContent('#push-command')).toContain(`atomicnix push config.toml ${server.url}/ --key`)
      expect(await page.isDisabled('#apply')).toBe(true)
      const download = await page.request.get(`${server.url}/api/config`)
      expect(await download.text()).toBe(SEED)
      expect(failures).toEqual([])
    })

    it('builds a config.toml from the guided form, and it validates', async () => {
      const page = await browser.newPage()
      await page.goto(`${server.url}/`)
      const key = /ssh_keys = \["([^"]+)"\]/.exec(SEED)![1]!
      await page.getByLabel('Admin SSH public key').fill(key)
      await page.getByLabel('TCP ports').fill('443, 8443')
      await page.getByLabel('UDP ports').fill('1194')
      await page.getByLabel('Image').fill('ghcr.io/example/app:1.0')
      await page.getByLabel('Published port').fill('10080:8080')
      await page.getByRole('button', { name: 'Put it into the editor' }).click()
      await expect.poll(() => page.textContent('#issue-summary')).toMatch(/^Valid/)
      const built = await page.inputValue('#config')
      expect(built).toContain('tcp = [443, 8443]')
      expect(built).toContain('[container.app.Container]')
      expect(built).toContain('Image = "ghcr.io/example/app:1.0"')
    })

    it('checks an uploaded bundle: a missing files/ entry is an error, the complete bundle is valid', async () => {
      const bundle = join(dir, 'bundle')
      mkdirSync(join(bundle, 'files'), { recursive: true })
      // A Quadlet Volume= that binds a file of the bundle (the `$` is TOML text, not a template).
      const volume = `Volume = ["${'$'}{FILES_DIR}/app.conf:/etc/app.conf:ro"]`
      const config = SEED.replace('PublishPort = ["10080:8080"]', volume)
      writeFileSync(join(bundle, 'config.toml'), config)
      execFileSync('tar', ['-czf', join(dir, 'broken.tar.gz'), '-C', bundle, 'config.toml', 'files'])
      writeFileSync(join(bundle, 'files', 'app.conf'), 'listen = 8080\n')
      execFileSync('tar', ['-czf', join(dir, 'site.tar.gz'), '-C', bundle, 'config.toml', 'files'])
      const page = await browser.newPage()
      await page.goto(`${server.url}/`)
      await page.getByLabel('Config file or bundle').setInputFiles(join(dir, 'broken.tar.gz'))
      await expect.poll(() => page.textContent('#issue-summary')).toContain('Invalid: 1 error')
      expect(await page.textContent('#issues')).toContain('[files_reference_missing]')
      expect(await page.textContent('#bundle-note')).toContain('Bundle broken.tar.gz')
      await page.getByLabel('Config file or bundle').setInputFiles(join(dir, 'site.tar.gz'))
      await expect.poll(() => page.textContent('#issue-summary')).toMatch(/^Valid/)
    })
  },
)
