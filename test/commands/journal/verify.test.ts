import {join} from 'node:path'
import {afterAll, describe, expect, it} from 'vitest'

import {openJournal} from '../../../src/foundation/journal/index.js'
import {rick} from '../../helpers/cli.js'
import {journalPath, logEvent, rawConnection, removeTempDirs, runStarted, tempDir} from '../../foundation/journal/fixture.js'

afterAll(removeTempDirs)

function seeded(n = 10): string {
  const path = journalPath()
  const journal = openJournal({path})
  journal.append(runStarted('run-crashed', 'oanda'))
  journal.appendMany(Array.from({length: n - 1}, (_, i) => logEvent(i + 1, 'run-crashed')))
  journal.close()
  return path
}

describe('rick journal verify', () => {
  it('an intact journal: exit 0, the head, and runs that never stopped', async () => {
    const path = seeded()
    const result = await rick(['journal', 'verify', '--journal', path])
    expect(result.exitCode).toBe(0)
    const lines = result.stdout.split('\n')
    expect(lines[0]).toMatch(new RegExp(`^✓ ${path}: 10 event\\(s\\), chain intact up to seq 10 \\(head [0-9a-f]{16}…\\), UPDATE and DELETE refused by the store\\.$`))
    expect(lines[1]).toBe('1 run(s) without RUN_STOPPED (still running, or interrupted): run-crashed')
  })

  it('a tampered row: exit 1 naming its seq, in text and JSON', async () => {
    const path = seeded()
    const raw = rawConnection(path)
    raw.exec(`DROP TRIGGER blocks_no_update; UPDATE blocks SET events = replace(events, '{"message":"event 5"}', '{"message":"rewritten"}') WHERE first_seq = 2`)
    raw.close()
    const result = await rick(['journal', 'verify', '--journal', path])
    expect(result.exitCode).toBe(1)
    expect(result.stdout.split('\n').slice(0, 3)).toEqual([
      expect.stringMatching(new RegExp(`^✗ ${path}: broken at seq 6 \\(hash-mismatch\\): stored hash [0-9a-f]{12}… but the row hashes to [0-9a-f]{12}…: the row was changed after it was written\\.$`)),
      '  10 event(s) in the journal; events before seq 6 check out.',
      '  The append-only triggers are also missing or altered.',
    ])
    const json = await rick(['journal', 'verify', '--journal', path, '--json'])
    expect(json.exitCode).toBe(1)
    expect(JSON.parse(json.stdout)).toMatchObject({ok: false, firstBadSeq: 6, code: 'hash-mismatch', triggersOk: false, events: 10, interruptedRuns: ['run-crashed']})
  })

  it('no journal there: exit 1 with a clear message (and {error} in JSON)', async () => {
    const missing = join(tempDir(), 'nothing.db')
    const result = await rick(['journal', 'verify', '--journal', missing])
    expect(result).toMatchObject({exitCode: 1, stdout: ''})
    expect(result.stderr).toBe(`Error: no journal at ${missing} (the first \`rick run\` or \`rick backtest\` creates it).`)
    const json = await rick(['journal', 'verify', '--journal', missing, '--json'])
    expect(json.exitCode).toBe(1)
    expect(JSON.parse(json.stdout)).toMatchObject({error: {code: 'JOURNAL_MISSING'}})
  })
})
