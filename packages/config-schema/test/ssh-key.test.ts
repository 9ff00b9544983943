import { execFileSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { parseSshPublicKey } from '../src/index.js'

const dir = mkdtempSync(join(tmpdir(), 'anx-keys-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

/** A fresh key from ssh-keygen, when it is installed (it is on every Debian machine with openssh-client). */
function keygen(type: string, bits?: number): string | undefined {
  const file = join(dir, `${type}-${bits ?? 0}`)
  try {
    execFileSync('ssh-keygen', [
      '-q',
      '-t',
      type,
      ...(bits ? ['-b', String(bits)] : []),
      '-N',
      '',
      '-C',
      'c',
      '-f',
      file,
    ])
  } catch {
    return undefined
  }
  return readFileSync(`${file}.pub`, 'utf8').trim()
}

describe('parseSshPublicKey with keys made by ssh-keygen', () => {
  const cases: [string, number | undefined, string | undefined][] = [
    ['ed25519', undefined, undefined],
    ['ecdsa', 256, undefined],
    ['ecdsa', 384, undefined],
    ['ecdsa', 521, undefined],
    ['rsa', 2048, undefined],
    ['rsa', 1024, 'ssh_key_too_short'],
  ]
  for (const [type, bits, problem] of cases) {
    it(`${type}${bits ? `-${bits}` : ''} ${problem ?? 'is accepted'}`, (ctx) => {
      const line = keygen(type, bits)
      if (line === undefined) return ctx.skip()
      const result = parseSshPublicKey(line)
      if (problem === undefined) expect(result).toMatchObject({ ok: true, key: { line } })
      else expect(result).toMatchObject({ ok: false, problem: { code: problem } })
    })
  }
})

describe('parseSshPublicKey refusals', () => {
  const ed = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIIHfTcrdK6PyhPLrqKNmRkAO2OkRmpVpUpxvBEthfD0B'
  it.each([
    ['', 'ssh_key_invalid'],
    ['ssh-ed25519', 'ssh_key_invalid'],
    [`${ed} comment\nssh-ed25519 AAAA second`, 'ssh_key_invalid'],
    ['ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIIHfTcrdK6PyhPLrqKNmRkAO2OkRmpVpUpxvBEthfD0', 'ssh_key_invalid'],
    ['ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAH0HfTcrdK6PyhPLrqKNmRkAO2OkRmpVpUpxvBEthfD0B', 'ssh_key_invalid'],
    [`ecdsa-sha2-nistp256 ${ed.split(' ')[1]}`, 'ssh_key_type_mismatch'],
    [`from="10.0.0.1" ${ed}`, 'ssh_key_type_unsupported'],
    ['ssh-dss AAAAB3NzaC1kc3M=', 'ssh_key_type_unsupported'],
  ])('%j -> %s', (line, code) => {
    expect(parseSshPublicKey(line)).toMatchObject({ ok: false, problem: { code } })
  })
  it('normalises whitespace and keeps the comment', () => {
    expect(parseSshPublicKey(`  ${ed}   ops   laptop  `)).toMatchObject({ ok: true, key: { line: `${ed} ops laptop` } })
  })
})
