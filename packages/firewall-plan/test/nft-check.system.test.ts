/**
 * nft itself as the oracle for syntax and kernel acceptance: every fixture and at least 1,000 generated configs are
 * checked with `nft -c -f` inside a throwaway network namespace, and a share of them is loaded and listed back.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { planFirewall, renderNftables } from '@atomicnix/firewall-plan'
import fc from 'fast-check'
import { expect, it } from 'vitest'
import { validFixtures } from '../../../test/support/config-fixtures.js'
import { type Host, withLab } from '../../../test/support/netns.js'
import { describeSystem } from '../../../test/support/system.js'
import * as arb from './arbitraries.js'
import { FIXTURES } from './fixtures.js'
import { output, tableBody } from './lab/gateway-lab.js'

const GENERATED = 1000
const LOADED = 250

/** Every fixture's script, by name. */
function fixtureScripts(): [string, string][] {
  return [
    ...FIXTURES.map((f): [string, string] => [f.name, renderNftables(planFirewall(f.inbound, f.options))]),
    ...validFixtures().map((f): [string, string] => [`toml-${f.file}`, renderNftables(planFirewall(f.config))]),
  ]
}

/** Writes the scripts to files in a fresh directory, runs the body, and removes the directory. */
async function withScripts<T>(scripts: string[], body: (files: string[]) => Promise<T>): Promise<T> {
  const dir = mkdtempSync(join(tmpdir(), 'anx-nft-'))
  try {
    const files = scripts.map((script, i) => {
      const file = join(dir, `${String(i).padStart(4, '0')}.nft`)
      writeFileSync(file, script)
      return file
    })
    return await body(files)
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

/**
 * Runs `nft -c -f` on each file in the namespace, in two shells at once (one per core); one process per shell keeps
 * the cost at one nft run per script. Returns the files nft rejected, each with its message.
 */
async function check(host: Host, files: string[]): Promise<string[]> {
  const loop = 'for f in "$@"; do nft -c -f "$f" 2>"$f.err" >/dev/null || echo "$f"; done'
  const halves = [files.filter((_, i) => i % 2 === 0), files.filter((_, i) => i % 2 === 1)]
  const failed = await Promise.all(
    halves.map((half) => output(host.spawn(['sh', '-c', loop, 'sh', ...half]), undefined, 120_000)),
  )
  return failed
    .join('')
    .split('\n')
    .filter(Boolean)
    .map((file) => `${file}: ${readFileSync(`${file}.err`, 'utf8')}`)
}

/** Loads each file with `nft -f` and returns the files whose listed table differs from the script's table. */
function loadAndList(host: Host, files: string[], scripts: string[]): string[] {
  const loop = 'for f in "$@"; do nft -f "$f" && nft list table inet atomicnix >"$f.list" || echo "$f"; done'
  const failed = host
    .must(['sh', '-c', loop, 'sh', ...files], { timeoutMs: 120_000 })
    .split('\n')
    .filter(Boolean)
  const differ = files.filter(
    (file, i) => !failed.includes(file) && readFileSync(`${file}.list`, 'utf8') !== tableBody(scripts[i]!),
  )
  return [
    ...failed.map((f) => `${f}: nft -f failed`),
    ...differ.map((f) => `${f}: listed table differs from the script`),
  ]
}

describeSystem('nft accepts every rendered script', { root: true, commands: ['nft', 'ip'] }, () => {
  it('checks and loads every fixture, with and without the table already present', () =>
    withLab(async (lab) => {
      const host = lab.host('nft')
      const named = fixtureScripts()
      expect(named.length).toBeGreaterThanOrEqual(FIXTURES.length + validFixtures().length)
      const scripts = named.map(([, script]) => script)
      await withScripts(scripts, async (files) => {
        expect(await check(host, files)).toEqual([])
        expect(loadAndList(host, files, scripts)).toEqual([])
        // The table now exists: the delete in each script has something to delete.
        expect(await check(host, files)).toEqual([])
      })
    }))

  it(`checks ${GENERATED} generated configs and loads ${LOADED} of them`, () =>
    withLab(async (lab) => {
      const host = lab.host('nft')
      const seed = Date.now() ^ (Math.random() * 0x7fffffff)
      const samples = fc.sample(fc.tuple(arb.inbound, arb.options), { numRuns: GENERATED, seed })
      const scripts = samples.map(([inbound, options]) => renderNftables(planFirewall(inbound, options)))
      await withScripts(scripts, async (files) => {
        const why = `fast-check seed ${seed}`
        expect(await check(host, files), why).toEqual([])
        expect(loadAndList(host, files.slice(0, LOADED), scripts), why).toEqual([])
      })
    }))
})
