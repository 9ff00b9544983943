/** Long-running daemons inside a lab host, with their output kept for the failure message. */
import type { ChildProcess } from 'node:child_process'
import type { Host } from '../../../test/support/netns.js'

/** A daemon started in a namespace; the lab kills it when it is destroyed. */
export interface Daemon {
  readonly child: ChildProcess
  /** Everything it printed so far (stdout and stderr interleaved). */
  log(): string
}

/** Starts argv in the host and records its output. */
export function startDaemon(host: Host, argv: readonly string[]): Daemon {
  const child = host.spawn(argv)
  let output = ''
  child.stdout?.on('data', (chunk: Buffer) => {
    output += chunk.toString()
  })
  child.stderr?.on('data', (chunk: Buffer) => {
    output += chunk.toString()
  })
  return { child, log: () => output }
}

/** Polls `ready` every 50 ms until it holds; throws with `describe()` after `timeoutMs`. */
export async function waitFor(ready: () => boolean, describe: () => string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!ready()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting: ${describe()}`)
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
}
