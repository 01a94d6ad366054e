// The body of the journal writer thread: one SQLite connection, one transaction per chunk (BEGIN
// IMMEDIATE, synchronous=NORMAL like every batch transaction), chunks in the order posted. After
// a failure it writes nothing more: a later chunk written after a lost one would put events out
// of the order they were produced in.
//
// A thread serves one journal at a time, a session: from its WriterData (its workerData, or an
// `open` message) to a `close` message. After a clean close the calling thread may keep it for
// the next journal it opens (thread-writer.ts), so that a process running backtest after backtest
// keeps one writer whose code V8 has already optimized.
import {parentPort} from 'node:worker_threads'

import {BlockWriter} from './block-writer.js'
import type {Chunk} from './chunk.js'
import {refreshSeal} from './head-file.js'
import {openSqlite, type Database} from './sqlite.js'
import {lowerThisThreadPriority} from './thread-priority.js'
import {SLOT, SLOTS, STATE, wake, type ToWriter, type WriterData, type WriterFailure} from './writer-protocol.js'

/** One journal's connection in this thread. */
class Session {
  private readonly cells: Int32Array
  private readonly db: Database | undefined
  private readonly write: ((chunk: Chunk) => void) | undefined

  constructor(private readonly data: WriterData) {
    this.cells = new Int32Array(data.shared, 0, SLOTS)
    let db: Database
    try {
      db = openSqlite(data.path, 'write', data.busyTimeoutMs)
      db.pragma('synchronous = NORMAL')
      // Batches write a lot at once: checkpointing every 4 MB (SQLite's default, 1,000 pages) cost
      // this thread ~50 ms per 20 MB, mostly two fsyncs each time. Past 64 MB of log it still does; below,
      // the last connection to close (the calling thread's) checkpoints once.
      const pageSize = db.pragma('page_size', {simple: true}) as number
      db.pragma(`wal_autocheckpoint = ${Math.max(1000, Math.round((64 * 1024 * 1024) / pageSize))}`)
      const writer = new BlockWriter(db)
      const tx = db.transaction((chunk: Chunk) => writer.write([chunk]))
      this.write = (chunk) => {
        tx.immediate(chunk)
        refreshSeal(data.path)
      }
    } catch (error) {
      this.fail(error, true)
      return
    }
    // Only one of "ready" and "cancelled" wins: a thread the caller gave up on never writes.
    if (Atomics.compareExchange(this.cells, SLOT.state, STATE.starting, STATE.ready) !== STATE.starting) {
      db.close()
      this.write = undefined
      return
    }
    this.db = db
    wake(this.cells)
  }

  chunk(chunk: Chunk): void {
    if (this.write === undefined || Atomics.load(this.cells, SLOT.state) !== STATE.ready) return
    try {
      this.write(chunk)
    } catch (error) {
      this.fail(error, false)
      return
    }
    Atomics.add(this.cells, SLOT.commits, 1)
    wake(this.cells)
  }

  close(): void {
    if (this.db?.open) this.db.close()
    Atomics.compareExchange(this.cells, SLOT.state, STATE.ready, STATE.closed)
    wake(this.cells)
    this.data.port.close()
  }

  /** The thread is exiting: a session still writing says so before it goes. */
  exiting(): void {
    if (Atomics.load(this.cells, SLOT.state) === STATE.ready) this.fail(new Error('the journal writer thread exited'), false)
  }

  private fail(error: unknown, starting: boolean): void {
    const failure: WriterFailure = {
      code: String((error as {code?: unknown})?.code ?? ''),
      message: error instanceof Error ? error.message : String(error),
      starting,
    }
    // Posted before the state changes: once the calling thread sees the state, the message is there.
    this.data.port.postMessage(failure)
    const from = starting ? STATE.starting : STATE.ready
    Atomics.compareExchange(this.cells, SLOT.state, from, starting ? STATE.startFailed : STATE.failed)
    wake(this.cells)
  }
}

export function runWriter(first: WriterData): void {
  lowerThisThreadPriority()
  let session: Session | undefined = new Session(first)
  parentPort!.on('message', (message: ToWriter) => {
    if ('open' in message) {
      session = new Session(message.open)
    } else if ('close' in message) {
      session?.close()
      session = undefined
    } else {
      session?.chunk(message.chunk)
    }
  })
  // A thread that dies (process.exit in here, an error escaping a handler) says so before it goes.
  process.on('exit', () => session?.exiting())
}
