import { parseConfig } from '@atomicnix/config-schema'
import { displayName, readConfigText } from './read-config.js'
import { jsonReport, reportIssues } from './report.js'
import { type CliDeps, EXIT, parseOptions } from './run.js'

/** `atomicnix validate FILE|- [--json] [--strict]`; `-` reads the config from standard input. */
export async function validateCommand(args: readonly string[], { files, output }: CliDeps): Promise<number> {
  const { values, positionals } = parseOptions(args, { json: { type: 'boolean' }, strict: { type: 'boolean' } }, 1)
  const text = await readConfigText(files, positionals[0]!)
  const file = displayName(positionals[0]!)
  const result = parseConfig(text)
  const errors = result.ok ? [] : result.errors
  const ok = result.ok && !(values.strict && result.warnings.length > 0)
  if (values.json) output.stdout(jsonReport(ok, errors, result.warnings))
  else {
    reportIssues(output, file, text, errors, result.warnings)
    if (ok) output.stdout(`${file}: valid\n`)
    else if (result.ok) output.stderr(`${file}: invalid under --strict (warnings are errors)\n`)
  }
  return ok ? EXIT.ok : EXIT.invalid
}
