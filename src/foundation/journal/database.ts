// Opening a journal file: creating it private, checking it is a rick journal of a schema this rick
// knows, upgrading schema 1, and refusing to write to one whose append-only triggers were touched.
import {chmodSync, closeSync, existsSync, mkdirSync, openSync} from 'node:fs'
import {dirname} from 'node:path'

import {migrateSchema1, type Migrated} from './migrate-v1.js'
import {APPLICATION_ID, CREATE_TABLES, CREATE_VIEW, PAGE_SIZE, SCHEMA_VERSION, TRIGGERS} from './schema.js'
import {SCHEMA_1} from './schema-v1.js'
import {JournalError, type Database} from './sqlite.js'
import {triggerProblems} from './verify.js'

/** Folder 0700 and file 0600 before SQLite touches them (its -wal and -shm take the file's mode). */
export function prepareFile(path: string): void {
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

/** For a read-only open: a rick journal of the current schema, or an error that says what to do. */
export function checkReadable(db: Database, path: string): void {
  const appId = db.pragma('application_id', {simple: true}) as number
  if (appId !== APPLICATION_ID) throw notRick(path)
  const version = db.pragma('user_version', {simple: true}) as number
  if (version === SCHEMA_1) throw oldSchema(path)
  if (version > SCHEMA_VERSION) throw newer(path, version)
  if (version !== SCHEMA_VERSION || !hasTable(db, 'blocks')) throw notRick(path)
}

/**
 * For a writable open: creates the tables in an empty file, upgrades schema 1 (returns what it
 * moved), refuses a journal whose triggers are missing or altered. One immediate transaction.
 */
export function initialise(db: Database, path: string): Migrated | undefined {
  // Only a new, empty file takes it (SQLite fixes the page size when the first table is made).
  db.pragma(`page_size = ${PAGE_SIZE}`)
  db.pragma('journal_mode = WAL')
  // FULL: in WAL mode the log is fsync'd at every commit, so a returned append is on disk.
  db.pragma('synchronous = FULL')
  return db.transaction((): Migrated | undefined => {
    const version = db.pragma('user_version', {simple: true}) as number
    if (version === 0) {
      const tables = db.prepare("SELECT count(*) FROM sqlite_master WHERE name NOT LIKE 'sqlite_%'").pluck().get() as number
      if (tables > 0) throw notRick(path)
      db.exec(CREATE_TABLES)
      db.exec(CREATE_VIEW)
      for (const sql of Object.values(TRIGGERS)) db.exec(sql)
      db.pragma(`application_id = ${APPLICATION_ID}`)
      db.pragma(`user_version = ${SCHEMA_VERSION}`)
      return undefined
    }
    if ((db.pragma('application_id', {simple: true}) as number) !== APPLICATION_ID) throw notRick(path)
    if (version > SCHEMA_VERSION) throw newer(path, version)
    if (version === SCHEMA_1) {
      if (!hasTable(db, 'events')) throw notRick(path)
      return migrateSchema1(db, path)
    }
    if (version !== SCHEMA_VERSION || !hasTable(db, 'blocks')) throw notRick(path)
    const broken = triggerProblems(db)
    if (broken.length > 0) {
      throw new JournalError(
        `the journal ${path} no longer refuses changes: trigger ${broken.join(', ')} missing or altered. It may have been edited; run \`rick journal verify\` and keep a copy before writing to it again.`,
        'JOURNAL_TAMPERED',
      )
    }
    return undefined
  }).immediate()
}

function hasTable(db: Database, name: string): boolean {
  return db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?").get(name) !== undefined
}

function notRick(path: string): JournalError {
  return new JournalError(`${path} is a SQLite database but not a rick journal.`, 'JOURNAL_NOT_RICK')
}

function newer(path: string, version: number): JournalError {
  return new JournalError(`${path} was written by a newer rick (journal schema ${version}; this rick knows ${SCHEMA_VERSION}).`, 'JOURNAL_NEWER')
}

function oldSchema(path: string): JournalError {
  return new JournalError(
    `the journal ${path} is in the storage format of an older rick (schema 1). Convert it once with \`rick journal upgrade --journal ${path}\` (every event keeps its seq, payload and hash); any rick command that writes to it converts it too.`,
    'JOURNAL_OLD_SCHEMA',
  )
}
