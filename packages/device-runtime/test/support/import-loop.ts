// Imports the given inputs into DATA over and over, as the device would, until it is killed. The crash test bundles
// this file with esbuild (from the sources: a child that starts fast) and SIGKILLs it at random moments.
// argv: DATA FILE... ; prints "ready" once loaded, then the id of each generation it wrote.
import { readFileSync } from 'node:fs'
import { importConfig } from '../../src/import.js'
import { nodeClock } from '../../src/node/clock.js'
import { nodeFiles } from '../../src/node/files.js'

const [dataDir, ...paths] = process.argv.slice(2)
const inputs = paths.map((path) => ({ path, bytes: new Uint8Array(readFileSync(path)) }))
const quiet = { info() {}, warn() {}, error() {} }
process.stdout.write('ready\n')
for (let i = 0; ; i++) {
  const { path, bytes } = inputs[i % inputs.length]!
  const result = await importConfig(
    { files: nodeFiles, clock: nodeClock, log: quiet },
    { dataDir: dataDir!, input: bytes, fileName: path, source: 'cli' },
  )
  if (!result.ok) throw new Error(`${path} was refused: ${JSON.stringify(result.errors)}`)
  process.stdout.write(`${result.generation.id}\n`)
}
