#!/usr/bin/env node
import { runCli } from './cli/run.js'
import { nodeClock } from './node/clock.js'
import { nodeExec } from './node/exec.js'
import { nodeFiles } from './node/files.js'
import { nodeHttp } from './node/http.js'
import { nodeLog } from './node/log.js'
import { nodeOutput } from './node/output.js'

// Composition root: wires the Node adapters into the commands. Set at build time from package.json.
declare const __VERSION__: string

const deps = {
  files: nodeFiles,
  output: nodeOutput(),
  exec: nodeExec,
  clock: nodeClock,
  log: nodeLog(),
  http: nodeHttp,
}

runCli(process.argv.slice(2), deps, __VERSION__).then(
  (code) => {
    process.exitCode = code
  },
  (error: unknown) => {
    // Only a bug gets here: bad input and I/O failures are reported by the commands themselves.
    process.stderr.write(`atomicnix: internal error: ${error instanceof Error ? error.message : String(error)}\n`)
    process.exitCode = 70
  },
)
