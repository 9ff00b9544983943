/**
 * Network namespaces for system tests: a small lab of hosts joined by veth pairs, with addresses only inside the lab.
 *
 * Every name carries a per-lab random tag, so two test runs can build labs at the same time; `destroy()` kills the
 * lab's processes and removes its namespaces, and `withLab` calls it even when the test fails.
 */
import { type ChildProcess, execFileSync, spawn, spawnSync } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { findCommand } from './system.js'

const IP = () => findCommand('ip') ?? 'ip'

/** Result of a command run inside a namespace. */
export interface RunResult {
  readonly status: number | null
  readonly stdout: string
  readonly stderr: string
}

/** One host of the lab: a network namespace. */
export interface Host {
  /** Name as given to the lab (e.g. `gw`). */
  readonly name: string
  /** The namespace's real name (`ip netns` name), unique per lab. */
  readonly ns: string
  /** Runs argv in the namespace and waits; never throws for a non-zero exit. */
  run(argv: readonly string[], options?: { input?: string; timeoutMs?: number }): RunResult
  /** Runs argv in the namespace and throws with its stderr when it fails. */
  must(argv: readonly string[], options?: { input?: string; timeoutMs?: number }): string
  /** Starts a long-running process in the namespace; the lab kills it on destroy. */
  spawn(argv: readonly string[]): ChildProcess
}

/** A set of namespaces and links that is always torn down as a whole. */
export class Lab {
  readonly tag = `${process.pid.toString(36)}${randomBytes(3).toString('hex')}`
  private readonly hosts = new Map<string, Host>()
  private readonly procs: ChildProcess[] = []

  /** Creates a namespace with loopback up. */
  host(name: string): Host {
    const ns = `anx-${name}-${this.tag}`
    execFileSync(IP(), ['netns', 'add', ns])
    const run = (argv: readonly string[], options: { input?: string; timeoutMs?: number } = {}): RunResult => {
      const r = spawnSync(IP(), ['netns', 'exec', ns, ...argv], {
        input: options.input,
        timeout: options.timeoutMs ?? 30_000,
        encoding: 'utf8',
      })
      return { status: r.status, stdout: r.stdout ?? '', stderr: r.stderr ?? String(r.error ?? '') }
    }
    const host: Host = {
      name,
      ns,
      run,
      must(argv, options) {
        const r = run(argv, options)
        if (r.status !== 0) throw new Error(`[${name}] ${argv.join(' ')} exited ${r.status}: ${r.stderr}${r.stdout}`)
        return r.stdout
      },
      spawn: (argv) => {
        const child = spawn(IP(), ['netns', 'exec', ns, ...argv], { stdio: ['ignore', 'pipe', 'pipe'] })
        this.procs.push(child)
        return child
      },
    }
    this.hosts.set(name, host)
    host.must(['ip', 'link', 'set', 'lo', 'up'])
    return host
  }

  /** Joins two hosts with a veth pair, naming each end inside its namespace, and brings both ends up. */
  link(a: Host, aIf: string, b: Host, bIf: string, options: { aAddr?: string; bAddr?: string } = {}): void {
    const tmpA = `va${this.tag}`.slice(0, 15)
    const tmpB = `vb${this.tag}`.slice(0, 15)
    execFileSync(IP(), ['link', 'add', tmpA, 'type', 'veth', 'peer', 'name', tmpB])
    execFileSync(IP(), ['link', 'set', tmpA, 'netns', a.ns])
    execFileSync(IP(), ['link', 'set', tmpB, 'netns', b.ns])
    a.must(['ip', 'link', 'set', tmpA, 'name', aIf])
    b.must(['ip', 'link', 'set', tmpB, 'name', bIf])
    a.must(['ip', 'link', 'set', aIf, 'up'])
    b.must(['ip', 'link', 'set', bIf, 'up'])
    if (options.aAddr) a.must(['ip', 'addr', 'add', options.aAddr, 'dev', aIf])
    if (options.bAddr) b.must(['ip', 'addr', 'add', options.bAddr, 'dev', bIf])
  }

  /** Kills every process the lab started and deletes its namespaces (and with them their veth ends). */
  destroy(): void {
    for (const p of this.procs) {
      if (p.exitCode === null && p.signalCode === null) p.kill('SIGKILL')
    }
    for (const host of this.hosts.values()) {
      // Processes started inside the namespace by other means (daemons that fork) die with it only once killed.
      spawnSync(IP(), ['netns', 'pids', host.ns], { encoding: 'utf8' })
        .stdout?.split('\n')
        .filter(Boolean)
        .forEach((pid) => {
          try {
            process.kill(Number(pid), 'SIGKILL')
          } catch {
            // already gone
          }
        })
      spawnSync(IP(), ['netns', 'del', host.ns])
    }
    this.hosts.clear()
  }
}

/** Builds a lab, runs the body, and always destroys the lab. */
export async function withLab<T>(body: (lab: Lab) => Promise<T> | T): Promise<T> {
  const lab = new Lab()
  try {
    return await body(lab)
  } finally {
    lab.destroy()
  }
}
