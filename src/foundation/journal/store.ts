// The SQLite store behind the Journal interface. One connection per Journal (plus one on the
// writer thread while a batch uses it); several processes (one engine per sector) may write the
// same file: every write transaction takes the write lock (BEGIN IMMEDIATE) and reads the head of
// the chain inside it, so seqs stay contiguous and the chain linked whoever writes.
//
// Batches: add() validates the event and writes its payload as it is now (canonical JSON, as UTF-8
// bytes: chunk.ts) on the calling thread; every `size` events the chunk's buffers go to the writer
// thread (started at the first chunk big enough to be worth it), which assigns
// seqs, hashes, encodes and commits while the caller goes on. Anything that must see the batch (a
// durable append, a read, flush, close) first waits until the thread has committed everything
// posted. Without a thread (small batches, RICK_JOURNAL_WRITER=inline, no writer module to run)
// the calling thread writes through the same encoder (blocks.ts).
import {closeSync, existsSync, fsyncSync, openSync} from 'node:fs'
import type {Worker} from 'node:worker_threads'

import {BlockWriter} from './block-writer.js'
import {decodeBlock, type BlockRow, type EncodedBlock} from './blocks.js'
import {ChunkBuilder, chunkOf, type Chunk} from './chunk.js'
import {checkReadable, initialise, prepareFile} from './database.js'
import {refreshSeal, type HeadFile} from './head-file.js'
import type {EventType, JournalEvent, NewEvent} from './events.js'
import {BATCH_SIZE, GENESIS_HASH, HASH_CHARS, kindsOf, RUN_STARTED_KIND, RUN_STOPPED_KIND, SELECT_HEAD} from './schema.js'
import {Sealer} from './seal.js'
import {BUSY_TIMEOUT_MS, JournalError, openSqlite, sqliteError, type Database, type Statement} from './sqlite.js'
import {ThreadWriter} from './thread-writer.js'
import {beforeOpen, refuseIfLost, trustJournal} from './trust.js'
import type {EventFilter, Journal, JournalBatch, JournalOptions, JournalTrust, JournalWriter, RunSummary} from './types.js'

/** Blocks listed per query when reading (their events are then read one block at a time). */
const HEADER_PAGE = 256
/**
 * In 'auto' mode, the smallest chunk worth a thread: posting and waking it costs ~50 µs, and a
 * batch of a few hundred events is written inline in well under a millisecond.
 */
const MIN_THREAD_CHUNK = 256
const WRITERS: readonly JournalWriter[] = ['auto', 'inline', 'thread']
/** ThreadWriter.check as a function made once: batch.add() calls it for every event. */
const checkThread = (t: ThreadWriter): void => t.check()

export function openJournal(options: JournalOptions): Journal {
  const readonly = options.readonly === true || options.follow === true
  if (readonly && !existsSync(options.path)) {
    throw new JournalError(`no journal at ${options.path} (the first \`rick run\` or \`rick backtest\` creates it).`, 'JOURNAL_MISSING')
  }
  const writer = writerMode(options.writer)
  const busyTimeoutMs = options.busyTimeoutMs ?? BUSY_TIMEOUT_MS
  // A writer reads the recorded head and the files' seal before anything creates or opens them.
  const before = readonly ? undefined : beforeOpen(options.path)
  if (!readonly) prepareFile(options.path)
  const db = openSqlite(options.path, readonly ? (options.follow === true ? 'follow' : 'read') : 'write', busyTimeoutMs)
  let headFile: HeadFile | undefined
  try {
    let trust: JournalTrust | undefined
    if (before === undefined) checkReadable(db, options.path)
    else {
      refuseIfLost(db, options.path, before)
      initialise(db, options.path)
      ;({trust, headFile} = trustJournal(db, options.path, before))
    }
    const journal = new SqliteJournal(db, options.path, readonly, options.batchSize ?? BATCH_SIZE, writer, busyTimeoutMs, headFile, trust)
    if (options.bulk === true && !readonly) journal.startWriter()
    return journal
  } catch (error) {
    headFile?.close()
    db.close()
    throw sqliteError(error, options.path, busyTimeoutMs)
  }
}

function writerMode(option: JournalWriter | undefined): JournalWriter {
  const value = option ?? process.env.RICK_JOURNAL_WRITER ?? 'auto'
  if (!(WRITERS as readonly string[]).includes(value)) {
    throw new JournalError(`RICK_JOURNAL_WRITER must be one of ${WRITERS.join(', ')} (found ${JSON.stringify(value)}).`, 'JOURNAL_BAD_WRITER')
  }
  return value as JournalWriter
}

/** journal_mode and synchronous of a journal's connection (2 = FULL). */
export function journalSettings(journal: Journal): {journalMode: string; synchronous: number} {
  if (!(journal instanceof SqliteJournal)) throw new TypeError('not a SQLite journal')
  return journal.settings()
}

/** What the writable open checked before it trusted the journal (undefined for a read-only one). */
export function journalTrust(journal: Journal): JournalTrust | undefined {
  if (!(journal instanceof SqliteJournal)) throw new TypeError('not a SQLite journal')
  return journal.trust
}

/** The journal's writer thread, if one is running (tests stop it to see how a dead thread is reported). */
export function journalWriterThread(journal: Journal): Worker | undefined {
  if (!(journal instanceof SqliteJournal)) throw new TypeError('not a SQLite journal')
  return journal.writerThread()
}

/**
 * A batch over the journal's one buffer. A class, not an object of closures: the engine calls add()
 * for every event, and its optimized code then depends on this class, not on one run's closure.
 */
class Batch implements JournalBatch {
  private open = true

  constructor(
    private readonly journal: SqliteJournal,
    private readonly size: number,
  ) {}

  add(e: NewEvent): void {
    if (!this.open) throw new JournalError('journal batch is closed.', 'JOURNAL_CLOSED')
    this.journal.batchAdd(e, this.size)
  }

  flush(): number {
    this.journal.batchSettle()
    return this.journal.lastSeq()
  }

  close(): void {
    if (!this.open) return
    this.open = false
    this.journal.batchSettle()
  }

  get pending(): number {
    return this.journal.batchPending()
  }
}

class SqliteJournal implements Journal {
  /** Batched events not yet handed to a writer (shared by every batch of this journal). */
  private readonly builder = new ChunkBuilder()
  private readonly statements = new Map<string, Statement>()
  private readonly head: Statement
  private readonly writeInline: ((chunks: readonly Chunk[], durable: boolean, onBlock?: (b: EncodedBlock) => void) => void) | undefined
  private thread: ThreadWriter | undefined
  /** No thread will be started again (it could not start, or mode 'inline'). */
  private noThread: boolean
  /** The writer thread's failure: every later batch operation throws it. */
  private failed: JournalError | undefined
  private closed = false
  /** The files' seal, taken for the head file after each durable commit. */
  private readonly sealer: Sealer | undefined

  constructor(
    private readonly db: Database,
    readonly path: string,
    readonly readonly: boolean,
    private readonly batchSize: number,
    private readonly mode: JournalWriter,
    private readonly busyTimeoutMs: number,
    /** The head file beside the journal (writable journals): rewritten after each durable commit. */
    private readonly headFile: HeadFile | undefined,
    readonly trust: JournalTrust | undefined,
  ) {
    this.head = db.prepare(SELECT_HEAD).raw(true)
    this.sealer = headFile === undefined ? undefined : new Sealer(path)
    this.noThread = readonly || mode === 'inline'
    if (!readonly) {
      const blocks = new BlockWriter(db)
      const tx = db.transaction((chunks: readonly Chunk[], onBlock?: (b: EncodedBlock) => void) => blocks.write(chunks, onBlock))
      // A batch's own transactions commit with synchronous=NORMAL: in WAL mode that skips the fsync
      // of each commit but never corrupts or reorders; the frames reach the disk with the next FULL
      // commit (a durable append, which writes the batch first) or checkpoint, and at close. Only
      // batched events, which carry no durability promise until the journal closes, take this path.
      const normal = db.prepare('PRAGMA synchronous = NORMAL')
      const full = db.prepare('PRAGMA synchronous = FULL')
      this.writeInline = (chunks, durable, onBlock) => {
        if (durable) {
          tx.immediate(chunks, onBlock)
          return
        }
        normal.run()
        try {
          tx.immediate(chunks, onBlock)
        } finally {
          full.run()
        }
        refreshSeal(path)
      }
    }
  }

  append<T extends EventType>(e: NewEvent<T>): JournalEvent<T> {
    const out: JournalEvent[] = []
    this.durable([e], out)
    return out[0] as JournalEvent<T>
  }

  appendMany(events: NewEvent[]): JournalEvent[] {
    const out: JournalEvent[] = []
    if (events.length > 0 || this.builder.count > 0 || this.thread !== undefined) this.durable(events, out)
    return out
  }

  batch(options: {size?: number} = {}): JournalBatch {
    this.writable()
    if (this.failed !== undefined) throw this.failed
    return new Batch(this, Math.max(1, options.size ?? this.batchSize))
  }

  /** Batch.add: buffers the event; every `size` events the chunk goes to the writer. */
  batchAdd(e: NewEvent, size: number): void {
    this.beforeBatchOp()
    this.builder.add(e)
    if (this.builder.count >= size) this.dispatch()
  }

  /** Batch.flush and Batch.close: everything buffered, committed. */
  batchSettle(): void {
    this.beforeBatchOp()
    this.settle()
  }

  /** Batch.pending: buffered here or in flight to the writer thread. */
  batchPending(): number {
    return this.builder.count + (this.thread?.inFlight ?? 0)
  }

  *events(filter: EventFilter = {}): Generator<JournalEvent> {
    this.settle()
    if (filter.types !== undefined && filter.types.length === 0) return
    let remaining = filter.limit ?? Number.POSITIVE_INFINITY
    if (remaining <= 0) return
    const reverse = filter.reverse === true
    const after = filter.afterSeq ?? 0
    const before = filter.beforeSeq ?? Number.MAX_SAFE_INTEGER
    const wanted = filter.types === undefined ? undefined : new Set<string>(filter.types)
    const where: string[] = []
    const params: Array<string | number> = []
    if (filter.runId !== undefined) {
      where.push('run_id = ?')
      params.push(filter.runId)
    }
    if (filter.sector !== undefined) {
      where.push('sector = ?')
      params.push(filter.sector)
    }
    if (filter.types !== undefined) {
      where.push('(kinds & ?) != 0')
      params.push(kindsOf(filter.types))
    }
    where.push('first_seq >= ? AND first_seq < ?')
    const page = this.statement(`SELECT first_seq FROM blocks WHERE ${where.join(' AND ')} ORDER BY first_seq ${reverse ? 'DESC' : 'ASC'} LIMIT ${HEADER_PAGE}`)
    const body = this.statement('SELECT first_seq, last_seq, run_id, sector, prev_hash, hashes, events FROM blocks WHERE first_seq = ?')
    // The block holding seq after+1 starts at or before it.
    const holding = this.guard(() => this.statement('SELECT first_seq FROM blocks WHERE first_seq <= ? ORDER BY first_seq DESC LIMIT 1').get(after + 1)) as [number] | undefined
    let low = holding?.[0] ?? 0
    let high = before
    for (;;) {
      const firsts = this.guard(() => page.all(...params, low, high)) as Array<[number]>
      for (const [first] of firsts) {
        const row = this.guard(() => body.get(first)) as BlockRow | undefined
        if (row === undefined) continue
        const events = decodeBlock(row, this.path)
        for (let k = 0; k < events.length; k++) {
          const e = events[reverse ? events.length - 1 - k : k]!
          if (e.seq <= after || e.seq >= before || (wanted !== undefined && !wanted.has(e.type))) continue
          yield e
          if (--remaining <= 0) return
        }
      }
      if (firsts.length < HEADER_PAGE) return
      const cursor = firsts[firsts.length - 1]![0]
      if (reverse) high = cursor
      else low = cursor + 1
    }
  }

  *runBlockTexts(runId: string): Generator<Uint8Array> {
    this.settle()
    const page = this.statement(`SELECT first_seq FROM blocks WHERE run_id = ? AND first_seq >= ? ORDER BY first_seq LIMIT ${HEADER_PAGE}`)
    // The bytes SQLite holds (UTF-8): no string of the whole block is made.
    const body = this.statement('SELECT CAST(events AS BLOB) FROM blocks WHERE first_seq = ?')
    let low = 0
    for (;;) {
      const firsts = this.guard(() => page.all(runId, low)) as Array<[number]>
      for (const [first] of firsts) {
        const row = this.guard(() => body.get(first)) as [Uint8Array] | undefined
        if (row !== undefined) yield row[0]
      }
      if (firsts.length < HEADER_PAGE) return
      low = firsts[firsts.length - 1]![0] + 1
    }
  }

  lastSeq(): number {
    this.settle()
    const row = this.guard(() => this.head.get()) as [number, string] | undefined
    return row === undefined ? 0 : row[0]
  }

  runs(filter: {sector?: string} = {}): RunSummary[] {
    this.settle()
    return this.guard(() => {
      // RUN_STARTED and RUN_STOPPED are blocks of one event of their own (partial index blocks_run_edges).
      const edges = this.statement(`SELECT first_seq, first_ts, run_id, sector, kinds, events FROM blocks WHERE kinds IN (${RUN_STARTED_KIND}, ${RUN_STOPPED_KIND}) ORDER BY first_seq`).all() as Array<
        [number, number, string, string, number, string]
      >
      const stopped = new Map<string, {ts: number; events: string}>()
      for (const [, ts, runId, , kinds, events] of edges) {
        if (kinds === RUN_STOPPED_KIND && !stopped.has(runId)) stopped.set(runId, {ts, events})
      }
      const last = this.statement('SELECT last_seq FROM blocks WHERE run_id = ? ORDER BY first_seq DESC LIMIT 1')
      const seen = new Set<string>()
      const out: RunSummary[] = []
      for (const [seq, ts, runId, sector, kinds] of edges) {
        if (kinds !== RUN_STARTED_KIND || seen.has(runId) || (filter.sector !== undefined && sector !== filter.sector)) continue
        seen.add(runId)
        const summary: RunSummary = {runId, sector, startedAt: ts, firstSeq: seq, lastSeq: (last.get(runId) as [number])[0]}
        const stop = stopped.get(runId)
        if (stop !== undefined) {
          summary.stoppedAt = stop.ts
          const reason = stopReason(stop.events)
          if (reason !== undefined) summary.reason = reason
        }
        out.push(summary)
      }
      return out
    })
  }

  /** The connection's durability settings (tests and `rick journal verify --debug` read them). */
  settings(): {journalMode: string; synchronous: number} {
    this.open()
    return {journalMode: this.db.pragma('journal_mode', {simple: true}) as string, synchronous: this.db.pragma('synchronous', {simple: true}) as number}
  }

  writerThread(): Worker | undefined {
    return this.thread?.thread
  }

  close(): void {
    if (this.closed) return
    let failure: unknown
    try {
      this.settle()
      if (this.thread !== undefined) this.threadCall((t) => t.close() || this.abandonThread())
    } catch (error) {
      failure = error
    } finally {
      this.thread?.stop()
      this.thread = undefined
      this.closed = true
      this.statements.clear()
      const head = this.headFile === undefined ? undefined : this.closingHead()
      this.db.close()
      // The last connection's close checkpoints and removes the -wal and -shm: a fresh look.
      this.sealer?.close()
      if (head !== undefined) this.recordHead(head[0], head[1], true)
      this.sealer?.close()
      this.headFile?.close()
    }
    if (failure !== undefined) throw failure
  }

  /**
   * The head to record at close, its events on disk: batches (this journal's, or another
   * process's) commit without an fsync, so the -wal is synced first (the head must never claim
   * what a power loss could take back).
   */
  private closingHead(): [number, string] | undefined {
    try {
      const row = this.head.get() as [number, string] | undefined
      syncFile(`${this.path}-wal`)
      return row ?? [0, GENESIS_HASH]
    } catch {
      return undefined // the head stays where the last durable commit put it
    }
  }

  /**
   * Rewrites the head file after a commit that is on disk. A failure is not an append's failure:
   * the head stays behind, and the next open, seeing the files changed, checks the whole chain.
   */
  private recordHead(seq: number, hash: string, sync: boolean): void {
    try {
      if (this.sealer !== undefined) this.headFile?.write({seq, hash, seal: this.sealer.seal()}, sync)
    } catch {
      // behind, never ahead: safe (see above)
    }
  }

  private durable(events: readonly NewEvent[], out: JournalEvent[]): void {
    this.writable()
    // Every event is checked before anything is written: a bad one leaves the journal as it was.
    const chunk = chunkOf(events)
    if (this.thread !== undefined) this.settle()
    const pending = this.builder.count
    const chunks = pending > 0 ? [this.builder.chunk(), chunk] : [chunk]
    let seen = 0
    let next = 0
    let last: EncodedBlock | undefined
    this.guard(() =>
      this.writeInline!(chunks, true, (block) => {
        last = block
        const n = block.lastSeq - block.firstSeq + 1
        // Buffered events come first (they were produced first); the appended ones are returned.
        if ((seen += n) <= pending) return
        for (let j = 0; j < n; j++) {
          const e = events[next++]!
          const hash = block.hashes.slice(j * HASH_CHARS, (j + 1) * HASH_CHARS)
          out.push({seq: block.firstSeq + j, ts: e.ts, runId: e.runId, sector: e.sector, type: e.type, payload: e.payload, prevHash: j === 0 ? block.prevHash : block.hashes.slice((j - 1) * HASH_CHARS, j * HASH_CHARS), hash})
        }
      }),
    )
    if (pending > 0) this.builder.reset()
    // Committed with synchronous=FULL: on disk, and so is every batched event before it.
    if (last !== undefined) this.recordHead(last.lastSeq, last.lastHash, false)
  }

  /** Hands the gathered chunk to the writer thread, or writes it here. */
  private dispatch(): void {
    const chunk = this.builder.chunk()
    if (this.useThread(chunk.count)) {
      if (this.threadCall((t) => t.post(chunk))) {
        this.builder.reset()
        return
      }
      this.abandonThread()
    }
    this.guard(() => this.writeInline!([chunk], false))
    this.builder.reset()
  }

  /** Everything batched so far, committed: posted to the thread and waited for, or written here. */
  private settle(): void {
    this.open()
    // Asked for a thread, even a batch smaller than one chunk goes through it.
    if (this.mode === 'thread' && this.builder.count > 0) this.useThread(this.builder.count)
    if (this.thread !== undefined) {
      const posted = this.builder.count === 0 || this.threadCall((t) => t.post(this.builder.chunk()))
      if (posted) this.builder.reset()
      if (!posted || !this.threadCall((t) => t.drain())) this.abandonThread()
    }
    if (this.builder.count > 0) {
      this.guard(() => this.writeInline!([this.builder.chunk()], false))
      this.builder.reset()
    }
  }

  /** Starts the writer thread ahead of the first chunk (JournalOptions.bulk); a no-op without one. */
  startWriter(): void {
    this.useThread(MIN_THREAD_CHUNK)
  }

  private useThread(count: number): boolean {
    if (this.thread !== undefined) return true
    if (this.noThread || (this.mode === 'auto' && count < MIN_THREAD_CHUNK)) return false
    this.thread = ThreadWriter.start(this.path, this.busyTimeoutMs, () => this.builder.count)
    if (this.thread === undefined) {
      this.noThread = true
      if (this.mode === 'thread') this.unavailable('no writer module to run: rick is running from its sources, or its build has no writer-thread.js')
    }
    return this.thread !== undefined
  }

  /**
   * The thread could not start: what was posted to it is written here, in order, and from now on
   * too; except in mode 'thread', which asks for a thread: there the batch fails with the reason.
   */
  private abandonThread(): boolean {
    const why = this.thread?.startFailure() ?? 'no writer module to run'
    const unwritten = this.thread?.takeUnwritten() ?? []
    this.thread = undefined
    this.noThread = true
    if (unwritten.length > 0) this.guard(() => this.writeInline!(unwritten, false))
    if (this.mode === 'thread') this.unavailable(why)
    return true
  }

  private unavailable(why: string): never {
    const lost = this.builder.count
    this.builder.reset()
    this.failed = new JournalError(
      `the journal writer thread could not start (${why}); ${lost} batched event(s) were not written. Set RICK_JOURNAL_WRITER=inline (or auto) to write batches on the calling thread.`,
      'JOURNAL_WRITER_UNAVAILABLE',
    )
    throw this.failed
  }

  /**
   * A call into the thread; its failure is thrown here once for the journal, and for good for the
   * batch (events after lost ones would be out of order): what is buffered is dropped with it.
   */
  private threadCall<R>(fn: (thread: ThreadWriter) => R): R {
    try {
      return fn(this.thread!)
    } catch (error) {
      if (error instanceof JournalError) {
        this.failed = error
        this.thread?.stop()
        this.thread = undefined
        this.noThread = true
        this.builder.reset()
      }
      throw error
    }
  }

  private beforeBatchOp(): void {
    this.writable()
    if (this.failed !== undefined) throw this.failed
    if (this.thread !== undefined) this.threadCall(checkThread)
  }

  private statement(sql: string): Statement {
    let stmt = this.statements.get(sql)
    if (stmt === undefined) {
      stmt = this.db.prepare(sql).raw(true)
      this.statements.set(sql, stmt)
    }
    return stmt
  }

  private guard<R>(fn: () => R): R {
    try {
      return fn()
    } catch (error) {
      throw sqliteError(error, this.path, this.busyTimeoutMs)
    }
  }

  private open(): void {
    if (this.closed) throw new JournalError(`the journal ${this.path} is closed.`, 'JOURNAL_CLOSED')
  }

  private writable(): void {
    this.open()
    if (this.readonly) throw new JournalError(`the journal ${this.path} was opened read-only.`, 'JOURNAL_READONLY')
  }
}

/** fsync a file if it exists (the -wal at close). */
function syncFile(path: string): void {
  let fd: number
  try {
    fd = openSync(path, 'r')
  } catch {
    return
  }
  try {
    fsyncSync(fd)
  } finally {
    closeSync(fd)
  }
}

/** The reason of a RUN_STOPPED block (`[[ts,"RUN_STOPPED",{…}]]`), if it says one. */
function stopReason(events: string): RunSummary['reason'] | undefined {
  try {
    const reason = (JSON.parse(events) as Array<[number, string, {reason?: unknown}]>)[0]?.[2]?.reason
    return typeof reason === 'string' ? (reason as RunSummary['reason']) : undefined
  } catch {
    return undefined
  }
}
