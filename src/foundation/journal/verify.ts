// Recomputes the whole chain of a journal file. Opens it read-only, so it can run while engines
// are writing (WAL readers see a consistent snapshot and never block writers).
//
// Schema 2 (blocks): blocks in seq order must be contiguous (first_seq = previous last_seq + 1)
// and linked (prev_hash = the previous block's last hash); inside each, every event's payload must
// be stored as canonical JSON, verbatim, and its hash recomputed from it must be the stored one;
// last_hash, first_ts/last_ts and kinds must say what the events say. The first bad event is
// named by its own seq. A schema-1 journal (one row per event) is checked row by row.
//
// Then against the head file (head-file.ts): a journal shorter than the head it recorded lost its
// last events; one whose hash at the head's seq is not the recorded one was rewritten.
import {existsSync} from 'node:fs'

import {canonicalJson} from '../canonical.js'
import {EVENT_TYPES, type EventType} from './events.js'
import {eventHash} from './hash.js'
import {headPath, readHead, type JournalHead} from './head-file.js'
import {sameSeal, sealOf} from './seal.js'
import {BLOCK_COLUMNS, GENESIS_HASH, HASH_CHARS, KIND_BIT, RUN_STARTED_KIND, RUN_STOPPED_KIND, TRIGGERS} from './schema.js'
import {checkRowV1, EVENT_COLUMNS_V1, hashMismatch, seqGap, short, triggerProblemsV1, type BadEvent, type RowV1} from './schema-v1.js'
import {JournalError, openSqlite, sqliteError, type Database} from './sqlite.js'
import type {VerifyResult} from './types.js'

const KNOWN_TYPES: ReadonlySet<string> = new Set(EVENT_TYPES)

type FullBlockRow = [firstSeq: number, lastSeq: number, runId: string, sector: string, kinds: number, firstTs: number, lastTs: number, prevHash: string, lastHash: string, hashes: string, events: string]

export function verifyJournal(path: string): VerifyResult {
  const head = readHead(path)
  if (!existsSync(path)) {
    if (head !== undefined && head.seq > 0) throw lostJournal(path, head)
    throw new JournalError(`no journal at ${path} (the first \`rick run\` or \`rick backtest\` creates it).`, 'JOURNAL_MISSING')
  }
  // Read without locks when there is no -wal (openSqlite): a writer that checkpoints meanwhile
  // could show this reader a torn file. If the files changed while it read and something looked
  // wrong, it reads again the shared way, as of one consistent moment.
  const seal = sealOf(path)
  try {
    const result = verifyFile(path, head, 'read')
    if (result.ok || sameSeal(sealOf(path), seal)) return result
  } catch (error) {
    if (sameSeal(sealOf(path), seal)) throw error
  }
  return verifyFile(path, head, 'follow')
}

function verifyFile(path: string, head: JournalHead | undefined, mode: 'read' | 'follow'): VerifyResult {
  const db = openSqlite(path, mode)
  try {
    const tables = new Set((db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").pluck().all() as string[]))
    if (tables.has('blocks')) return verifyBlocks(db, path, head)
    if (tables.has('events')) return verifyRows(db, path)
    if (head !== undefined && head.seq > 0) throw lostJournal(path, head)
    throw new JournalError(`${path} is a SQLite database but not a rick journal (no blocks or events table).`, 'JOURNAL_NOT_RICK')
  } catch (error) {
    throw sqliteError(error, path)
  } finally {
    db.close()
  }
}

/** The head file says the journal held events; the journal is gone, empty, or something else. */
export function lostJournal(path: string, head: JournalHead): JournalError {
  return new JournalError(
    `the journal ${path} is missing or empty, but its head file ${headPath(path)} records that it held events up to seq ${head.seq}: it was deleted, replaced, or lost with its -wal. Restore it from a backup; to start a new journal instead, move ${headPath(path)} (and what is left of the journal) aside.`,
    'JOURNAL_LOST',
  )
}

/** Names of append-only triggers on `blocks` that are missing or differ from what rick created. */
export function triggerProblems(db: Database): string[] {
  const rows = db.prepare("SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'blocks'").all() as Array<{name: string; sql: string}>
  const found = new Map(rows.map((r) => [r.name, r.sql]))
  return Object.entries(TRIGGERS)
    .filter(([name, sql]) => found.get(name) !== sql)
    .map(([name]) => name)
}

/** Where a check of the chain starts: after `seq` (the last of a block), whose hash is `hash`. */
export interface ChainPoint {
  seq: number
  hash: string
}

export const GENESIS: ChainPoint = {seq: 0, hash: GENESIS_HASH}

export interface ChainCheck {
  /** Events in the blocks read. */
  events: number
  lastSeq: number
  lastHash: string
  bad: BadEvent | undefined
  /** Runs with RUN_STARTED and no RUN_STOPPED among the blocks read. */
  interrupted: string[]
}

/** Checks every block after `from` (the whole chain from genesis by default), in seq order. */
export function checkChain(db: Database, from: ChainPoint = GENESIS): ChainCheck {
  let events = 0
  let expectedSeq = from.seq + 1
  let chainHash = from.hash
  let lastSeq = from.seq
  let lastHash = from.hash
  let bad: BadEvent | undefined
  const open = new Map<string, true>()
  const rows = db.prepare(`SELECT ${BLOCK_COLUMNS} FROM blocks WHERE first_seq > ? ORDER BY first_seq`).raw(true)
  for (const row of rows.iterate(from.seq) as IterableIterator<FullBlockRow>) {
    const [firstSeq, last, runId, , kinds, , , , storedLast] = row
    events += Math.max(0, last - firstSeq + 1)
    lastSeq = last
    lastHash = storedLast
    // RUN_STARTED and RUN_STOPPED are blocks of their own: the header says which run.
    if (kinds === RUN_STARTED_KIND) open.set(runId, true)
    else if (kinds === RUN_STOPPED_KIND) open.delete(runId)
    if (bad !== undefined) continue
    const checked = checkBlock(row, expectedSeq, chainHash)
    if ('seq' in checked) bad = checked
    else {
      chainHash = checked.head
      expectedSeq = last + 1
    }
  }
  return {events, lastSeq, lastHash, bad, interrupted: [...open.keys()]}
}

/**
 * How the journal disagrees with its head file, if it does: it ends before the head's seq
 * (truncated), or its hash there is not the recorded one (rewritten).
 */
export function headProblem(db: Database, path: string, lastSeq: number, head: JournalHead | undefined): BadEvent | undefined {
  if (head === undefined || head.seq === 0) return undefined
  if (head.seq > lastSeq) {
    return {
      seq: lastSeq + 1,
      code: 'truncated',
      reason: `the journal ends at seq ${lastSeq}, but its head file ${headPath(path)} records that it reached seq ${head.seq}: events ${lastSeq + 1}..${head.seq} were removed or lost`,
    }
  }
  const stored = storedHashAt(db, head.seq)
  if (stored === head.hash) return undefined
  return {
    seq: head.seq,
    code: 'head-mismatch',
    reason: `the hash of seq ${head.seq} is ${short(stored ?? '(none)')}, but its head file ${headPath(path)} recorded ${short(head.hash)}: the chain was rewritten at or before seq ${head.seq}`,
  }
}

/** The stored hash of event `seq` (undefined when no block holds it). */
export function storedHashAt(db: Database, seq: number): string | undefined {
  const row = db.prepare('SELECT first_seq, last_seq, hashes FROM blocks WHERE first_seq <= ? ORDER BY first_seq DESC LIMIT 1').raw(true).get(seq) as [number, number, string] | undefined
  if (row === undefined || row[1] < seq || typeof row[2] !== 'string') return undefined
  const k = seq - row[0]
  return row[2].slice(k * HASH_CHARS, (k + 1) * HASH_CHARS)
}

function verifyBlocks(db: Database, path: string, head: JournalHead | undefined): VerifyResult {
  const brokenTriggers = triggerProblems(db)
  const check = checkChain(db)
  const behind = headProblem(db, path, check.lastSeq, head)
  const bad = behind !== undefined && (check.bad === undefined || behind.seq < check.bad.seq) ? behind : check.bad
  const out = result(path, {events: check.events, lastSeq: check.lastSeq, lastHash: check.lastHash, bad, brokenTriggers, interrupted: check.interrupted})
  out.head = head === undefined ? null : {path: headPath(path), seq: head.seq, hash: head.hash}
  return out
}

/** The chain's head after this block, or the first event of it that does not check out. */
function checkBlock(row: FullBlockRow, expectedSeq: number, prev: string): BadEvent | {head: string} {
  const [firstSeq, lastSeq, runId, sector, kinds, firstTs, lastTs, prevHash, lastHash, hashes, text] = row
  if (firstSeq !== expectedSeq) return seqGap(expectedSeq, firstSeq)
  if (prevHash !== prev) return {seq: firstSeq, code: 'prev-hash-break', reason: `prev_hash ${short(prevHash)} does not match the hash of seq ${firstSeq - 1} (${short(prev)})`}
  const count = lastSeq - firstSeq + 1
  if (count < 1) return {seq: firstSeq, code: 'bad-row', reason: `block ${firstSeq}..${lastSeq} is empty or reversed`}
  if (runId === '' || sector === '') return {seq: firstSeq, code: 'bad-row', reason: 'run_id or sector is not valid'}

  const {items, unreadable} = readItems(text)
  const stored = typeof hashes === 'string' ? hashes : ''
  let chain = prev
  let seen = 0
  const n = Math.min(items.length, count)
  for (let k = 0; k < n; k++) {
    const seq = firstSeq + k
    const item = items[k]!
    if (!Number.isSafeInteger(item.ts)) return {seq, code: 'bad-row', reason: 'ts is not valid'}
    if (!KNOWN_TYPES.has(item.type)) return {seq, code: 'bad-row', reason: `unknown event type ${JSON.stringify(item.type)}`}
    if (item.payload === undefined) return {seq, code: 'bad-json', reason: 'payload is not a canonical JSON object (rick writes keys sorted, no spaces)'}
    if (k === 0 && item.ts !== firstTs) return {seq, code: 'bad-row', reason: `first_ts ${firstTs} is not the ts of its first event (${item.ts})`}
    const bit = KIND_BIT[item.type as EventType]
    if ((kinds & bit) === 0) return {seq, code: 'bad-row', reason: `the block's kinds leave out ${item.type} (type filters would skip this event)`}
    seen |= bit
    const expected = eventHash(seq, item.ts, runId, sector, item.type, item.payload, chain)
    const storedHash = stored.slice(k * HASH_CHARS, (k + 1) * HASH_CHARS)
    if (storedHash.length < HASH_CHARS) return {seq, code: 'bad-row', reason: `the block stores ${Math.floor(stored.length / HASH_CHARS)} hash(es) for ${count} events`}
    if (storedHash !== expected) return hashMismatch(seq, storedHash, expected)
    chain = expected
  }
  if (unreadable !== undefined) {
    if (unreadable < count) return {seq: firstSeq + unreadable, code: 'bad-json', reason: unreadableReason(text, unreadable)}
    return {seq: lastSeq, code: 'bad-json', reason: 'the block\'s text does not end where its last event ends'}
  }
  if (items.length !== count) return {seq: firstSeq + n, code: 'bad-row', reason: `block ${firstSeq}..${lastSeq} holds ${items.length} event(s), not ${count}`}
  if (stored.length !== count * HASH_CHARS) return {seq: lastSeq, code: 'bad-row', reason: `the block stores ${stored.length / HASH_CHARS} hash(es) for ${count} events`}
  if (seen !== kinds) return {seq: firstSeq, code: 'bad-row', reason: `the block's kinds (${kinds}) are not the types of its events (${seen})`}
  if (items[count - 1]!.ts !== lastTs) return {seq: lastSeq, code: 'bad-row', reason: `last_ts ${lastTs} is not the ts of its last event (${items[count - 1]!.ts})`}
  if (lastHash !== chain) return {seq: lastSeq, code: 'hash-mismatch', reason: `the block's last_hash ${short(lastHash)} is not the hash of its last event (${short(chain)})`}
  return {head: chain}
}

interface Item {
  ts: number
  type: string
  /** Canonical JSON text of the payload as stored, or undefined when it is not stored canonically. */
  payload: string | undefined
}

/**
 * The block's events, each with its payload text exactly as stored. `unreadable`: index of the
 * first event that is not JSON (items stop before it).
 */
function readItems(text: string): {items: Item[]; unreadable?: number} {
  let parsed: unknown
  try {
    parsed = JSON.parse(text)
  } catch {
    return readItemsOneByOne(text)
  }
  if (!Array.isArray(parsed)) return {items: [], unreadable: 0}
  const items: Item[] = []
  // Rebuilt canonically and compared with the stored text: equal means every payload is stored as
  // its canonical JSON, so that text is what the hash covers. The first difference names the event.
  let offset = 1
  for (let k = 0; k < parsed.length; k++) {
    // Anything but a comma between two events (spaces, line breaks) is not how rick writes them.
    if (k > 0) offset = text.charCodeAt(offset) === 0x2c /* , */ ? offset + 1 : text.length + 1
    const item = readItem(parsed[k] as unknown, text, offset)
    if (item === undefined) {
      items.push({ts: Number.NaN, type: '', payload: undefined})
      return {items}
    }
    items.push(item)
    if (item.payload === undefined) return {items}
    offset += item.length
  }
  return {items}
}

/**
 * One event `[ts,"TYPE",payload]`, if it is stored in exactly that form at `offset` of `text`
 * (payload undefined when it is not canonical there); undefined when it is not an event at all.
 */
function readItem(entry: unknown, text: string, offset: number): (Item & {length: number}) | undefined {
  if (!Array.isArray(entry) || entry.length !== 3 || entry[2] === null || typeof entry[2] !== 'object' || typeof entry[1] !== 'string') return undefined
  const [ts, type, payload] = entry as [unknown, string, object]
  const canonical = canonicalJson(payload)
  const piece = `[${typeof ts === 'number' ? String(ts) : '?'},${JSON.stringify(type)},${canonical}]`
  const verbatim = text.startsWith(piece, offset)
  return {ts: typeof ts === 'number' ? ts : Number.NaN, type, payload: verbatim ? canonical : undefined, length: piece.length}
}

/** A block whose text is not JSON: its events up to the first one that does not parse. */
function readItemsOneByOne(text: string): {items: Item[]; unreadable: number} {
  const items: Item[] = []
  for (const piece of topLevelItems(text)) {
    let entry: unknown
    try {
      entry = JSON.parse(piece)
    } catch {
      break
    }
    const item = readItem(entry, piece, 0)
    if (item === undefined) break
    items.push(item)
  }
  return {items, unreadable: items.length}
}

/** The texts of a JSON array's elements, split at top-level commas (strings and nesting respected). */
function topLevelItems(text: string): string[] {
  const items: string[] = []
  if (text.charCodeAt(0) !== 0x5b /* [ */) return items
  let depth = 0
  let inString = false
  let start = 1
  for (let i = 1; i < text.length; i++) {
    const c = text.charCodeAt(i)
    if (inString) {
      if (c === 0x5c /* \ */) i++
      else if (c === 0x22 /* " */) inString = false
    } else if (c === 0x22) inString = true
    else if (c === 0x5b || c === 0x7b /* [ { */) depth++
    else if (c === 0x5d || c === 0x7d /* ] } */) {
      if (depth === 0) {
        items.push(text.slice(start, i))
        return items
      }
      depth--
    } else if (c === 0x2c /* , */ && depth === 0) {
      items.push(text.slice(start, i))
      start = i + 1
    }
  }
  items.push(text.slice(start))
  return items
}

function unreadableReason(text: string, index: number): string {
  const piece = topLevelItems(text)[index]
  if (piece === undefined) return 'the block ends before this event (its text is cut short)'
  try {
    JSON.parse(piece)
  } catch (error) {
    return `payload is not JSON (${(error as Error).message})`
  }
  return 'payload is not JSON'
}

/** Schema 1: one row per event. */
function verifyRows(db: Database, path: string): VerifyResult {
  const brokenTriggers = triggerProblemsV1(db)
  let events = 0
  let expectedSeq = 1
  let lastHash = GENESIS_HASH
  let chainHash = GENESIS_HASH
  let lastSeq = 0
  let bad: BadEvent | undefined
  const open = new Map<string, true>()
  const rows = db.prepare(`SELECT ${EVENT_COLUMNS_V1} FROM events ORDER BY seq`).raw(true)
  for (const row of rows.iterate() as IterableIterator<RowV1>) {
    const [seq, , runId, , type, , , hash] = row
    events++
    lastSeq = seq
    lastHash = hash
    if (type === 'RUN_STARTED') open.set(runId, true)
    else if (type === 'RUN_STOPPED') open.delete(runId)
    if (bad !== undefined) continue
    bad = checkRowV1(row, expectedSeq, chainHash)
    if (bad === undefined) {
      chainHash = hash
      expectedSeq = seq + 1
    }
  }
  return result(path, {events, lastSeq, lastHash, bad, brokenTriggers, interrupted: [...open.keys()]})
}

function result(path: string, r: {events: number; lastSeq: number; lastHash: string; bad: BadEvent | undefined; brokenTriggers: string[]; interrupted: string[]}): VerifyResult {
  const out: VerifyResult = {
    ok: r.bad === undefined && r.brokenTriggers.length === 0,
    path,
    events: r.events,
    lastSeq: r.lastSeq,
    lastHash: r.lastHash,
    triggersOk: r.brokenTriggers.length === 0,
    interruptedRuns: r.interrupted,
  }
  if (r.bad !== undefined) {
    out.firstBadSeq = r.bad.seq
    out.code = r.bad.code
    out.reason = r.bad.reason
  } else if (r.brokenTriggers.length > 0) {
    out.code = 'missing-triggers'
    out.reason = `append-only trigger(s) missing or altered: ${r.brokenTriggers.join(', ')} (the store no longer refuses UPDATE/DELETE)`
  }
  return out
}
