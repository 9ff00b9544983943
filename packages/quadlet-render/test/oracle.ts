/**
 * Runs Podman's own Quadlet generator over rendered units and checks what it generates. The generator is fetched by
 * scripts/fetch-quadlet.sh into .cache/quadlet/ (never installed system-wide).
 */
import { spawnSync } from 'node:child_process'
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { fileURLToPath } from 'node:url'
import { exposedProtectedPath, normalizeHostPath, parsePublishPort } from '@atomicnix/config-schema'
import { type QuadletPlan, type QuadletUnit, renderQuadlet } from '@atomicnix/quadlet-render'

/** Where scripts/fetch-quadlet.sh leaves the generator. */
export const QUADLET = fileURLToPath(new URL('../../../.cache/quadlet/usr/libexec/podman/quadlet', import.meta.url))

/** A parsed unit file: sections in order, each with its `[key, value]` lines. */
export type UnitFile = { name: string; entries: [string, string][] }[]

/** Parses systemd unit text the way systemd reads it: comments, sections, `key=value` with edge whitespace stripped. */
export function parseUnitFile(text: string): UnitFile {
  const sections: UnitFile = []
  for (const raw of text.split('\n')) {
    const line = raw.trim()
    if (line === '' || line.startsWith('#') || line.startsWith(';')) continue
    if (line.startsWith('[') && line.endsWith(']')) {
      sections.push({ name: line.slice(1, -1), entries: [] })
      continue
    }
    const eq = line.indexOf('=')
    if (eq === -1 || sections.length === 0) throw new Error(`not a unit line: ${JSON.stringify(raw)}`)
    if (raw.endsWith('\\')) throw new Error(`continued line: ${JSON.stringify(raw)}`)
    sections.at(-1)!.entries.push([line.slice(0, eq).trim(), line.slice(eq + 1).trim()])
  }
  return sections
}

const C_ESCAPES: Record<string, string> = { n: '\n', t: '\t', r: '\r', a: '\x07', b: '\b', f: '\f', v: '\v', s: ' ' }

/**
 * Splits a command line the way systemd splits ExecStart= (quotes, C escapes), then resolves `$$` and `%%`.
 * See https://www.freedesktop.org/software/systemd/man/latest/systemd.service.html#Command%20lines
 */
export function splitCommandLine(line: string): string[] {
  const words: string[] = []
  let i = 0
  while (i < line.length) {
    while (line[i] === ' ' || line[i] === '\t') i++
    if (i >= line.length) break
    let word = ''
    let quote: string | undefined
    for (; i < line.length; i++) {
      const c = line[i]!
      if (quote === undefined && (c === ' ' || c === '\t')) break
      if (c === '\\') {
        const n = line[++i]!
        if (n === 'x') {
          word += String.fromCharCode(Number.parseInt(line.slice(i + 1, i + 3), 16))
          i += 2
        } else if (n === 'u' || n === 'U') {
          const len = n === 'u' ? 4 : 8
          word += String.fromCodePoint(Number.parseInt(line.slice(i + 1, i + 1 + len), 16))
          i += len
        } else if (/[0-7]/.test(n)) {
          word += String.fromCharCode(Number.parseInt(line.slice(i, i + 3), 8))
          i += 2
        } else word += C_ESCAPES[n] ?? n
        continue
      }
      if (quote !== undefined && c === quote) {
        quote = undefined
        continue
      }
      if (quote === undefined && (c === '"' || c === "'")) {
        quote = c
        continue
      }
      word += c
    }
    if (quote !== undefined) throw new Error(`unterminated quote in ${line}`)
    words.push(word)
  }
  return words.map((w) => {
    if (/[$]/.test(w.replaceAll('$$', ''))) throw new Error(`unexpanded variable in argument ${JSON.stringify(w)}`)
    return systemdLiteral(w)
  })
}

/**
 * True when a command line has two separators in a row, or one at the end, outside quotes: the writer meant an
 * empty argument there, and systemd drops it, so the next argument slides into its place.
 */
export function hasEmptyUnquotedWord(line: string): boolean {
  let quote: string | undefined
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!
    if (c === '\\') i++
    else if (quote !== undefined) {
      if (c === quote) quote = undefined
    } else if (c === '"' || c === "'") quote = c
    else if ((c === ' ' || c === '\t') && (i === line.length - 1 || line[i + 1] === ' ' || line[i + 1] === '\t')) {
      return true
    }
  }
  return false
}

/** What systemd passes for a command-line word we wrote: `$$` is a dollar sign, `%%` a percent sign. */
export function systemdLiteral(word: string): string {
  return word.replace(/\$\$|%%/g, (pair) => pair[0]!)
}

/** What one generator run produced: each service by name, and the errors it printed per unit file. */
export interface GeneratorRun {
  readonly services: Map<string, string>
  readonly errors: string[]
  readonly status: number | null
}

/** Runs `quadlet -dryrun` over `dir` (system mode, or `-user` mode). */
export function runQuadlet(dir: string, user: boolean): GeneratorRun {
  const args = ['-dryrun', '-no-kmsg-log', ...(user ? ['-user'] : [])]
  const out = spawnSync(QUADLET, args, {
    env: { PATH: process.env.PATH, QUADLET_UNIT_DIRS: dir },
    encoding: 'utf8',
    maxBuffer: 1 << 30,
  })
  const services = new Map<string, string>()
  const parts = out.stdout.split(/^---(.+)---$/m)
  for (let i = 1; i < parts.length; i += 2) services.set(parts[i]!, parts[i + 1]!.replace(/^\n/, ''))
  const errors = out.stderr
    .split('\n')
    .filter((l) => l.includes('converting') || /error|panic|unsupported/i.test(l))
    .filter((l) => !l.includes('Warning:'))
  return { services, errors, status: out.status }
}

/** Podman run flags that quadlet writes without a separate value. */
const BOOLEAN_FLAGS = new Set(['--replace', '--rm', '-d', '--init', '--env-host', '--read-only-tmpfs', '--read-only'])

/** The parsed `podman run` command: options (flag and value) before the image, and what follows it. */
export function parsePodmanRun(argv: readonly string[]): {
  global: string[]
  options: [string, string | undefined][]
  image: string | undefined
  command: string[]
} {
  const run = argv.indexOf('run')
  const global = argv.slice(1, run)
  const options: [string, string | undefined][] = []
  let i = run + 1
  for (; i < argv.length; i++) {
    const arg = argv[i]!
    if (!arg.startsWith('-')) break
    const eq = arg.indexOf('=')
    if (eq !== -1) options.push([arg.slice(0, eq), arg.slice(eq + 1)])
    else if (BOOLEAN_FLAGS.has(arg)) options.push([arg, undefined])
    else options.push([arg, argv[++i]])
  }
  return { global, options, image: argv[i], command: argv.slice(i + 1) }
}

/** Sources that are sockets or directories leading to one, checked independently of the validator's list. */
function isSocketExposure(source: string): boolean {
  const path = normalizeHostPath(source, '/')
  if (/\.sock$/.test(path)) return true
  return exposedProtectedPath(path) !== undefined || ['/', '/run', '/var'].includes(path)
}

/** Every violation of the boundary in one generated service; empty when it is what we meant. */
export function checkService(unit: QuadletUnit, serviceText: string): string[] {
  const problems: string[] = []
  let parsed: UnitFile
  try {
    parsed = parseUnitFile(serviceText)
  } catch (error) {
    return [String(error)]
  }
  const own = unit.sections.find((s) => s.name !== 'Unit' && s.name !== 'Install')!
  const byName = new Map(parsed.map((s) => [s.name, s]))
  if (byName.size !== parsed.length) problems.push('a section appears twice')
  const allowed = new Set(['Unit', `X-${own.name}`, 'Install', 'Service'])
  for (const s of parsed) if (!allowed.has(s.name)) problems.push(`unexpected section [${s.name}]`)
  const same = (a: readonly [string, string][], b: readonly [string, string][]) =>
    a.length === b.length && a.every(([k, v], i) => b[i]![0] === k && b[i]![1] === v)
  const expected = (name: string) =>
    unit.sections.find((s) => s.name === name)?.entries.map((e) => [e.key, e.value] as [string, string]) ?? []
  if (!same(byName.get(`X-${own.name}`)?.entries ?? [], expected(own.name))) {
    problems.push(`[X-${own.name}] differs: ${JSON.stringify(byName.get(`X-${own.name}`)?.entries)}`)
  }
  if (!same(byName.get('Install')?.entries ?? [], expected('Install'))) problems.push('[Install] differs')
  const unitLines = byName.get('Unit')?.entries ?? []
  for (const [key, value] of expected('Unit')) {
    const rewritten = /\.(container|network|volume|build|image|pod|kube)\b/.test(value)
    if (!rewritten && !unitLines.some(([k, v]) => k === key && v === value))
      problems.push(`[Unit] lost ${key}=${value}`)
  }
  const mine = new Set(expected('Unit').map(([k]) => k))
  const generatedUnitKeys = new Set(['Wants', 'After', 'Requires', 'SourcePath', 'RequiresMountsFor'])
  for (const [key] of unitLines)
    if (!mine.has(key) && !generatedUnitKeys.has(key)) problems.push(`[Unit] gained ${key}`)
  const serviceKeys = new Set([
    'Environment',
    'KillMode',
    'ExecStart',
    'ExecStop',
    'ExecStopPost',
    'ExecReload',
    'Delegate',
    'Type',
    'NotifyAccess',
    'SyslogIdentifier',
    'RemainAfterExit',
    'WorkingDirectory',
    'TimeoutStartSec',
  ])
  const service = byName.get('Service')?.entries ?? []
  for (const [key] of service) if (!serviceKeys.has(key)) problems.push(`[Service] gained ${key}`)
  const execStart = service.filter(([k]) => k === 'ExecStart')
  if (execStart.length !== 1) return [...problems, `${execStart.length} ExecStart lines`]
  if (hasEmptyUnquotedWord(execStart[0]![1])) problems.push('ExecStart has an empty, unquoted argument')
  if (unit.kind !== 'container') return problems
  let argv: string[]
  try {
    argv = splitCommandLine(execStart[0]![1])
  } catch (error) {
    return [...problems, String(error)]
  }
  const run = parsePodmanRun(argv)
  const image = systemdLiteral(own.entries.find((e) => e.key === 'Image')!.value)
  if (unit.mode === 'rootless' && run.image !== image) problems.push(`image ${run.image} is not ${image}`)
  const networks = run.options.filter(([f]) => f === '--network' || f === '--net')
  const want = unit.mode === 'rootless' ? 'pasta' : 'host'
  if (networks.length !== 1 || networks[0]![1] !== want) problems.push(`networks ${JSON.stringify(networks)}`)
  if (unit.mode === 'rootful') return problems
  if (run.global.length > 0) problems.push(`global options ${run.global.join(' ')}`)
  for (const [flag, value] of run.options) {
    if (['--pod', '--module', '--privileged', '--rootfs', '--network-cmd-path', '-P', '--publish-all'].includes(flag)) {
      problems.push(`forbidden ${flag}`)
    }
    if (flag === '--publish' || flag === '-p') {
      const port = parsePublishPort(value ?? '')
      if (!port.ok || !port.value.hostIp?.startsWith('127.')) problems.push(`publish ${value}`)
    }
    if ((flag === '-v' || flag === '--volume') && value !== undefined) {
      const parts = value.split(':')
      if (parts.length >= 2 && parts[0]!.startsWith('/') && isSocketExposure(parts[0]!))
        problems.push(`volume ${value}`)
    }
    if (flag === '--mount' && value !== undefined) {
      const source = /(?:^|,)(?:source|src)=([^,]*)/.exec(value)?.[1]
      if (source?.startsWith('/') && isSocketExposure(source)) problems.push(`mount ${value}`)
    }
  }
  return problems
}

/** Writes the plans' units into a rootful and a rootless directory, runs the generator on both, checks every unit. */
export function checkPlans(plans: readonly QuadletPlan[]): { unit: string; problems: string[] }[] {
  const root = mkdtempSync(`${tmpdir()}/quadlet-oracle-`)
  try {
    const dirs = { rootful: `${root}/rootful`, rootless: `${root}/rootless` }
    mkdirSync(dirs.rootful)
    mkdirSync(dirs.rootless)
    for (const plan of plans) {
      for (const unit of plan.units) writeFileSync(`${dirs[unit.mode]}/${unit.filename}`, renderQuadlet(unit))
    }
    const runs = { rootful: runQuadlet(dirs.rootful, false), rootless: runQuadlet(dirs.rootless, true) }
    const failures: { unit: string; problems: string[] }[] = []
    for (const plan of plans) {
      for (const unit of plan.units) {
        const run = runs[unit.mode]
        const errors = run.errors.filter((e) => e.includes(`"${unit.filename}"`) || e.includes(`/${unit.filename}`))
        const text = run.services.get(unit.service)
        const problems = [...errors]
        if (text === undefined) problems.push(`no ${unit.service} generated`)
        else problems.push(...checkService(unit, text))
        if (problems.length > 0) failures.push({ unit: `${unit.mode}/${unit.filename}`, problems })
      }
    }
    const unattributed = Object.values(runs).flatMap((r) =>
      r.errors.filter((e) => !plans.some((p) => p.units.some((u) => e.includes(u.filename)))),
    )
    if (unattributed.length > 0) failures.push({ unit: '(generator)', problems: unattributed })
    return failures
  } finally {
    rmSync(root, { recursive: true, force: true })
  }
}
