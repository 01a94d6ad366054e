import {execa} from 'execa'
import {join} from 'node:path'
import {afterAll, describe, expect, it} from 'vitest'

import {openJournal, type JournalEvent} from '../../../src/foundation/journal/index.js'
import {RICK_BIN, rick} from '../../helpers/cli.js'
import {barEvent, journalPath, logEvent, removeTempDirs, runStarted, tempDir} from '../../foundation/journal/fixture.js'

afterAll(removeTempDirs)

function seeded(): {path: string; events: JournalEvent[]} {
  const path = journalPath()
  const journal = openJournal({path})
  const events = [
    journal.append(runStarted('run-oa', 'oanda', 0)),
    journal.append(runStarted('run-cb', 'coinbase', 0)),
    ...journal.appendMany(Array.from({length: 30}, (_, i) => (i % 2 === 0 ? logEvent(i + 1, 'run-oa', 'oanda') : barEvent(i + 1, 'run-cb', 'coinbase')))),
  ]
  journal.close()
  return {path, events}
}

describe('rick journal tail', () => {
  it('prints the last 20 events, oldest first, one line each', async () => {
    const {path} = seeded()
    const result = await rick(['journal', 'tail', '--journal', path])
    expect(result.exitCode).toBe(0)
    const lines = result.stdout.split('\n')
    expect(lines).toHaveLength(20)
    expect(lines[0]).toBe('     13  2025-03-03 14:41:00.000Z  oanda     STRATEGY_LOG            event 11')
    expect(lines[19]).toBe('     32  2025-03-03 15:00:00.000Z  coinbase  BAR                     BTC-USD o 60030 h 60040.25 l 60020.75 c 60035.5 v 12.5')
  })

  it('filters by sector, run and type (any case, comma-separated), and -n', async () => {
    const {path} = seeded()
    const bySector = await rick(['journal', 'tail', '--journal', path, '--sector', 'oanda', '-n', '3'])
    expect(bySector.stdout.split('\n').map((l) => l.trim().split(/\s+/)[0])).toEqual(['27', '29', '31'])
    const byType = await rick(['journal', 'tail', '--journal', path, '--type', 'run_started,bar', '-n', '2', '--run', 'run-cb'])
    expect(byType.stdout.split('\n').map((l) => l.trim().split(/\s+/)[0])).toEqual(['30', '32'])
    const starts = await rick(['journal', 'tail', '--journal', path, '-t', 'RUN_STARTED'])
    expect(starts.stdout).toMatch(/^ {6}1 .* oanda {5}RUN_STARTED {13}paper on paper\/paper, strategy sma-cross, profile moderate, seed 7\n {6}2 .* coinbase  RUN_STARTED/)
  })

  it('--json: {journal, events}', async () => {
    const {path, events} = seeded()
    const result = await rick(['journal', 'tail', '--journal', path, '-n', '2', '--json'])
    expect(result.exitCode).toBe(0)
    expect(JSON.parse(result.stdout)).toEqual({journal: path, events: events.slice(-2)})
  })

  it('finds the journal through RICK_JOURNAL and RICK_HOME', async () => {
    const {path} = seeded()
    const viaEnv = await rick(['journal', 'tail', '-n', '1'], {env: {RICK_JOURNAL: path}})
    expect(viaEnv.stdout).toMatch(/^ {5}32 /)
    const viaHome = await rick(['journal', 'tail', '-n', '1'], {env: {RICK_HOME: join(path, '..')}})
    expect(viaHome.stdout).toBe(viaEnv.stdout)
  })

  it('no journal yet, or nothing matching: a plain sentence, exit 0', async () => {
    const missing = join(tempDir(), 'none.db')
    const result = await rick(['journal', 'tail', '--journal', missing])
    expect(result).toMatchObject({exitCode: 0, stdout: `No events yet: there is no journal at ${missing} (the first \`rick run\` or \`rick backtest\` creates it).`})
    const {path} = seeded()
    const none = await rick(['journal', 'tail', '--journal', path, '--sector', 'ibkr'])
    expect(none).toMatchObject({exitCode: 0, stdout: `No events yet matching --sector ibkr in ${path}.`})
  })

  it('an unknown --type: exit 2 with the list of types, no stack trace', async () => {
    const {path} = seeded()
    const result = await rick(['journal', 'tail', '--journal', path, '--type', 'FILLS'])
    expect(result.exitCode).toBe(2)
    // The types are listed; the value typed is not repeated (no flag value is ever echoed).
    expect(result.stderr).toMatch(/^Error: unknown event type "<--type value>"; expected one of RUN_STARTED, RUN_STOPPED, BAR, /)
    expect(result.stderr).not.toMatch(/FILLS/)
    expect(result.stderr).not.toMatch(/\bat .*\.js:\d+/)
  })

  it('-f prints new events as they are written and exits 0 on SIGINT', async () => {
    const {path} = seeded()
    const child = execa('node', [RICK_BIN, 'journal', 'tail', '-f', '--journal', path, '-n', '1', '--type', 'STRATEGY_LOG', '--poll-ms', '50'], {reject: false, env: {NO_COLOR: '1'}})
    let out = ''
    const seen = (text: string): Promise<void> =>
      new Promise((done, fail) => {
        const timer = setTimeout(() => fail(new Error(`timed out waiting for ${JSON.stringify(text)}; got ${JSON.stringify(out)}`)), 20_000)
        const check = (): void => {
          if (out.includes(text)) {
            clearTimeout(timer)
            child.stdout!.off('data', onData)
            done()
          }
        }
        const onData = (chunk: Buffer): void => {
          out += chunk.toString()
          check()
        }
        child.stdout!.on('data', onData)
        check()
      })
    await seen('event 29')
    const journal = openJournal({path})
    journal.append(barEvent(100, 'run-cb', 'coinbase'))
    journal.append({...logEvent(101, 'run-oa', 'oanda'), payload: {message: 'written while following'}})
    journal.close()
    await seen('written while following')
    child.kill('SIGINT')
    const result = await child
    expect(result.exitCode).toBe(0)
    const lines = String(result.stdout).split('\n')
    expect(lines).toHaveLength(2)
    expect(lines[1]).toMatch(/^ {5}34 .*STRATEGY_LOG {12}written while following$/)
  })
})
