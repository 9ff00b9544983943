import { configJsonSchema } from '@atomicnix/config-schema/json-schema'
import { type CliDeps, EXIT, parseOptions } from './run.js'

/** `atomicnix schema`: prints the JSON Schema of config.toml v1. */
export async function schemaCommand(args: readonly string[], { output }: CliDeps): Promise<number> {
  parseOptions(args, {}, 0)
  output.stdout(`${JSON.stringify(configJsonSchema, null, 2)}\n`)
  return EXIT.ok
}
