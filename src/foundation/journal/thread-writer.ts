// The calling thread's side of the journal writer thread: posts chunks, and blocks (a bounded
// Atomics.wait, never a hang) whenever it must see them committed: before a durable append, a
// read, a flush or a close. A failure of the thread surfaces here as a JournalError.
import {MessageChannel, receiveMessageOnPort, Worker, type MessagePort} from 'node:worker_threads'

import type {Chunk} from './chunk.js'
import {JournalError, sqliteError} from './sqlite.js'
import {writerModule, type WriterModule} from './writer-location.js'
import {SLOT, SLOTS, STATE, type ToWriter, type WriterData, type WriterFailure} from './writer-protocol.js'

/**
 * Chunks posted and not yet committed before the calling thread waits: bounds memory when the
 * producer is faster than the disk. Generous, because the first chunks queue up while the thread
 * starts (~40 ms, i.e. ~25 chunks of a producer that does nothing else).
 */
const MAX_IN_FLIGHT = 32
/** How long a thread may take to start before the calling thread gives up on it and writes itself. */
const START_TIMEOUT_MS = 10_000
/** No commit for this long past SQLite's own lock wait: the thread is declared stalled. */
const STALL_MARGIN_MS = 20_000

export class ThreadWriter {
  private readonly cells: Int32Array
  private posted = 0
  /** Events of each posted chunk, from chunk number `countsFrom` on (to say how many were lost). */
  private readonly counts: number[] = []
  private countsFrom = 0
  /** Posted while the thread was starting: written by the calling thread if it never starts. */
  private unconfirmed: Chunk[] = []
  /** Set from the Worker's events (seen whenever the calling thread is not blocked). */
  private exited: string | undefined
  private error: JournalError | undefined
  private closed = false

  private readonly onError = (error: Error): void => {
    this.exited ??= error.message
  }
  private readonly onExit = (code: number): void => {
    this.exited ??= `exit code ${code}`
  }

  private constructor(
    private readonly worker: Worker,
    /** Which module the thread runs (a kept thread serves only a journal that asks for the same). */
    private readonly moduleKey: string,
    private readonly port: MessagePort,
    shared: SharedArrayBuffer,
    private readonly path: string,
    private readonly busyTimeoutMs: number,
    /** Events the caller holds that were not posted yet (lost with the thread too). */
    private readonly unposted: () => number,
  ) {
    this.cells = new Int32Array(shared, 0, SLOTS)
    worker.on('error', this.onError)
    worker.on('exit', this.onExit)
    // The calling thread drives the writer synchronously; neither may keep the process alive.
    worker.unref()
    port.unref()
  }

  /**
   * Starts a writer session: on the thread kept from the last journal closed cleanly (if it runs
   * the same module), else on a new thread. Undefined when there is no writer module to run.
   */
  static start(path: string, busyTimeoutMs: number, unposted: () => number): ThreadWriter | undefined {
    const module = writerModule()
    if (module === undefined) return undefined
    const key = `${module.url.href} ${module.loader ?? ''}`
    const shared = new SharedArrayBuffer(SLOTS * Int32Array.BYTES_PER_ELEMENT)
    const {port1, port2} = new MessageChannel()
    const data: WriterData = {path, busyTimeoutMs, shared, port: port2}
    let worker = unpark(key)
    try {
      if (worker !== undefined) worker.postMessage({open: data} satisfies ToWriter, [port2])
      else worker = spawn(module, data)
    } catch {
      if (worker !== undefined) void worker.terminate()
      port1.close()
      return undefined
    }
    return new ThreadWriter(worker, key, port1, shared, path, busyTimeoutMs, unposted)
  }

  /** The Worker (tests stop it to see how a dead thread is reported). */
  get thread(): Worker {
    return this.worker
  }

  /** Events posted and not yet committed. */
  get inFlight(): number {
    const committed = Atomics.load(this.cells, SLOT.commits)
    let n = 0
    for (let i = committed - this.countsFrom; i < this.counts.length; i++) n += this.counts[i] ?? 0
    return n
  }

  /**
   * Posts a chunk (waiting first while too many are in flight). Returns false when the thread
   * could not start: the caller then writes takeUnwritten() and this chunk itself.
   */
  post(chunk: Chunk): boolean {
    this.check()
    if (this.posted - Atomics.load(this.cells, SLOT.commits) >= MAX_IN_FLIGHT) {
      if (!this.waitFor(() => this.posted - Atomics.load(this.cells, SLOT.commits) < MAX_IN_FLIGHT)) return false
    }
    const state = Atomics.load(this.cells, SLOT.state)
    if (state === STATE.startFailed || state === STATE.cancelled) return false
    // A chunk's buffers are its own (chunk.ts copies them out of the builder): once the thread is
    // up they are handed over, not copied (copying cost the calling thread ~0.3 µs an event). While
    // it starts they are copied: the chunk is kept here until then, in case it never does.
    this.worker.postMessage({chunk}, state === STATE.ready ? ([chunk.ts.buffer, chunk.types.buffer, chunk.ends.buffer, chunk.text.buffer] as ArrayBuffer[]) : [])
    this.posted++
    this.counts.push(chunk.count)
    const committed = Atomics.load(this.cells, SLOT.commits)
    if (committed - this.countsFrom > 1024) {
      this.counts.splice(0, committed - this.countsFrom)
      this.countsFrom = committed
    }
    if (state === STATE.starting) this.unconfirmed.push(chunk)
    else if (this.unconfirmed.length > 0) this.unconfirmed = []
    return true
  }

  /** Blocks until every posted chunk is committed. False: the thread could not start (see post()). */
  drain(): boolean {
    this.check()
    return this.waitFor(() => Atomics.load(this.cells, SLOT.commits) >= this.posted)
  }

  /** What was posted to a thread that never started, in order (nothing of it was written). */
  takeUnwritten(): Chunk[] {
    const chunks = this.unconfirmed
    this.unconfirmed = []
    this.stop()
    return chunks
  }

  /** Why the thread could not start (after post() or drain() returned false; before takeUnwritten()). */
  startFailure(): string {
    const report = this.closed ? undefined : (receiveMessageOnPort(this.port)?.message as WriterFailure | undefined)
    if (report !== undefined) return report.message
    if (this.exited !== undefined) return `it stopped (${this.exited})`
    return `it was not ready within ${START_TIMEOUT_MS / 1000} s`
  }

  /** Non-blocking: throws if the thread has failed. */
  check(): void {
    if (this.error !== undefined) throw this.error
    if (Atomics.load(this.cells, SLOT.state) === STATE.failed) throw this.fail()
    if (this.exited !== undefined && !this.closed) {
      const state = Atomics.load(this.cells, SLOT.state)
      if (state === STATE.ready || state === STATE.closed) throw this.fail(`it stopped (${this.exited})`)
    }
  }

  /** Drains and closes the thread's connection; the thread may serve the next journal. Throws a failure of the thread. */
  close(): boolean {
    if (this.closed) return true
    try {
      if (!this.drain()) return false
      this.worker.postMessage({close: true})
      return this.waitFor(() => Atomics.load(this.cells, SLOT.state) === STATE.closed)
    } finally {
      this.stop()
    }
  }

  /**
   * Stops the thread without waiting for anything (after a failure, or when it never started);
   * after a clean close, keeps it for the next journal instead.
   */
  stop(): void {
    if (this.closed) return
    this.closed = true
    const state = Atomics.compareExchange(this.cells, SLOT.state, STATE.starting, STATE.cancelled)
    this.worker.off('error', this.onError)
    this.worker.off('exit', this.onExit)
    if (state === STATE.closed && this.exited === undefined) park(this.worker, this.moduleKey)
    else void this.worker.terminate()
    this.port.close()
  }

  /** Blocks until done() or a failure; false when the thread turned out unable to start. */
  private waitFor(done: () => boolean): boolean {
    const cells = this.cells
    let seen = -1
    let deadline = 0
    for (;;) {
      const changes = Atomics.load(cells, SLOT.changes)
      const state = Atomics.load(cells, SLOT.state)
      if (state === STATE.failed) throw this.fail()
      if (state === STATE.startFailed || state === STATE.cancelled) return false
      if (done()) return true
      if (this.exited !== undefined) {
        // Gone before it was ready: it wrote nothing, the calling thread writes instead.
        if (Atomics.compareExchange(cells, SLOT.state, STATE.starting, STATE.cancelled) === STATE.starting) return false
        throw this.fail(`it stopped (${this.exited})`)
      }
      const now = performance.now()
      if (changes !== seen) {
        seen = changes
        deadline = now + (state === STATE.starting ? START_TIMEOUT_MS : this.busyTimeoutMs + STALL_MARGIN_MS)
      } else if (now >= deadline) {
        if (state === STATE.starting) {
          // Only one of "cancelled" (here) and "ready" (the thread) wins; if it was ready, go on.
          if (Atomics.compareExchange(cells, SLOT.state, STATE.starting, STATE.cancelled) === STATE.starting) return false
          continue
        }
        throw this.fail(`it committed nothing for ${Math.round((this.busyTimeoutMs + STALL_MARGIN_MS) / 1000)} s`, 'JOURNAL_WRITER_STALLED')
      }
      Atomics.wait(cells, SLOT.changes, changes, Math.min(Math.max(1, deadline - now), 1000))
    }
  }

  /** The thread's failure as a JournalError (kept: every later call throws the same one). */
  private fail(why?: string, code = 'JOURNAL_WRITER_DIED'): JournalError {
    if (this.error !== undefined) return this.error
    const lost = this.inFlight + this.unposted()
    const after = `${lost} batched event(s) were not written; the journal holds everything before them, intact.`
    if (why === undefined) {
      const report = receiveMessageOnPort(this.port)?.message as WriterFailure | undefined
      const cause = report === undefined ? new Error('the writer thread failed without saying why') : Object.assign(new Error(report.message), {code: report.code})
      const said = sqliteError(cause, this.path, this.busyTimeoutMs)
      const code = said instanceof JournalError ? said.code : 'JOURNAL_SQLITE'
      this.error = new JournalError(`${said.message.replace(/\.$/, '')}; ${after}`, code, undefined, cause)
    } else {
      this.error = new JournalError(`the journal writer thread for ${this.path} failed: ${why}. ${after}`, code)
    }
    this.stop()
    return this.error
  }
}

/**
 * The thread kept after the last clean close, idle (one at most). Why keep it: a new thread loads
 * its modules and runs its first tens of thousands of events unoptimized, and V8's helper threads
 * compile its code again, on the cores the engine uses. A process that runs backtest after
 * backtest (the benchmark, a parameter sweep, the tests) gets a writer that is already fast.
 * It holds no journal and does not keep the process alive.
 */
let parked: {worker: Worker; key: string; forget: () => void} | undefined

function park(worker: Worker, key: string): void {
  if (parked !== undefined) {
    void worker.terminate()
    return
  }
  // Idle, it should never fail; if it does, it is forgotten (an 'error' without a listener would throw here).
  const forget = (): void => {
    if (parked?.worker === worker) parked = undefined
  }
  parked = {worker, key, forget}
  worker.on('error', forget)
  worker.on('exit', forget)
}

/** The kept thread, if it runs the module `key` names (another one is ended). */
function unpark(key: string): Worker | undefined {
  const p = parked
  if (p === undefined) return undefined
  parked = undefined
  p.worker.off('error', p.forget)
  p.worker.off('exit', p.forget)
  if (p.key === key) return p.worker
  void p.worker.terminate()
  return undefined
}

function spawn(module: WriterModule, data: WriterData): Worker {
  const options = {workerData: data, transferList: [data.port]}
  if (module.loader === undefined) return new Worker(module.url, options)
  // Running from sources: install the loader (tsx) in the thread, then load the .ts entry. A
  // failure here is reported like any failure to start (the calling thread then writes).
  const source = `
const {workerData: d} = require('node:worker_threads')
import(${JSON.stringify(module.loader)}).then((m) => { (m.register ?? m.default.register)(); return import(${JSON.stringify(module.url.href)}) }).catch((e) => {
  d.port.postMessage({code: '', message: String(e && e.message || e), starting: true})
  const c = new Int32Array(d.shared, 0, ${SLOTS})
  Atomics.compareExchange(c, ${SLOT.state}, ${STATE.starting}, ${STATE.startFailed}); Atomics.add(c, ${SLOT.changes}, 1); Atomics.notify(c, ${SLOT.changes})
})`
  return new Worker(source, {...options, eval: true})
}
