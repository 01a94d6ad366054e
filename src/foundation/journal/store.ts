// The SQLite store behind the Journal interface. One connection per Journal; several processes
// (one engine per sector) may write the same file: every write transaction takes the write lock
// (BEGIN IMMEDIATE) and reads the head of the chain inside it, so seqs stay contiguous and the
// chain linked whoever writes.
import {chmodSync, closeSync, existsSync, mkdirSync, openSync} from 'node:fs'
import {dirname} from 'node:path'

import {canonicalJson} from '../canonical.js'
import {ExitCode} from '../errors.js'
import {EVENT_TYPES, type EventType, type JournalEvent, type NewEvent} from './events.js'
import {eventHash} from './hash.js'
import {APPLICATION_ID, BATCH_SIZE, CREATE_TABLES, EVENT_COLUMNS, GENESIS_HASH, INSERT_EVENT, SCHEMA_VERSION, SELECT_HEAD, TRIGGERS} from './schema.js'
import {JournalError, openSqlite, sqliteError, type Database, type Statement} from './sqlite.js'
import type {EventFilter, Journal, JournalBatch, JournalOptions, RunSummary} from './types.js'

/** Rows per page when reading: bounds memory and lets writers interleave with a long read. */
const PAGE = 512
const KNOWN_TYPES: ReadonlySet<string> = new Set(EVENT_TYPES)

type EventRow = [seq: number, ts: number, runId: string, sector: string, type: string, payload: string, prevHash: string, hash: string]

export function openJournal(options: JournalOptions): Journal {
  const readonly = options.readonly === true
  if (readonly && !existsSync(options.path)) {
    throw new JournalError(`no journal at ${options.path} (the first \`rick run\` or \`rick backtest\` creates it).`, 'JOURNAL_MISSING')
  }
  if (!readonly) prepareFile(options.path)
  const db = openSqlite(options.path, readonly)
  try {
    if (readonly) checkIsJournal(db, options.path)
    else initialise(db, options.path)
    return new SqliteJournal(db, options.path, readonly, options.batchSize ?? BATCH_SIZE)
  } catch (error) {
    db.close()
    throw sqliteError(error, options.path)
  }
}

/** Folder 0700 and file 0600 before SQLite touches them (its -wal and -shm take the file's mode). */
function prepareFile(path: string): void {
  mkdirSync(dirname(path), {recursive: true, mode: 0o700})
  if (!existsSync(path)) {
    try {
      closeSync(openSync(path, 'wx', 0o600))
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw new JournalError(`cannot create the journal ${path}: ${(error as Error).message}`, 'JOURNAL_UNREADABLE')
    }
  }
  try {
    chmodSync(path, 0o600)
  } catch {
    // Not ours to change (another user's file opened read-write through group rights): leave it.
  }
}

function checkIsJournal(db: Database, path: string): void {
  const appId = db.pragma('application_id', {simple: true}) as number
  const hasEvents = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'events'").get() !== undefined
  if (appId !== APPLICATION_ID || !hasEvents) {
    throw new JournalError(`${path} is a SQLite database but not a rick journal.`, 'JOURNAL_NOT_RICK')
  }
}

function initialise(db: Database, path: string): void {
  db.pragma('journal_mode = WAL')
  // FULL: in WAL mode the log is fsync'd at every commit, so a returned append is on disk.
  db.pragma('synchronous = FULL')
  db.transaction(() => {
    const version = db.pragma('user_version', {simple: true}) as number
    if (version === 0) {
      const tables = db.prepare("SELECT count(*) FROM sqlite_master WHERE name NOT LIKE 'sqlite_%'").pluck().get() as number
      if (tables > 0) throw new JournalError(`${path} is a SQLite database but not a rick journal.`, 'JOURNAL_NOT_RICK')
      db.exec(CREATE_TABLES)
      for (const sql of Object.values(TRIGGERS)) db.exec(sql)
      db.pragma(`application_id = ${APPLICATION_ID}`)
      db.pragma(`user_version = ${SCHEMA_VERSION}`)
      return
    }
    checkIsJournal(db, path)
    if (version > SCHEMA_VERSION) {
      throw new JournalError(`${path} was written by a newer rick (journal schema ${version}; this rick knows ${SCHEMA_VERSION}).`, 'JOURNAL_NEWER')
    }
    const broken = triggerProblems(db)
    if (broken.length > 0) {
      throw new JournalError(
        `the journal ${path} no longer refuses changes: trigger ${broken.join(', ')} missing or altered. It may have been edited; run \`rick journal verify\` and keep a copy before writing to it again.`,
        'JOURNAL_TAMPERED',
      )
    }
  }).immediate()
}

/** Names of append-only triggers that are missing or differ from what rick created. */
export function triggerProblems(db: Database): string[] {
  const rows = db.prepare("SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'events'").all() as Array<{name: string; sql: string}>
  const found = new Map(rows.map((r) => [r.name, r.sql]))
  return Object.entries(TRIGGERS)
    .filter(([name, sql]) => found.get(name) !== sql)
    .map(([name]) => name)
}

/** journal_mode and synchronous of a journal's connection (2 = FULL). */
export function journalSettings(journal: Journal): {journalMode: string; synchronous: number} {
  if (!(journal instanceof SqliteJournal)) throw new TypeError('not a SQLite journal')
  return journal.settings()
}

function badEvent(e: NewEvent, why: string): JournalError {
  return new JournalError(`cannot journal ${String(e?.type)} event: ${why}.`, 'JOURNAL_BAD_EVENT', ExitCode.Failure)
}

function payloadText(e: NewEvent): string {
  if (!KNOWN_TYPES.has(e.type)) throw badEvent(e, `unknown type (expected one of ${EVENT_TYPES.join(', ')})`)
  if (!Number.isSafeInteger(e.ts)) throw badEvent(e, `ts must be integer epoch ms, found ${String(e.ts)}`)
  if (typeof e.runId !== 'string' || e.runId === '') throw badEvent(e, 'runId must be a non-empty string')
  if (typeof e.sector !== 'string' || e.sector === '') throw badEvent(e, 'sector must be a non-empty string')
  if (e.payload === null || typeof e.payload !== 'object') throw badEvent(e, 'payload must be an object')
  try {
    return canonicalJson(e.payload)
  } catch (error) {
    throw badEvent(e, `payload is not JSON (${(error as Error).message})`)
  }
}

class SqliteJournal implements Journal {
  // Buffered events and their payload text, side by side (no wrapper object per event). The text
  // is taken when the event is added: a bad payload fails in the producer's add() call, not in a
  // later flush, and a payload object mutated after add() is journaled as it was.
  private readonly pending: NewEvent[] = []
  private readonly pendingJson: string[] = []
  private readonly statements = new Map<string, Statement>()
  private readonly insert: Statement | undefined
  private readonly head: Statement
  private readonly writePending: (() => void) | undefined
  private readonly writeWithPending: ((events: readonly NewEvent[], json: readonly string[], out: JournalEvent[]) => void) | undefined
  private closed = false

  constructor(
    private readonly db: Database,
    readonly path: string,
    readonly readonly: boolean,
    private readonly batchSize: number,
  ) {
    this.head = db.prepare(SELECT_HEAD).raw(true)
    if (!readonly) {
      this.insert = db.prepare(INSERT_EVENT)
      const pendingTx = db.transaction(() => this.writeRows(this.pending, this.pendingJson, undefined))
      // A batch's own transactions commit with synchronous=NORMAL: in WAL mode that skips the fsync
      // of each commit (~5 ms here, half of a backtest's journal time) but never corrupts or
      // reorders; the frames reach the disk with the next FULL commit (a durable append, which
      // flushes the batch first) or checkpoint, and at close. Only buffered events, which carry no
      // durability promise until the journal closes, take this path; appends stay FULL.
      const normal = db.prepare('PRAGMA synchronous = NORMAL')
      const full = db.prepare('PRAGMA synchronous = FULL')
      this.writePending = () => {
        normal.run()
        try {
          pendingTx.immediate()
        } finally {
          full.run()
        }
      }
      const withPendingTx = db.transaction((events: readonly NewEvent[], json: readonly string[], out: JournalEvent[]) => {
        // Buffered events first: they were produced first, so they take the lower seqs.
        if (this.pending.length > 0) this.writeRows(this.pending, this.pendingJson, undefined)
        this.writeRows(events, json, out)
      })
      this.writeWithPending = (events, json, out) => withPendingTx.immediate(events, json, out)
    }
  }

  append<T extends EventType>(e: NewEvent<T>): JournalEvent<T> {
    const out: JournalEvent[] = []
    this.durable([e], out)
    return out[0] as JournalEvent<T>
  }

  appendMany(events: NewEvent[]): JournalEvent[] {
    const out: JournalEvent[] = []
    if (events.length > 0 || this.pending.length > 0) this.durable(events, out)
    return out
  }

  batch(options: {size?: number} = {}): JournalBatch {
    this.writable()
    const size = Math.max(1, options.size ?? this.batchSize)
    let open = true
    const self = this
    return {
      add(e) {
        if (!open) throw new JournalError('journal batch is closed.', 'JOURNAL_CLOSED')
        self.writable()
        const json = payloadText(e)
        self.pendingJson.push(json)
        if (self.pending.push(e) >= size) self.flushPending()
      },
      flush() {
        self.flushPending()
        return self.lastSeq()
      },
      close() {
        if (open) self.flushPending()
        open = false
      },
      get pending() {
        return self.pending.length
      },
    }
  }

  *events(filter: EventFilter = {}): Generator<JournalEvent> {
    this.flushPending()
    const reverse = filter.reverse === true
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
      if (filter.types.length === 0) return
      where.push(`type IN (${filter.types.map(() => '?').join(', ')})`)
      params.push(...filter.types)
    }
    where.push('seq > ? AND seq < ?')
    const sql = `SELECT ${EVENT_COLUMNS} FROM events WHERE ${where.join(' AND ')} ORDER BY seq ${reverse ? 'DESC' : 'ASC'} LIMIT ?`
    const stmt = this.statement(sql)
    let low = filter.afterSeq ?? 0
    let high = filter.beforeSeq ?? Number.MAX_SAFE_INTEGER
    let remaining = filter.limit ?? Number.POSITIVE_INFINITY
    while (remaining > 0) {
      const page = Math.min(PAGE, remaining)
      const rows = this.guard(() => stmt.all(...params, low, high, page)) as EventRow[]
      for (const row of rows) yield toEvent(row, this.path)
      if (rows.length < page) return
      remaining -= rows.length
      const cursor = rows[rows.length - 1]![0]
      if (reverse) high = cursor
      else low = cursor
    }
  }

  lastSeq(): number {
    this.flushPending()
    const row = this.guard(() => this.head.get()) as [number, string] | undefined
    return row === undefined ? 0 : row[0]
  }

  runs(filter: {sector?: string} = {}): RunSummary[] {
    this.flushPending()
    return this.guard(() => {
      const bySector = filter.sector !== undefined
      const started = this.statement(`SELECT seq, ts, run_id, sector FROM events WHERE type = 'RUN_STARTED'${bySector ? ' AND sector = ?' : ''} ORDER BY seq`)
      const startRows = (bySector ? started.all(filter.sector) : started.all()) as Array<[number, number, string, string]>
      const stopped = new Map<string, {ts: number; payload: string}>()
      for (const [runId, ts, payload] of this.statement("SELECT run_id, ts, payload FROM events WHERE type = 'RUN_STOPPED' ORDER BY seq").all() as Array<[string, number, string]>) {
        if (!stopped.has(runId)) stopped.set(runId, {ts, payload})
      }
      const last = this.statement('SELECT max(seq) FROM events WHERE run_id = ?')
      const seen = new Set<string>()
      const out: RunSummary[] = []
      for (const [seq, ts, runId, sector] of startRows) {
        if (seen.has(runId)) continue
        seen.add(runId)
        const summary: RunSummary = {runId, sector, startedAt: ts, firstSeq: seq, lastSeq: (last.get(runId) as [number])[0]}
        const stop = stopped.get(runId)
        if (stop !== undefined) {
          summary.stoppedAt = stop.ts
          const reason = parsePayload(stop.payload)?.reason
          if (typeof reason === 'string') summary.reason = reason as RunSummary['reason']
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

  close(): void {
    if (this.closed) return
    try {
      this.flushPending()
    } finally {
      this.closed = true
      this.statements.clear()
      this.db.close()
    }
  }

  private durable(events: readonly NewEvent[], out: JournalEvent[]): void {
    this.writable()
    const json = events.map(payloadText)
    this.guard(() => this.writeWithPending!(events, json, out))
    this.pending.length = 0
    this.pendingJson.length = 0
  }

  private flushPending(): void {
    this.open()
    if (this.pending.length === 0) return
    this.guard(() => this.writePending!())
    this.pending.length = 0
    this.pendingJson.length = 0
  }

  /** Inside a write transaction: assigns seqs and hashes from the current head and inserts. */
  private writeRows(events: readonly NewEvent[], json: readonly string[], out: JournalEvent[] | undefined): void {
    const head = this.head.get() as [number, string] | undefined
    let seq = head === undefined ? 0 : head[0]
    let prevHash = head === undefined ? GENESIS_HASH : head[1]
    const insert = this.insert!
    for (let i = 0; i < events.length; i++) {
      const e = events[i]!
      const payload = json[i]!
      seq++
      const hash = eventHash(seq, e.ts, e.runId, e.sector, e.type, payload, prevHash)
      insert.run(seq, e.ts, e.runId, e.sector, e.type, payload, prevHash, hash)
      if (out !== undefined) out.push({seq, ts: e.ts, runId: e.runId, sector: e.sector, type: e.type, payload: e.payload, prevHash, hash})
      prevHash = hash
    }
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
      throw sqliteError(error, this.path)
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

function parsePayload(text: string): Record<string, unknown> | undefined {
  try {
    const value = JSON.parse(text) as unknown
    return value !== null && typeof value === 'object' ? (value as Record<string, unknown>) : undefined
  } catch {
    return undefined
  }
}

function toEvent(row: EventRow, path: string): JournalEvent {
  let payload: unknown
  try {
    payload = JSON.parse(row[5])
  } catch {
    throw new JournalError(`the journal ${path} holds an unreadable payload at seq ${row[0]}; run \`rick journal verify\`.`, 'JOURNAL_CORRUPT')
  }
  return {seq: row[0], ts: row[1], runId: row[2], sector: row[3], type: row[4] as EventType, payload: payload as JournalEvent['payload'], prevHash: row[6], hash: row[7]}
}
