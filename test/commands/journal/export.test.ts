import {execa} from 'execa'
import {readFileSync, statSync} from 'node:fs'
import {join} from 'node:path'
import {afterAll, describe, expect, it} from 'vitest'

import {CSV_HEADER, openJournal, type JournalEvent} from '../../../src/foundation/journal/index.js'
import {RICK_BIN, rick} from '../../helpers/cli.js'
import {parseCsv} from '../../foundation/journal/csv.js'
import {barEvent, journalPath, logEvent, removeTempDirs, runStarted, tempDir} from '../../foundation/journal/fixture.js'

afterAll(removeTempDirs)

function seeded(): {path: string; events: JournalEvent[]} {
  const path = journalPath()
  const journal = openJournal({path})
  const events = [
    journal.append(runStarted('run-oa', 'oanda')),
    journal.append({...logEvent(1, 'run-oa', 'oanda'), payload: {message: 'a "quoted", multi-line\nmessage'}}),
    journal.append(barEvent(2, 'run-cb', 'coinbase')),
    journal.append(logEvent(3, 'run-cb', 'coinbase')),
  ]
  journal.close()
  return {path, events}
}

describe('rick journal export', () => {
  it('jsonl to stdout by default: every event, parseable line by line', async () => {
    const {path, events} = seeded()
    const result = await rick(['journal', 'export', '--journal', path])
    expect(result).toMatchObject({exitCode: 0, stderr: ''})
    expect(result.stdout.split('\n').map((l) => JSON.parse(l) as unknown)).toEqual(events)
  })

  it('csv with filters to a file (mode 0600), with a note on stderr', async () => {
    const {path, events} = seeded()
    const out = join(tempDir(), 'fills.csv')
    const result = await rick(['journal', 'export', '--journal', path, '--format', 'csv', '--run', 'run-oa', '-o', out])
    expect(result).toMatchObject({exitCode: 0, stdout: '', stderr: `exported 2 event(s) as csv to ${out}`})
    expect(statSync(out).mode & 0o777).toBe(0o600)
    const rows = parseCsv(readFileSync(out, 'utf8'))
    expect(rows[0]!.join(',')).toBe(CSV_HEADER)
    expect(rows.slice(1).map((r) => [Number(r[0]), r[3], r[5], r[6], JSON.parse(r[7]!) as unknown])).toEqual(
      events.slice(0, 2).map((e) => [e.seq, e.runId, e.type, e.hash, e.payload]),
    )
    const bySectorType = await rick(['journal', 'export', '--journal', path, '--sector', 'coinbase', '--type', 'STRATEGY_LOG'])
    expect(bySectorType.stdout.split('\n').map((l) => (JSON.parse(l) as JournalEvent).seq)).toEqual([4])
  })

  it('stops quietly when the reader goes away (| head)', async () => {
    const path = journalPath()
    const journal = openJournal({path})
    journal.appendMany(Array.from({length: 3000}, (_, i) => logEvent(i)))
    journal.close()
    const result = await execa('bash', ['-o', 'pipefail', '-c', `node ${JSON.stringify(RICK_BIN)} journal export --journal ${JSON.stringify(path)} | head -n 2`], {reject: false})
    expect(result.exitCode).toBe(0)
    expect(String(result.stdout).split('\n')).toHaveLength(2)
    expect(String(result.stderr)).toBe('')
  })

  it('no journal: exit 1; an unknown format: exit 2', async () => {
    const missing = join(tempDir(), 'none.db')
    const result = await rick(['journal', 'export', '--journal', missing])
    expect(result).toMatchObject({exitCode: 1, stdout: '', stderr: `Error: no journal at ${missing} (the first \`rick run\` or \`rick backtest\` creates it).`})
    const {path} = seeded()
    const bad = await rick(['journal', 'export', '--journal', path, '--format', 'xml'])
    expect(bad.exitCode).toBe(2)
    // The options are listed; the value typed is not repeated (no flag value is ever echoed).
    expect(bad.stderr).toMatch(/Expected --format to be one of: jsonl, csv/)
    expect(bad.stderr).not.toMatch(/xml/)
  })
})
