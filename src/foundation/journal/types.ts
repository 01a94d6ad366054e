// The journal's public surface: what writers, readers and `verify` exchange. Kept apart from the
// store so that commands and the engine can depend on the shapes without pulling in SQLite.
import type {EventType, JournalEvent, NewEvent, RunStoppedPayload} from './events.js'

/**
 * Who writes a batch's chunks: `auto` a writer thread for chunks of a few hundred events or more
 * when one can start, else the calling thread; `inline` always the calling thread; `thread` a
 * writer thread for every chunk. Seqs, hashes and stored bytes are the same either way.
 */
export type JournalWriter = 'auto' | 'inline' | 'thread'

export interface JournalOptions {
  /** The SQLite file; created (folder 0700, file 0600) unless `readonly`. */
  path: string
  /**
   * Open for reading only (tail, export, reports): never creates, never writes, and leaves no file
   * next to the journal (no -wal, no -shm: a read-only folder is enough).
   */
  readonly?: boolean
  /**
   * Read-only, and watching for events other processes append (`journal tail --follow`): SQLite's
   * shared read mode, which needs (and may create) the -wal and -shm files.
   */
  follow?: boolean
  /** Events a batch buffers before it writes them in one transaction (default BATCH_SIZE). */
  batchSize?: number
  /** Default: RICK_JOURNAL_WRITER, else `auto`. */
  writer?: JournalWriter
  /** How long a write waits for another writer's lock before it fails with JOURNAL_BUSY (default 10 s). */
  busyTimeoutMs?: number
  /**
   * The caller is about to write a large batch (a long backtest): the writer thread starts now,
   * while the caller prepares, instead of at the first chunk (it takes ~40 ms to start). Ignored
   * in `inline` mode and read-only.
   */
  bulk?: boolean
}

export interface EventFilter {
  runId?: string
  sector?: string
  types?: EventType[]
  /** Only events with seq > afterSeq. */
  afterSeq?: number
  /** Only events with seq < beforeSeq. */
  beforeSeq?: number
  /** At most this many events. */
  limit?: number
  /** Newest first. */
  reverse?: boolean
}

/** A run as the journal knows it: from its RUN_STARTED to its RUN_STOPPED (if any). */
export interface RunSummary {
  runId: string
  sector: string
  /** ts of RUN_STARTED (engine clock, epoch ms). */
  startedAt: number
  /** ts of RUN_STOPPED; absent while the run is going on or when it was interrupted. */
  stoppedAt?: number
  reason?: RunStoppedPayload['reason']
  /** seq of RUN_STARTED and of the run's last event so far. */
  firstSeq: number
  lastSeq: number
}

/**
 * Buffered appends for bulk writers (backtests). Events get their seq and hash when they are
 * written: every `size` events (on the journal's writer thread, if it has one), and at the latest
 * on flush(), on close(), before any durable append and before any read on the same Journal, which
 * all wait until everything added before is committed. Until then they are only in memory. A
 * failure of the writer thread is thrown by the next add(), flush() or close() (and once by the
 * next read or append); later batch calls keep throwing it.
 */
export interface JournalBatch {
  /** Validates the event and takes its payload's canonical JSON now (throws JOURNAL_BAD_EVENT); writes later. */
  add<T extends EventType>(e: NewEvent<T>): void
  /** Writes what is buffered in one transaction; returns the journal's last seq. */
  flush(): number
  /** Flushes; later add() calls throw. */
  close(): void
  /** Events buffered and not yet written. */
  readonly pending: number
}

/**
 * What a writable open checked before it trusted the journal: `incremental`, only the events after
 * the head it recorded last (nothing but rick wrote the files since); `full`, the whole chain (the
 * files changed outside rick, or there was no head yet); `new`, an empty journal.
 */
export interface JournalTrust {
  checked: 'new' | 'incremental' | 'full'
  /** Events whose hashes were recomputed. */
  events: number
  /** The chain's head as verified: where appends continue. */
  lastSeq: number
}

export interface Journal {
  readonly path: string
  readonly readonly: boolean
  /**
   * Durable: committed with synchronous=FULL (on disk) before it returns. Flushes a pending batch
   * first, in the same transaction. The returned event's payload is the object passed in.
   */
  append<T extends EventType>(e: NewEvent<T>): JournalEvent<T>
  /** All in one durable transaction, in order. */
  appendMany(events: NewEvent[]): JournalEvent[]
  batch(options?: {size?: number}): JournalBatch
  /** Lazy: reads in pages, so appending while iterating is allowed. Ascending seq unless `reverse`. */
  events(filter?: EventFilter): Iterable<JournalEvent>
  /**
   * The events text of each block of a run (UTF-8 bytes, `[[ts,"TYPE",payload],…]`), in seq order,
   * for readers that need the payloads' exact text (runHash). Optional: journals without blocks
   * leave it out, and those readers decode events().
   */
  runBlockTexts?(runId: string): Iterable<Uint8Array>
  /** Highest seq written (0 for an empty journal). */
  lastSeq(): number
  /** Runs by their RUN_STARTED, oldest first. */
  runs(filter?: {sector?: string}): RunSummary[]
  /** Flushes a pending batch and closes the database. */
  close(): void
}

export type VerifyCode = 'seq-gap' | 'prev-hash-break' | 'hash-mismatch' | 'bad-json' | 'bad-row' | 'missing-triggers' | 'truncated' | 'head-mismatch'

export interface VerifyResult {
  ok: boolean
  path: string
  /** Events checked. */
  events: number
  lastSeq: number
  /** Hash stored in the last event (the head of the chain, as the journal says); genesis zeros when empty. */
  lastHash: string
  /** The first event that does not check out. */
  firstBadSeq?: number
  code?: VerifyCode
  reason?: string
  /** Whether the store still refuses UPDATE and DELETE (its triggers are present and intact). */
  triggersOk: boolean
  /** Runs with RUN_STARTED and no RUN_STOPPED: still running, or interrupted (crash, SIGKILL). */
  interruptedRuns: string[]
  /**
   * The head recorded beside the journal (journal.db.head): how far rick knows the journal went.
   * null: no head file (a journal of a rick before them; the next writer records one). Absent for
   * a schema-1 journal.
   */
  head?: {path: string; seq: number; hash: string} | null
}
