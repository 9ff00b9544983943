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

/**
 * The usage text printed by --help and after a usage error: one line per command (`atomicnix CMD --help` prints
 * the lines of CMD), FILE `-` meaning standard input.
 */
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
  atomicnix --help | --version | CMD --help
`

type Command = (args: readonly string[], deps: CliDeps) => Promise<number>

/** Commands load on demand, so that `validate` pays only for the validator at start-up. Each has a USAGE line. */
export const COMMANDS: Readonly<Record<string, () => Promise<Command>>> = {
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

/** The options before a `--`: after it, `--help` or `--json` would be a FILE. */
function optionArgs(args: readonly string[]): readonly string[] {
  const end = args.indexOf('--')
  return end === -1 ? args : args.slice(0, end)
}

/** `atomicnix CMD --help`: the USAGE lines of CMD. */
export function commandUsage(name: string): string {
  const lines = USAGE.split('\n').filter(
    (line) => line.startsWith(`  atomicnix ${name} `) || line === `  atomicnix ${name}`,
  )
  const stdin = lines.some((line) => line.includes(' FILE')) ? '  FILE "-" reads the config from standard input.\n' : ''
  return `Usage:\n${lines.length > 0 ? lines.join('\n') : `  atomicnix ${name}`}\n${stdin}`
}

/**
 * The `--json` document of a failure that is not the config's (exit 2): the shape of `validate --json` with one
 * error whose code is `usage_error` or `io_error`, so that a caller parses one shape whatever happened.
 */
export function jsonFailure(code: 'usage_error' | 'io_error', message: string): string {
  const error = { code, severity: 'error', path: '', message }
  return `${JSON.stringify({ ok: false, errors: [error], warnings: [] }, null, 2)}\n`
}

/** Runs the CLI with explicit dependencies and returns the exit code; never throws for bad input. */
export async function runCli(argv: readonly string[], deps: CliDeps, version = '0.0.0'): Promise<number> {
  const json = optionArgs(argv).includes('--json')
  const fail = (code: 'usage_error' | 'io_error', prefix: string, message: string, usage = '') => {
    deps.output.stderr(`${prefix}: ${message}\n${usage}`)
    if (json) deps.output.stdout(jsonFailure(code, message))
    return EXIT.usage
  }
  const [name, ...rest] = argv
  if (name === 'help' && rest[0] !== undefined && COMMANDS[rest[0]] !== undefined) {
    deps.output.stdout(commandUsage(rest[0]))
    return EXIT.ok
  }
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    ;(name === undefined ? deps.output.stderr : deps.output.stdout)(USAGE)
    return name === undefined ? EXIT.usage : EXIT.ok
  }
  if (name === '--version') {
    deps.output.stdout(`${version}\n`)
    return EXIT.ok
  }
  const load = COMMANDS[name]
  if (load === undefined) return fail('usage_error', 'atomicnix', `unknown command "${name}"`, USAGE)
  const options = optionArgs(rest)
  if (options.includes('--help') || options.includes('-h')) {
    deps.output.stdout(commandUsage(name))
    return EXIT.ok
  }
  try {
    return await (await load())(rest, deps)
  } catch (error) {
    const prefix = `atomicnix ${name}`
    if (error instanceof UsageError) return fail('usage_error', prefix, error.message, commandUsage(name))
    if (error instanceof IoError) return fail('io_error', prefix, error.message)
    throw error
  }
}
