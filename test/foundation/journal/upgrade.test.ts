// Schema 1 (one row per event, rick before journal blocks) -> schema 2, on a file the fixture
// writes with the old DDL. Nothing may be lost: every event keeps its seq, ts, payload and hash.
import {afterAll, describe, expect, it} from 'vitest'

import {GENESIS_HASH, openJournal, upgradeJournal, verifyJournal, type NewEvent} from '../../../src/foundation/journal/index.js'
import {barEvent, blockShape, journalPath, logEvent, mixedEvents, rawConnection, removeTempDirs, runStarted, runStopped, schema1Journal, type V1Row} from './fixture.js'

afterAll(removeTempDirs)

function pragma(path: string, name: string): unknown {
  const raw = rawConnection(path)
  const value = raw.pragma(name, {simple: true})
  raw.close()
  return value
}

function viewRows(path: string): V1Row[] {
  const raw = rawConnection(path)
  const rows = raw.prepare('SELECT seq, ts, run_id, sector, type, payload, prev_hash, hash FROM events ORDER BY seq').raw(true).all() as V1Row[]
  raw.close()
  return rows
}

const OLD: NewEvent[] = [
  runStarted('run-a', 'oanda', 0),
  ...Array.from({length: 2500}, (_, i) => (i % 4 === 0 ? barEvent(i + 1, 'run-a', 'oanda') : logEvent(i + 1, 'run-a', 'oanda'))),
  runStopped('run-a', 'oanda', 2501, 'data-exhausted'),
  runStarted('run-b', 'coinbase', 2502),
  {...logEvent(2503, 'run-b', 'coinbase'), payload: {message: 'ünïcödé ✓ "quoted", with\nline breaks'}},
]

describe('upgrading a schema-1 journal', () => {
  it('a writable open converts it in place: same seqs, timestamps, payload texts and hashes', () => {
    const path = journalPath()
    const rows = schema1Journal(path, OLD)
    expect(verifyJournal(path)).toMatchObject({ok: true, events: OLD.length})
    const journal = openJournal({path})
    const read = [...journal.events()]
    expect(read.map((e) => [e.seq, e.ts, e.runId, e.sector, e.type, JSON.stringify(e.payload), e.prevHash, e.hash])).toEqual(
      rows.map((r) => [r[0], r[1], r[2], r[3], r[4], JSON.stringify(JSON.parse(r[5])), r[6], r[7]]),
    )
    expect(journal.runs().map((r) => [r.runId, r.firstSeq, r.lastSeq, r.reason])).toEqual([
      ['run-a', 1, 2502, 'data-exhausted'],
      ['run-b', 2503, 2504, undefined],
    ])
    // The chain goes on from the old head.
    expect(journal.append(logEvent(9999, 'run-b', 'coinbase'))).toMatchObject({seq: OLD.length + 1, prevHash: rows.at(-1)![7]})
    journal.close()
    expect(pragma(path, 'user_version')).toBe(2)
    expect(pragma(path, 'application_id')).toBe(0x7269636b)
    // The view shows exactly the old rows (plus the new one).
    expect(viewRows(path).slice(0, rows.length)).toEqual(rows)
    expect(verifyJournal(path)).toMatchObject({ok: true, events: OLD.length + 1, triggersOk: true})
    // Blocks split where runs and RUN_STARTED/RUN_STOPPED say, and at the chunk size.
    expect(blockShape(path).slice(0, 6)).toEqual([
      [1, 1, 'run-a'],
      [2, 2048, 'run-a'],
      [2049, 2501, 'run-a'],
      [2502, 2502, 'run-a'],
      [2503, 2503, 'run-b'],
      [2504, 2504, 'run-b'],
    ])
    const raw = rawConnection(path)
    expect(raw.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").pluck().all()).toEqual(['blocks'])
    expect(() => raw.prepare('DELETE FROM blocks').run()).toThrow(/append-only: DELETE refused/)
    raw.close()
  })

  it('upgradeJournal says what it did, once; an empty schema-1 journal upgrades too', () => {
    const path = journalPath()
    const rows = schema1Journal(path, mixedEvents(300))
    expect(upgradeJournal(path)).toEqual({path, upgraded: true, fromSchema: 1, schema: 2, events: rows.length, blocks: expect.any(Number), lastSeq: rows.length, lastHash: rows.at(-1)![7]})
    expect(upgradeJournal(path)).toMatchObject({path, upgraded: false, fromSchema: 2, schema: 2, events: rows.length, lastSeq: rows.length, lastHash: rows.at(-1)![7]})
    const empty = journalPath()
    schema1Journal(empty, [])
    expect(upgradeJournal(empty)).toEqual({path: empty, upgraded: true, fromSchema: 1, schema: 2, events: 0, blocks: 0, lastSeq: 0, lastHash: GENESIS_HASH})
    expect(verifyJournal(empty)).toMatchObject({ok: true, events: 0})
  })

  it('a read-only open does not convert; it says to run `rick journal upgrade`', () => {
    const path = journalPath()
    schema1Journal(path, OLD.slice(0, 3))
    expect(() => openJournal({path, readonly: true})).toThrow(
      expect.objectContaining({code: 'JOURNAL_OLD_SCHEMA', message: expect.stringContaining(`rick journal upgrade --journal ${path}`)}),
    )
    expect(pragma(path, 'user_version')).toBe(1)
  })

  it('a broken chain is not upgraded: JOURNAL_TAMPERED names the first bad seq, and the file is left as it was', () => {
    const path = journalPath()
    schema1Journal(path, OLD.slice(0, 50))
    const raw = rawConnection(path)
    raw.exec(`DROP TRIGGER events_no_update; UPDATE events SET payload = '{"message":"rewritten"}' WHERE seq = 17`)
    raw.exec(`CREATE TRIGGER events_no_update BEFORE UPDATE ON events
BEGIN SELECT RAISE(ABORT, 'journal is append-only: UPDATE refused'); END`)
    raw.close()
    expect(() => openJournal({path})).toThrow(expect.objectContaining({code: 'JOURNAL_TAMPERED', message: expect.stringMatching(/does not verify at seq 17 \(hash-mismatch: .*\), so it was not upgraded; nothing was changed/)}))
    expect(() => upgradeJournal(path)).toThrow(/does not verify at seq 17/)
    expect(pragma(path, 'user_version')).toBe(1)
    expect(verifyJournal(path)).toMatchObject({ok: false, firstBadSeq: 17, events: 50})
  })

  it('a schema-1 journal whose triggers were dropped is not upgraded either', () => {
    const path = journalPath()
    schema1Journal(path, OLD.slice(0, 5))
    const raw = rawConnection(path)
    raw.exec('DROP TRIGGER events_no_delete')
    raw.close()
    expect(() => openJournal({path})).toThrow(expect.objectContaining({code: 'JOURNAL_TAMPERED', message: expect.stringMatching(/trigger events_no_delete missing/)}))
    expect(pragma(path, 'user_version')).toBe(1)
  })

  it('upgradeJournal on a file that is not a journal, or no file, changes nothing', () => {
    expect(() => upgradeJournal(journalPath())).toThrow(expect.objectContaining({code: 'JOURNAL_MISSING'}))
    const path = journalPath()
    openJournal({path}).close()
    const raw = rawConnection(path)
    raw.pragma('application_id = 0')
    raw.close()
    expect(() => upgradeJournal(path)).toThrow(/not a rick journal/)
  })
})
