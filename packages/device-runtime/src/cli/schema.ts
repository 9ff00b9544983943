import schema from '@atomicnix/config-schema/config.schema.json' with { type: 'json' }
import { type CliDeps, EXIT, parseOptions } from './run.js'

/** `atomicnix schema`: prints the JSON Schema of config.toml v1, as config-schema ships it. */
export async function schemaCommand(args: readonly string[], { output }: CliDeps): Promise<number> {
  parseOptions(args, {}, 0)
  // The build inlines the shipped file; written as the build writes it, the output equals it byte for byte.
  output.stdout(`${JSON.stringify(schema, null, 2)}\n`)
  return EXIT.ok
}
