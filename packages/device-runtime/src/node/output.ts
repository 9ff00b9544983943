import type { Output } from '../ports.js'

/**
 * Whether to colour stderr: never with NO_COLOR (any non-empty value); always with FORCE_COLOR set to anything but
 * "", "0" or "false"; never on TERM=dumb; otherwise only on a terminal.
 */
export function wantsColor(env: Readonly<Record<string, string | undefined>>, isTerminal: boolean): boolean {
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false
  const force = env.FORCE_COLOR
  if (force !== undefined && force !== '') return force !== '0' && force.toLowerCase() !== 'false'
  if (env.TERM === 'dumb') return false
  return isTerminal
}

/** Standard output and error of this process; colour as `wantsColor` decides for stderr. */
export function nodeOutput(): Output {
  return {
    stdout: (text) => process.stdout.write(text),
    stderr: (text) => process.stderr.write(text),
    color: wantsColor(process.env, process.stderr.isTTY === true),
  }
}
