import { importConfig } from '../import.js'
import { readInput } from './read-input.js'
import { jsonReport, reportIssues } from './report.js'
import { type CliDeps, EXIT, parseOptions } from './run.js'

/** `atomicnix import FILE [--data DIR] [--json]`: validates a config or bundle and persists it as a new generation. */
export async function importCommand(args: readonly string[], deps: CliDeps): Promise<number> {
  const { values, positionals } = parseOptions(args, { data: { type: 'string' }, json: { type: 'boolean' } }, 1)
  const file = positionals[0]!
  const dataDir = values.data ?? '/data'
  const { output } = deps
  const read = await readInput(deps.files, file)
  if (read.tooLarge !== undefined) {
    if (values.json) output.stdout(jsonReport(false, [read.tooLarge], []))
    else reportIssues(output, file, '', [read.tooLarge], [])
    return EXIT.invalid
  }
  const result = await importConfig(deps, { dataDir, input: read.bytes, fileName: file, source: 'cli' })
  const errors = result.ok ? [] : result.errors
  if (values.json) {
    const report = JSON.parse(jsonReport(result.ok, errors, result.warnings)) as Record<string, unknown>
    if (result.ok) report.generation = result.generation.id
    output.stdout(`${JSON.stringify(report, null, 2)}\n`)
  } else {
    reportIssues(output, file, result.source ?? '', errors, result.warnings)
    if (result.ok) output.stdout(`${file}: imported as generation ${result.generation.id}\n`)
  }
  return result.ok ? EXIT.ok : EXIT.invalid
}
