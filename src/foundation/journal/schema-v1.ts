// Schema 1 (rick before journal blocks): table `events`, one row per event. Kept to verify such a
// journal and to upgrade it (`rick journal upgrade`, or any writable open); nothing writes it.
import {canonicalJson} from '../canonical.js'
import {EVENT_TYPES} from './events.js'
import {eventHash} from './hash.js'
import type {Database} from './sqlite.js'
import type {VerifyCode} from './types.js'

export const SCHEMA_1 = 1

/** Exactly as schema 1 created them (sqlite_master keeps the text). */
export const TRIGGERS_V1: Readonly<Record<string, string>> = {
  events_no_update: `CREATE TRIGGER events_no_update BEFORE UPDATE ON events
BEGIN SELECT RAISE(ABORT, 'journal is append-only: UPDATE refused'); END`,
  events_no_delete: `CREATE TRIGGER events_no_delete BEFORE DELETE ON events
BEGIN SELECT RAISE(ABORT, 'journal is append-only: DELETE refused'); END`,
}

export const EVENT_COLUMNS_V1 = 'seq, ts, run_id, sector, type, payload, prev_hash, hash'

export type RowV1 = [seq: number, ts: number, runId: string, sector: string, type: string, payload: string, prevHash: string, hash: string]

export interface BadEvent {
  seq: number
  code: VerifyCode
  reason: string
}

const KNOWN_TYPES: ReadonlySet<string> = new Set(EVENT_TYPES)

/** Names of schema-1 append-only triggers that are missing or differ from what rick created. */
export function triggerProblemsV1(db: Database): string[] {
  const rows = db.prepare("SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'events'").all() as Array<{name: string; sql: string}>
  const found = new Map(rows.map((r) => [r.name, r.sql]))
  return Object.entries(TRIGGERS_V1)
    .filter(([name, sql]) => found.get(name) !== sql)
    .map(([name]) => name)
}

/** Why a schema-1 row does not check out against the chain so far, if it does not. */
export function checkRowV1(row: RowV1, expectedSeq: number, prev: string): BadEvent | undefined {
  const [seq, ts, runId, sector, type, payload, prevHash, hash] = row
  if (seq !== expectedSeq) return seqGap(expectedSeq, seq)
  if (prevHash !== prev) return {seq, code: 'prev-hash-break', reason: `prev_hash ${short(prevHash)} does not match the hash of seq ${seq - 1} (${short(prev)})`}
  const bad = checkPayload(seq, payload)
  if (bad !== undefined) return bad
  if (!KNOWN_TYPES.has(type)) return {seq, code: 'bad-row', reason: `unknown event type ${JSON.stringify(type)}`}
  if (!Number.isSafeInteger(ts) || runId === '' || sector === '') return {seq, code: 'bad-row', reason: 'ts, run_id or sector is not valid'}
  const expected = eventHash(seq, ts, runId, sector, type, payload, prevHash)
  if (expected !== hash) return hashMismatch(seq, hash, expected)
  return undefined
}

export function seqGap(expectedSeq: number, seq: number): BadEvent {
  return {seq, code: 'seq-gap', reason: seq > expectedSeq ? `seq ${expectedSeq}${seq - 1 > expectedSeq ? `..${seq - 1}` : ''} missing (next row is seq ${seq})` : `seq ${seq} out of order (expected ${expectedSeq})`}
}

/** A payload text that is not the canonical JSON of an object. */
export function checkPayload(seq: number, payload: string): BadEvent | undefined {
  let parsed: unknown
  try {
    parsed = JSON.parse(payload)
  } catch (error) {
    return {seq, code: 'bad-json', reason: `payload is not JSON (${(error as Error).message})`}
  }
  if (parsed === null || typeof parsed !== 'object' || canonicalJson(parsed) !== payload) {
    return {seq, code: 'bad-json', reason: 'payload is not a canonical JSON object (rick writes keys sorted, no spaces)'}
  }
  return undefined
}

export function hashMismatch(seq: number, stored: string, expected: string): BadEvent {
  return {seq, code: 'hash-mismatch', reason: `stored hash ${short(stored)} but the row hashes to ${short(expected)}: the row was changed after it was written`}
}

export function short(hash: string): string {
  return hash.length > 12 ? `${hash.slice(0, 12)}…` : JSON.stringify(hash)
}
