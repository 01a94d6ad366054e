// The body of the journal writer thread: one SQLite connection, one transaction per chunk (BEGIN
// IMMEDIATE, synchronous=NORMAL like every batch transaction), chunks in the order posted. After
// a failure it writes nothing more: a later chunk written after a lost one would put events out
// of the order they were produced in.
import {parentPort} from 'node:worker_threads'

import {BlockWriter} from './block-writer.js'
import type {Chunk} from './chunk.js'
import {openSqlite, type Database} from './sqlite.js'
import {lowerThisThreadPriority} from './thread-priority.js'
import {SLOT, SLOTS, STATE, wake, type ToWriter, type WriterData, type WriterFailure} from './writer-protocol.js'

export function runWriter(data: WriterData): void {
  lowerThisThreadPriority()
  const cells = new Int32Array(data.shared, 0, SLOTS)
  const fail = (error: unknown, starting: boolean): void => {
    const failure: WriterFailure = {
      code: String((error as {code?: unknown})?.code ?? ''),
      message: error instanceof Error ? error.message : String(error),
      starting,
    }
    // Posted before the state changes: once the calling thread sees the state, the message is there.
    data.port.postMessage(failure)
    const from = starting ? STATE.starting : STATE.ready
    Atomics.compareExchange(cells, SLOT.state, from, starting ? STATE.startFailed : STATE.failed)
    wake(cells)
  }

  let db: Database
  let write: (chunk: Chunk) => void
  try {
    db = openSqlite(data.path, false, data.busyTimeoutMs)
    db.pragma('synchronous = NORMAL')
    // Batches write a lot at once: checkpointing every 4 MB (SQLite's default, 1,000 pages) cost
    // this thread ~50 ms per 20 MB, mostly two fsyncs each time. Past 64 MB of log it still does; below,
    // the last connection to close (the calling thread's) checkpoints once.
    const pageSize = db.pragma('page_size', {simple: true}) as number
    db.pragma(`wal_autocheckpoint = ${Math.max(1000, Math.round((64 * 1024 * 1024) / pageSize))}`)
    const writer = new BlockWriter(db)
    const tx = db.transaction((chunk: Chunk) => writer.write([chunk]))
    write = (chunk) => tx.immediate(chunk)
  } catch (error) {
    fail(error, true)
    return
  }
  // Only one of "ready" and "cancelled" wins: a thread the caller gave up on never writes.
  if (Atomics.compareExchange(cells, SLOT.state, STATE.starting, STATE.ready) !== STATE.starting) {
    db.close()
    return
  }
  wake(cells)

  const port = parentPort!
  port.on('message', (message: ToWriter) => {
    if ('close' in message) {
      if (db.open) db.close()
      Atomics.compareExchange(cells, SLOT.state, STATE.ready, STATE.closed)
      wake(cells)
      port.close()
      data.port.close()
      return
    }
    if (Atomics.load(cells, SLOT.state) !== STATE.ready) return
    try {
      write(message.chunk)
    } catch (error) {
      fail(error, false)
      return
    }
    Atomics.add(cells, SLOT.commits, 1)
    wake(cells)
  })
  // A thread that dies (process.exit in here, an error escaping a handler) says so before it goes.
  process.on('exit', () => {
    if (Atomics.load(cells, SLOT.state) === STATE.ready) fail(new Error('the journal writer thread exited'), false)
  })
}
