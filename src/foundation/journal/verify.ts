// Recomputes the whole chain of a journal file. Opens it read-only, so it can run while engines
// are writing (WAL readers see a consistent snapshot and never block writers).
import {existsSync} from 'node:fs'

import {canonicalJson} from '../canonical.js'
import {EVENT_TYPES} from './events.js'
import {eventHash} from './hash.js'
import {EVENT_COLUMNS, GENESIS_HASH} from './schema.js'
import {JournalError, openSqlite, sqliteError} from './sqlite.js'
import {triggerProblems} from './store.js'
import type {VerifyCode, VerifyResult} from './types.js'

const KNOWN_TYPES: ReadonlySet<string> = new Set(EVENT_TYPES)

type Row = [seq: number, ts: number, runId: string, sector: string, type: string, payload: string, prevHash: string, hash: string]

export function verifyJournal(path: string): VerifyResult {
  if (!existsSync(path)) throw new JournalError(`no journal at ${path} (the first \`rick run\` or \`rick backtest\` creates it).`, 'JOURNAL_MISSING')
  const db = openSqlite(path, true)
  try {
    const hasEvents = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'events'").get() !== undefined
    if (!hasEvents) throw new JournalError(`${path} is a SQLite database but not a rick journal (no events table).`, 'JOURNAL_NOT_RICK')
    const brokenTriggers = triggerProblems(db)
    let events = 0
    let expectedSeq = 1
    let lastHash = GENESIS_HASH
    let chainHash = GENESIS_HASH
    let lastSeq = 0
    let bad: {seq: number; code: VerifyCode; reason: string} | undefined
    const open = new Map<string, true>()
    const rows = db.prepare(`SELECT ${EVENT_COLUMNS} FROM events ORDER BY seq`).raw(true)
    for (const row of rows.iterate() as IterableIterator<Row>) {
      const [seq, , runId, , type, , , hash] = row
      events++
      lastSeq = seq
      lastHash = hash
      if (type === 'RUN_STARTED') open.set(runId, true)
      else if (type === 'RUN_STOPPED') open.delete(runId)
      if (bad !== undefined) continue
      bad = checkRow(row, expectedSeq, chainHash)
      if (bad === undefined) {
        chainHash = hash
        expectedSeq = seq + 1
      }
    }
    const result: VerifyResult = {
      ok: bad === undefined && brokenTriggers.length === 0,
      path,
      events,
      lastSeq,
      lastHash,
      triggersOk: brokenTriggers.length === 0,
      interruptedRuns: [...open.keys()],
    }
    if (bad !== undefined) {
      result.firstBadSeq = bad.seq
      result.code = bad.code
      result.reason = bad.reason
    } else if (brokenTriggers.length > 0) {
      result.code = 'missing-triggers'
      result.reason = `append-only trigger(s) missing or altered: ${brokenTriggers.join(', ')} (the store no longer refuses UPDATE/DELETE)`
    }
    return result
  } catch (error) {
    throw sqliteError(error, path)
  } finally {
    db.close()
  }
}

function checkRow(row: Row, expectedSeq: number, prev: string): {seq: number; code: VerifyCode; reason: string} | undefined {
  const [seq, ts, runId, sector, type, payload, prevHash, hash] = row
  if (seq !== expectedSeq) {
    return {seq, code: 'seq-gap', reason: seq > expectedSeq ? `seq ${expectedSeq}${seq - 1 > expectedSeq ? `..${seq - 1}` : ''} missing (next row is seq ${seq})` : `seq ${seq} out of order (expected ${expectedSeq})`}
  }
  if (prevHash !== prev) return {seq, code: 'prev-hash-break', reason: `prev_hash ${short(prevHash)} does not match the hash of seq ${seq - 1} (${short(prev)})`}
  let parsed: unknown
  try {
    parsed = JSON.parse(payload)
  } catch (error) {
    return {seq, code: 'bad-json', reason: `payload is not JSON (${(error as Error).message})`}
  }
  if (parsed === null || typeof parsed !== 'object' || canonicalJson(parsed) !== payload) {
    return {seq, code: 'bad-json', reason: 'payload is not a canonical JSON object (rick writes keys sorted, no spaces)'}
  }
  if (!KNOWN_TYPES.has(type)) return {seq, code: 'bad-row', reason: `unknown event type ${JSON.stringify(type)}`}
  if (!Number.isSafeInteger(ts) || runId === '' || sector === '') return {seq, code: 'bad-row', reason: 'ts, run_id or sector is not valid'}
  const expected = eventHash(seq, ts, runId, sector, type, payload, prevHash)
  if (expected !== hash) return {seq, code: 'hash-mismatch', reason: `stored hash ${short(hash)} but the row hashes to ${short(expected)}: the row was changed after it was written`}
  return undefined
}

function short(hash: string): string {
  return hash.length > 12 ? `${hash.slice(0, 12)}…` : JSON.stringify(hash)
}
