import {readFileSync, writeFileSync} from 'node:fs'
import {afterAll, describe, expect, it} from 'vitest'

import {GENESIS_HASH, eventHash, openJournal, verifyJournal} from '../../../src/foundation/journal/index.js'
import {TRIGGERS} from '../../../src/foundation/journal/schema.js'
import {blockShape, journalPath, logEvent, rawConnection, removeTempDirs, runStarted, runStopped, schema1Journal, tamper} from './fixture.js'

afterAll(removeTempDirs)

/** A closed journal of `n` STRATEGY_LOG events (messages "event 1" … "event n"), in one block. */
function journalOf(n: number): string {
  const path = journalPath()
  const journal = openJournal({path})
  journal.appendMany(Array.from({length: n}, (_, i) => logEvent(i + 1)))
  journal.close()
  return path
}

/** The same, one block per event (durable appends). */
function journalOfSingles(n: number): string {
  const path = journalPath()
  const journal = openJournal({path})
  for (let i = 1; i <= n; i++) journal.append(logEvent(i))
  journal.close()
  return path
}

/** Rewrites one block's column through a raw connection, triggers dropped and put back. */
function setColumn(path: string, firstSeq: number, column: string, value: (old: string) => string | number): void {
  tamper(path, (raw) => {
    const old = raw.prepare(`SELECT ${column} FROM blocks WHERE first_seq = ?`).pluck().get(firstSeq) as string
    raw.prepare(`UPDATE blocks SET ${column} = ? WHERE first_seq = ?`).run(value(old), firstSeq)
  })
}

describe('verifyJournal', () => {
  it('an intact journal: ok, with its head', () => {
    const path = journalOf(20)
    const journal = openJournal({path, readonly: true})
    const last = [...journal.events({reverse: true, limit: 1})][0]!
    journal.close()
    expect(verifyJournal(path)).toEqual({ok: true, path, events: 20, lastSeq: 20, lastHash: last.hash, triggersOk: true, interruptedRuns: [], head: {path: `${path}.head`, seq: 20, hash: last.hash}})
  })

  it('an empty journal is intact', () => {
    const path = journalOf(0)
    expect(verifyJournal(path)).toMatchObject({ok: true, events: 0, lastSeq: 0, lastHash: GENESIS_HASH})
  })

  it('a payload changed behind the triggers: hash mismatch at exactly that seq, inside its block', () => {
    const path = journalOf(20)
    expect(blockShape(path)).toEqual([[1, 20, 'run-a']])
    const head = verifyJournal(path).lastHash
    setColumn(path, 1, 'events', (t) => t.replace('{"message":"event 7"}', '{"message":"event 70"}'))
    expect(verifyJournal(path)).toMatchObject({ok: false, firstBadSeq: 7, code: 'hash-mismatch', triggersOk: true, events: 20, lastSeq: 20, lastHash: head})
  })

  it("a stored hash replaced: caught at that event's seq", () => {
    const path = journalOf(20)
    setColumn(path, 1, 'hashes', (h) => `${h.slice(0, 11 * 64)}${'ab'.repeat(32)}${h.slice(12 * 64)}`)
    expect(verifyJournal(path)).toMatchObject({ok: false, firstBadSeq: 12, code: 'hash-mismatch'})
  })

  it('a payload changed and its hash recomputed: the next event no longer hashes to its stored hash', () => {
    const path = journalOf(20)
    const journal = openJournal({path, readonly: true})
    const e = [...journal.events({afterSeq: 8, limit: 1})][0]!
    journal.close()
    const payload = '{"message":"event 90"}'
    const hash = eventHash(e.seq, e.ts, e.runId, e.sector, e.type, payload, e.prevHash)
    setColumn(path, 1, 'events', (t) => t.replace('{"message":"event 9"}', payload))
    setColumn(path, 1, 'hashes', (h) => `${h.slice(0, 8 * 64)}${hash}${h.slice(9 * 64)}`)
    expect(verifyJournal(path)).toMatchObject({ok: false, firstBadSeq: 10, code: 'hash-mismatch'})
  })

  it("the same across blocks: the next block's prev_hash no longer links", () => {
    const path = journalOfSingles(12)
    const journal = openJournal({path, readonly: true})
    const e = [...journal.events({afterSeq: 8, limit: 1})][0]!
    journal.close()
    const payload = '{"message":"event 90"}'
    const hash = eventHash(e.seq, e.ts, e.runId, e.sector, e.type, payload, e.prevHash)
    setColumn(path, 9, 'events', (t) => t.replace('{"message":"event 9"}', payload))
    setColumn(path, 9, 'hashes', () => hash)
    setColumn(path, 9, 'last_hash', () => hash)
    expect(verifyJournal(path)).toMatchObject({ok: false, firstBadSeq: 10, code: 'prev-hash-break'})
  })

  it('a prev_hash that does not match the previous hash', () => {
    const path = journalOfSingles(5)
    setColumn(path, 3, 'prev_hash', () => GENESIS_HASH)
    expect(verifyJournal(path)).toMatchObject({ok: false, firstBadSeq: 3, code: 'prev-hash-break'})
  })

  it('a deleted block: a seq gap named at the event after it', () => {
    const path = journalPath()
    const journal = openJournal({path})
    journal.appendMany(Array.from({length: 3}, (_, i) => logEvent(i + 1)))
    journal.appendMany([logEvent(4), logEvent(5)])
    journal.appendMany(Array.from({length: 5}, (_, i) => logEvent(i + 6)))
    journal.close()
    expect(blockShape(path)).toEqual([[1, 3, 'run-a'], [4, 5, 'run-a'], [6, 10, 'run-a']])
    tamper(path, (raw) => raw.exec('DELETE FROM blocks WHERE first_seq = 4'))
    const result = verifyJournal(path)
    expect(result).toMatchObject({ok: false, firstBadSeq: 6, code: 'seq-gap', events: 8})
    expect(result.reason).toBe('seq 4..5 missing (next row is seq 6)')
  })

  it('a payload that is not JSON, or not canonical JSON, named at its own seq', () => {
    const broken = journalOf(4)
    setColumn(broken, 1, 'events', (t) => t.replace('{"message":"event 2"}', '{"message":'))
    expect(verifyJournal(broken)).toMatchObject({ok: false, firstBadSeq: 2, code: 'bad-json', reason: expect.stringMatching(/payload is not JSON/)})
    const spaced = journalOf(4)
    setColumn(spaced, 1, 'events', (t) => t.replace('{"message":"event 3"}', '{"message": "event 3"}'))
    expect(verifyJournal(spaced)).toMatchObject({ok: false, firstBadSeq: 3, code: 'bad-json', reason: expect.stringMatching(/not a canonical JSON object/)})
    const cut = journalOf(4)
    setColumn(cut, 1, 'events', (t) => t.slice(0, t.indexOf('{"message":"event 4"}')))
    expect(verifyJournal(cut)).toMatchObject({ok: false, firstBadSeq: 4, code: 'bad-json'})
  })

  it("a block whose header disagrees with its events: counts, kinds, timestamps, last hash", () => {
    const count = journalOf(6)
    setColumn(count, 1, 'last_seq', () => 7)
    expect(verifyJournal(count)).toMatchObject({ok: false, firstBadSeq: 7, code: 'bad-row', reason: 'block 1..7 holds 6 event(s), not 7'})
    const kinds = journalOf(6)
    setColumn(kinds, 1, 'kinds', () => 1 << 2)
    expect(verifyJournal(kinds)).toMatchObject({ok: false, firstBadSeq: 1, code: 'bad-row', reason: expect.stringMatching(/kinds leave out STRATEGY_LOG/)})
    const lastTs = journalOf(6)
    setColumn(lastTs, 1, 'last_ts', () => 1)
    expect(verifyJournal(lastTs)).toMatchObject({ok: false, firstBadSeq: 6, code: 'bad-row'})
    const lastHash = journalOf(6)
    setColumn(lastHash, 1, 'last_hash', () => 'cd'.repeat(32))
    expect(verifyJournal(lastHash)).toMatchObject({ok: false, firstBadSeq: 6, code: 'hash-mismatch', reason: expect.stringMatching(/last_hash/)})
  })

  it('bytes edited in the database file itself: caught at that seq', () => {
    const path = journalOf(30)
    const bytes = readFileSync(path)
    const needle = Buffer.from('"message":"event 17"')
    // Every copy: page splits can leave stale copies of a row in free pages.
    let edited = 0
    for (let at = bytes.indexOf(needle); at >= 0; at = bytes.indexOf(needle, at + 1)) {
      bytes.write('"message":"event 71"', at)
      edited++
    }
    expect(edited).toBeGreaterThan(0)
    writeFileSync(path, bytes)
    expect(verifyJournal(path)).toMatchObject({ok: false, firstBadSeq: 17, code: 'hash-mismatch', triggersOk: true})
  })

  it('missing or altered triggers fail verification even when the chain is intact', () => {
    const dropped = journalOf(3)
    tamper(dropped, () => undefined, false)
    const result = verifyJournal(dropped)
    expect(result).toMatchObject({ok: false, code: 'missing-triggers', triggersOk: false, events: 3})
    expect(result.firstBadSeq).toBeUndefined()
    expect(result.reason).toMatch(/blocks_no_update, blocks_no_delete/)

    const altered = journalOf(3)
    tamper(altered, (raw) => raw.exec('CREATE TRIGGER blocks_no_update BEFORE UPDATE ON blocks WHEN 0 BEGIN SELECT 1; END'), false)
    const raw = rawConnection(altered)
    raw.exec(TRIGGERS.blocks_no_delete!)
    raw.close()
    expect(verifyJournal(altered)).toMatchObject({ok: false, code: 'missing-triggers', reason: expect.stringMatching(/blocks_no_update\b(?!, )/)})
  })

  it('lists runs that started and never stopped', () => {
    const path = journalPath()
    const journal = openJournal({path})
    journal.append(runStarted('run-done', 'oanda', 0))
    journal.append(runStarted('run-killed', 'coinbase', 1))
    journal.append(runStopped('run-done', 'oanda', 2))
    journal.append(runStarted('run-live', 'ibkr', 3))
    journal.close()
    expect(verifyJournal(path)).toMatchObject({ok: true, interruptedRuns: ['run-killed', 'run-live']})
  })

  it('reads a journal another connection is writing to (WAL), as of one moment', () => {
    const path = journalOf(5)
    const writer = openJournal({path})
    writer.append(logEvent(6))
    const raw = rawConnection(path)
    raw.exec('BEGIN IMMEDIATE')
    raw.prepare('INSERT INTO blocks VALUES (7, 7, ?, ?, 4, 0, 0, ?, ?, ?, ?)').run('r', 's', 'x', 'y', 'y'.repeat(64), '[[0,"STRATEGY_LOG",{}]]')
    // The uncommitted block is invisible to verify; the committed ones are all there.
    expect(verifyJournal(path)).toMatchObject({ok: true, events: 6})
    raw.exec('ROLLBACK')
    raw.close()
    writer.close()
  })

  it('checks a schema-1 journal (one row per event) too', () => {
    const path = journalPath()
    const rows = schema1Journal(path, [runStarted('run-old', 'oanda'), logEvent(1, 'run-old'), logEvent(2, 'run-old')])
    expect(verifyJournal(path)).toEqual({ok: true, path, events: 3, lastSeq: 3, lastHash: rows[2]![7], triggersOk: true, interruptedRuns: ['run-old']})
    const raw = rawConnection(path)
    raw.exec(`DROP TRIGGER events_no_update; UPDATE events SET payload = '{"message":"changed"}' WHERE seq = 2`)
    raw.close()
    expect(verifyJournal(path)).toMatchObject({ok: false, firstBadSeq: 2, code: 'hash-mismatch', triggersOk: false})
  })

  it('a missing file or a file that is not a journal is an error, not a verdict', () => {
    expect(() => verifyJournal(journalPath())).toThrow(/no journal at/)
    const other = journalPath()
    openJournal({path: other}).close()
    const raw = rawConnection(other)
    raw.exec('DROP VIEW events; DROP TABLE blocks')
    raw.close()
    expect(() => verifyJournal(other)).toThrow(/not a rick journal/)
  })
})
