import {describe, expect, it} from 'vitest'

import type {Fill} from '../../../src/foundation/domain/orders.js'
import type {EventPayloads} from '../../../src/foundation/journal/events.js'
import {computeMetrics} from '../../../src/sectors/report/metrics.js'
import {reportFromJournal} from '../../../src/sectors/report/journal.js'
import {FILLS, MIN, fill, journalBuilder, started} from './fixtures.js'

const M = 1_000_000

const stopped = (equity: number, bars = 5): EventPayloads['RUN_STOPPED'] => ({
  reason: 'data-exhausted',
  barsProcessed: bars,
  summary: {trades: 4, fills: 6, denials: 1, realizedPnl: 0, fees: 0, equity},
})

// The fixture's fills (trades A-D: net +39.20, +28.80, -12.80, -104.00) with bars after them:
//   ts   SPY close  MES close   SPY P&L                                   MES P&L                         equity
//   0      101        5000      -1000 - 1 + 10 × 101 = 9                  0                               10 009
//   1m     108        5010      -1001 + 440 - 0.4 + 6 × 108 = 86.6        -10000×5 - 2 + 2×5010×5 = 98    10 184.6
//   2m     104        4995      -561.4 + 1050 - 1 - 4 × 104 = 71.6        49 950 - 50 002 = -52           10 019.6
//   3m     109        4980      487.6 - 432 - 0.4 = 55.2 (flat)           49 800 - 50 002 = -202           9 853.2
//   4m     110        4990      55.2                                      -50 002 + 49 900 - 2 = -104      9 951.2
// (starting equity 10 000; the start point is put one bar before the first bar it shares its time with)
const CLOSES: Array<[number, number]> = [
  [101, 5000],
  [108, 5010],
  [104, 4995],
  [109, 4980],
  [110, 4990],
]
const EQUITY = [10_000, 10_009, 10_184.6, 10_019.6, 9_853.2, 9_951.2]

function barsRun(b = journalBuilder(), runId = 'r1', withBars = true, extra: Record<string, unknown> = {startingEquity: 10_000 * M, currency: 'USD', instruments: [{id: 'SPY', multiplier: 1}, {id: 'MES', multiplier: 5}]}) {
  b.add(runId, 'ibkr', 0, 'RUN_STARTED', started(extra))
  for (let i = 0; i < 5; i++) {
    const ts = i * MIN
    for (const f of FILLS.filter((x: Fill) => x.ts === ts)) {
      b.add(runId, 'ibkr', ts, 'ORDER_INTENT', {order: {clientOrderId: f.clientOrderId, instrument: f.instrument, side: f.side, type: 'market', qty: f.qty, tif: 'gtc'}, reason: 'x'})
      b.add(runId, 'ibkr', ts, 'FILL', {fill: f})
    }
    if (withBars) {
      const [spy, mes] = CLOSES[i]!
      b.add(runId, 'ibkr', ts, 'BAR', {instrument: 'SPY', ts, open: spy, high: spy, low: spy, close: spy, volume: 0})
      b.add(runId, 'ibkr', ts, 'BAR', {instrument: 'MES', ts, open: mes, high: mes, low: mes, close: mes, volume: 0})
    }
  }
  b.add(runId, 'ibkr', 2 * MIN, 'ORDER_DENIED', {order: {clientOrderId: 'x', instrument: 'SPY', side: 'buy', type: 'market', qty: 1, tif: 'gtc'}, code: 'MAX_POSITION', detail: ''})
  b.add(runId, 'ibkr', 4 * MIN, 'RUN_STOPPED', stopped(9_951.2 * M))
  return b
}

describe('reportFromJournal', () => {
  it('projects trades, the equity curve and the metrics of a run from its events', () => {
    const [r] = reportFromJournal(barsRun().events)
    expect(r).toBeDefined()
    const report = r!
    expect(report).toMatchObject({
      runId: 'r1',
      sector: 'ibkr',
      startedAt: 0,
      stoppedAt: 4 * MIN,
      stopReason: 'data-exhausted',
      mode: 'paper',
      venue: 'paper',
      currency: 'USD',
      periodMs: MIN,
      curveSource: 'bars',
      barsProcessed: 5,
      orders: {intents: 6, denied: 1, rejected: 0},
      open: [],
    })
    expect(report.trades.map((t) => t.netPnl)).toEqual([39.2, 28.8, -12.8, -104].map((x) => Math.round(x * M)))
    const m = report.metrics
    expect(m.netPnl).toBe(-48.8 * M)
    expect(m.startEquity).toBe(10_000 * M)
    expect(m.endEquity).toBe(9_951.2 * M)
    // Peak 10 184.6, trough 9 853.2: 331.40, i.e. 331.4 / 10 184.6 = 3.2539 %.
    expect(m.maxDrawdown).toBe(331.4 * M)
    expect(m.maxDrawdownPct).toBeCloseTo(331.4 / 10_184.6, 12)
    // Positions from 0 to 4m of a curve from -1m to 4m.
    expect(m.exposure).toBeCloseTo(0.8, 12)
    // Sharpe over the equity column above, one-minute bars.
    const expected = computeMetrics([], {ts: [-1, 0, 1, 2, 3, 4].map((i) => i * MIN), equity: EQUITY.map((e) => Math.round(e * M))}, {periodMs: MIN})
    expect(m.returns).toBe(5)
    expect(m.sharpe).toBeCloseTo(expected.sharpe!, 9)
    expect(m.sortino).toBeCloseTo(expected.sortino!, 9)

    const byId = Object.fromEntries(report.instruments.map((i) => [i.instrument, i]))
    expect(Object.keys(byId)).toEqual(['MES', 'SPY'])
    expect(byId.SPY!.metrics).toMatchObject({trades: 3, wins: 2, losses: 1, netPnl: 55.2 * M, startEquity: 10_000 * M, endEquity: 10_055.2 * M})
    expect(byId.MES!.metrics).toMatchObject({trades: 1, wins: 0, losses: 1, netPnl: -104 * M, endEquity: 9_896 * M, longestLosingStreak: 1})
    expect(byId.MES!.multiplier).toBe(5)
    // MES: 10 000 -> 10 098 (1m) -> 9 798 (3m): drawdown 300.
    expect(byId.MES!.metrics.maxDrawdown).toBe(300 * M)
    expect(byId.SPY!.metrics.exposure).toBeCloseTo(3 / 5, 12)
    expect(report.notes).toContain('equity curve marked at the journaled bar closes')
  })

  it('without BAR events, marks at fill prices and ends at the RUN_STOPPED equity, and says so', () => {
    const [r] = reportFromJournal(barsRun(journalBuilder(), 'r1', false).events)
    expect(r!.curveSource).toBe('fills')
    expect(r!.metrics.netPnl).toBe(-48.8 * M)
    expect(r!.metrics.endEquity).toBe(9_951.2 * M)
    expect(r!.notes.join('\n')).toMatch(/marked at fill prices only .* understated/)
  })

  it('derives the starting equity from RUN_STOPPED when the run did not journal it, and assumes multiplier 1 aloud', () => {
    const [r] = reportFromJournal(barsRun(journalBuilder(), 'r1', true, {}).events)
    // Without multipliers, MES P&L is a fifth: -104 becomes (4990 - 5000) × 2 - 4 = -24, so the run made 55.2 - 24 = 31.2.
    expect(r!.metrics.netPnl).toBe(31.2 * M)
    expect(r!.metrics.startEquity).toBe((9_951.2 - 31.2) * M)
    expect(r!.notes).toContain('starting equity not journaled: derived as the final equity minus the run P&L')
    expect(r!.notes).toContain('contract multiplier not journaled for SPY, MES: 1 assumed')
  })

  it('picks the latest run of each sector, or the run asked for, or the sector asked for', () => {
    const b = barsRun(journalBuilder(), 'old')
    b.add('c1', 'coinbase', 0, 'RUN_STARTED', started({}, {inputs: {kind: 'recorded', instruments: ['BTC-USD']}}))
    barsRun(b, 'new')
    const latest = reportFromJournal(b.events)
    expect(latest.map((r) => [r.sector, r.runId])).toEqual([
      ['coinbase', 'c1'],
      ['ibkr', 'new'],
    ])
    const coinbase = latest[0]!
    expect(coinbase.metrics.trades).toBe(0)
    expect(coinbase.stoppedAt).toBeNull()
    expect(coinbase.notes.join('\n')).toMatch(/bar length unknown.*one minute assumed/)
    expect(coinbase.notes.join('\n')).toMatch(/starting equity unknown/)
    expect(reportFromJournal(b.events, {runId: 'old'}).map((r) => r.runId)).toEqual(['old'])
    expect(reportFromJournal(b.events, {sector: 'ibkr'}).map((r) => r.runId)).toEqual(['new'])
    expect(reportFromJournal(b.events, {runId: 'nope'})).toEqual([])
    expect(reportFromJournal([])).toEqual([])
  })
})

describe('reportFromJournal with the account\'s earlier runs', () => {
  it('starts from the inherited positions: their trades close in this run, the run\'s P&L curve starts at 0', () => {
    const b = journalBuilder()
    // Earlier run: bought 10 SPY at 100; the last bar closed at 104.
    b.add('p1', 'ibkr', 0, 'RUN_STARTED', started())
    b.add('p1', 'ibkr', 0, 'FILL', {fill: fill('SPY', 'buy', 10, 100, 0, 0)})
    b.add('p1', 'ibkr', 0, 'BAR', {instrument: 'SPY', ts: 0, open: 104, high: 104, low: 104, close: 104, volume: 0})
    const prior = b.events.slice()
    // This run starts with 10 SPY (equity 9 000 cash + 1 040), marks 106, sells at 107 (fee 0).
    const extra = {startingEquity: 10_040 * M, instruments: [{id: 'SPY', multiplier: 1}]}
    b.add('p2', 'ibkr', MIN, 'RUN_STARTED', started(extra))
    b.add('p2', 'ibkr', MIN, 'BAR', {instrument: 'SPY', ts: MIN, open: 106, high: 106, low: 106, close: 106, volume: 0})
    b.add('p2', 'ibkr', 2 * MIN, 'FILL', {fill: fill('SPY', 'sell', 10, 107, 0, 2 * MIN)})
    b.add('p2', 'ibkr', 2 * MIN, 'BAR', {instrument: 'SPY', ts: 2 * MIN, open: 107, high: 107, low: 107, close: 107, volume: 0})
    const events = b.events.filter((e) => e.runId === 'p2')
    const [r] = reportFromJournal(events, {runId: 'p2', prior})
    // The round trip 100 -> 107 on 10 is 70.00 (from its entry in p1).
    expect(r!.trades).toHaveLength(1)
    expect(r!.trades[0]).toMatchObject({side: 'long', qty: 10, entryTs: 0, exitTs: 2 * MIN, grossPnl: 70 * M})
    // Equity: 10 040 (start) -> 10 060 (mark 106) -> 10 070 (sold at 107): this run made 30.00.
    expect(r!.metrics.startEquity).toBe(10_040 * M)
    expect(r!.metrics.endEquity).toBe(10_070 * M)
    expect(r!.open).toEqual([])
    expect(r!.notes.join('\n')).toContain('started with positions from the account\'s earlier runs (SPY 10)')
    // Without the prior events the sell would open a short.
    expect(reportFromJournal(events, {runId: 'p2'})[0]!.open[0]).toMatchObject({side: 'short', qty: 10})
  })
})

describe('reportFromJournal with regenerated input bars', () => {
  it('marks the curve at the given bars, each after the events of its time, as many as the run processed', () => {
    const b = journalBuilder()
    const inputs = {kind: 'synthetic' as const, seed: 3, instruments: ['SPY'], startTs: 0, periodMs: MIN}
    b.add('s1', 'ibkr', 0, 'RUN_STARTED', started({startingEquity: 10_000 * M, instruments: [{id: 'SPY', multiplier: 1}]}, {inputs}))
    b.add('s1', 'ibkr', MIN, 'FILL', {fill: fill('SPY', 'buy', 10, 100, 0, MIN)})
    // The summary's equity is not used when bars mark the curve.
    b.add('s1', 'ibkr', 3 * MIN, 'RUN_STOPPED', {...stopped(1), barsProcessed: 4})
    const closes = [99, 101, 103, 102, 500]
    let i = 0
    const marks = {next: () => (i < closes.length ? {instrument: 'SPY', ts: i * MIN, open: 0, high: 0, low: 0, close: closes[i++]!, volume: 0} : undefined)}
    const [r] = reportFromJournal(b.events, {runId: 's1', marks})
    // Equity: 10 000 (start, put at -1m) -> 10 000 (0: close 99, flat) -> 10 010 (1m: bought 10 @ 100, close 101)
    //   -> 10 030 (2m: 103) -> 10 020 (3m: 102); the fifth bar (500) was never processed.
    expect(r!.curveSource).toBe('inputs')
    expect(r!.metrics).toMatchObject({startEquity: 10_000 * M, endEquity: 10_020 * M, maxDrawdown: 10 * M, returns: 4})
    // Long from 1m to the end (3m) of a curve from -1m: 2 of 4 minutes.
    expect(r!.metrics.exposure).toBeCloseTo(0.5, 12)
    expect(r!.open).toEqual([expect.objectContaining({instrument: 'SPY', qty: 10, since: MIN})])
    expect(r!.notes.join('\n')).toContain("synthetic bars, regenerated from its inputs (seed 3)")
  })
})
