import {mkdtempSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {openJournal} from '../../src/foundation/journal/index.js'
import type {NewEvent} from '../../src/foundation/journal/events.js'
import {rick} from '../helpers/cli.js'
import {FILLS, MIN, journalBuilder, started} from '../sectors/report/fixtures.js'

const M = 1_000_000
let dir: string
let journal: string

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'rick-report-'))
  journal = join(dir, 'journal.db')
  // One ibkr run: the fixture's fills (net -48.80) with bars, starting equity 10 000.
  const b = journalBuilder()
  b.add('run-ibkr-1', 'ibkr', 0, 'RUN_STARTED', started({startingEquity: 10_000 * M, currency: 'USD', instruments: [{id: 'SPY', multiplier: 1}, {id: 'MES', multiplier: 5}]}))
  const closes: Array<[number, number]> = [[101, 5000], [108, 5010], [104, 4995], [109, 4980], [110, 4990]]
  for (let i = 0; i < 5; i++) {
    const ts = i * MIN
    for (const f of FILLS.filter((x) => x.ts === ts)) b.add('run-ibkr-1', 'ibkr', ts, 'FILL', {fill: f})
    for (const [k, id] of ['SPY', 'MES'].entries()) {
      const c = closes[i]![k]!
      b.add('run-ibkr-1', 'ibkr', ts, 'BAR', {instrument: id, ts, open: c, high: c, low: c, close: c, volume: 0})
    }
  }
  b.add('run-ibkr-1', 'ibkr', 4 * MIN, 'RUN_STOPPED', {reason: 'data-exhausted', barsProcessed: 5, summary: {trades: 4, fills: 6, denials: 0, realizedPnl: -48.8 * M, fees: 6.8 * M, equity: 9_951.2 * M}})
  const store = openJournal({path: journal})
  store.appendMany(b.events.map((e): NewEvent => ({ts: e.ts, runId: e.runId, sector: e.sector, type: e.type, payload: e.payload})))
  store.close()
})

afterAll(() => rmSync(dir, {recursive: true, force: true}))

describe('rick report', () => {
  it('prints a table per run with totals and instruments', async () => {
    const r = await rick(['report', '--journal', journal])
    expect(r.stderr).toBe('')
    expect(r.exitCode).toBe(0)
    const lines = r.stdout.split('\n')
    expect(lines[0]).toBe('ibkr · run run-ibkr-1 · paper mode on paper · sma-crossover (code a1b2c3d4e5f6)')
    expect(lines[1]).toBe('1970-01-01 00:00Z → 1970-01-01 00:04Z · 5 bars of 1m (2 instruments) · stopped: data-exhausted')
    expect(lines[2]).toBe('orders: 0 passed the risk gate, 0 denied by it, 0 rejected by the venue')
    const row = (label: string) => lines.find((l) => l.startsWith(label))?.split(/\s{3,}/)
    expect(row('trades')).toEqual(['trades', '4', '1', '3'])
    expect(row('net P&L (USD)')).toEqual(['net P&L (USD)', '-48.80', '-104.00', '55.20'])
    expect(row('win rate')).toEqual(['win rate', '50.0%', '0.0%', '66.7%'])
    expect(row('fees')).toEqual(['fees', '6.80', '4.00', '2.80'])
    expect(row('profit factor')).toEqual(['profit factor', '0.58', '0.00', '5.31'])
    // Total: 10 184.60 -> 9 853.20; MES: 10 098 -> 9 798; SPY: P&L 86.60 (1m) -> 55.20 (3m), 31.40 / 10 086.60.
    expect(row('max drawdown')).toEqual(['max drawdown', '331.40 (3.3%)', '300.00 (3.0%)', '31.40 (0.3%)'])
    expect(row('exposure')).toEqual(['exposure', '80.0%', '60.0%', '60.0%'])
    expect(r.stdout).toContain('note: Sharpe and Sortino: per-bar returns of the equity curve, risk-free 0, annualised by sqrt(bars per year)')
  })

  it('prints JSON with money as decimals', async () => {
    const r = await rick(['report', 'ibkr', '--journal', journal, '--json'])
    expect(r.exitCode).toBe(0)
    const out = JSON.parse(r.stdout) as {journal: string; runs: Array<{runId: string; metrics: Record<string, unknown>; instruments: Array<{instrument: string; metrics: Record<string, unknown>}>; trades: unknown[]}>}
    expect(out.journal).toBe(journal)
    expect(out.runs).toHaveLength(1)
    expect(out.runs[0]!.metrics).toMatchObject({trades: 4, netPnl: -48.8, fees: 6.8, avgWin: 34, avgLoss: -58.4, expectancy: -12.2, maxDrawdown: 331.4, startEquity: 10_000, endEquity: 9_951.2, longestLosingStreak: 2})
    expect(out.runs[0]!.trades).toHaveLength(4)
  })

  it('says so, with exit 0, when there is nothing to report', async () => {
    const other = await rick(['report', 'oanda', '--journal', journal])
    expect(other.exitCode).toBe(0)
    expect(other.stdout.trim()).toBe(`The journal ${journal} has no runs of sector "oanda". Start one with \`rick backtest <sector>\` or \`rick run <sector>\`.`)
    const missing = await rick(['report'], {env: {RICK_JOURNAL: join(dir, 'none.db')}})
    expect(missing.exitCode).toBe(0)
    expect(missing.stdout).toContain('has no runs yet')
  })

  it('exits 2 for an unknown run, naming the runs it has (and not repeating the value of --run)', async () => {
    const r = await rick(['report', '--run', 'nope', '--journal', journal])
    expect(r.exitCode).toBe(2)
    expect(r.stderr.trim()).toBe(`Error: no run "<--run value>" in the journal ${journal}; latest runs: run-ibkr-1 (ibkr)`)
  })
})
