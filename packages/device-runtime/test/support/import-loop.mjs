// Imports the given inputs into DATA over and over, as the device would, until it is killed. Used by the crash test:
// the test SIGKILLs this process at random moments and checks what recovery leaves. Runs the built package (dist).
// argv: DATA FILE... ; prints "ready" once loaded, then one line per generation written.
import { readFileSync } from 'node:fs'
import { importConfig } from '../../dist/index.js'
import { nodeClock, nodeFiles } from '../../dist/node.js'

const [dataDir, ...paths] = process.argv.slice(2)
const inputs = paths.map((path) => ({ path, bytes: new Uint8Array(readFileSync(path)) }))
const quiet = { info() {}, warn() {}, error() {} }
process.stdout.write('ready\n')
for (let i = 0; ; i++) {
  const { path, bytes } = inputs[i % inputs.length]
  const result = await importConfig(
    { files: nodeFiles, clock: nodeClock, log: quiet },
    { dataDir, input: bytes, fileName: path, source: 'cli' },
  )
  if (!result.ok) throw new Error(`${path} was refused: ${JSON.stringify(result.errors)}`)
  process.stdout.write(`${result.generation.id}\n`)
}
