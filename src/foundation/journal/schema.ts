// The journal's tables, the view that shows them one event per row, and the triggers that make
// them append-only. The triggers live in the database file itself, so every writer (rick, a
// sqlite3 shell, another program) is held to them; `verify` checks they are still there and
// unchanged.
//
// Schema 2 stores events in BLOCKS: consecutive events of one (run, sector), one row per block.
// A row per event cost ~3-4.4 µs per event in SQLite alone (B-tree insert, three indexes); a block
// of 2,048 events is one insert, and the per-event work left is the hash and the bytes themselves.
import {EVENT_TYPES, type EventType} from './events.js'

/** prevHash of the first event. */
export const GENESIS_HASH = '0'.repeat(64)

/**
 * Events a batch gathers before they are written (one transaction, one block per run/sector), on
 * the writer thread when there is one. Measured with 80,576 backtest-shaped events: 1,024, 2,048
 * and 4,096 cost the writer the same (within 3%); 2,048 keeps a block ~400 KB and the last chunk,
 * written after the producer stops, short.
 */
export const BATCH_SIZE = 2048

/**
 * SQLite page size of a new journal. Blocks are hundreds of KB: with 32 KiB pages a block is a
 * dozen overflow pages instead of ~100, and a 1M-bar backtest's 20 MB went into the file in 38 ms
 * instead of 88-108 ms with 4 KiB pages; durable appends were not slower (3,900/s against 3,700 with
 * 16 KiB; 64 KiB pages made them ~25% slower). Measured with .scratch/pg.mjs and pg2.mjs.
 */
export const PAGE_SIZE = 32_768

/** The largest block any writer makes (bounds what a reader holds in memory at once). */
export const MAX_BLOCK_EVENTS = 4096

/** PRAGMA application_id: 'rick' in ASCII, so a journal is recognisable as one. */
export const APPLICATION_ID = 0x7269636b
export const SCHEMA_VERSION = 2

/**
 * Characters of one event's hash in `blocks.hashes` (sha256, hex, as the chain uses it). Stored
 * raw it would be half the size, but turning every hash into bytes cost the writer more (~0.14 µs
 * an event) than writing the extra 32 bytes does.
 */
export const HASH_CHARS = 64

/** kinds bit of each event type: bit i = EVENT_TYPES[i]. */
export const KIND_BIT: Readonly<Record<EventType, number>> = Object.fromEntries(EVENT_TYPES.map((t, i) => [t, 2 ** i])) as Record<EventType, number>
export const RUN_STARTED_KIND = KIND_BIT.RUN_STARTED
export const RUN_STOPPED_KIND = KIND_BIT.RUN_STOPPED

export function kindsOf(types: readonly EventType[]): number {
  let kinds = 0
  for (const t of types) kinds |= KIND_BIT[t]
  return kinds
}

/**
 * One row per event, as schema 1 stored them: what someone with the sqlite3 shell sees. `payload`
 * is the canonical JSON text the hash covers, verbatim. Filtering it scans every block; the
 * `blocks` columns (run_id, sector, first_seq/last_seq, kinds) are indexed or cheap to test.
 */
export const CREATE_VIEW = `CREATE VIEW events (seq, ts, run_id, sector, type, payload, prev_hash, hash) AS
SELECT b.first_seq + e.key, e.value ->> 0, b.run_id, b.sector, e.value ->> 1, e.value -> 2,
  CASE e.key WHEN 0 THEN b.prev_hash ELSE substr(b.hashes, ${HASH_CHARS} * e.key - ${HASH_CHARS - 1}, ${HASH_CHARS}) END,
  substr(b.hashes, ${HASH_CHARS} * e.key + 1, ${HASH_CHARS})
FROM blocks AS b, json_each(b.events) AS e`

// The small columns first, the big ones (hashes, events) last: a query that reads only the header
// of a block (seqs, run, kinds) never touches the overflow pages that hold its events.
//
// blocks_run_edges: RUN_STARTED and RUN_STOPPED are always blocks of one event of their own, so
// runs() finds every run through this partial index without scanning the other blocks (a journal
// of durable appends has one block per event). It holds two rows per run.
export const CREATE_TABLES = `
CREATE TABLE blocks (
  first_seq INTEGER PRIMARY KEY,
  last_seq INTEGER NOT NULL,
  run_id TEXT NOT NULL,
  sector TEXT NOT NULL,
  kinds INTEGER NOT NULL,
  first_ts INTEGER NOT NULL,
  last_ts INTEGER NOT NULL,
  prev_hash TEXT NOT NULL,
  last_hash TEXT NOT NULL,
  hashes TEXT NOT NULL,
  events TEXT NOT NULL
) STRICT;
CREATE INDEX blocks_run ON blocks (run_id, first_seq);
CREATE INDEX blocks_sector ON blocks (sector, first_seq);
CREATE INDEX blocks_run_edges ON blocks (kinds) WHERE kinds IN (${RUN_STARTED_KIND}, ${RUN_STOPPED_KIND});
`

/**
 * name -> exact SQL, as sqlite_master keeps it. Inserts are not policed by a trigger: rick's
 * writers assign seq and prevHash inside BEGIN IMMEDIATE, `verify` catches any other writer that
 * breaks the chain.
 */
export const TRIGGERS: Readonly<Record<string, string>> = {
  blocks_no_update: `CREATE TRIGGER blocks_no_update BEFORE UPDATE ON blocks
BEGIN SELECT RAISE(ABORT, 'journal is append-only: UPDATE refused'); END`,
  blocks_no_delete: `CREATE TRIGGER blocks_no_delete BEFORE DELETE ON blocks
BEGIN SELECT RAISE(ABORT, 'journal is append-only: DELETE refused'); END`,
}

export const INSERT_BLOCK = 'INSERT INTO blocks (first_seq, last_seq, run_id, sector, kinds, first_ts, last_ts, prev_hash, last_hash, hashes, events) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)'
export const SELECT_HEAD = 'SELECT last_seq, last_hash FROM blocks ORDER BY first_seq DESC LIMIT 1'
/** Column order of whole block rows everywhere (verify, the upgrade's self-check). */
export const BLOCK_COLUMNS = 'first_seq, last_seq, run_id, sector, kinds, first_ts, last_ts, prev_hash, last_hash, hashes, events'
