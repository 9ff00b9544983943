import { type ParseArgsConfig, parseArgs } from 'node:util'
import { type Clock, type Exec, type Files, type Http, IoError, type Log, type Output } from '../ports.js'

/** What the commands need from the outside world. */
export interface CliDeps {
  readonly files: Files
  readonly output: Output
  readonly exec: Exec
  readonly clock: Clock
  readonly log: Log
  readonly http: Http
}

/** Exit codes of every command. */
export const EXIT = { ok: 0, invalid: 1, usage: 2 } as const

/** A mistake in the command line: exit code 2 with a one-line message. */
export class UsageError extends Error {
  override readonly name = 'UsageError'
}

/** The usage text printed by --help and after a usage error. */
export const USAGE = `Usage:
  atomicnix validate FILE [--json] [--strict]     check a config.toml: exit 0 valid, 1 invalid, 2 usage or I/O error
  atomicnix render FILE --root DIR [--mac HEX]    write the device files for FILE below DIR
  atomicnix schema                                print the JSON Schema of config.toml
  atomicnix import FILE [--data DIR] [--json]     validate a config or bundle and make it the current generation
  atomicnix generations [--data DIR] [--json]     list the config generations (the current one marked)
  atomicnix rollback [--data DIR]                 make the previous generation current
  atomicnix apply [--data DIR] [--root DIR] [--dry-run] [--json] [--mac HEX]   make the current generation true here
  atomicnix serve [--data DIR] [--root DIR] [--listen IP:PORT] [--no-apply]   bootstrap API and console
  atomicnix push FILE URL --key KEY [--device ID] [--json]   a signed change to a provisioned device
  atomicnix confirm [--window 60s] [--interval 5s] [--deadline 10m] [--data DIR]   commit or abandon the booted slot
  atomicnix upgrade [--once] [--data DIR]         poll the update server; install a newer bundle and reboot
  atomicnix status [--json] [--data DIR] [--limit N]   boot journal, current generation, last apply
  atomicnix first-boot [--data DIR] [--root DIR] [--boot DIR] [--usb DIR]... [--json]   find a config, then apply
  atomicnix --help | --version
`

type Command = (args: readonly string[], deps: CliDeps) => Promise<number>

/** Commands load on demand, so that `validate` pays only for the validator at start-up. */
const COMMANDS: Readonly<Record<string, () => Promise<Command>>> = {
  validate: async () => (await import('./validate.js')).validateCommand,
  render: async () => (await import('./render.js')).renderCommand,
  schema: async () => (await import('./schema.js')).schemaCommand,
  import: async () => (await import('./import.js')).importCommand,
  generations: async () => (await import('./generations.js')).generationsCommand,
  rollback: async () => (await import('./rollback.js')).rollbackCommand,
  apply: async () => (await import('./apply.js')).applyCommand,
  serve: async () => (await import('./serve.js')).serveCommand,
  push: async () => (await import('./push.js')).pushCommand,
  confirm: async () => (await import('./confirm.js')).confirmCommand,
  upgrade: async () => (await import('./upgrade.js')).upgradeCommand,
  status: async () => (await import('./status.js')).statusCommand,
  'first-boot': async () => (await import('./first-boot.js')).firstBootCommand,
}

type OptionsConfig = NonNullable<ParseArgsConfig['options']>

/** Parses options strictly; unknown options, missing values and a wrong number of arguments are usage errors. */
export function parseOptions<const O extends OptionsConfig>(args: readonly string[], options: O, positionals: number) {
  const config = { args: [...args], options, allowPositionals: true, strict: true } as const
  let parsed: ReturnType<typeof parseArgs<typeof config>>
  try {
    parsed = parseArgs(config)
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message.split('\n')[0]! : String(error))
  }
  if (parsed.positionals.length !== positionals) {
    throw new UsageError(
      parsed.positionals.length < positionals
        ? 'missing FILE argument'
        : `unexpected argument "${parsed.positionals[positionals]}"`,
    )
  }
  return parsed
}

/** Runs the CLI with explicit dependencies and returns the exit code; never throws for bad input. */
export async function runCli(argv: readonly string[], deps: CliDeps, version = '0.0.0'): Promise<number> {
  const [name, ...rest] = argv
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    ;(name === undefined ? deps.output.stderr : deps.output.stdout)(USAGE)
    return name === undefined ? EXIT.usage : EXIT.ok
  }
  if (name === '--version') {
    deps.output.stdout(`${version}\n`)
    return EXIT.ok
  }
  const load = COMMANDS[name]
  if (load === undefined) {
    deps.output.stderr(`atomicnix: unknown command "${name}"\n${USAGE}`)
    return EXIT.usage
  }
  try {
    return await (await load())(rest, deps)
  } catch (error) {
    if (error instanceof UsageError) {
      deps.output.stderr(`atomicnix ${name}: ${error.message}\n${USAGE}`)
      return EXIT.usage
    }
    if (error instanceof IoError) {
      deps.output.stderr(`atomicnix ${name}: ${error.message}\n`)
      return EXIT.usage
    }
    throw error
  }
}
