// The writer thread as `rick` runs it: from the esbuild bundle, where the journal's code sits in a
// shared chunk and finds dist/bundle/foundation/journal/writer-thread.js because the CLI entry
// registers it. RICK_JOURNAL_WRITER=thread makes a missing writer an error instead of a fallback.
import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {verifyJournal} from '../../../src/foundation/journal/index.js'
import {rick} from '../../helpers/cli.js'
import {fixtureProject, type Fixture} from '../../integration/engine-fixture.js'

let f: Fixture
beforeAll(() => {
  f = fixtureProject()
})
afterAll(() => f.cleanup())

async function backtest(writer: 'thread' | 'inline'): Promise<{runHash: string; events: number}> {
  const journal = `${f.home}/${writer}.db`
  const r = await rick(['backtest', 'fx', '--bars', '80000', '--seed', '5', '--json'], {cwd: f.root, env: {...f.env, RICK_JOURNAL: journal, RICK_JOURNAL_WRITER: writer}})
  expect(r.stderr).toBe('')
  expect(r.exitCode).toBe(0)
  const result = verifyJournal(journal)
  expect(result.ok).toBe(true)
  return {runHash: (JSON.parse(r.stdout) as {runHash: string}).runHash, events: result.events}
}

describe('the bundled CLI', () => {
  it('runs a backtest through the writer thread, with the same run hash as the calling thread writing', async () => {
    const thread = await backtest('thread')
    const inline = await backtest('inline')
    // More than one chunk (BATCH_SIZE events), so that the thread writes while the engine runs.
    expect(thread.events).toBeGreaterThan(2 * 2048)
    expect(thread).toEqual(inline)
  })
})
