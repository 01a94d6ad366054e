// Opens SQLite files for the journal and turns SQLite's failures into errors a user can act on.
import type BetterSqlite3 from 'better-sqlite3'
import {createRequire} from 'node:module'

import {ExitCode, RickError} from '../errors.js'

export type Database = BetterSqlite3.Database
export type Statement = BetterSqlite3.Statement

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

export function openSqlite(path: string, readonly: boolean, busyTimeoutMs = BUSY_TIMEOUT_MS): Database {
  const Driver = sqliteDriver()
  try {
    return readonly ? new Driver(path, {readonly: true, fileMustExist: true, timeout: busyTimeoutMs}) : new Driver(path, {timeout: busyTimeoutMs})
  } catch (error) {
    throw sqliteError(error, path, busyTimeoutMs)
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
