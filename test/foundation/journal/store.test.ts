import {existsSync, statSync} from 'node:fs'
import {dirname} from 'node:path'
import {afterAll, describe, expect, it} from 'vitest'

import {canonicalJson, hashCanonical} from '../../../src/foundation/canonical.js'
import {GENESIS_HASH, openJournal, verifyJournal, type JournalEvent, type NewEvent} from '../../../src/foundation/journal/index.js'
import {journalSettings} from '../../../src/foundation/journal/store.js'
import {barEvent, journalPath, logEvent, rawConnection, removeTempDirs, runStarted, runStopped, tempDir} from './fixture.js'

afterAll(removeTempDirs)

describe('openJournal: appends', () => {
  it('assigns contiguous seqs from 1 and chains each hash to the previous one', () => {
    const path = journalPath()
    const journal = openJournal({path})
    const first = journal.append(logEvent(1))
    const second = journal.append(barEvent(2))
    const many = journal.appendMany([logEvent(3), logEvent(4)])
    journal.close()

    expect(first.seq).toBe(1)
    expect(first.prevHash).toBe(GENESIS_HASH)
    expect(second.seq).toBe(2)
    expect(second.prevHash).toBe(first.hash)
    expect(many.map((e) => e.seq)).toEqual([3, 4])
    expect(many[0]!.prevHash).toBe(second.hash)
    expect(many[1]!.prevHash).toBe(many[0]!.hash)
    // The hash is sha256 of canonical JSON of exactly these seven fields.
    for (const e of [first, second, ...many]) {
      const {hash, ...fields} = e
      expect(hash).toBe(hashCanonical(fields))
    }
  })

  it('reads back exactly what append returned (payload as canonical JSON)', () => {
    const journal = openJournal({path: journalPath()})
    const written = [journal.append(runStarted('run-a', 'oanda')), journal.append(barEvent(1, 'run-a', 'oanda')), journal.append(runStopped('run-a', 'oanda', 2))]
    const read = [...journal.events()]
    journal.close()
    expect(read).toEqual(written)
    expect(read.map((e) => canonicalJson(e.payload))).toEqual(written.map((e) => canonicalJson(e.payload)))
  })

  it('creates its folder 0700 and the database, -wal and -shm 0600', () => {
    const path = journalPath()
    const journal = openJournal({path})
    journal.append(logEvent(1))
    expect(statSync(dirname(path)).mode & 0o777).toBe(0o700)
    for (const file of [path, `${path}-wal`, `${path}-shm`]) expect(statSync(file).mode & 0o777).toBe(0o600)
    journal.close()
  })

  it('is durable on return: another connection sees the event at once', () => {
    const path = journalPath()
    const journal = openJournal({path})
    // WAL with synchronous=FULL (2): the log is fsync'd at every commit, before append returns.
    expect(journalSettings(journal)).toEqual({journalMode: 'wal', synchronous: 2})
    const raw = rawConnection(path)
    journal.append(logEvent(1))
    expect(raw.prepare('SELECT count(*) AS n FROM events').get()).toEqual({n: 1})
    raw.close()
    journal.close()
  })

  it('refuses malformed events and writes nothing for them', () => {
    const journal = openJournal({path: journalPath()})
    const bad: Array<[NewEvent, RegExp]> = [
      [{...logEvent(1), type: 'NOPE' as 'STRATEGY_LOG'}, /unknown type/],
      [{...logEvent(1), ts: 1.5}, /ts must be integer/],
      [{...logEvent(1), runId: ''}, /runId/],
      [{...logEvent(1), sector: ''}, /sector/],
      [{...logEvent(1), runId: 'run-\ud800'}, /runId must be well-formed Unicode/],
      [{...logEvent(1), payload: {message: 'x', n: Number.NaN} as unknown as {message: string}}, /not JSON/],
      [{...logEvent(1), payload: null as unknown as {message: string}}, /payload must be an object/],
    ]
    for (const [event, message] of bad) expect(() => journal.append(event)).toThrow(message)
    // A bad event in appendMany rolls back the good ones before it.
    expect(() => journal.appendMany([logEvent(1), {...logEvent(2), ts: Number.NaN}])).toThrow(/ts must be integer/)
    expect(journal.lastSeq()).toBe(0)
    journal.close()
  })
})

describe('append-only in the store itself', () => {
  it('refuses UPDATE and DELETE from any connection, on the blocks and through the view', () => {
    const path = journalPath()
    const journal = openJournal({path})
    journal.appendMany([logEvent(1), logEvent(2)])
    journal.append(logEvent(3))
    const raw = rawConnection(path)
    expect(() => raw.prepare("UPDATE blocks SET events = '[]' WHERE first_seq = 1").run()).toThrow(/append-only: UPDATE refused/)
    expect(() => raw.prepare('DELETE FROM blocks WHERE first_seq = 3').run()).toThrow(/append-only: DELETE refused/)
    expect(() => raw.prepare('DELETE FROM blocks').run()).toThrow(/append-only: DELETE refused/)
    expect(() => raw.prepare("UPDATE events SET payload = '{}' WHERE seq = 1").run()).toThrow(/cannot modify events because it is a view/)
    expect(() => raw.prepare('DELETE FROM events WHERE seq = 2').run()).toThrow(/cannot modify events because it is a view/)
    expect(raw.prepare('SELECT count(*) AS n FROM events').get()).toEqual({n: 3})
    raw.close()
    expect(verifyJournal(path).ok).toBe(true)
    journal.close()
  })

  it('refuses to open for writing once a trigger was dropped (reading still works)', () => {
    const path = journalPath()
    openJournal({path}).close()
    const raw = rawConnection(path)
    raw.exec('DROP TRIGGER blocks_no_delete')
    raw.close()
    expect(() => openJournal({path})).toThrow(/no longer refuses changes: trigger blocks_no_delete missing/)
    const reader = openJournal({path, readonly: true})
    expect(reader.lastSeq()).toBe(0)
    reader.close()
  })

  it('refuses a SQLite file that is not a journal, and a file that is not SQLite', async () => {
    const dir = tempDir()
    const other = `${dir}/other.db`
    const raw = rawConnection(other)
    raw.exec('CREATE TABLE t (x)')
    raw.close()
    expect(() => openJournal({path: other})).toThrow(/not a rick journal/)
    expect(() => openJournal({path: other, readonly: true})).toThrow(/not a rick journal/)
    const {writeFileSync} = await import('node:fs')
    writeFileSync(`${dir}/text.db`, 'hello, this is not a database at all, just some text that is long enough'.repeat(20))
    expect(() => openJournal({path: `${dir}/text.db`})).toThrow(/not a readable SQLite database/)
  })

  it('read-only: no file is created and writes are refused', () => {
    const path = journalPath()
    expect(() => openJournal({path, readonly: true})).toThrow(/no journal at/)
    expect(existsSync(path)).toBe(false)
    openJournal({path}).close()
    const reader = openJournal({path, readonly: true})
    expect(() => reader.append(logEvent(1))).toThrow(/read-only/)
    expect(() => reader.batch()).toThrow(/read-only/)
    reader.close()
  })
})

describe('batches', () => {
  it('buffers until the batch size, then writes in one go; flush and close write the rest', () => {
    const path = journalPath()
    const journal = openJournal({path})
    const batch = journal.batch({size: 3})
    const raw = rawConnection(path)
    const count = (): number => (raw.prepare('SELECT count(*) AS n FROM events').get() as {n: number}).n
    batch.add(logEvent(1))
    batch.add(logEvent(2))
    expect(batch.pending).toBe(2)
    expect(count()).toBe(0)
    batch.add(logEvent(3))
    expect(batch.pending).toBe(0)
    expect(count()).toBe(3)
    batch.add(logEvent(4))
    expect(batch.flush()).toBe(4)
    batch.add(logEvent(5))
    batch.close()
    expect(count()).toBe(5)
    expect(() => batch.add(logEvent(6))).toThrow(/batch is closed/)
    raw.close()
    journal.close()
    expect(verifyJournal(path)).toMatchObject({ok: true, events: 5})
  })

  it('a durable append writes the pending batch first, so seq order is the order of production', () => {
    const path = journalPath()
    const journal = openJournal({path})
    const batch = journal.batch({size: 1000})
    batch.add(barEvent(1))
    batch.add(barEvent(2))
    const intent: NewEvent<'ORDER_INTENT'> = {
      ts: barEvent(2).ts,
      runId: 'run-a',
      sector: 'coinbase',
      type: 'ORDER_INTENT',
      payload: {order: {clientOrderId: 'c-1', instrument: 'BTC-USD', side: 'buy', type: 'market', qty: 0.01, tif: 'gtc'}, reason: 'cross'},
    }
    const durable = journal.append(intent)
    expect(durable.seq).toBe(3)
    expect(batch.pending).toBe(0)
    batch.add(barEvent(3))
    batch.close()
    const types = [...journal.events()].map((e) => `${e.seq}:${e.type}`)
    expect(types).toEqual(['1:BAR', '2:BAR', '3:ORDER_INTENT', '4:BAR'])
    journal.close()
    expect(verifyJournal(path).ok).toBe(true)
  })

  it('a bad event fails in add() and leaves the buffer usable; payloads are taken as they were at add()', () => {
    const path = journalPath()
    const journal = openJournal({path})
    const batch = journal.batch({size: 10})
    const mutable = {message: 'as added'}
    batch.add({...logEvent(1), payload: mutable})
    expect(() => batch.add({...logEvent(2), payload: {message: 'x', bad: Number.POSITIVE_INFINITY} as unknown as {message: string}})).toThrow(/payload is not JSON/)
    expect(() => batch.add({...logEvent(3), ts: Number.NaN})).toThrow(/ts must be integer/)
    mutable.message = 'changed later'
    batch.add(logEvent(4))
    expect(batch.pending).toBe(2)
    batch.close()
    expect([...journal.events()].map((e) => [e.seq, (e.payload as {message: string}).message])).toEqual([
      [1, 'as added'],
      [2, 'event 4'],
    ])
    journal.close()
    expect(verifyJournal(path).ok).toBe(true)
  })

  it('reads and close() write what is pending', () => {
    const path = journalPath()
    const journal = openJournal({path})
    const batch = journal.batch()
    batch.add(logEvent(1))
    expect(journal.lastSeq()).toBe(1)
    batch.add(logEvent(2))
    expect([...journal.events()].map((e) => e.seq)).toEqual([1, 2])
    batch.add(logEvent(3))
    journal.close()
    const reader = openJournal({path, readonly: true})
    expect(reader.lastSeq()).toBe(3)
    reader.close()
  })

  it('two writers on one file interleave without breaking the chain', () => {
    const path = journalPath()
    const a = openJournal({path})
    const b = openJournal({path})
    const batchA = a.batch({size: 7})
    for (let i = 0; i < 50; i++) {
      batchA.add(logEvent(i, 'run-a', 'oanda'))
      if (i % 5 === 0) b.append(logEvent(i, 'run-b', 'coinbase'))
    }
    batchA.close()
    b.appendMany([logEvent(100, 'run-b', 'coinbase'), logEvent(101, 'run-b', 'coinbase')])
    a.close()
    b.close()
    const result = verifyJournal(path)
    expect(result).toMatchObject({ok: true, events: 62, lastSeq: 62})
  })
})

describe('reads', () => {
  function sample(): {path: string; written: JournalEvent[]} {
    const path = journalPath()
    const journal = openJournal({path})
    const written: JournalEvent[] = []
    written.push(journal.append(runStarted('run-a', 'oanda', 0)))
    written.push(journal.append(runStarted('run-b', 'coinbase', 0)))
    const events: NewEvent[] = []
    for (let i = 1; i <= 1200; i++) events.push(i % 2 === 0 ? barEvent(i, 'run-b', 'coinbase') : logEvent(i, 'run-a', 'oanda'))
    written.push(...journal.appendMany(events))
    written.push(journal.append(runStopped('run-a', 'oanda', 1201, 'data-exhausted')))
    written.push(journal.append(runStarted('run-c', 'oanda', 1202)))
    journal.close()
    return {path, written}
  }

  it('filters by run, sector, types and seq range, forwards and backwards, across pages', () => {
    const {path, written} = sample()
    const journal = openJournal({path, readonly: true})
    const all = [...journal.events()]
    expect(all).toEqual(written)
    expect(journal.lastSeq()).toBe(1204)
    const runB = [...journal.events({runId: 'run-b'})]
    expect(runB).toEqual(written.filter((e) => e.runId === 'run-b'))
    expect(runB).toHaveLength(601)
    expect([...journal.events({sector: 'oanda', types: ['RUN_STARTED', 'RUN_STOPPED']})].map((e) => e.seq)).toEqual([1, 1203, 1204])
    expect([...journal.events({types: []})]).toEqual([])
    expect([...journal.events({afterSeq: 600, beforeSeq: 604})].map((e) => e.seq)).toEqual([601, 602, 603])
    expect([...journal.events({reverse: true, limit: 3})].map((e) => e.seq)).toEqual([1204, 1203, 1202])
    const backwards = [...journal.events({runId: 'run-a', reverse: true})]
    expect(backwards).toEqual(written.filter((e) => e.runId === 'run-a').reverse())
    expect([...journal.events({types: ['BAR'], limit: 700})]).toHaveLength(600)
    expect([...journal.events({types: ['BAR'], limit: 513})].at(-1)).toEqual(written.filter((e) => e.type === 'BAR')[512])
    journal.close()
  })

  it('allows appending while iterating (reads page by page)', () => {
    const path = journalPath()
    const journal = openJournal({path})
    journal.appendMany(Array.from({length: 1030}, (_, i) => logEvent(i)))
    let seen = 0
    for (const e of journal.events({types: ['STRATEGY_LOG'], beforeSeq: 1031})) {
      seen++
      if (e.seq % 500 === 0) journal.append(barEvent(e.seq))
    }
    expect(seen).toBe(1030)
    expect(journal.lastSeq()).toBe(1032)
    journal.close()
  })

  it('runs(): every RUN_STARTED with its stop, reason and last seq', () => {
    const {path} = sample()
    const journal = openJournal({path, readonly: true})
    expect(journal.runs()).toEqual([
      {runId: 'run-a', sector: 'oanda', startedAt: runStarted('x', 'y', 0).ts, firstSeq: 1, lastSeq: 1203, stoppedAt: runStopped('x', 'y', 1201).ts, reason: 'data-exhausted'},
      {runId: 'run-b', sector: 'coinbase', startedAt: runStarted('x', 'y', 0).ts, firstSeq: 2, lastSeq: 1202},
      {runId: 'run-c', sector: 'oanda', startedAt: runStarted('x', 'y', 1202).ts, firstSeq: 1204, lastSeq: 1204},
    ])
    expect(journal.runs({sector: 'coinbase'}).map((r) => r.runId)).toEqual(['run-b'])
    journal.close()
  })

  it('closing twice is harmless; use after close is an error', () => {
    const journal = openJournal({path: journalPath()})
    journal.close()
    journal.close()
    expect(() => journal.lastSeq()).toThrow(/closed/)
  })
})
