// `rick journal upgrade`: converts a schema-1 journal (one row per event) to blocks, in one
// transaction, after checking its whole chain. A writable open does the same silently; this says
// what it did, and is the way to convert a journal that is only ever read.
import {existsSync} from 'node:fs'

import {checkReadable, initialise, prepareFile} from './database.js'
import {GENESIS_HASH, SCHEMA_VERSION, SELECT_HEAD} from './schema.js'
import {SCHEMA_1} from './schema-v1.js'
import {JournalError, openSqlite, sqliteError} from './sqlite.js'

export interface UpgradeResult {
  path: string
  /** Whether this call converted the file (false: it already was schema 2). */
  upgraded: boolean
  /** Schema before, and now. */
  fromSchema: number
  schema: number
  events: number
  blocks: number
  lastSeq: number
  /** Head of the chain: unchanged by an upgrade. */
  lastHash: string
}

export function upgradeJournal(path: string): UpgradeResult {
  if (!existsSync(path)) throw new JournalError(`no journal at ${path} (the first \`rick run\` or \`rick backtest\` creates it).`, 'JOURNAL_MISSING')
  prepareFile(path)
  const db = openSqlite(path, 'write')
  try {
    const fromSchema = db.pragma('user_version', {simple: true}) as number
    // Only a schema-1 journal is written to; anything else is checked (not a journal, newer) and described.
    const migrated = fromSchema === SCHEMA_1 ? initialise(db, path) : undefined
    if (migrated !== undefined) return {path, upgraded: true, fromSchema, schema: SCHEMA_VERSION, ...migrated}
    checkReadable(db, path)
    const [blocks, events] = db.prepare('SELECT count(*), coalesce(sum(last_seq - first_seq + 1), 0) FROM blocks').raw(true).get() as [number, number]
    const head = db.prepare(SELECT_HEAD).raw(true).get() as [number, string] | undefined
    return {path, upgraded: false, fromSchema: SCHEMA_VERSION, schema: SCHEMA_VERSION, events, blocks, lastSeq: head?.[0] ?? 0, lastHash: head?.[1] ?? GENESIS_HASH}
  } catch (error) {
    throw sqliteError(error, path)
  } finally {
    db.close()
  }
}
