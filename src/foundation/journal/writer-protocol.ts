// What the calling thread and the journal writer thread share. Chunks go to the thread by
// postMessage; everything the calling thread must learn while it blocks (commits, failure, the
// thread being ready or gone) comes back through a SharedArrayBuffer it can Atomics.wait on,
// and the details of a failure through a MessagePort it reads with receiveMessageOnPort.
import type {MessagePort} from 'node:worker_threads'

import type {Chunk} from './chunk.js'

/** Int32 slots of the shared buffer. */
export const SLOT = {
  /** Chunks committed so far. */
  commits: 0,
  /** One of STATE. */
  state: 1,
  /** Bumped (and notified) at every change of the others: the calling thread waits on it. */
  changes: 2,
} as const
export const SLOTS = 3

export const STATE = {
  /** Loading its code and opening the database. Nothing written yet. */
  starting: 0,
  /** Writing chunks as they come. */
  ready: 1,
  /** A chunk could not be written (rolled back); later chunks are dropped, not written. */
  failed: 2,
  /** Could not start (nothing was written): the calling thread writes instead. */
  startFailed: 3,
  /** The calling thread gave up waiting for it to start; it must not write anything. */
  cancelled: 4,
  /** Its connection is closed (after a close request). */
  closed: 5,
} as const

export interface WriterData {
  path: string
  busyTimeoutMs: number
  shared: SharedArrayBuffer
  /** Where the thread reports what failed. */
  port: MessagePort
}

/** `open` starts the next session of a thread kept after a clean close (thread-writer.ts). */
export type ToWriter = {chunk: Chunk} | {close: true} | {open: WriterData}

/** A failure, as the writer thread saw it (SQLite's code and message). */
export interface WriterFailure {
  /** SQLite's error code (SQLITE_BUSY, SQLITE_FULL, …) when there is one. */
  code: string
  message: string
  /** Whether this happened while starting (nothing written) or while writing. */
  starting: boolean
}

/** Records a change of state and wakes the calling thread. */
export function signal(cells: Int32Array, state: number): void {
  Atomics.store(cells, SLOT.state, state)
  wake(cells)
}

/** Wakes the calling thread after any change of the shared cells. */
export function wake(cells: Int32Array): void {
  Atomics.add(cells, SLOT.changes, 1)
  Atomics.notify(cells, SLOT.changes)
}
