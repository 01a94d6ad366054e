// A crash in the middle of a write. SQLite appends a transaction to the -wal file frame by frame
// and marks its last frame as the commit; at open it replays only frames whose checksums hold up
// to a commit frame. A torn tail is therefore simply not there: the journal opens, verifies, and
// the next append continues the chain from the last whole transaction.
import {copyFileSync, existsSync, readFileSync, statSync, truncateSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {afterAll, describe, expect, it} from 'vitest'

import {openJournal, verifyJournal, type Journal} from '../../../src/foundation/journal/index.js'
import {logEvent, removeTempDirs, tempDir, journalPath} from './fixture.js'

afterAll(removeTempDirs)

interface Crashed {
  /** A copy of the journal's files as they were on disk with the writer still open. */
  path: string
  walBefore: number
  walAfter: number
  lastWholeHash: string
}

/** 10 durable appends, then one transaction of 10 bigger events; copies db + wal (no -shm) mid-life. */
function crashAfterTransaction(): Crashed {
  const path = journalPath()
  const journal: Journal = openJournal({path})
  let lastWholeHash = ''
  for (let i = 1; i <= 10; i++) lastWholeHash = journal.append(logEvent(i)).hash
  const walBefore = statSync(`${path}-wal`).size
  journal.appendMany(Array.from({length: 10}, (_, i) => ({...logEvent(11 + i), payload: {message: `torn ${i} ${'x'.repeat(3000)}`}})))
  const walAfter = statSync(`${path}-wal`).size
  expect(walAfter).toBeGreaterThan(walBefore + 4 * 4096)
  const copy = join(tempDir(), 'crashed.db')
  copyFileSync(path, copy)
  copyFileSync(`${path}-wal`, `${copy}-wal`)
  journal.close()
  return {path: copy, walBefore, walAfter, lastWholeHash}
}

function expectRecovered(c: Crashed): void {
  expect(existsSync(`${c.path}-shm`)).toBe(false)
  expect(verifyJournal(c.path)).toMatchObject({ok: true, events: 10, lastSeq: 10, lastHash: c.lastWholeHash})
  const journal = openJournal({path: c.path})
  expect(journal.lastSeq()).toBe(10)
  const next = journal.append(logEvent(99))
  expect(next).toMatchObject({seq: 11, prevHash: c.lastWholeHash})
  journal.close()
  expect(verifyJournal(c.path)).toMatchObject({ok: true, events: 11})
}

describe('torn last write', () => {
  it('the untouched copy holds all 20 events (the test setup itself is sound)', () => {
    const c = crashAfterTransaction()
    expect(verifyJournal(c.path)).toMatchObject({ok: true, events: 20})
  })

  it('-wal cut in the middle of the last transaction: that transaction is gone, the rest verifies', () => {
    const c = crashAfterTransaction()
    truncateSync(`${c.path}-wal`, c.walBefore + Math.floor((c.walAfter - c.walBefore) / 2) + 100)
    expectRecovered(c)
  })

  it('-wal cut a few bytes short of the commit frame: the whole transaction is gone', () => {
    const c = crashAfterTransaction()
    truncateSync(`${c.path}-wal`, c.walAfter - 7)
    expectRecovered(c)
  })

  it('garbage in the last frame (a torn sector) fails its checksum and is dropped', () => {
    const c = crashAfterTransaction()
    const wal = readFileSync(`${c.path}-wal`)
    wal.fill(0xa5, c.walAfter - 1000, c.walAfter - 500)
    writeFileSync(`${c.path}-wal`, wal)
    expectRecovered(c)
  })
})
