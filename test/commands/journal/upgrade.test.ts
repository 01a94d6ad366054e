import {join} from 'node:path'
import {afterAll, describe, expect, it} from 'vitest'

import {openJournal, verifyJournal} from '../../../src/foundation/journal/index.js'
import {rick} from '../../helpers/cli.js'
import {journalPath, logEvent, rawConnection, removeTempDirs, runStarted, schema1Journal, tempDir} from '../../foundation/journal/fixture.js'

afterAll(removeTempDirs)

function oldJournal(n = 10): {path: string; head: string} {
  const path = journalPath()
  const rows = schema1Journal(path, [runStarted('run-old', 'oanda'), ...Array.from({length: n - 1}, (_, i) => logEvent(i + 1, 'run-old'))])
  return {path, head: rows.at(-1)![7]}
}

describe('rick journal upgrade', () => {
  it('converts a schema-1 journal, keeps its head, and says so; a second run has nothing to do', async () => {
    const {path, head} = oldJournal()
    // Readers refuse the old format and point here.
    const tail = await rick(['journal', 'tail', '--journal', path])
    expect(tail.exitCode).toBe(1)
    expect(tail.stderr).toContain(`rick journal upgrade --journal ${path}`)

    const result = await rick(['journal', 'upgrade', '--journal', path])
    expect(result).toMatchObject({exitCode: 0, stderr: ''})
    expect(result.stdout.trim()).toBe(`✓ ${path}: upgraded from schema 1 to 2, 10 event(s) now in 2 block(s), chain intact up to seq 10 (head ${head.slice(0, 16)}…).`)
    expect(verifyJournal(path)).toMatchObject({ok: true, events: 10, lastHash: head})

    const again = await rick(['journal', 'upgrade', '--journal', path, '--json'])
    expect(again.exitCode).toBe(0)
    expect(JSON.parse(again.stdout)).toEqual({path, upgraded: false, fromSchema: 2, schema: 2, events: 10, blocks: 2, lastSeq: 10, lastHash: head})
    const text = await rick(['journal', 'upgrade', '--journal', path])
    expect(text.stdout.trim()).toBe(`✓ ${path} is already in the current format (schema 2): 10 event(s) in 2 block(s), nothing to do.`)
    expect((await rick(['journal', 'tail', '--journal', path])).exitCode).toBe(0)
  })

  it('--json after converting', async () => {
    const {path, head} = oldJournal(3)
    const result = await rick(['journal', 'upgrade', '--journal', path, '--json'])
    expect(result.exitCode).toBe(0)
    expect(JSON.parse(result.stdout)).toEqual({path, upgraded: true, fromSchema: 1, schema: 2, events: 3, blocks: 2, lastSeq: 3, lastHash: head})
  })

  it('a chain that does not verify: exit 1, the first bad seq, and the file left as it was', async () => {
    const {path} = oldJournal()
    const raw = rawConnection(path)
    raw.exec(`DROP TRIGGER events_no_update; UPDATE events SET payload = '{"message":"rewritten"}' WHERE seq = 6`)
    raw.exec(`CREATE TRIGGER events_no_update BEFORE UPDATE ON events
BEGIN SELECT RAISE(ABORT, 'journal is append-only: UPDATE refused'); END`)
    raw.close()
    const result = await rick(['journal', 'upgrade', '--journal', path])
    expect(result).toMatchObject({exitCode: 1, stdout: ''})
    expect(result.stderr).toMatch(new RegExp(`^Error: the journal ${path} does not verify at seq 6 \\(hash-mismatch: .*\\), so it was not upgraded; nothing was changed\\. Keep a copy and run \`rick journal verify\`\\.$`))
    const json = await rick(['journal', 'upgrade', '--journal', path, '--json'])
    expect(JSON.parse(json.stdout)).toMatchObject({error: {code: 'JOURNAL_TAMPERED'}})
    expect(() => openJournal({path, readonly: true})).toThrow(/schema 1/)
  })

  it('no journal there: exit 1 with a clear message', async () => {
    const missing = join(tempDir(), 'nothing.db')
    const result = await rick(['journal', 'upgrade', '--journal', missing])
    expect(result).toMatchObject({exitCode: 1, stdout: ''})
    expect(result.stderr).toBe(`Error: no journal at ${missing} (the first \`rick run\` or \`rick backtest\` creates it).`)
  })
})
