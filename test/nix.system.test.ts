import { spawnSync } from 'node:child_process'
import { readdirSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { expect, it } from 'vitest'
import { describeSystem } from './support/system.js'

const ROOT = fileURLToPath(new URL('..', import.meta.url))
const nixFiles = [
  'flake.nix',
  ...readdirSync(join(ROOT, 'nix'))
    .filter((f) => f.endsWith('.nix'))
    .map((f) => `nix/${f}`),
]

function nixInstantiate(args: string[]) {
  const r = spawnSync('nix-instantiate', args, { cwd: ROOT, encoding: 'utf8' })
  return { status: r.status, stdout: r.stdout, stderr: r.stderr }
}

describeSystem('Nix expressions', { commands: ['nix-instantiate'] }, () => {
  it.each(nixFiles)('%s parses', (file) => {
    const r = nixInstantiate(['--parse', file])
    expect(r.status, r.stderr).toBe(0)
  })

  it('the flake has a description, a nixpkgs input and an outputs function of self and nixpkgs', () => {
    const r = nixInstantiate([
      '--eval',
      '--strict',
      '--json',
      '-E',
      'let f = import ./flake.nix; in { inputs = builtins.attrNames f.inputs; args = builtins.attrNames (builtins.functionArgs f.outputs); description = f.description; }',
    ])
    expect(r.status, r.stderr).toBe(0)
    expect(JSON.parse(r.stdout)).toEqual({
      inputs: ['nixpkgs'],
      args: ['nixpkgs', 'self'],
      description: expect.stringContaining('atomicnix'),
    })
  })
})
