// Schema 1 -> 2, inside the caller's write transaction: the old chain is checked row by row, its
// events are written as blocks through the same encoder every writer uses (same seqs, ts, payload
// texts, hence the same hashes), the result is checked against the old head, and only then is the
// old table dropped. Any failure throws, and the transaction leaves the file as it was.
import {BlockWriter} from './block-writer.js'
import {ChunkBuilder, TYPE_INDEX, type Chunk} from './chunk.js'
import {BATCH_SIZE, CREATE_TABLES, CREATE_VIEW, GENESIS_HASH, SCHEMA_VERSION, TRIGGERS} from './schema.js'
import {checkRowV1, EVENT_COLUMNS_V1, triggerProblemsV1, type RowV1} from './schema-v1.js'
import {JournalError, type Database} from './sqlite.js'

export interface Migrated {
  events: number
  blocks: number
  lastSeq: number
  lastHash: string
}

export function migrateSchema1(db: Database, path: string): Migrated {
  const broken = triggerProblemsV1(db)
  if (broken.length > 0) {
    throw new JournalError(
      `the journal ${path} no longer refuses changes: trigger ${broken.join(', ')} missing or altered. It may have been edited; run \`rick journal verify\` and keep a copy before writing to it again.`,
      'JOURNAL_TAMPERED',
    )
  }
  db.exec(CREATE_TABLES)
  const writer = new BlockWriter(db)
  const page = db.prepare(`SELECT ${EVENT_COLUMNS_V1} FROM events WHERE seq > ? ORDER BY seq LIMIT ?`).raw(true)
  let expectedSeq = 1
  let chain = GENESIS_HASH
  let events = 0
  let blocks = 0
  for (;;) {
    const rows = page.all(expectedSeq - 1, BATCH_SIZE) as RowV1[]
    if (rows.length === 0) break
    for (const row of rows) {
      const bad = checkRowV1(row, expectedSeq, chain)
      if (bad !== undefined) {
        throw new JournalError(
          `the journal ${path} does not verify at seq ${bad.seq} (${bad.code}: ${bad.reason}), so it was not upgraded; nothing was changed. Keep a copy and run \`rick journal verify\`.`,
          'JOURNAL_TAMPERED',
        )
      }
      chain = row[7]
      expectedSeq++
    }
    writer.write([chunkOfRows(rows)], () => blocks++)
    events += rows.length
  }
  const head = writer.head()
  if (head.seq !== events || head.hash !== chain) {
    // Cannot happen unless the encoder disagrees with schema 1's hashes: refuse rather than lose the record.
    throw new JournalError(`upgrading ${path} produced head seq ${head.seq} ${head.hash}, not seq ${events} ${chain}; nothing was changed.`, 'JOURNAL_UPGRADE_FAILED')
  }
  db.exec('DROP TABLE events')
  db.exec(CREATE_VIEW)
  for (const sql of Object.values(TRIGGERS)) db.exec(sql)
  db.pragma(`user_version = ${SCHEMA_VERSION}`)
  return {events, blocks, lastSeq: head.seq, lastHash: head.hash}
}

/** Checked schema-1 rows as a chunk (their payload texts are canonical JSON, verified). */
function chunkOfRows(rows: readonly RowV1[]): Chunk {
  const builder = new ChunkBuilder()
  for (const [, t, runId, sector, type, payload] of rows) builder.addJson(t, TYPE_INDEX.get(type)!, runId, sector, payload)
  return builder.chunk()
}
