import type { Issue } from '@atomicnix/config-schema'
import { SIGNATURE_NAMESPACE, sha256Hex, signedMessage } from '../api/signed-request.js'
import { IoError } from '../ports.js'
import { jsonReport, reportIssues } from './report.js'
import { type CliDeps, EXIT, parseOptions, UsageError } from './run.js'

/** The largest file `push` sends: the device's default body limit. */
const MAX_PUSH_BYTES = 64 * 1024 * 1024
const HTTP_TIMEOUT_MS = 120_000
/** Signing may wait for a passphrase or a touch of a security key. */
const SIGN_TIMEOUT_MS = 180_000

/** The Content-Type for a file name: a config.toml or one of the bundle formats. */
export function contentTypeFor(fileName: string): string {
  const name = fileName.toLowerCase()
  if (name.endsWith('.toml')) return 'application/toml'
  if (name.endsWith('.tar.gz') || name.endsWith('.tgz')) return 'application/gzip'
  if (name.endsWith('.tar.zst') || name.endsWith('.tar.zstd') || name.endsWith('.tzst')) return 'application/zstd'
  if (name.endsWith('.tar')) return 'application/x-tar'
  return 'application/octet-stream'
}

interface Answer {
  ok?: boolean
  errors?: Issue[]
  warnings?: Issue[]
  generation?: { id: string }
  apply?: string
  challenge?: string
  device?: string
}

async function request(url: string, init: RequestInit): Promise<{ status: number; body: Answer }> {
  let response: Response
  try {
    response = await fetch(url, { ...init, signal: AbortSignal.timeout(HTTP_TIMEOUT_MS), redirect: 'error' })
  } catch (error) {
    const cause = (error as { cause?: { message?: string } }).cause?.message
    throw new IoError(`cannot reach ${url}: ${cause ?? (error instanceof Error ? error.message : String(error))}`)
  }
  const text = await response.text()
  try {
    return { status: response.status, body: JSON.parse(text) as Answer }
  } catch {
    throw new IoError(`${url} answered ${response.status} with something that is not the API's JSON`)
  }
}

/** Issues as the device sent them, with control characters replaced: a device must not repaint the terminal. */
function printableIssues(issues: unknown): Issue[] {
  if (!Array.isArray(issues)) return []
  const clean = (value: unknown) => String(value ?? '').replace(/[\u0000-\u001f\u007f-\u009f]/g, '?')
  return issues.map((issue: Partial<Issue>) => ({
    code: clean(issue.code),
    severity: issue.severity === 'warning' ? 'warning' : 'error',
    path: clean(issue.path),
    message: clean(issue.message),
    ...(Number.isInteger(issue.line) ? { line: issue.line! } : {}),
    ...(Number.isInteger(issue.column) ? { column: issue.column! } : {}),
  }))
}

/** The armor's base64 body on one line: what the signature header carries. */
function signatureHeader(armored: string): string {
  return armored
    .split('\n')
    .filter((line) => line !== '' && !line.startsWith('-----'))
    .join('')
}

/**
 * `atomicnix push FILE URL --key KEY [--device ID] [--json]`: a signed change to a provisioned device. Fetches a
 * challenge, signs the canonical message with `ssh-keygen -Y sign` (KEY may be a public key held by ssh-agent or a
 * security key), posts FILE and prints the device's issues like `validate`.
 */
export async function pushCommand(args: readonly string[], { files, output, exec }: CliDeps): Promise<number> {
  const { values, positionals } = parseOptions(
    args,
    { key: { type: 'string' }, device: { type: 'string' }, json: { type: 'boolean' } },
    2,
  )
  const [file, base] = positionals as [string, string]
  if (values.key === undefined)
    throw new UsageError('--key KEY is required (a private key, or a public key in ssh-agent)')
  let root: URL
  try {
    root = new URL(base.endsWith('/') ? base : `${base}/`)
  } catch {
    throw new UsageError(`"${base}" is not a URL`)
  }
  if (root.protocol !== 'http:' && root.protocol !== 'https:') throw new UsageError('URL must be http:// or https://')
  const input = await files.readRegularFile(file, MAX_PUSH_BYTES + 1)
  if (input.length > MAX_PUSH_BYTES) throw new IoError(`cannot push ${file}: larger than ${MAX_PUSH_BYTES} bytes`)
  // The device takes plain file names only; what matters is the suffix (.toml, .tar, .tgz, .tar.zst).
  const fileName = (file.split('/').pop() || 'config.toml').replace(/[^A-Za-z0-9._+-]/g, '_').slice(-255)
  const text = fileName.toLowerCase().endsWith('.toml') ? new TextDecoder().decode(input) : ''

  const challengeUrl = new URL('api/challenge', root).href
  const configUrl = new URL('api/config', root)
  const issued = await request(challengeUrl, { method: 'GET' })
  if (issued.status !== 200 || typeof issued.body.challenge !== 'string' || typeof issued.body.device !== 'string') {
    return refused(issued, file, text, values.json === true, output)
  }
  if (values.device !== undefined && values.device.toLowerCase() !== issued.body.device) {
    throw new IoError(`the device at ${root.href} is ${issued.body.device}, not ${values.device}`)
  }
  const message = signedMessage({
    challenge: issued.body.challenge,
    method: 'POST',
    path: configUrl.pathname,
    device: issued.body.device,
    bodySha256: await sha256Hex(input),
  })
  if (message === undefined) throw new IoError(`${challengeUrl} answered a challenge that cannot be signed`)
  const signed = await exec.run(['ssh-keygen', '-Y', 'sign', '-f', values.key, '-n', SIGNATURE_NAMESPACE], {
    input: message,
    timeoutMs: SIGN_TIMEOUT_MS,
  })
  if (signed.exitCode !== 0 || !signed.stdout.includes('BEGIN SSH SIGNATURE')) {
    const why = signed.spawnError ?? (signed.stderr.trim() || `exit ${signed.exitCode ?? signed.signal}`)
    throw new IoError(`ssh-keygen -Y sign failed: ${why}`)
  }
  const answer = await request(configUrl.href, {
    method: 'POST',
    headers: {
      'content-type': contentTypeFor(fileName),
      'x-config-filename': fileName,
      'x-atomicnix-challenge': issued.body.challenge,
      'x-atomicnix-signature': signatureHeader(signed.stdout),
    },
    body: input as Uint8Array<ArrayBuffer>,
  })
  if (answer.status !== 200 || answer.body.ok !== true) return refused(answer, file, text, values.json === true, output)
  const warnings = printableIssues(answer.body.warnings)
  if (values.json) output.stdout(jsonReport(true, [], warnings))
  else {
    reportIssues(output, file, text, [], warnings)
    const applying = answer.body.apply === 'started' ? '; the device is applying it' : ''
    const generation = printableIssues([{ message: answer.body.generation?.id }])[0]!.message
    output.stdout(`${file}: accepted by ${issued.body.device} as generation ${generation}${applying}\n`)
  }
  return EXIT.ok
}

function refused(
  answer: { status: number; body: Answer },
  file: string,
  text: string,
  json: boolean,
  output: CliDeps['output'],
): number {
  const errors = printableIssues(answer.body.errors)
  const warnings = printableIssues(answer.body.warnings)
  if (json) output.stdout(jsonReport(false, errors, warnings))
  else {
    reportIssues(output, file, text, errors, warnings)
    output.stderr(`${file}: refused by the device (HTTP ${answer.status})\n`)
  }
  return EXIT.invalid
}
