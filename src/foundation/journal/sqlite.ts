// Opens SQLite files for the journal and turns SQLite's failures into errors a user can act on.
import type BetterSqlite3 from 'better-sqlite3'
import {statSync} from 'node:fs'
import {createRequire} from 'node:module'

import {ExitCode, RickError} from '../errors.js'

export type Database = BetterSqlite3.Database
export type Statement = BetterSqlite3.Statement

// SQLite reads this once, when better-sqlite3's addon loads (at the first database opened in the
// process): URI file names are how a reader asks for `immutable=1` (openSqlite). A journal path is
// taken for a URI only if it begins with `file:`; rick's are absolute.
process.env.SQLITE_USE_URI ??= '1'

let driver: typeof BetterSqlite3 | undefined
/**
 * better-sqlite3 is a native addon that finds its .node file relative to its own package, so it
 * is loaded with Node's require at run time (a bundler must not inline it), and only when a
 * journal is actually opened.
 */
function sqliteDriver(): typeof BetterSqlite3 {
  if (driver === undefined) {
    const nodeRequire = createRequire(import.meta.url)
    driver = nodeRequire('better-sqlite3') as typeof BetterSqlite3
  }
  return driver
}

export class JournalError extends RickError {
  constructor(message: string, code: string, exitCode: ExitCode = ExitCode.Failure, cause?: unknown) {
    super(message, {code, exitCode, cause})
  }
}

/** How long a writer waits for another writer's transaction (engines of several sectors share a journal). */
export const BUSY_TIMEOUT_MS = 10_000

/**
 * How a journal file is opened: `write`; `read`, a reader that reads once and goes (verify,
 * status, reports, export); `follow`, a reader that keeps watching for new events (tail -f).
 */
export type OpenMode = 'write' | 'read' | 'follow'

export function openSqlite(path: string, mode: OpenMode, busyTimeoutMs = BUSY_TIMEOUT_MS): Database {
  const Driver = sqliteDriver()
  const timeout = busyTimeoutMs
  try {
    if (mode === 'write') return new Driver(path, {timeout})
    if (mode === 'read' && !hasWal(path)) {
      const db = openImmutable(Driver, path, timeout)
      if (db !== undefined) return db
    }
    return new Driver(path, {readonly: true, fileMustExist: true, timeout})
  } catch (error) {
    throw sqliteError(error, path, busyTimeoutMs)
  }
}

/** A -wal with something in it: a writer is connected, or one died before it checkpointed. */
function hasWal(path: string): boolean {
  return (statSync(`${path}-wal`, {throwIfNoEntry: false})?.size ?? 0) > 0
}

/**
 * Without a -wal, the database file holds every committed event, and a reader opened `immutable`
 * reads just that file: no -wal or -shm is created next to it (SQLite's read-only mode makes both,
 * and fails in a folder it may not write: "attempt to write a readonly database"), no lock taken.
 * Undefined when URIs are off (better-sqlite3 was loaded before this module set them on).
 */
function openImmutable(Driver: typeof BetterSqlite3, path: string, timeout: number): Database | undefined {
  const uri = `file:${path.replace(/[%?#]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)}?immutable=1`
  try {
    return new Driver(uri, {readonly: true, fileMustExist: true, timeout})
  } catch {
    return undefined
  }
}

/** SQLite's error, said in terms of the journal file. */
export function sqliteError(error: unknown, path: string, busyTimeoutMs = BUSY_TIMEOUT_MS): Error {
  if (error instanceof RickError) return error
  const code = (error as {code?: string}).code ?? ''
  const message = error instanceof Error ? error.message : String(error)
  if (code === 'SQLITE_NOTADB' || code === 'SQLITE_CORRUPT') {
    return new JournalError(`${path} is not a readable SQLite database (${message}).`, 'JOURNAL_UNREADABLE', ExitCode.Failure, error)
  }
  if (code === 'SQLITE_CANTOPEN') {
    return new JournalError(`cannot open the journal ${path} (${message}).`, 'JOURNAL_UNREADABLE', ExitCode.Failure, error)
  }
  if (code === 'SQLITE_BUSY') {
    return new JournalError(`the journal ${path} stayed locked by another writer for ${busyTimeoutMs / 1000} s (${message}).`, 'JOURNAL_BUSY', ExitCode.Failure, error)
  }
  return new JournalError(`journal ${path}: ${message}`, 'JOURNAL_SQLITE', ExitCode.Failure, error)
}
