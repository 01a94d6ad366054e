// Throw-away journals and event factories for the journal tests.
import Database from 'better-sqlite3'
import {mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync} from 'node:fs'
import {createRequire} from 'node:module'
import {tmpdir} from 'node:os'
import {dirname, join} from 'node:path'
import {pathToFileURL} from 'node:url'

import {canonicalJson} from '../../../src/foundation/canonical.js'
import {eventHash, GENESIS_HASH, type NewEvent} from '../../../src/foundation/journal/index.js'
import {registerWriterModule} from '../../../src/foundation/journal/writer-location.js'

const created: string[] = []

export function tempDir(prefix = 'rick-journal-'): string {
  const dir = realpathSync(mkdtempSync(join(tmpdir(), prefix)))
  created.push(dir)
  return dir
}

/** A path for a journal that does not exist yet (its folder does not either). */
export function journalPath(): string {
  return join(tempDir(), 'home', 'journal.db')
}

export function removeTempDirs(): void {
  for (const dir of created.splice(0)) rmSync(dir, {recursive: true, force: true})
}

export const T0 = Date.UTC(2025, 2, 3, 14, 30)

export function logEvent(i: number, runId = 'run-a', sector = 'oanda'): NewEvent<'STRATEGY_LOG'> {
  return {ts: T0 + i * 60_000, runId, sector, type: 'STRATEGY_LOG', payload: {message: `event ${i}`}}
}

export function barEvent(i: number, runId = 'run-a', sector = 'coinbase'): NewEvent<'BAR'> {
  const ts = T0 + i * 60_000
  return {ts, runId, sector, type: 'BAR', payload: {instrument: 'BTC-USD', ts, open: 60_000 + i, high: 60_010.25 + i, low: 59_990.75 + i, close: 60_005.5 + i, volume: 12.5}}
}

export function runStarted(runId: string, sector: string, i = 0): NewEvent<'RUN_STARTED'> {
  return {
    ts: T0 + i * 60_000,
    runId,
    sector,
    type: 'RUN_STARTED',
    payload: {
      requestedMode: 'paper',
      effectiveMode: 'paper',
      venue: 'paper',
      environment: 'paper',
      profile: 'moderate',
      charter: {allow: true},
      snapshot: null,
      configHash: 'c0ffee',
      strategy: {name: 'sma-cross', codeHash: 'beef', params: {fast: 10, slow: 50}},
      inputs: {kind: 'synthetic', seed: 7, instruments: ['EUR_USD'], startTs: T0, periodMs: 60_000},
      seed: 7,
      limits: {maxPositions: 1},
      version: '0.1.0',
      notices: [],
    },
  }
}

export function runStopped(runId: string, sector: string, i: number, reason: 'signal' | 'data-exhausted' = 'signal'): NewEvent<'RUN_STOPPED'> {
  return {
    ts: T0 + i * 60_000,
    runId,
    sector,
    type: 'RUN_STOPPED',
    payload: {reason, barsProcessed: i, summary: {trades: 0, fills: 0, denials: 0, realizedPnl: 0, fees: 0, equity: 1_000_000_000}},
  }
}

/** A raw second connection, as a tamperer (or a sqlite3 shell) would have. */
export function rawConnection(path: string): Database.Database {
  return new Database(path)
}

/** Runs SQL on a second connection with the append-only triggers dropped, then puts them back. */
export function tamper(path: string, edit: (raw: Database.Database) => void, restoreTriggers = true): void {
  const raw = rawConnection(path)
  const triggers = raw.prepare("SELECT sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'blocks'").pluck().all() as string[]
  raw.exec('DROP TRIGGER IF EXISTS blocks_no_update; DROP TRIGGER IF EXISTS blocks_no_delete')
  edit(raw)
  if (restoreTriggers) for (const sql of triggers) raw.exec(sql)
  raw.close()
}

/** Block rows of a journal, whole, in seq order (what two journals must agree on byte for byte). */
export function blockRows(path: string): unknown[] {
  const raw = new Database(path, {readonly: true})
  const rows = raw.prepare('SELECT * FROM blocks ORDER BY first_seq').all()
  raw.close()
  return rows
}

/** [first_seq, last_seq, number of events] of every block. */
export function blockShape(path: string): Array<[number, number, string]> {
  const raw = new Database(path, {readonly: true})
  const rows = raw.prepare('SELECT first_seq, last_seq, run_id FROM blocks ORDER BY first_seq').raw(true).all() as Array<[number, number, string]>
  raw.close()
  return rows
}

// Schema 1, exactly as rick wrote it before journal blocks (one row per event). Written here from
// scratch, not taken from src/, so the upgrade is tested against the real old format.
const V1_DDL = `
CREATE TABLE IF NOT EXISTS events (
  seq INTEGER PRIMARY KEY,
  ts INTEGER NOT NULL,
  run_id TEXT NOT NULL,
  sector TEXT NOT NULL,
  type TEXT NOT NULL,
  payload TEXT NOT NULL,
  prev_hash TEXT NOT NULL,
  hash TEXT NOT NULL
) STRICT;
CREATE INDEX IF NOT EXISTS events_run_seq ON events (run_id, seq);
CREATE INDEX IF NOT EXISTS events_sector_seq ON events (sector, seq);
CREATE INDEX IF NOT EXISTS events_type ON events (type);
`
const V1_TRIGGERS = [
  `CREATE TRIGGER events_no_update BEFORE UPDATE ON events
BEGIN SELECT RAISE(ABORT, 'journal is append-only: UPDATE refused'); END`,
  `CREATE TRIGGER events_no_delete BEFORE DELETE ON events
BEGIN SELECT RAISE(ABORT, 'journal is append-only: DELETE refused'); END`,
]

export type V1Row = [seq: number, ts: number, runId: string, sector: string, type: string, payload: string, prevHash: string, hash: string]

/** A schema-1 journal file holding these events (chained from genesis); returns its rows. */
export function schema1Journal(path: string, events: readonly NewEvent[]): V1Row[] {
  mkdirSync(dirname(path), {recursive: true, mode: 0o700})
  const db = new Database(path)
  db.pragma('journal_mode = WAL')
  db.exec(V1_DDL)
  for (const sql of V1_TRIGGERS) db.exec(sql)
  db.pragma(`application_id = ${0x7269636b}`)
  db.pragma('user_version = 1')
  const insert = db.prepare('INSERT INTO events (seq, ts, run_id, sector, type, payload, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?)')
  const rows: V1Row[] = []
  let prev = GENESIS_HASH
  db.transaction(() => {
    events.forEach((e, i) => {
      const payload = canonicalJson(e.payload)
      const hash = eventHash(i + 1, e.ts, e.runId, e.sector, e.type, payload, prev)
      const row: V1Row = [i + 1, e.ts, e.runId, e.sector, e.type, payload, prev, hash]
      insert.run(...row)
      rows.push(row)
      prev = hash
    })
  })()
  db.close()
  return rows
}

/** The three events of an order as a backtest writes them (the shapes hot-payloads.ts writes), by `k`. */
export function orderEvent(i: number, k: number, runId = 'run-a', sector = 'oanda'): NewEvent {
  const ts = T0 + i * 60_000
  const id = `${sector}-bt-${runId}-${i}`
  if (k % 3 === 0) {
    const order = {clientOrderId: id, instrument: 'EUR_USD', side: i % 2 ? ('sell' as const) : ('buy' as const), type: 'limit' as const, qty: 1000 + i, limitPrice: 1.08 + i / 1e5, tif: 'gtc' as const}
    return {ts, runId, sector, type: 'ORDER_INTENT', payload: {order: i % 5 === 0 ? {...order, bracket: {stopLoss: 1.07, takeProfit: 1.09}, reduceOnly: true} : order, reason: `sma cross "${i}" ✓`}}
  }
  if (k % 3 === 1) return {ts, runId, sector, type: 'ORDER_ACK', payload: {clientOrderId: id, venueOrderId: `paper-${i}`}}
  return {ts, runId, sector, type: 'FILL', payload: {fill: {clientOrderId: id, venueOrderId: `paper-${i}`, fillId: `paper-${i}-1`, instrument: 'EUR_USD', side: 'buy', qty: 1000 + i, price: 1.0812 + i / 1e5, fee: 21_630 + i, liquidity: 'taker', ts}}}
}

/** A mixed workload: two runs in two sectors, starts and stops, many events of several types. */
export function mixedEvents(n: number): NewEvent[] {
  const out: NewEvent[] = [runStarted('run-a', 'oanda', 0), runStarted('run-b', 'coinbase', 0)]
  for (let i = 1; i <= n; i++) {
    const runId = i % 7 < 5 ? 'run-a' : 'run-b'
    const sector = runId === 'run-a' ? 'oanda' : 'coinbase'
    const k = i % 10
    out.push(k < 6 ? orderEvent(i, k, runId, sector) : k < 8 ? barEvent(i, runId, sector) : {...logEvent(i, runId, sector), payload: {message: `event ${i} ✓ "quoted"\n`}})
    if (i === Math.floor(n / 2)) out.push(runStopped('run-b', 'coinbase', i), runStarted('run-c', 'coinbase', i))
  }
  out.push(runStopped('run-a', 'oanda', n + 1))
  return out
}

/**
 * Lets journals opened from the TypeScript sources start the real writer thread: the thread loads
 * src/foundation/journal/writer-thread.ts through tsx's loader. Returns a function that undoes it.
 */
export function useSourceWriterThread(): () => void {
  // tsx's ESM entry (its CommonJS one does not load in a thread's bootstrap).
  const tsxPackage = createRequire(import.meta.url).resolve('tsx/package.json')
  const exported = (JSON.parse(readFileSync(tsxPackage, 'utf8')) as {exports: Record<string, {import: string | {default: string}}>}).exports['./esm/api']!.import
  const loader = pathToFileURL(join(dirname(tsxPackage), typeof exported === 'string' ? exported : exported.default)).href
  registerWriterModule({url: new URL('../../../src/foundation/journal/writer-thread.ts', import.meta.url), loader})
  return () => registerWriterModule(undefined)
}
