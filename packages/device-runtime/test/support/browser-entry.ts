// The pure path as a browser would load it: compileDevice and a description of its result that is the same text in
// every JavaScript realm (bytes as hex), so that a Node run and a browser-like run can be compared byte for byte.
import { compileDevice } from '../../src/index.js'

const hex = (bytes: Uint8Array) => Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('')

/** Compiles `input` (bytes as an array of numbers) and describes the result as JSON text. */
export function describeCompile(input: readonly number[], fileName: string): string {
  const result = compileDevice(new Uint8Array(input), { fileName, mac: '02:00:5e:10:20:30' })
  if (!result.ok) return JSON.stringify(result)
  const { files, directories } = result.value
  return JSON.stringify({
    warnings: result.warnings,
    format: result.format,
    directories,
    files: files.map((f) => ({
      path: f.path,
      mode: f.mode,
      contents: typeof f.contents === 'string' ? f.contents : { hex: hex(f.contents) },
    })),
  })
}
