import {readFileSync, writeFileSync} from 'node:fs'
import {afterAll, describe, expect, it} from 'vitest'

import {GENESIS_HASH, eventHash, openJournal, verifyJournal} from '../../../src/foundation/journal/index.js'
import {TRIGGERS} from '../../../src/foundation/journal/schema.js'
import {journalPath, logEvent, rawConnection, removeTempDirs, runStarted, runStopped} from './fixture.js'

afterAll(removeTempDirs)

/** A closed journal of `n` STRATEGY_LOG events (messages "event 1" … "event n"). */
function journalOf(n: number): string {
  const path = journalPath()
  const journal = openJournal({path})
  journal.appendMany(Array.from({length: n}, (_, i) => logEvent(i + 1)))
  journal.close()
  return path
}

/** Runs SQL on a second connection with the append-only triggers dropped, then restores them. */
function tamper(path: string, sql: string, restoreTriggers = true): void {
  const raw = rawConnection(path)
  raw.exec('DROP TRIGGER events_no_update; DROP TRIGGER events_no_delete')
  raw.exec(sql)
  if (restoreTriggers) for (const trigger of Object.values(TRIGGERS)) raw.exec(trigger)
  raw.close()
}

describe('verifyJournal', () => {
  it('an intact journal: ok, with its head', () => {
    const path = journalOf(20)
    const journal = openJournal({path, readonly: true})
    const last = [...journal.events({reverse: true, limit: 1})][0]!
    journal.close()
    expect(verifyJournal(path)).toEqual({ok: true, path, events: 20, lastSeq: 20, lastHash: last.hash, triggersOk: true, interruptedRuns: []})
  })

  it('an empty journal is intact', () => {
    const path = journalOf(0)
    expect(verifyJournal(path)).toMatchObject({ok: true, events: 0, lastSeq: 0, lastHash: GENESIS_HASH})
  })

  it('a payload changed behind the triggers: hash mismatch at exactly that seq', () => {
    const path = journalOf(20)
    const head = verifyJournal(path).lastHash
    tamper(path, `UPDATE events SET payload = '{"message":"event 70"}' WHERE seq = 7`)
    expect(verifyJournal(path)).toMatchObject({ok: false, firstBadSeq: 7, code: 'hash-mismatch', triggersOk: true, events: 20, lastSeq: 20, lastHash: head})
  })

  it('a stored hash replaced: caught at that seq', () => {
    const path = journalOf(20)
    tamper(path, `UPDATE events SET hash = '${'ab'.repeat(32)}' WHERE seq = 12`)
    expect(verifyJournal(path)).toMatchObject({ok: false, firstBadSeq: 12, code: 'hash-mismatch'})
  })

  it('a payload changed and its hash recomputed: the next event no longer links to it', () => {
    const path = journalOf(20)
    const journal = openJournal({path, readonly: true})
    const e = [...journal.events({afterSeq: 8, limit: 1})][0]!
    journal.close()
    const payload = '{"message":"event 90"}'
    const hash = eventHash(e.seq, e.ts, e.runId, e.sector, e.type, payload, e.prevHash)
    tamper(path, `UPDATE events SET payload = '${payload}', hash = '${hash}' WHERE seq = 9`)
    expect(verifyJournal(path)).toMatchObject({ok: false, firstBadSeq: 10, code: 'prev-hash-break'})
  })

  it('a prev_hash that does not match the previous hash', () => {
    const path = journalOf(5)
    tamper(path, `UPDATE events SET prev_hash = '${GENESIS_HASH}' WHERE seq = 3`)
    expect(verifyJournal(path)).toMatchObject({ok: false, firstBadSeq: 3, code: 'prev-hash-break'})
  })

  it('a deleted row: a seq gap named at the row after it', () => {
    const path = journalOf(10)
    tamper(path, 'DELETE FROM events WHERE seq IN (4, 5)')
    const result = verifyJournal(path)
    expect(result).toMatchObject({ok: false, firstBadSeq: 6, code: 'seq-gap', events: 8})
    expect(result.reason).toBe('seq 4..5 missing (next row is seq 6)')
  })

  it('a payload that is not JSON, or not canonical JSON', () => {
    const broken = journalOf(4)
    tamper(broken, `UPDATE events SET payload = '{"message":' WHERE seq = 2`)
    expect(verifyJournal(broken)).toMatchObject({ok: false, firstBadSeq: 2, code: 'bad-json'})
    const spaced = journalOf(4)
    tamper(spaced, `UPDATE events SET payload = '{"message": "event 3"}' WHERE seq = 3`)
    expect(verifyJournal(spaced)).toMatchObject({ok: false, firstBadSeq: 3, code: 'bad-json'})
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
    tamper(dropped, 'SELECT 1', false)
    const result = verifyJournal(dropped)
    expect(result).toMatchObject({ok: false, code: 'missing-triggers', triggersOk: false, events: 3})
    expect(result.firstBadSeq).toBeUndefined()
    expect(result.reason).toMatch(/events_no_update, events_no_delete/)

    const altered = journalOf(3)
    tamper(altered, 'CREATE TRIGGER events_no_update BEFORE UPDATE ON events WHEN 0 BEGIN SELECT 1; END', false)
    const raw = rawConnection(altered)
    raw.exec(TRIGGERS.events_no_delete!)
    raw.close()
    expect(verifyJournal(altered)).toMatchObject({ok: false, code: 'missing-triggers', reason: expect.stringMatching(/events_no_update\b(?!, )/)})
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
    raw.prepare('INSERT INTO events VALUES (7, 0, ?, ?, ?, ?, ?, ?)').run('r', 's', 'STRATEGY_LOG', '{}', 'x', 'y')
    // The uncommitted row is invisible to verify; the committed ones are all there.
    expect(verifyJournal(path)).toMatchObject({ok: true, events: 6})
    raw.exec('ROLLBACK')
    raw.close()
    writer.close()
  })

  it('a missing file or a file that is not a journal is an error, not a verdict', () => {
    expect(() => verifyJournal(journalPath())).toThrow(/no journal at/)
    const other = journalPath()
    openJournal({path: other}).close()
    const raw = rawConnection(other)
    raw.exec('DROP TABLE events')
    raw.close()
    expect(() => verifyJournal(other)).toThrow(/not a rick journal/)
  })
})
