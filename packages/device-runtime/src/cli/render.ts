import { join } from 'node:path'
import { normaliseMac } from '@atomicnix/lan-plan'
import { compileDevice } from '../compile.js'
import { readInput } from './read-input.js'
import { reportIssues } from './report.js'
import { type CliDeps, EXIT, parseOptions, UsageError } from './run.js'

/** `atomicnix render FILE --root DIR [--mac HEX]`: writes every device file below DIR; nothing when invalid. */
export async function renderCommand(args: readonly string[], { files, output }: CliDeps): Promise<number> {
  const { values, positionals } = parseOptions(args, { root: { type: 'string' }, mac: { type: 'string' } }, 1)
  const file = positionals[0]!
  if (values.root === undefined || values.root === '') throw new UsageError('missing --root DIR')
  let mac: string | undefined
  if (values.mac !== undefined) {
    try {
      mac = normaliseMac(values.mac)
    } catch {
      throw new UsageError(`--mac "${values.mac}" is not a MAC address (12 hex digits)`)
    }
  }
  const read = await readInput(files, file)
  if (read.tooLarge !== undefined) {
    reportIssues(output, file, '', [read.tooLarge], [])
    return EXIT.invalid
  }
  const result = compileDevice(read.bytes, { fileName: file, ...(mac === undefined ? {} : { mac }) })
  reportIssues(output, file, result.source ?? '', result.ok ? [] : result.errors, result.warnings)
  if (!result.ok) return EXIT.invalid
  for (const dir of result.value.directories) await files.makeDirectory(join(values.root, dir), 0o755)
  for (const device of result.value.files) {
    const target = join(values.root, device.path)
    await files.writeFileAtomic(target, device.contents, device.mode)
    output.stdout(`wrote ${target} (${device.mode.toString(8).padStart(4, '0')})\n`)
  }
  return EXIT.ok
}
