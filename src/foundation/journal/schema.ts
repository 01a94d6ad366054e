// The journal's tables and the triggers that make it append-only. The triggers live in the
// database file itself, so every writer (rick, a sqlite3 shell, another program) is held to them;
// `verify` checks they are still there and unchanged.

/** prevHash of the first event. */
export const GENESIS_HASH = '0'.repeat(64)

/** Events a batch writes per transaction. Measured in bench/journal.mjs: past ~1,000 events the
 * per-transaction fsync is noise and larger batches only hold more in memory. */
export const BATCH_SIZE = 1000

/** PRAGMA application_id: 'rick' in ASCII, so a journal is recognisable as one. */
export const APPLICATION_ID = 0x7269636b
export const SCHEMA_VERSION = 1

export const CREATE_TABLES = `
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

/**
 * name -> exact SQL, as sqlite_master keeps it. Inserts are not policed by a trigger: rick's
 * writers assign seq and prevHash inside BEGIN IMMEDIATE, `verify` catches any other writer that
 * breaks the chain, and a BEFORE INSERT trigger cost ~25% of batched insert throughput.
 */
export const TRIGGERS: Readonly<Record<string, string>> = {
  events_no_update: `CREATE TRIGGER events_no_update BEFORE UPDATE ON events
BEGIN SELECT RAISE(ABORT, 'journal is append-only: UPDATE refused'); END`,
  events_no_delete: `CREATE TRIGGER events_no_delete BEFORE DELETE ON events
BEGIN SELECT RAISE(ABORT, 'journal is append-only: DELETE refused'); END`,
}

export const INSERT_EVENT = 'INSERT INTO events (seq, ts, run_id, sector, type, payload, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?)'
export const SELECT_HEAD = 'SELECT seq, hash FROM events ORDER BY seq DESC LIMIT 1'
/** Column order of raw event rows everywhere. */
export const EVENT_COLUMNS = 'seq, ts, run_id, sector, type, payload, prev_hash, hash'
