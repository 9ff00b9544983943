import { describe, expect, it } from 'vitest'
import { nodeExec } from '../../src/node/exec.js'

const node = process.execPath

describe('nodeExec', () => {
  it('runs argv without a shell and reports exit code, output and duration', async () => {
    const result = await nodeExec.run(
      [node, '-e', 'process.stdout.write(process.argv[1]); process.exit(3)', '$HOME;x'],
      {
        timeoutMs: 10_000,
      },
    )
    expect(result).toMatchObject({ exitCode: 3, signal: null, stdout: '$HOME;x', timedOut: false })
    expect(result.durationMs).toBeGreaterThanOrEqual(0)
  })

  it('passes standard input and extra environment', async () => {
    const script = 'let s="";process.stdin.on("data",(d)=>s+=d).on("end",()=>process.stdout.write(s+process.env.X))'
    const result = await nodeExec.run([node, '-e', script], { timeoutMs: 10_000, input: 'in-', env: { X: 'env' } })
    expect(result.stdout).toBe('in-env')
  })

  it('reports a program that is not on PATH instead of throwing', async () => {
    const result = await nodeExec.run(['atomicnix-no-such-program'], { timeoutMs: 10_000 })
    expect(result.exitCode).toBeNull()
    expect(result.spawnError).toMatch(/not found on PATH/)
  })

  it('kills a program at its time limit', async () => {
    const result = await nodeExec.run([node, '-e', 'setTimeout(() => {}, 60000)'], { timeoutMs: 200 })
    expect(result.timedOut).toBe(true)
    expect(result.exitCode).toBeNull()
    expect(result.signal).toBe('SIGTERM')
  })

  it('keeps at most 1 MiB of a stream', async () => {
    const result = await nodeExec.run([node, '-e', 'process.stdout.write("x".repeat(3 << 20))'], { timeoutMs: 10_000 })
    expect(result.stdout.length).toBeLessThan((1 << 20) + 100)
    expect(result.stdout).toMatch(/\[2097152 more bytes not kept\]$/)
  })
})
