/**
 * Gate for system tests: tests that need root, network namespaces or Debian tools.
 *
 * On a developer machine without those, the suite is skipped with a message that says what is missing. Under CI
 * (`CI` set) a missing requirement is a failure, so a system test can never pass by silently not running.
 */
import { execFileSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { describe, it } from 'vitest'

/** What a system suite needs. */
export interface SystemRequirements {
  /** Must run as uid 0 (network namespaces, nft). */
  readonly root?: boolean
  /** Programs that must be found on PATH or in /usr/sbin and /sbin. */
  readonly commands?: readonly string[]
  /** Absolute files that must exist (e.g. the cached Quadlet generator). */
  readonly files?: readonly string[]
}

const SBIN = ['/usr/local/sbin', '/usr/sbin', '/sbin']

/** Full path of a program, looking in PATH and the sbin directories; undefined when absent. */
export function findCommand(name: string): string | undefined {
  const dirs = [...(process.env.PATH ?? '').split(':').filter(Boolean), ...SBIN]
  for (const dir of dirs) {
    const candidate = `${dir}/${name}`
    if (existsSync(candidate)) return candidate
  }
  return undefined
}

/** Lists what is missing for the requirements; empty when the suite can run. */
export function missingRequirements(req: SystemRequirements): string[] {
  const missing: string[] = []
  if (req.root && process.getuid?.() !== 0) missing.push('root')
  for (const cmd of req.commands ?? []) if (!findCommand(cmd)) missing.push(`command ${cmd}`)
  for (const file of req.files ?? []) if (!existsSync(file)) missing.push(`file ${file}`)
  if (req.root && missing.length === 0) {
    try {
      execFileSync(findCommand('ip') ?? 'ip', ['netns', 'list'], { stdio: 'ignore' })
    } catch {
      missing.push('network namespaces (ip netns)')
    }
  }
  return missing
}

/** `describe` for a system suite: runs when the requirements hold, skips locally, fails under CI. */
export function describeSystem(name: string, req: SystemRequirements, body: () => void): void {
  const missing = missingRequirements(req)
  if (missing.length === 0) {
    describe(name, body)
    return
  }
  const why = `missing ${missing.join(', ')}`
  if (process.env.CI) {
    describe(name, () => {
      it('has what the system test needs', () => {
        throw new Error(`${name}: ${why}; CI must run every system test (.ci/run installs the tools)`)
      })
    })
    return
  }
  process.stderr.write(`[system test skipped] ${name}: ${why} (CI installs these and runs it)\n`)
  describe.skip(name, body)
}
