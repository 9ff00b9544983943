import { type ChildProcess, spawn } from 'node:child_process'
import { fileURLToPath } from 'node:url'

/** The built CLI (the system tests run what ships). */
export const CLI = fileURLToPath(new URL('../../dist/cli.js', import.meta.url))

/** A running `atomicnix serve`: its URL, its process, what it logged, and a stop that waits for its exit. */
export interface ServeProcess {
  readonly url: string
  readonly child: ChildProcess
  stderr(): string
  stop(): Promise<number | null>
}

/** Starts `atomicnix serve --listen 127.0.0.1:0 ARGS...` and resolves once it prints its address. */
export function startServe(args: readonly string[]): Promise<ServeProcess> {
  const child = spawn(process.execPath, [CLI, 'serve', '--listen', '127.0.0.1:0', ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let out = ''
  let err = ''
  child.stderr!.on('data', (chunk) => {
    err += chunk
  })
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)))
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`atomicnix serve did not start: ${err}`)), 20_000)
    child.stdout!.on('data', (chunk) => {
      out += chunk
      const match = /listening on (http:\/\/\S+?)\/?\n/.exec(out)
      if (match === null) return
      clearTimeout(timer)
      resolve({
        url: match[1]!,
        child,
        stderr: () => err,
        stop: async () => {
          if (child.exitCode === null) child.kill('SIGTERM')
          return exited
        },
      })
    })
    exited.then((code) => {
      clearTimeout(timer)
      reject(new Error(`atomicnix serve exited ${code}: ${err}`))
    })
  })
}
