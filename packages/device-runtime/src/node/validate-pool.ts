import { availableParallelism } from 'node:os'
import { Worker } from 'node:worker_threads'
import type { InputCheck } from '../api/app.js'
import type { Log } from '../ports.js'
import type { ValidateAnswer, ValidateJob } from './validate-worker.js'

/** Options of `validatePool`. */
export interface ValidatePoolOptions {
  readonly log: Log
  /** Worker threads at most (default: the CPU count less the one that serves HTTP, at least 1). */
  readonly size?: number
  /** The worker module (default: `validate-worker.js` next to this module, as built into dist). */
  readonly workerUrl?: URL
  /** A worker with nothing to do for this long is stopped, to give its memory back (default 30 s). */
  readonly idleMs?: number
}

/** Validation on worker threads, so that a large input never stalls the thread that serves HTTP. */
export interface ValidatePool {
  /**
   * Checks an input as `checkDeviceInput` does; rejects (without internals) when the worker failed or died. An input
   * of `MOVE_BYTES` or more that owns its whole buffer is moved to the worker, not copied: its buffer is detached
   * (empty) once this returns. A smaller one is copied.
   */
  validate(input: Uint8Array, fileName: string | undefined): Promise<InputCheck>
  /** Worker threads running now. */
  readonly threads: number
  /** Stops every worker; jobs not answered yet reject. Resolves once every thread has exited. */
  close(): Promise<void>
}

/** Raised for a job whose worker failed; its message names no internals (the log has them). */
export class ValidateWorkerError extends Error {
  override readonly name = 'ValidateWorkerError'
}

/** Jobs sent to one worker in one message at most. */
const MAX_BATCH = 16
/** From this size on, a body is moved (transferred) to the worker: copying it would double its memory for a while. */
export const MOVE_BYTES = 64 * 1024

interface Job {
  readonly message: ValidateJob
  /** The buffer moved with the message, when the input was large and owned its buffer. */
  readonly move: ArrayBuffer | undefined
  readonly resolve: (check: InputCheck) => void
  readonly reject: (error: Error) => void
  /** Set once the job was in a batch whose worker died: it runs again alone, and fails if that worker dies too. */
  retried: boolean
}

interface Slot {
  readonly worker: Worker
  batch: readonly Job[] | undefined
  readonly idle: NodeJS.Timeout
}

/**
 * A pool of worker threads that run `checkDeviceInput`. Workers start on the first jobs (an idle `serve` holds no
 * thread) and stop after `idleMs` without work. Jobs wait in one FIFO queue; the jobs that arrive in one turn of the
 * event loop go to a free worker as one message (waking a thread costs more than validating a small config), and the
 * worker answers them in one message; a large input (moved to the worker, not copied) goes alone. When a worker dies,
 * the other jobs of its batch run again one at a time on a new worker, so that one input that kills a worker fails
 * alone (500), and the others go on.
 */
export function validatePool(options: ValidatePoolOptions): ValidatePool {
  const size = Math.max(1, options.size ?? availableParallelism() - 1)
  const workerUrl = options.workerUrl ?? new URL('./validate-worker.js', import.meta.url)
  const idleMs = options.idleMs ?? 30_000
  const { log } = options
  const slots = new Set<Slot>()
  const queue: Job[] = []
  const exited = new Set<Promise<unknown>>()
  let nextId = 1
  let closed = false
  let flushing = false

  function fail(slot: Slot, reason: string): void {
    if (!slots.delete(slot)) return
    clearTimeout(slot.idle)
    const batch = slot.batch ?? []
    slot.batch = undefined
    void slot.worker.terminate()
    // A job that ran alone already (retried, or moved: its bytes went with the worker) fails; the others run again.
    const lost = batch.filter((job) => job.retried || job.move !== undefined)
    log.error('validation worker failed', { reason, jobs: batch.length, refused: lost.length })
    for (const job of lost) job.reject(new ValidateWorkerError('The validation worker failed.'))
    const again = batch.filter((job) => !lost.includes(job))
    for (const job of again) job.retried = true
    queue.unshift(...again)
    dispatch()
  }

  function start(): Slot {
    const worker = new Worker(workerUrl)
    worker.unref()
    const slot: Slot = {
      worker,
      batch: undefined,
      idle: setTimeout(() => {
        if (slot.batch === undefined && slots.delete(slot)) void worker.terminate()
      }, idleMs).unref(),
    }
    slots.add(slot)
    const gone = new Promise((resolve) => worker.once('exit', resolve))
    exited.add(gone)
    void gone.then(() => exited.delete(gone))
    worker.on('message', (answers: readonly ValidateAnswer[]) => {
      const batch = slot.batch
      if (batch === undefined || answers.length !== batch.length) return fail(slot, 'answers to no batch')
      slot.batch = undefined
      for (let i = 0; i < batch.length; i++) {
        const job = batch[i]!
        const answer = answers[i]!
        if (answer.id !== job.message.id) job.reject(new ValidateWorkerError('The validation failed.'))
        else if ('error' in answer) {
          log.error('validation failed in a worker', { error: answer.error })
          job.reject(new ValidateWorkerError('The validation failed.'))
        } else job.resolve(answer.check)
      }
      slot.idle.refresh()
      dispatch()
    })
    worker.on('error', (error) => fail(slot, error.message))
    worker.on('exit', (code) => fail(slot, `exited with code ${code}`))
    return slot
  }

  /** Hands queued jobs to free workers in batches, starting workers up to the pool size. */
  function dispatch(): void {
    while (queue.length > 0 && !closed) {
      let free: Slot | undefined
      for (const slot of slots) {
        if (slot.batch === undefined) {
          free = slot
          break
        }
      }
      if (free === undefined && slots.size < size) free = start()
      if (free === undefined) return
      // Jobs that ran in a batch whose worker died, and large (moved) ones, run alone; the others share a batch.
      const alone = (job: Job) => job.retried || job.move !== undefined
      let take = alone(queue[0]!) ? 1 : Math.min(MAX_BATCH, Math.ceil(queue.length / Math.max(1, size - busy())))
      for (let i = 1; i < take; i++) if (alone(queue[i]!)) take = i
      const batch = queue.splice(0, take)
      free.batch = batch
      const messages = batch.map((job) => job.message)
      const moves = batch.flatMap((job) => (job.move === undefined ? [] : [job.move]))
      try {
        free.worker.postMessage(messages, moves)
      } catch {
        // A buffer that cannot be moved (Node keeps some untransferable) is copied instead.
        free.worker.postMessage(messages)
      }
    }
  }

  function busy(): number {
    let n = 0
    for (const slot of slots) if (slot.batch !== undefined) n++
    return n
  }

  return {
    validate(input, fileName) {
      if (closed) return Promise.reject(new ValidateWorkerError('The validation pool is closed.'))
      // A clone of a view copies its whole buffer, and a small Buffer is a view of Node's shared 8 KiB pool: the
      // worker gets a copy of just these bytes, or the buffer itself when it is large and the input's alone.
      const whole = input.byteOffset === 0 && input.byteLength === input.buffer.byteLength
      const own = whole ? input : new Uint8Array(input)
      const move =
        whole && input.byteLength >= MOVE_BYTES && input.buffer instanceof ArrayBuffer ? input.buffer : undefined
      return new Promise<InputCheck>((resolve, reject) => {
        queue.push({ message: { id: nextId++, input: own, fileName }, move, resolve, reject, retried: false })
        if (!flushing) {
          // The jobs of this turn of the event loop go out together.
          flushing = true
          setImmediate(() => {
            flushing = false
            dispatch()
          })
        }
      })
    },
    get threads() {
      return slots.size
    },
    async close() {
      closed = true
      const stopped = new ValidateWorkerError('The validation pool is closed.')
      for (const job of queue.splice(0)) job.reject(stopped)
      for (const slot of [...slots]) {
        slots.delete(slot)
        clearTimeout(slot.idle)
        for (const job of slot.batch ?? []) job.reject(stopped)
        slot.batch = undefined
        void slot.worker.terminate()
      }
      await Promise.all([...exited])
    },
  }
}
