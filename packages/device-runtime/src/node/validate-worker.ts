// The worker of the validation pool (`validate-pool.ts`): checks one input per message with `checkDeviceInput`, the
// same call `serve` makes in-process, and answers with the API's `InputCheck` (issue objects only, no config).
import { parentPort } from 'node:worker_threads'
import type { InputCheck } from '../api/app.js'
import { checkDeviceInput } from '../compile.js'

/** A job: the input's bytes and the client's file name. */
export interface ValidateJob {
  readonly id: number
  readonly input: Uint8Array
  readonly fileName: string | undefined
}

/** The answer to a job: the check, or why it failed (a message for the log, never for the client). */
export type ValidateAnswer =
  | { readonly id: number; readonly check: InputCheck }
  | { readonly id: number; readonly error: string }

/** Checks one job's input; never throws (a failure is an answer). */
export function answerJob(job: ValidateJob): ValidateAnswer {
  try {
    const result = checkDeviceInput(job.input, job.fileName === undefined ? {} : { fileName: job.fileName })
    const check: InputCheck = result.ok
      ? { ok: true, warnings: result.warnings }
      : { ok: false, errors: result.errors, warnings: result.warnings }
    return { id: job.id, check }
  } catch (error) {
    return { id: job.id, error: error instanceof Error ? error.message : String(error) }
  }
}

const port = parentPort
// Jobs come in batches (all that reached the pool in one turn of the event loop) and are answered as one message:
// waking a thread costs more than a small validation.
if (port !== null) port.on('message', (jobs: readonly ValidateJob[]) => port.postMessage(jobs.map(answerJob)))
