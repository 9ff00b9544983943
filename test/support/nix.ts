/**
 * Helpers for the Nix system tests: evaluate `nix/lib` with Debian's `nix-instantiate` (no nixpkgs needed) and run
 * the other real tools.
 */
import { spawnSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { findCommand } from './system.js'

/** The repository root. */
export const ROOT = fileURLToPath(new URL('../..', import.meta.url))

/** Result of one external program. */
export interface Run {
  readonly status: number | null
  readonly stdout: string
  readonly stderr: string
}

/** Runs a program (found on PATH or in sbin) without a shell; never throws. */
export function run(cmd: string, args: readonly string[], options: { cwd?: string; input?: string } = {}): Run {
  const r = spawnSync(findCommand(cmd) ?? cmd, args, {
    cwd: options.cwd ?? ROOT,
    encoding: 'utf8',
    input: options.input,
    maxBuffer: 64 * 1024 * 1024,
    // The Debian nix-bin has no nixbld group; this keeps its warning about it out of stderr.
    env: { ...process.env, NIX_CONFIG: 'build-users-group =' },
  })
  return { status: r.status, stdout: r.stdout ?? '', stderr: r.stderr ?? String(r.error ?? '') }
}

/** Runs a program and returns its stdout; throws with its stderr when it fails. */
export function runOk(cmd: string, args: readonly string[], options: { cwd?: string; input?: string } = {}): string {
  const r = run(cmd, args, options)
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} exited ${r.status}: ${r.stderr}`)
  return r.stdout
}

/** Arguments for the nix/lib function: `--argstr` strings and `--arg` Nix expressions. */
export interface NixArgs {
  readonly str?: Readonly<Record<string, string>>
  readonly expr?: Readonly<Record<string, string>>
}

function argList(args: NixArgs): string[] {
  return [
    ...Object.entries(args.str ?? {}).flatMap(([k, v]) => ['--argstr', k, v]),
    ...Object.entries(args.expr ?? {}).flatMap(([k, v]) => ['--arg', k, v]),
  ]
}

/** `nix-instantiate --eval --strict --json nix/lib -A NAME`, parsed. */
export function nixLib<T = unknown>(attr: string, args: NixArgs = {}): T {
  return JSON.parse(runOk('nix-instantiate', ['--eval', '--strict', '--json', 'nix/lib', '-A', attr, ...argList(args)]))
}

/** What `nix-instantiate` says when nix/lib refuses arguments (exit status and stderr). */
export function nixLibError(attr: string, args: NixArgs = {}): Run {
  return run('nix-instantiate', ['--eval', '--strict', '--json', 'nix/lib', '-A', attr, ...argList(args)])
}
