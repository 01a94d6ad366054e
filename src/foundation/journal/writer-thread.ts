// Entry of the journal writer thread (a worker_threads module). It loads nothing but the protocol
// (no dependencies) before reporting: the writer itself is imported here, and if that fails (a
// broken install, a bundle without it) the thread says so and the calling thread writes instead.
import {workerData} from 'node:worker_threads'

import {SLOT, SLOTS, STATE, wake, type WriterData, type WriterFailure} from './writer-protocol.js'

const data = workerData as WriterData
try {
  const {runWriter} = await import('./writer-worker.js')
  runWriter(data)
} catch (error) {
  const failure: WriterFailure = {code: String((error as {code?: unknown})?.code ?? ''), message: error instanceof Error ? error.message : String(error), starting: true}
  data.port.postMessage(failure)
  const cells = new Int32Array(data.shared, 0, SLOTS)
  Atomics.compareExchange(cells, SLOT.state, STATE.starting, STATE.startFailed)
  wake(cells)
}
