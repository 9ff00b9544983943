// The real validation worker (built, dist/validate-worker.js) with two ways to fail on demand, for the pool's tests:
// a batch with an input containing "#exit-worker" ends the thread (process.exit in a worker), one containing
// "#throw-in-worker" throws an uncaught error in it. Any other batch is answered by the real worker's `answerJob`.
import { parentPort } from 'node:worker_threads'
import { answerJob } from '../../dist/validate-worker.js'

// Importing the real worker registered its handler; this one replaces it (before any message can arrive).
parentPort.removeAllListeners('message')
const decoder = new TextDecoder()
parentPort.on('message', (jobs) => {
  const texts = jobs.map((job) => decoder.decode(job.input))
  if (texts.some((text) => text.includes('#exit-worker'))) process.exit(70)
  if (texts.some((text) => text.includes('#throw-in-worker'))) throw new Error('secret internal detail /data/x')
  parentPort.postMessage(jobs.map(answerJob))
})
