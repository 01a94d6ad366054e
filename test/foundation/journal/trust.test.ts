// A writable open trusts only a journal that verifies and matches its head file (issue 11,
// section 2): a row changed behind the triggers, the last blocks removed, a chain rewritten, a
// database lost or replaced, a head file edited: each refused, naming the seq and what to do,
// with nothing written. A journal nothing touched is checked only past its recorded head.
import {copyFileSync, existsSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync} from 'node:fs'
import {dirname, join} from 'node:path'
import {afterAll, describe, expect, it} from 'vitest'

import {GENESIS_HASH, openJournal, verifyJournal, type Journal} from '../../../src/foundation/journal/index.js'
import {journalTrust} from '../../../src/foundation/journal/store.js'
import {journalPath, logEvent, rawConnection, removeTempDirs, runStarted, tamper, useSourceWriterThread} from './fixture.js'

afterAll(removeTempDirs)

const headOf = (path: string): string => readFileSync(`${path}.head`, 'latin1')

/** A closed journal of `n` durable appends (one block each). */
function journalOf(n: number, path = journalPath(), message = 'event'): string {
  const journal = openJournal({path})
  for (let i = 1; i <= n; i++) journal.append({...logEvent(i), payload: {message: `${message} ${i}`}})
  journal.close()
  return path
}

function opened(path: string): Journal {
  return openJournal({path})
}

function refusal(path: string): {code: string; message: string} {
  try {
    opened(path).close()
  } catch (error) {
    return {code: (error as {code: string}).code, message: (error as Error).message}
  }
  throw new Error('the journal was opened for writing')
}

describe('the head file', () => {
  it('a new journal records seq 0; each durable append moves it, before close (a SIGKILL keeps it)', () => {
    const path = journalPath()
    const journal = opened(path)
    expect(journalTrust(journal)).toEqual({checked: 'new', events: 0, lastSeq: 0})
    expect(headOf(path)).toContain(`seq=0 hash=${GENESIS_HASH}`)
    const e = journal.append(logEvent(1))
    expect(headOf(path)).toContain(`seq=1 hash=${e.hash}`)
    const [, last] = journal.appendMany([logEvent(2), logEvent(3)])
    expect(headOf(path)).toContain(`seq=3 hash=${last!.hash}`)
    // Batched events are not durable: the head waits for the next durable commit, or close.
    const batch = journal.batch({size: 2})
    for (let i = 4; i <= 7; i++) batch.add(logEvent(i))
    batch.flush()
    expect(headOf(path)).toContain('seq=3 ')
    journal.close()
    expect(headOf(path)).toContain('seq=7 ')
    expect(statSync(`${path}.head`).mode & 0o777).toBe(0o600)
  })

  it('reopened untouched: only what follows the head is checked, however long the journal', () => {
    const path = journalOf(300)
    const journal = opened(path)
    expect(journalTrust(journal)).toEqual({checked: 'incremental', events: 0, lastSeq: 300})
    journal.close()
  })

  it('a journal of an older rick (no head file): the whole chain is checked, then the head recorded', () => {
    const path = journalOf(5)
    rmSync(`${path}.head`)
    const journal = opened(path)
    expect(journalTrust(journal)).toEqual({checked: 'full', events: 5, lastSeq: 5})
    journal.close()
    expect(headOf(path)).toContain('seq=5 ')
    expect(journalTrust(opened(path))).toMatchObject({checked: 'incremental'})
  })
})

describe('a writable open refuses', () => {
  it('a row changed behind the triggers: JOURNAL_BROKEN at its seq, nothing appended', () => {
    const path = journalOf(8)
    tamper(path, (raw) => {
      const events = raw.prepare('SELECT events FROM blocks WHERE first_seq = 3').pluck().get() as string
      raw.prepare('UPDATE blocks SET events = ? WHERE first_seq = 3').run(events.replace('event 3', 'event 33'))
    })
    const r = refusal(path)
    expect(r.code).toBe('JOURNAL_BROKEN')
    expect(r.message).toMatch(/does not verify at seq 3 \(hash-mismatch/)
    expect(r.message).toContain(`rick journal verify --journal ${path}`)
    expect(r.message).toMatch(/backup/)
    expect(verifyJournal(path)).toMatchObject({ok: false, firstBadSeq: 3, lastSeq: 8})
  })

  it('a row changed while a writer is connected (the change sits in the -wal, journal.db untouched)', () => {
    const path = journalOf(4)
    const engine = opened(path)
    engine.append(logEvent(5))
    tamper(path, (raw) => {
      const events = raw.prepare('SELECT events FROM blocks WHERE first_seq = 2').pluck().get() as string
      raw.prepare('UPDATE blocks SET events = ? WHERE first_seq = 2').run(events.replace('event 2', 'event 22'))
    })
    expect(refusal(path)).toMatchObject({code: 'JOURNAL_BROKEN', message: expect.stringMatching(/at seq 2 \(hash-mismatch/)})
    engine.close()
  })

  it('the last blocks deleted: JOURNAL_TRUNCATED, and verify reports it', () => {
    const path = journalOf(8)
    tamper(path, (raw) => raw.prepare('DELETE FROM blocks WHERE first_seq >= 6').run())
    const r = refusal(path)
    expect(r.code).toBe('JOURNAL_TRUNCATED')
    expect(r.message).toMatch(/does not verify at seq 6 \(truncated: the journal ends at seq 5, but its head file .* reached seq 8/)
    expect(verifyJournal(path)).toMatchObject({ok: false, code: 'truncated', firstBadSeq: 6, lastSeq: 5, head: {seq: 8}})
  })

  it('a chain rewritten whole (another journal of the same length in its place): JOURNAL_HEAD_MISMATCH', () => {
    const path = journalOf(4)
    const other = journalOf(4, journalPath(), 'forged')
    copyFileSync(other, path)
    expect(verifyJournal(other).ok).toBe(true)
    const r = refusal(path)
    expect(r.code).toBe('JOURNAL_HEAD_MISMATCH')
    expect(r.message).toMatch(/seq 4 \(head-mismatch/)
    expect(verifyJournal(path)).toMatchObject({ok: false, code: 'head-mismatch', firstBadSeq: 4})
  })

  it('a journal that held events, deleted (or lost with its -wal): JOURNAL_LOST, no new journal made', () => {
    const path = journalOf(3)
    rmSync(path)
    const r = refusal(path)
    expect(r.code).toBe('JOURNAL_LOST')
    expect(r.message).toMatch(/records that it held events up to seq 3/)
    expect(existsSync(path)).toBe(false)
    expect(() => verifyJournal(path)).toThrow(/held events up to seq 3/)
  })

  it('a journal replaced by an empty file, or by a new empty journal', () => {
    const path = journalOf(3)
    writeFileSync(path, '')
    expect(refusal(path).code).toBe('JOURNAL_LOST')
    expect(statSync(path).size).toBe(0)

    const fresh = journalPath()
    openJournal({path: fresh}).close()
    copyFileSync(fresh, path)
    const before = statSync(path)
    expect(refusal(path).code).toBe('JOURNAL_TRUNCATED')
    expect(statSync(path)).toMatchObject({size: before.size, mtimeMs: before.mtimeMs})
  })

  it('a head file that is not one rick wrote (edited by hand, cut short)', () => {
    const path = journalOf(3)
    const head = headOf(path)
    writeFileSync(`${path}.head`, head.replace('seq=3', 'seq=2'))
    expect(refusal(path).code).toBe('JOURNAL_HEAD_UNREADABLE')
    writeFileSync(`${path}.head`, head.slice(0, 40))
    expect(refusal(path)).toMatchObject({code: 'JOURNAL_HEAD_UNREADABLE', message: expect.stringMatching(/move .*\.head aside/)})
  })
})

describe('writers side by side', () => {
  it('a second writer opened while the first appends checks only the new events, and both keep the head', () => {
    const path = journalOf(3)
    const a = opened(path)
    a.append(runStarted('run-b', 'coinbase', 4))
    const b = opened(path)
    expect(journalTrust(b)).toMatchObject({checked: 'incremental', lastSeq: 4})
    const e = b.append(logEvent(5, 'run-b', 'coinbase'))
    a.append(logEvent(6))
    b.close()
    a.close()
    expect(verifyJournal(path)).toMatchObject({ok: true, lastSeq: 6, head: {seq: 6}})
    expect(e.seq).toBe(5)
    expect(journalTrust(opened(path))).toMatchObject({checked: 'incremental', events: 0})
  })
  it('a checkpoint while a writer runs (journal.db written): its next append records the new seal', () => {
    const path = journalOf(3)
    const a = opened(path)
    a.append(logEvent(4))
    const raw = rawConnection(path)
    expect((raw.pragma('wal_checkpoint(PASSIVE)') as Array<{checkpointed: number}>)[0]!.checkpointed).toBeGreaterThan(0)
    raw.close()
    a.append(logEvent(5))
    expect(journalTrust(opened(path))).toMatchObject({checked: 'incremental', events: 0, lastSeq: 5})
    a.close()
  })
})

describe('batches', () => {
  it.each(['inline', 'thread'] as const)('committed by the %s writer: the head keeps the durable seq, and a writer opened meanwhile checks only the batch', (writer) => {
    const undo = useSourceWriterThread()
    try {
      const path = journalOf(3)
      const a = openJournal({path, writer})
      const batch = a.batch({size: 4})
      for (let i = 4; i <= 11; i++) batch.add(logEvent(i))
      batch.flush()
      expect(headOf(path)).toContain('seq=3 ')
      // As a crash would leave it (a still running writer looks the same from outside).
      const b = opened(path)
      expect(journalTrust(b)).toEqual({checked: 'incremental', events: 8, lastSeq: 11})
      b.close()
      a.close()
    } finally {
      undo()
    }
  })
})

describe('read-only opens', () => {
  it('leave nothing next to the journal: no -wal, no -shm, no file changed', () => {
    const path = journalOf(4)
    const dir = dirname(path)
    const listing = (): string[] => readdirSync(dir).map((f) => `${f} ${statSync(join(dir, f)).size} ${statSync(join(dir, f)).mtimeMs}`)
    const before = listing()
    const journal = openJournal({path, readonly: true})
    expect([...journal.events()]).toHaveLength(4)
    journal.close()
    expect(verifyJournal(path).ok).toBe(true)
    expect(listing()).toEqual(before)
  })

  it('see what a writer has in its -wal (the shared read mode, while one is connected)', () => {
    const path = journalOf(2)
    const writer = opened(path)
    writer.append(logEvent(3))
    const reader = openJournal({path, readonly: true})
    expect(reader.lastSeq()).toBe(3)
    const follower = openJournal({path, follow: true})
    writer.append(logEvent(4))
    expect(follower.lastSeq()).toBe(4)
    follower.close()
    reader.close()
    writer.close()
  })
})
