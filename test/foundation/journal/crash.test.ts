// A writer killed with SIGKILL: every durable append that returned is in the journal, buffered
// batch events that were never flushed are not, and the journal verifies and accepts new writers.
import {execa} from 'execa'
import {writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {fileURLToPath} from 'node:url'
import {afterAll, describe, expect, it} from 'vitest'

import {openJournal, verifyJournal} from '../../../src/foundation/journal/index.js'
import {journalPath, logEvent, removeTempDirs, tempDir} from './fixture.js'

afterAll(removeTempDirs)

const INDEX = fileURLToPath(new URL('../../../src/foundation/journal/index.ts', import.meta.url))
const FIXTURE = fileURLToPath(new URL('./fixture.ts', import.meta.url))

/** A child that appends, prints each returned seq, and kills itself without closing anything. */
function childScript(body: string, writer: 'inline' | 'thread' = 'inline'): string {
  const file = join(tempDir(), 'child.ts')
  writeFileSync(
    file,
    `import {openJournal} from ${JSON.stringify(INDEX)}
import {useSourceWriterThread} from ${JSON.stringify(FIXTURE)}
useSourceWriterThread()
const journal = openJournal({path: process.argv[2]!, writer: ${JSON.stringify(writer)}})
const event = (i: number, runId = 'run-child') => ({ts: 1_700_000_000_000 + i, runId, sector: 'oanda', type: 'STRATEGY_LOG' as const, payload: {message: 'child ' + i}})
${body}
process.kill(process.pid, 'SIGKILL')
`,
  )
  return file
}

async function runChild(script: string, path: string): Promise<{stdout: string; signal?: string}> {
  const result = await execa('node', ['--import', 'tsx', script, path], {reject: false})
  return {stdout: String(result.stdout), signal: result.signal}
}

describe('SIGKILL while writing', () => {
  it('keeps every durable append that returned and loses only the unflushed batch', async () => {
    const path = journalPath()
    const parent = openJournal({path})
    parent.append(logEvent(1))
    parent.close()
    const script = childScript(`
const batch = journal.batch({size: 5})
for (let i = 0; i < 12; i++) batch.add(event(i, 'run-batch'))
const intent = journal.append(event(100))
console.log('durable ' + intent.seq)
for (let i = 0; i < 3; i++) batch.add(event(200 + i, 'run-batch'))
`)
    const child = await runChild(script, path)
    expect(child.signal).toBe('SIGKILL')
    // 1 parent event + 12 batched (two auto-flushes of 5, two flushed by the durable append) + 1 durable = seq 14.
    expect(child.stdout.trim()).toBe('durable 14')
    expect(verifyJournal(path)).toMatchObject({ok: true, events: 14, lastSeq: 14})
    const journal = openJournal({path})
    expect([...journal.events({runId: 'run-batch'})]).toHaveLength(12)
    expect(journal.append(logEvent(2)).seq).toBe(15)
    journal.close()
  })

  it('two processes appending at once keep one contiguous chain', async () => {
    const path = journalPath()
    openJournal({path}).close()
    const script = childScript(`
const batch = journal.batch({size: 7})
for (let i = 0; i < 60; i++) {
  if (i % 3 === 0) journal.append(event(i, 'durable-' + process.pid))
  else batch.add(event(i, 'batch-' + process.pid))
}
batch.flush()
console.log('done')
`)
    const [a, b] = await Promise.all([runChild(script, path), runChild(script, path)])
    expect([a.stdout.trim(), b.stdout.trim()]).toEqual(['done', 'done'])
    expect(verifyJournal(path)).toMatchObject({ok: true, events: 120, lastSeq: 120})
  })

  it('with the writer thread: a durable append waits for it; what it had not committed is lost whole', async () => {
    const path = journalPath()
    const parent = openJournal({path})
    parent.append(logEvent(1))
    parent.close()
    const script = childScript(
      `
const batch = journal.batch({size: 300})
for (let i = 0; i < 1000; i++) batch.add(event(i, 'run-batch'))
console.log('durable ' + journal.append(event(5000)).seq)
// Ten chunks posted to the thread, and the process killed while it writes them.
for (let i = 0; i < 3000; i++) batch.add(event(i, 'run-lost'))
`,
      'thread',
    )
    const child = await runChild(script, path)
    expect(child.signal).toBe('SIGKILL')
    // 1 parent event + 1,000 batched (900 by the thread, 100 flushed by the append) + 1 durable.
    expect(child.stdout.trim()).toBe('durable 1002')
    const result = verifyJournal(path)
    expect(result).toMatchObject({ok: true})
    // Only whole chunks of the lost run made it: transactions are all or nothing.
    expect((result.events - 1002) % 300).toBe(0)
    const journal = openJournal({path})
    expect([...journal.events({runId: 'run-batch'})]).toHaveLength(1000)
    expect(journal.append(logEvent(2)).seq).toBe(result.lastSeq + 1)
    journal.close()
  })
})
