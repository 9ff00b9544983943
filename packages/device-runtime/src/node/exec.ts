import type { Exec, ExecResult } from '../ports.js'

/** At most this much of each output stream is kept; the rest is counted and dropped. */
const OUTPUT_LIMIT = 1 << 20
/** After SIGTERM at the time limit, a program gets this long before SIGKILL. */
const KILL_GRACE_MS = 2_000

/** Collects a stream up to OUTPUT_LIMIT bytes. */
function collector() {
  const chunks: Buffer[] = []
  let kept = 0
  let dropped = 0
  return {
    push(chunk: Buffer) {
      const room = OUTPUT_LIMIT - kept
      if (room > 0) {
        const part = chunk.length > room ? chunk.subarray(0, room) : chunk
        chunks.push(part)
        kept += part.length
      }
      dropped += chunk.length - Math.min(chunk.length, Math.max(room, 0))
    },
    text() {
      const text = Buffer.concat(chunks).toString('utf8')
      return dropped > 0 ? `${text}\n[${dropped} more bytes not kept]` : text
    },
  }
}

/** Runs programs with `child_process.spawn` (no shell), found on this process's `PATH`. */
export const nodeExec: Exec = {
  async run(argv, options) {
    // Loaded on first use: a command that runs nothing (an apply with nothing changed) does not pay for it.
    const { spawn } = await import('node:child_process')
    const started = process.hrtime.bigint()
    const [program, ...args] = argv
    return new Promise<ExecResult>((resolve) => {
      if (program === undefined || program === '') {
        resolve({
          argv,
          exitCode: null,
          signal: null,
          stdout: '',
          stderr: '',
          durationMs: 0,
          timedOut: false,
          spawnError: 'empty argv',
        })
        return
      }
      const child = spawn(program, args, {
        shell: false,
        stdio: ['pipe', 'pipe', 'pipe'],
        env: options.env === undefined ? process.env : { ...process.env, ...options.env },
      })
      const stdout = collector()
      const stderr = collector()
      let timedOut = false
      let spawnError: string | undefined
      let killer: NodeJS.Timeout | undefined
      const timer = setTimeout(() => {
        timedOut = true
        child.kill('SIGTERM')
        killer = setTimeout(() => child.kill('SIGKILL'), KILL_GRACE_MS)
      }, options.timeoutMs)
      child.stdout.on('data', (chunk: Buffer) => stdout.push(chunk))
      child.stderr.on('data', (chunk: Buffer) => stderr.push(chunk))
      // A program that exits without reading its input closes the pipe; that is not our failure.
      child.stdin.on('error', () => undefined)
      child.on('error', (error: NodeJS.ErrnoException) => {
        spawnError = error.code === 'ENOENT' ? `${program}: not found on PATH` : error.message
      })
      child.on('close', (code, signal) => {
        clearTimeout(timer)
        if (killer !== undefined) clearTimeout(killer)
        resolve({
          argv,
          exitCode: spawnError === undefined ? code : null,
          signal,
          stdout: stdout.text(),
          stderr: stderr.text(),
          durationMs: Math.round(Number(process.hrtime.bigint() - started) / 1e6),
          timedOut,
          ...(spawnError === undefined ? {} : { spawnError }),
        })
      })
      if (options.input === undefined) child.stdin.end()
      else child.stdin.end(options.input)
    })
  },
}
