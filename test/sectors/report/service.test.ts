import {mkdtempSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {afterAll, describe, expect, it} from 'vitest'

import {UsageError} from '../../../src/foundation/errors.js'
import {openJournal} from '../../../src/foundation/journal/index.js'
import type {NewEvent} from '../../../src/foundation/journal/events.js'
import {syntheticFeed} from '../../../src/sectors/data/feed.js'
import {journalReport} from '../../../src/sectors/report/service.js'
import {MIN, fill, journalBuilder, started} from './fixtures.js'

const M = 1_000_000
const dirs: string[] = []
afterAll(() => {
  for (const d of dirs) rmSync(d, {recursive: true, force: true})
})

function journalWith(build: (b: ReturnType<typeof journalBuilder>) => void): string {
  const dir = mkdtempSync(join(tmpdir(), 'rick-report-svc-'))
  dirs.push(dir)
  const path = join(dir, 'journal.db')
  const b = journalBuilder()
  build(b)
  const store = openJournal({path})
  store.appendMany(b.events.map((e): NewEvent => ({ts: e.ts, runId: e.runId, sector: e.sector, type: e.type, payload: e.payload})))
  store.close()
  return path
}

describe('journalReport', () => {
  const path = journalWith((b) => {
    const paper = {startingEquity: 10_000 * M, instruments: [{id: 'SPY', multiplier: 1}]}
    // A paper run that buys 10 SPY at 100 and stops holding them.
    b.add('paper-1', 'ibkr', 0, 'RUN_STARTED', started(paper))
    b.add('paper-1', 'ibkr', 0, 'FILL', {fill: fill('SPY', 'buy', 10, 100, 0, 0)})
    // A backtest in between: its own simulated account, which must not leak into the paper account.
    b.add('bt-1', 'ibkr', 0, 'RUN_STARTED', started(paper, {environment: 'backtest'}))
    b.add('bt-1', 'ibkr', 0, 'FILL', {fill: fill('SPY', 'sell', 3, 90, 0, 1)})
    // The next paper run sells the 10 it inherited at 107.
    b.add('paper-2', 'ibkr', MIN, 'RUN_STARTED', started({...paper, startingEquity: 10_000 * M}))
    b.add('paper-2', 'ibkr', 2 * MIN, 'FILL', {fill: fill('SPY', 'sell', 10, 107, 0, 2 * MIN)})
    b.add('other', 'oanda', 0, 'RUN_STARTED', started({}, {venue: 'oanda'}))
  })

  it('reports the latest run of each sector, continuing the account of a paper run', () => {
    const r = journalReport({journalPath: path})
    expect(r.runsInJournal).toBe(4)
    expect(r.reports.map((x) => x.runId)).toEqual(['paper-2', 'other'])
    const paper = r.reports[0]!
    expect(paper.trades).toEqual([expect.objectContaining({side: 'long', qty: 10, entryTs: 0, exitPrice: 107, grossPnl: 70 * M})])
    expect(paper.open).toEqual([])
  })

  it('keeps a backtest to itself', () => {
    const r = journalReport({journalPath: path, runId: 'bt-1'})
    expect(r.reports).toHaveLength(1)
    expect(r.reports[0]!.trades).toEqual([])
    expect(r.reports[0]!.open).toEqual([expect.objectContaining({side: 'short', qty: 3})])
  })

  it('filters by sector, and refuses an unknown run with the latest runs named', () => {
    expect(journalReport({journalPath: path, sector: 'oanda'}).reports.map((x) => x.runId)).toEqual(['other'])
    expect(() => journalReport({journalPath: path, runId: 'paper-1', sector: 'oanda'})).toThrow(UsageError)
    expect(() => journalReport({journalPath: path, runId: 'zzz'})).toThrow('no run "zzz" in the journal ' + path + '; latest runs: paper-1 (ibkr), bt-1 (ibkr), paper-2 (ibkr), other (oanda)')
  })

  it('regenerates the bars of a synthetic run that did not journal them, when RUN_STARTED describes its instruments', () => {
    const spy = {id: 'SPY', venue: 'ibkr', kind: 'etf' as const, tickSize: 0.01, lotSize: 1, minNotional: 0, multiplier: 1, quoteCurrency: 'USD', referencePrice: 500}
    const inputs = {kind: 'synthetic' as const, seed: 42, instruments: ['SPY'], startTs: 0, periodMs: MIN}
    // What the run saw: the same generator, same seed.
    const feed = syntheticFeed({instruments: [spy], seed: 42, startTs: 0, periodMs: MIN})
    const closes = Array.from({length: 10}, () => feed.next()!.close)
    const described = journalWith((b) => {
      b.add('syn', 'ibkr', 0, 'RUN_STARTED', started({startingEquity: 10_000 * M, instruments: [spy]}, {inputs, environment: 'backtest'}))
      b.add('syn', 'ibkr', MIN, 'FILL', {fill: fill('SPY', 'buy', 2, 500, 0, MIN)})
      b.add('syn', 'ibkr', 9 * MIN, 'RUN_STOPPED', {reason: 'data-exhausted', barsProcessed: 10, summary: {trades: 0, fills: 1, denials: 0, realizedPnl: 0, fees: 0, equity: 0}})
    })
    const r = journalReport({journalPath: described}).reports[0]!
    expect(r.curveSource).toBe('inputs')
    expect(r.metrics.returns).toBe(10)
    // Cash 10 000 - 1 000, plus 2 SPY at the tenth close.
    expect(r.metrics.endEquity).toBe(9_000 * M + Math.round(2 * closes[9]! * M))

    // Without kind and reference price the bars cannot be regenerated: fills only.
    const bare = journalWith((b) => {
      b.add('syn', 'ibkr', 0, 'RUN_STARTED', started({startingEquity: 10_000 * M, instruments: [{id: 'SPY', multiplier: 1}]}, {inputs, environment: 'backtest'}))
      b.add('syn', 'ibkr', MIN, 'FILL', {fill: fill('SPY', 'buy', 2, 500, 0, MIN)})
    })
    expect(journalReport({journalPath: bare}).reports[0]!.curveSource).toBe('fills')
  })

  it('treats a missing journal as empty', () => {
    expect(journalReport({journalPath: join(tmpdir(), 'rick-no-such-journal.db')})).toMatchObject({runsInJournal: 0, reports: []})
  })
})
