// The batch writer thread, for real: these tests start it from the sources (tsx's loader in the
// thread, see useSourceWriterThread) and compare it with the calling thread writing the same events.
import {readdirSync, readFileSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {fileURLToPath} from 'node:url'
import type {Worker} from 'node:worker_threads'

import {execa} from 'execa'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {openJournal, verifyJournal, type Journal, type JournalEvent, type JournalWriter, type NewEvent} from '../../../src/foundation/journal/index.js'
import {journalWriterThread} from '../../../src/foundation/journal/store.js'
import {WRITER_NICE} from '../../../src/foundation/journal/thread-priority.js'
import {registerWriterModule} from '../../../src/foundation/journal/writer-location.js'
import {blockRows, journalPath, logEvent, mixedEvents, rawConnection, removeTempDirs, runStarted, tempDir, useSourceWriterThread} from './fixture.js'

let restore: () => void
beforeAll(() => {
  restore = useSourceWriterThread()
})
afterAll(() => {
  restore()
  removeTempDirs()
})

/** The same production, written by the given writer: batches, durable appends, reads in between. */
function produce(writer: JournalWriter): {path: string; events: JournalEvent[]; threadRan: boolean} {
  const path = journalPath()
  const journal = openJournal({path, writer})
  const events = mixedEvents(9000)
  const batch = journal.batch({size: 1000})
  let threadRan = false
  events.forEach((e, i) => {
    if (i % 2500 === 1) journal.append(logEvent(i, 'run-durable', 'ibkr'))
    else batch.add(e)
    if (i === 4000) expect(journal.lastSeq()).toBe(4001)
    threadRan ||= journalWriterThread(journal) !== undefined
  })
  batch.close()
  const read = [...journal.events()]
  journal.close()
  return {path, events: read, threadRan}
}

describe('the writer thread', () => {
  it('writes the same blocks, seqs, hashes and payloads as the calling thread', () => {
    const thread = produce('thread')
    const inline = produce('inline')
    expect(thread.threadRan).toBe(true)
    expect(inline.threadRan).toBe(false)
    expect(thread.events).toHaveLength(9000 + 5)
    expect(thread.events).toEqual(inline.events)
    expect(blockRows(thread.path)).toEqual(blockRows(inline.path))
    expect(verifyJournal(thread.path)).toMatchObject({ok: true, events: 9005, lastSeq: 9005})
  })

  it.runIf(process.platform === 'linux')('runs at the lowest priority, the calling thread at its own', () => {
    /** Nice value of each thread of this process, by thread id (/proc/<pid>/task/<tid>/stat, field 19). */
    const niceness = (): Map<string, number> =>
      new Map(
        readdirSync('/proc/self/task').map((tid) => {
          const stat = readFileSync(`/proc/self/task/${tid}/stat`, 'utf8')
          return [tid, Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[16])]
        }),
      )
    const before = niceness()
    const journal = openJournal({path: journalPath(), writer: 'thread', bulk: true})
    const batch = journal.batch({size: 100})
    for (let i = 0; i < 250; i++) batch.add(logEvent(i))
    // flush(): the thread has started and written, so it has set its priority by now.
    batch.flush()
    // The thread may be one kept from an earlier journal (see the next test): it is at WRITER_NICE either way.
    expect([...niceness().values()]).toContain(WRITER_NICE)
    expect(niceness().get(String(process.pid))).toBe(before.get(String(process.pid)))
    batch.close()
    journal.close()
  })

  it('is kept after a clean close and serves the next journal opened; one that failed is not', async () => {
    const write = (path: string, n: number): Worker => {
      const journal = openJournal({path, writer: 'thread', bulk: true})
      const batch = journal.batch({size: 100})
      for (let i = 0; i < n; i++) batch.add(logEvent(i, `run-${n}`))
      const thread = journalWriterThread(journal)!
      batch.close()
      journal.close()
      return thread
    }
    const first = journalPath()
    const second = journalPath()
    const thread = write(first, 250)
    expect(write(second, 350)).toBe(thread)
    // Each journal got its own session: its own events, chain and seqs.
    expect(verifyJournal(first)).toMatchObject({ok: true, events: 250})
    expect(verifyJournal(second)).toMatchObject({ok: true, events: 350})
    const reader = openJournal({path: second, readonly: true})
    expect([...reader.events()].map((e) => e.runId)).toEqual(Array(350).fill('run-350'))
    reader.close()

    // A thread whose journal failed is ended, not kept: the next journal gets a new one.
    const failing = journalPath()
    const journal = openJournal({path: failing, writer: 'thread', busyTimeoutMs: 100})
    const batch = journal.batch({size: 100})
    for (let i = 0; i < 100; i++) batch.add(logEvent(i))
    batch.flush()
    const broken = journalWriterThread(journal)!
    expect(broken).toBe(thread)
    const raw = rawConnection(failing)
    raw.exec('BEGIN IMMEDIATE')
    for (let i = 0; i < 100; i++) batch.add(logEvent(i))
    expect(() => batch.close()).toThrow(expect.objectContaining({code: 'JOURNAL_BUSY'}))
    raw.exec('ROLLBACK')
    raw.close()
    journal.close()
    const exited = await new Promise<boolean>((resolve) => {
      broken.once('exit', () => resolve(true))
      setTimeout(() => resolve(false), 5000)
    })
    expect(exited).toBe(true)
    expect(write(journalPath(), 100)).not.toBe(thread)
  })

  it('a kept thread does not keep the process alive', async () => {
    const script = join(tempDir(), 'kept.ts')
    writeFileSync(
      script,
      `import {openJournal} from ${JSON.stringify(fileURLToPath(new URL('../../../src/foundation/journal/index.ts', import.meta.url)))}
import {journalWriterThread} from ${JSON.stringify(fileURLToPath(new URL('../../../src/foundation/journal/store.ts', import.meta.url)))}
import {useSourceWriterThread} from ${JSON.stringify(fileURLToPath(new URL('./fixture.ts', import.meta.url)))}
useSourceWriterThread()
const journal = openJournal({path: process.argv[2]!, writer: 'thread', bulk: true})
const batch = journal.batch({size: 100})
for (let i = 0; i < 300; i++) batch.add({ts: 1_700_000_000_000 + i, runId: 'run-kept', sector: 'oanda', type: 'STRATEGY_LOG', payload: {message: 'e' + i}})
const thread = journalWriterThread(journal)!
batch.close()
journal.close()
thread.once('exit', () => console.log('thread ended'))
console.log('closed')
`,
    )
    const path = journalPath()
    const result = await execa('node', ['--import', 'tsx', script, path], {reject: false, timeout: 30_000})
    expect(result).toMatchObject({exitCode: 0, timedOut: false})
    expect(String(result.stdout)).toMatch(/^closed/)
    expect(verifyJournal(path)).toMatchObject({ok: true, events: 300})
  })

  it('starts with the journal when it is opened in bulk mode, and not in inline mode', () => {
    const bulk = openJournal({path: journalPath(), writer: 'auto', bulk: true})
    expect(journalWriterThread(bulk)).toBeDefined()
    const batch = bulk.batch({size: 100})
    for (let i = 0; i < 250; i++) batch.add(logEvent(i))
    batch.close()
    expect(bulk.lastSeq()).toBe(250)
    bulk.close()
    const inline = openJournal({path: journalPath(), writer: 'inline', bulk: true})
    expect(journalWriterThread(inline)).toBeUndefined()
    inline.close()
  })

  it("starts only for a batch's first full chunk (auto: and only for chunks worth it)", () => {
    const journal = openJournal({path: journalPath(), writer: 'auto'})
    const small = journal.batch({size: 100})
    for (let i = 0; i < 250; i++) small.add(logEvent(i))
    small.close()
    expect(journalWriterThread(journal)).toBeUndefined()
    const big = journal.batch({size: 300})
    for (let i = 0; i < 299; i++) big.add(logEvent(i))
    expect(journalWriterThread(journal)).toBeUndefined()
    big.add(logEvent(299))
    expect(journalWriterThread(journal)).toBeDefined()
    big.close()
    expect(journal.lastSeq()).toBe(550)
    journal.close()
  })

  it('every read, flush and durable append waits for what was posted', () => {
    const path = journalPath()
    const journal = openJournal({path, writer: 'thread'})
    const raw = rawConnection(path)
    const count = (): number => (raw.prepare('SELECT coalesce(max(last_seq), 0) AS n FROM blocks').get() as {n: number}).n
    const batch = journal.batch({size: 500})
    for (let i = 0; i < 5000; i++) batch.add(logEvent(i))
    expect(journalWriterThread(journal)).toBeDefined()
    expect(journal.lastSeq()).toBe(5000)
    expect(count()).toBe(5000)
    for (let i = 0; i < 1234; i++) batch.add(logEvent(i))
    expect([...journal.events({afterSeq: 6000})].map((e) => e.seq)).toEqual(Array.from({length: 234}, (_, i) => 6001 + i))
    for (let i = 0; i < 1000; i++) batch.add(logEvent(i))
    expect(journal.append(logEvent(1, 'run-z')).seq).toBe(7235)
    for (let i = 0; i < 700; i++) batch.add(logEvent(i))
    expect(batch.flush()).toBe(7935)
    expect(count()).toBe(7935)
    for (let i = 0; i < 600; i++) batch.add(logEvent(i))
    expect(journal.runs()).toEqual([])
    expect(count()).toBe(8535)
    journal.close()
    raw.close()
    expect(verifyJournal(path)).toMatchObject({ok: true, events: 8535})
  })

  it('a failed chunk is rolled back, nothing after it is written, and the error names the cause', () => {
    const path = journalPath()
    const journal = openJournal({path, writer: 'thread'})
    // Refuses only the block that holds the poisoned event, as a full disk would refuse a write.
    const raw = rawConnection(path)
    raw.exec(`CREATE TRIGGER poison BEFORE INSERT ON blocks WHEN NEW.events LIKE '%poisoned%' BEGIN SELECT RAISE(ABORT, 'database or disk is full (simulated)'); END`)
    raw.close()
    const batch = journal.batch({size: 400})
    const add = (e: NewEvent): void => batch.add(e)
    let thrown: unknown
    try {
      for (let i = 0; i < 400 * 3; i++) add(logEvent(i))
      add({...logEvent(9999), payload: {message: 'poisoned'}})
      for (let i = 0; i < 400 * 3; i++) add(logEvent(10_000 + i))
      batch.flush()
    } catch (error) {
      thrown = error
    }
    expect(thrown).toMatchObject({name: 'JournalError', code: 'JOURNAL_SQLITE', message: expect.stringMatching(/database or disk is full \(simulated\).*batched event\(s\) were not written; the journal holds everything before them, intact\./)})
    // Later batch calls keep failing; the batch cannot write events after the ones it lost.
    expect(() => batch.add(logEvent(1))).toThrow(/disk is full \(simulated\)/)
    expect(() => batch.flush()).toThrow(/disk is full \(simulated\)/)
    expect(() => journal.batch()).toThrow(/disk is full \(simulated\)/)
    // The journal itself stays usable once the failure was reported: durable appends and reads.
    expect(journal.lastSeq()).toBe(1200)
    expect(journal.append(logEvent(1, 'run-after')).seq).toBe(1201)
    journal.close()
    expect(verifyJournal(path)).toMatchObject({ok: true, events: 1201})
  })

  it('a thread that dies is reported at the next call, with nothing written after it', async () => {
    const path = journalPath()
    const journal = openJournal({path, writer: 'thread'})
    const batch = journal.batch({size: 300})
    for (let i = 0; i < 600; i++) batch.add(logEvent(i))
    expect(batch.flush()).toBe(600)
    for (let i = 0; i < 299; i++) batch.add(logEvent(i))
    await journalWriterThread(journal)!.terminate()
    expect(() => batch.add(logEvent(1))).toThrow(
      expect.objectContaining({code: 'JOURNAL_WRITER_DIED', message: expect.stringMatching(/writer thread for .* failed: it stopped \(exit code 1\)\. 299 batched event\(s\) were not written/)}),
    )
    expect(journal.lastSeq()).toBe(600)
    journal.close()
    expect(verifyJournal(path)).toMatchObject({ok: true, events: 600})
  })

  it('a lock held past the busy timeout fails the thread with JOURNAL_BUSY, not a hang', () => {
    const path = journalPath()
    const journal = openJournal({path, writer: 'thread', busyTimeoutMs: 300})
    const batch = journal.batch({size: 300})
    for (let i = 0; i < 300; i++) batch.add(logEvent(i))
    expect(batch.flush()).toBe(300)
    const raw = rawConnection(path)
    raw.exec('BEGIN IMMEDIATE')
    for (let i = 0; i < 300; i++) batch.add(logEvent(i))
    expect(() => batch.close()).toThrow(expect.objectContaining({code: 'JOURNAL_BUSY', message: expect.stringMatching(/stayed locked by another writer for 0.3 s.*300 batched event\(s\) were not written/)}))
    raw.exec('ROLLBACK')
    raw.close()
    expect(journal.lastSeq()).toBe(300)
    journal.close()
  })

  it('a thread that cannot start leaves the calling thread to write everything, in order (auto)', () => {
    registerWriterModule({url: new URL('../../../src/foundation/journal/writer-thread.ts', import.meta.url), loader: 'file:///nonexistent/loader.mjs'})
    try {
      const path = journalPath()
      const journal: Journal = openJournal({path, writer: 'auto'})
      const batch = journal.batch({size: 256})
      journal.append(runStarted('run-a', 'oanda'))
      for (let i = 0; i < 2000; i++) batch.add(logEvent(i))
      batch.close()
      expect(journal.lastSeq()).toBe(2001)
      expect(journalWriterThread(journal)).toBeUndefined()
      journal.close()
      expect(verifyJournal(path)).toMatchObject({ok: true, events: 2001})

      // Asked for explicitly, a thread that cannot start is an error that says why.
      const strict = openJournal({path: journalPath(), writer: 'thread'})
      const batch2 = strict.batch({size: 10})
      for (let i = 0; i < 9; i++) batch2.add(logEvent(i))
      expect(() => batch2.add(logEvent(9))).not.toThrow()
      expect(() => batch2.flush()).toThrow(expect.objectContaining({code: 'JOURNAL_WRITER_UNAVAILABLE', message: expect.stringMatching(/could not start \(Cannot find module .*loader\.mjs.*\); 0 batched event\(s\) were not written/)}))
      // What was posted before the failure was known is written, in order; the batch is over.
      expect(strict.lastSeq()).toBe(10)
      expect(() => batch2.add(logEvent(10))).toThrow(/could not start/)
      strict.close()
    } finally {
      restore = useSourceWriterThread()
    }
  })

  it('RICK_JOURNAL_WRITER picks the writer; an unknown value is refused', () => {
    const saved = process.env.RICK_JOURNAL_WRITER
    try {
      process.env.RICK_JOURNAL_WRITER = 'inline'
      const journal = openJournal({path: journalPath()})
      const batch = journal.batch({size: 1000})
      for (let i = 0; i < 3000; i++) batch.add(logEvent(i))
      expect(journalWriterThread(journal)).toBeUndefined()
      journal.close()
      process.env.RICK_JOURNAL_WRITER = 'threads'
      expect(() => openJournal({path: journalPath()})).toThrow(/RICK_JOURNAL_WRITER must be one of auto, inline, thread \(found "threads"\)/)
    } finally {
      if (saved === undefined) delete process.env.RICK_JOURNAL_WRITER
      else process.env.RICK_JOURNAL_WRITER = saved
    }
  })
})
