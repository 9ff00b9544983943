import type { Output } from '../ports.js'

/** Standard output and error of this process; colour only on a terminal and only without NO_COLOR. */
export function nodeOutput(): Output {
  const noColor = process.env.NO_COLOR !== undefined && process.env.NO_COLOR !== ''
  return {
    stdout: (text) => process.stdout.write(text),
    stderr: (text) => process.stderr.write(text),
    color: process.stderr.isTTY === true && !noColor,
  }
}
