import {describe, expect, it} from 'vitest'

import {RoundTripBook, roundTrips, tradesFromFills} from '../../../src/sectors/report/trades.js'
import {FILLS, MIN, MULTIPLIERS, fill} from './fixtures.js'

describe('tradesFromFills', () => {
  it('makes FIFO round trips with partial closes and flips, money exact in micro units', () => {
    const trades = tradesFromFills(FILLS, MULTIPLIERS)
    expect(trades).toEqual([
      // A: 4 of the 10 SPY bought at 100 sold at 110.
      //   gross = 4 × 110 - 4 × 100 = 440 - 400 = 40.00
      //   fees  = entry 1.00 × 4/10 = 0.40, exit 0.40  -> 0.80; net 39.20
      {instrument: 'SPY', side: 'long', qty: 4, entryTs: 0, exitTs: MIN, entryPrice: 100, exitPrice: 110, grossPnl: 40_000_000, fees: 800_000, netPnl: 39_200_000},
      // B: the sell of 10 @ 105 closes the other 6 (its value 1050 × 6/10 = 630, fee 1.00 × 6/10 = 0.60).
      //   gross = 630 - 6 × 100 = 30.00; fees = 0.60 (rest of the entry fee) + 0.60 = 1.20; net 28.80
      {instrument: 'SPY', side: 'long', qty: 6, entryTs: 0, exitTs: 2 * MIN, entryPrice: 100, exitPrice: 105, grossPnl: 30_000_000, fees: 1_200_000, netPnl: 28_800_000},
      // C: the 4 left over opened a short at 105 (value 420, fee 0.40), bought back at 108.
      //   gross = 420 - 4 × 108 = -12.00; fees = 0.40 + 0.40 = 0.80; net -12.80
      {instrument: 'SPY', side: 'short', qty: 4, entryTs: 2 * MIN, exitTs: 3 * MIN, entryPrice: 105, exitPrice: 108, grossPnl: -12_000_000, fees: 800_000, netPnl: -12_800_000},
      // D: 2 MES (multiplier 5) 5000 -> 4990: gross = (4990 - 5000) × 2 × 5 = -100.00; fees 4.00; net -104.00
      {instrument: 'MES', side: 'long', qty: 2, entryTs: MIN, exitTs: 4 * MIN, entryPrice: 5000, exitPrice: 4990, grossPnl: -100_000_000, fees: 4_000_000, netPnl: -104_000_000},
    ])
  })

  it('keeps what is still open, with its cost and fees', () => {
    const {trades, open} = roundTrips(FILLS.slice(0, 4), MULTIPLIERS)
    expect(trades).toHaveLength(2)
    expect(open).toEqual([
      {instrument: 'MES', side: 'long', qty: 2, since: MIN, avgPrice: 5000, cost: 50_000_000_000, fees: 2_000_000},
      {instrument: 'SPY', side: 'short', qty: 4, since: 2 * MIN, avgPrice: 105, cost: 420_000_000, fees: 400_000},
    ])
  })

  it('closes lots oldest first across several entries, and splits a lot closed in parts without losing a micro unit', () => {
    const fills = [
      fill('BTC-USD', 'buy', 0.1, 40000, 0.000001, 0), // 1 micro fee: splitting it must not create or lose one
      fill('BTC-USD', 'buy', 0.2, 41000, 0.02, 1),
      fill('BTC-USD', 'sell', 0.15, 42000, 0.03, 2),
      fill('BTC-USD', 'sell', 0.15, 39000, 0.03, 3),
    ]
    const trades = tradesFromFills(fills)
    // First close: 0.1 @ 40000 (all of lot 1) + 0.05 @ 41000 (a quarter of lot 2):
    //   entry value 4000 + 2050 = 6050; exit 0.15 × 42000 = 6300; gross 250.00
    //   fees: lot 1 0.000001 + lot 2 0.02 × 0.05/0.2 = 0.005 + exit 0.03 = 0.035001
    // Second close: the remaining 0.15 of lot 2 @ 41000 = 6150 (its 0.015 fee); exit 5850; gross -300.00
    expect(trades.map((t) => [t.qty, t.entryPrice, t.grossPnl, t.fees, t.netPnl])).toEqual([
      [0.15, (4000 + 2050) / 0.15, 250_000_000, 35_001, 249_964_999],
      [0.15, 41000, -300_000_000, 45_000, -300_045_000],
    ])
    // Every fill's micro value and fee is in exactly one trade: the totals are those of the fills.
    const feesOfFills = fills.reduce((a, f) => a + f.fee, 0)
    expect(trades.reduce((a, t) => a + t.fees, 0)).toBe(feesOfFills)
    expect(roundTrips(fills).open).toEqual([])
  })

  it('ends exactly flat after float-sized partial closes', () => {
    const fills = [fill('ETH-USD', 'buy', 0.3, 3000, 0, 0), fill('ETH-USD', 'sell', 0.1, 3010, 0, 1), fill('ETH-USD', 'sell', 0.2, 3020, 0, 2)]
    const {trades, open} = roundTrips(fills)
    expect(trades.map((t) => t.qty)).toEqual([0.1, 0.2])
    expect(open).toEqual([])
    // Then a new position starts clean.
    const again = roundTrips([...fills, fill('ETH-USD', 'sell', 0.5, 3000, 0, 3)])
    expect(again.open).toEqual([{instrument: 'ETH-USD', side: 'short', qty: 0.5, since: 3, avgPrice: 3000, cost: 1_500_000_000, fees: 0}])
  })

  it('counts a fill twice seen (same fillId) once, and takes a multiplier lookup', () => {
    const dup = [...FILLS.slice(0, 3), FILLS[2]!]
    expect(tradesFromFills(dup, (id) => (id === 'MES' ? 5 : 1))).toHaveLength(1)
  })

  it('are the same built fill by fill as they come (RoundTripBook) as from the whole list', () => {
    const book = new RoundTripBook(MULTIPLIERS)
    const lookup = new RoundTripBook((id) => (MULTIPLIERS as Record<string, number>)[id] ?? 1)
    for (const f of FILLS) {
      book.add(f)
      lookup.add(f)
    }
    const whole = roundTrips(FILLS, MULTIPLIERS)
    expect({trades: book.trades, open: book.open()}).toEqual(whole)
    expect({trades: lookup.trades, open: lookup.open()}).toEqual(whole)
    expect(whole.trades.length).toBeGreaterThan(2)
  })
})
