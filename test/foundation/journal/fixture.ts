// Throw-away journals and event factories for the journal tests.
import Database from 'better-sqlite3'
import {mkdtempSync, realpathSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import type {NewEvent} from '../../../src/foundation/journal/index.js'

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
