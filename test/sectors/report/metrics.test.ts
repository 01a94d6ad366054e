import {describe, expect, it} from 'vitest'

import {MS_PER_YEAR, computeMetrics} from '../../../src/sectors/report/metrics.js'
import {tradesFromFills} from '../../../src/sectors/report/trades.js'
import {FILLS, MIN, MULTIPLIERS} from './fixtures.js'

const M = 1_000_000

describe('computeMetrics', () => {
  it('matches hand-computed values on the fixed trade list', () => {
    // Trades (trades.test.ts): net +39.20, +28.80, -12.80, -104.00; gross 40, 30, -12, -100; fees 0.80, 1.20, 0.80, 4.00.
    const trades = tradesFromFills(FILLS, MULTIPLIERS)
    // Equity: 1000 -> 1100 -> 990 -> 1089 -> 1089 -> 1089, one point per one-minute bar.
    const curve = {ts: [0, 1, 2, 3, 4, 5].map((i) => i * MIN), equity: [1000, 1100, 990, 1089, 1089, 1089].map((e) => e * M)}
    const m = computeMetrics(trades, curve, {periodMs: MIN})

    expect(m.trades).toBe(4)
    expect(m.wins).toBe(2)
    expect(m.losses).toBe(2)
    expect(m.winRate).toBe(0.5) // 2 / 4
    expect(m.grossPnl).toBe(-42 * M) // 40 + 30 - 12 - 100
    expect(m.fees).toBe(6.8 * M) // 0.80 + 1.20 + 0.80 + 4.00
    expect(m.netPnl).toBe(-48.8 * M) // -42 - 6.80 = 39.20 + 28.80 - 12.80 - 104.00
    expect(m.avgWin).toBe(34 * M) // (39.20 + 28.80) / 2
    expect(m.avgLoss).toBe(-58.4 * M) // (-12.80 - 104.00) / 2
    expect(m.expectancy).toBe(-12.2 * M) // -48.80 / 4
    expect(m.profitFactor).toBeCloseTo(68 / 116.8, 12) // (39.20 + 28.80) / (12.80 + 104.00) = 0.58219…
    expect(m.longestLosingStreak).toBe(2) // C then D

    // Drawdown: peak 1100, trough 990 -> 110.00, 110 / 1100 = 10 %.
    expect(m.maxDrawdown).toBe(110 * M)
    expect(m.maxDrawdownPct).toBeCloseTo(0.1, 12)

    // Returns per bar: +0.1, -0.1, +0.1, 0, 0 (n = 5); mean 0.02; sum of squares 0.03;
    // sample variance (0.03 - 5 × 0.02²) / 4 = 0.007; bars per year 365.25 × 24 × 60 = 525 960.
    // Sharpe  = 0.02 / sqrt(0.007) × sqrt(525 960) = 0.239046 × 725.231 = 173.3634
    // Sortino = 0.02 / sqrt(0.1² / 5) × sqrt(525 960) = 0.447214 × 725.231 = 324.3332
    expect(m.returns).toBe(5)
    expect(m.barsPerYear).toBe(525_960)
    expect(m.sharpe).toBeCloseTo(173.3633673613, 6)
    expect(m.sortino).toBeCloseTo(324.3331620417, 6)

    // Exposure: SPY held from 0 to 3m (A, B, then the short C), MES from 1m to 4m: union 0..4m of a 5m span.
    expect(m.exposure).toBeCloseTo(0.8, 12)
    expect(m.startEquity).toBe(1000 * M)
    expect(m.endEquity).toBe(1089 * M)
  })

  it('counts the bars between sparse curve points as zero returns', () => {
    // 1000 -> 1100 three bars later: returns 0.1, 0, 0 (n = 3); mean 1/30; sample variance
    // (0.01 - 3 × (1/30)²) / 2 = 1/300; Sharpe = (1/30) / sqrt(1/300) × sqrt(525 960) = sqrt(525 960 / 3) = 418.7123
    const m = computeMetrics([], {ts: [0, 3 * MIN], equity: [1000 * M, 1100 * M]}, {periodMs: MIN})
    expect(m.returns).toBe(3)
    expect(m.sharpe).toBeCloseTo(Math.sqrt(MS_PER_YEAR / MIN / 3), 6)
    expect(m.sharpe).toBeCloseTo(418.7123117368, 6)
    expect(m.sortino).toBeNull() // no negative return: downside deviation 0
    expect(m.exposure).toBe(0)
    expect(m.maxDrawdown).toBe(0)
  })

  it('annualises by the bar length: hourly bars, 8 766 per year', () => {
    const curve = {ts: [0, 1, 2].map((i) => i * 3_600_000), equity: [100 * M, 110 * M, 99 * M]}
    const m = computeMetrics([], curve, {periodMs: 3_600_000})
    // returns 0.1, -0.1: mean 0 -> Sharpe 0, Sortino 0
    expect(m.barsPerYear).toBe(8766)
    expect(m.sharpe).toBeCloseTo(0, 12)
    expect(m.sortino).toBeCloseTo(0, 12)
  })

  it('leaves undefined ratios out instead of dividing by zero', () => {
    const m = computeMetrics([], {ts: [0], equity: [5 * M]}, {periodMs: MIN})
    expect(m).toMatchObject({trades: 0, winRate: null, avgWin: null, avgLoss: null, expectancy: null, profitFactor: null, sharpe: null, sortino: null, exposure: null, maxDrawdown: 0, maxDrawdownPct: 0})
    const onlyWins = computeMetrics(tradesFromFills(FILLS.slice(0, 3), MULTIPLIERS), {ts: [], equity: []}, {periodMs: MIN})
    expect(onlyWins).toMatchObject({trades: 1, wins: 1, profitFactor: null, startEquity: null, endEquity: null})
  })

  it('counts an open position as exposure up to the end of the curve', () => {
    const m = computeMetrics([], {ts: [0, 10 * MIN], equity: [M, M]}, {periodMs: MIN, open: [{since: 6 * MIN}]})
    expect(m.exposure).toBeCloseTo(0.4, 12)
  })
})
