import fc from 'fast-check'
import {describe, expect, it} from 'vitest'

import type {Instrument} from '../../../src/foundation/domain/instrument.js'
import {notionalMicro, toMicro} from '../../../src/foundation/domain/money.js'
import type {Fill, Side} from '../../../src/foundation/domain/orders.js'
import {Ledger} from '../../../src/sectors/portfolio/ledger.js'

const BTC: Instrument = {id: 'BTC-USD', venue: 'coinbase', kind: 'crypto', tickSize: 0.01, lotSize: 0.00000001, minNotional: 1, multiplier: 1, quoteCurrency: 'USD', referencePrice: 60000}
const MES: Instrument = {id: 'MES-202612', venue: 'ibkr', kind: 'future', tickSize: 0.25, lotSize: 1, minNotional: 0, multiplier: 5, quoteCurrency: 'USD', referencePrice: 5000}
const EUR: Instrument = {id: 'EUR_USD', venue: 'oanda', kind: 'fx', tickSize: 0.00001, lotSize: 1, minNotional: 0, multiplier: 1, quoteCurrency: 'USD', referencePrice: 1.08}

let n = 0
function fill(instrument: string, side: Side, qty: number, price: number, fee = 0): Fill {
  n++
  return {clientOrderId: `o${n}`, fillId: `f${n}`, instrument, side, qty, price, fee, liquidity: 'taker', ts: n}
}

describe('Ledger', () => {
  it('opens, adds, reduces and closes a long with hand-computed figures', () => {
    const l = new Ledger({currency: 'USD', startingCash: toMicro(100_000), instruments: [BTC]})
    // Buy 0.5 BTC at 60,000 with an 18 USD fee: cash 100,000 − 30,000 − 18.
    let e = l.applyFill(fill('BTC-USD', 'buy', 0.5, 60_000, toMicro(18)))
    expect(e).toEqual({realized: 0, cashDelta: -30_018_000_000, positionAfter: 0.5, closed: false})
    expect(l.cash).toBe(69_982_000_000)
    l.mark('BTC-USD', 61_000)
    expect(l.unrealized).toBe(500_000_000) // 0.5 × (61,000 − 60,000)
    expect(l.equity).toBe(100_482_000_000) // 69,982 + 30,500

    // Add 0.25 at 62,000: cost 45,500 for 0.75 BTC, average 60,666.67.
    l.applyFill(fill('BTC-USD', 'buy', 0.25, 62_000))
    expect(l.position('BTC-USD')).toBe(0.75)
    expect(l.avgPrice('BTC-USD')).toBeCloseTo(60_666.6667, 3)

    // Sell 0.25 at 63,000: releases a third of the cost, 15,166.666667 (rounded once), proceeds 15,750.
    e = l.applyFill(fill('BTC-USD', 'sell', 0.25, 63_000))
    expect(e.realized).toBe(583_333_333)
    expect(l.position('BTC-USD')).toBe(0.5)

    // Close the remaining 0.5 at 59,000: releases ALL the remaining cost, 30,333.333333.
    e = l.applyFill(fill('BTC-USD', 'sell', 0.5, 59_000))
    expect(e.realized).toBe(-833_333_333)
    expect(e.closed).toBe(true)
    // Total: bought 45,500, sold 45,250 → −250 exactly; fees 18.
    expect(l.realized).toBe(-250_000_000)
    expect(l.fees).toBe(18_000_000)
    expect(l.cash).toBe(toMicro(100_000) - 250_000_000 - 18_000_000)
    expect(l.equity).toBe(l.cash)
    expect(l.unrealized).toBe(0)
    expect(l.positions()).toEqual([])
  })

  it('flips a short futures position to long in one fill, using the multiplier', () => {
    const l = new Ledger({currency: 'USD', startingCash: toMicro(100_000), instruments: [MES]})
    // Sell 2 MES at 5,000: notional 2 × 5,000 × 5 = 50,000 received.
    l.applyFill(fill('MES-202612', 'sell', 2, 5000, toMicro(1.24)))
    expect(l.position('MES-202612')).toBe(-2)
    expect(l.avgPrice('MES-202612')).toBe(5000)
    l.mark('MES-202612', 4995)
    expect(l.unrealized).toBe(toMicro(50)) // short 2 × 5 points × 5
    // Buy 3 at 4,990: closes the 2 (+10 points × 2 × 5 = 100) and opens 1 long at 4,990.
    const e = l.applyFill(fill('MES-202612', 'buy', 3, 4990, toMicro(1.86)))
    expect(e.realized).toBe(toMicro(100))
    expect(e.closed).toBe(true)
    expect(e.positionAfter).toBe(1)
    expect(e.cashDelta).toBe(-toMicro(49_900 + 24_950 + 1.86))
    expect(l.avgPrice('MES-202612')).toBe(4990)
    l.mark('MES-202612', 5000)
    expect(l.unrealized).toBe(toMicro(50)) // long 1 × 10 points × 5
    expect(l.equity).toBe(toMicro(100_000 + 100 + 50 - 1.24 - 1.86))
    expect(l.details()[0]).toMatchObject({instrument: 'MES-202612', qty: 1, multiplier: 5, cost: toMicro(24_950), value: toMicro(25_000), realized: toMicro(100), fees: toMicro(3.1)})
  })

  it('takes the multiplier from applyFill for an instrument it was not told about', () => {
    const l = new Ledger({currency: 'USD', startingCash: 0})
    l.applyFill(fill('ES', 'buy', 0.00000001, 5000), 50) // default lot 1e-8
    l.applyFill(fill('ES', 'sell', 0.00000001, 5010), 50)
    expect(l.realized).toBe(toMicro(10 * 50 * 0.00000001))
  })

  it('keeps FX units exact and derives the average price from the integer cost', () => {
    const l = new Ledger({currency: 'USD', startingCash: toMicro(50_000), instruments: [EUR]})
    l.applyFill(fill('EUR_USD', 'buy', 10_000, 1.08123))
    l.applyFill(fill('EUR_USD', 'buy', 5_000, 1.08131))
    expect(l.position('EUR_USD')).toBe(15_000)
    expect(l.avgPrice('EUR_USD')).toBeCloseTo((10_812.3 + 5_406.55) / 15_000, 10)
    l.applyFill(fill('EUR_USD', 'sell', 15_000, 1.08201))
    expect(l.realized).toBe(notionalMicro(1.08201, 15_000) - notionalMicro(1.08123, 10_000) - notionalMicro(1.08131, 5_000))
    expect(l.realized).toBe(toMicro(11.3)) // 10,000 × 7.8 pips + 5,000 × 7 pips
  })

  it('adds fractional crypto quantities without float dust (0.1 + 0.2 BTC)', () => {
    const l = new Ledger({currency: 'USD', startingCash: toMicro(1e6), instruments: [BTC]})
    l.applyFill(fill('BTC-USD', 'buy', 0.1, 60_000))
    l.applyFill(fill('BTC-USD', 'buy', 0.2, 60_000))
    expect(l.position('BTC-USD')).toBe(0.3)
    l.applyFill(fill('BTC-USD', 'sell', 0.3, 60_000))
    expect(l.position('BTC-USD')).toBe(0)
    expect(l.cash).toBe(toMicro(1e6))
  })

  it('releases the cost in thirds without leaving a micro unit behind', () => {
    const l = new Ledger({currency: 'USD', startingCash: 0, instruments: [MES]})
    l.applyFill(fill('MES-202612', 'buy', 3, 5000.25))
    for (let i = 0; i < 3; i++) l.applyFill(fill('MES-202612', 'sell', 1, 5000.25))
    expect(l.realized).toBe(0)
    expect(l.cash).toBe(0)
  })

  it('refuses a fill that is not a whole number of lots or has a fractional fee', () => {
    const l = new Ledger({currency: 'USD', startingCash: 0, instruments: [MES]})
    expect(() => l.applyFill(fill('MES-202612', 'buy', 1.5, 5000))).toThrow(/whole number of lots of 1/)
    expect(() => l.applyFill(fill('MES-202612', 'buy', 1, 5000, 0.5))).toThrow(/integer number of micro units/)
  })

  it('snapshots to plain JSON and restores the same books', () => {
    const l = new Ledger({currency: 'USD', startingCash: toMicro(10_000), instruments: [BTC, MES]})
    l.applyFill(fill('BTC-USD', 'buy', 0.01234567, 60_123.45, 4_457))
    l.applyFill(fill('MES-202612', 'sell', 1, 5000))
    l.markToMarket({'BTC-USD': 60_200, 'MES-202612': 4990.5})
    const snap = JSON.parse(JSON.stringify(l.snapshot()))
    expect(snap).toEqual(l.snapshot())
    const r = Ledger.fromSnapshot(snap)
    expect(r.snapshot()).toEqual(l.snapshot())
    expect([r.cash, r.equity, r.unrealized, r.realized, r.fees]).toEqual([l.cash, l.equity, l.unrealized, l.realized, l.fees])
    // And it keeps working: closing both lands exactly on start + realized − fees.
    r.applyFill(fill('BTC-USD', 'sell', 0.01234567, 61_000))
    r.applyFill(fill('MES-202612', 'buy', 1, 4990.5))
    expect(r.cash).toBe(r.startingCash + r.realized - r.fees)
  })

  it('property: any fills, then closing everything, leaves cash = start + realized − fees exactly', () => {
    const instruments = [BTC, MES, EUR]
    // Realistic ranges per instrument (lots, price in ticks): up to 10 BTC at 1,000-100,000 USD,
    // 100 MES at 1,000-10,000 points, 10 million EUR at 0.5-2 USD.
    const ranges = [
      {lots: 1_000_000_000, ticks: [100_000, 10_000_000]},
      {lots: 100, ticks: [4_000, 40_000]},
      {lots: 10_000_000, ticks: [50_000, 200_000]},
    ] as const
    const fillArb = fc.integer({min: 0, max: 2}).chain((inst) =>
      fc.record({
        inst: fc.constant(inst),
        side: fc.constantFrom<Side>('buy', 'sell'),
        lots: fc.integer({min: 1, max: ranges[inst]!.lots}),
        ticks: fc.integer({min: ranges[inst]!.ticks[0], max: ranges[inst]!.ticks[1]}),
        fee: fc.integer({min: 0, max: 5_000_000}),
      }),
    )
    fc.assert(
      fc.property(fc.array(fillArb, {minLength: 1, maxLength: 60}), fc.tuple(fc.integer({min: 100_000, max: 10_000_000}), fc.integer({min: 4_000, max: 40_000}), fc.integer({min: 50_000, max: 200_000})), (fills, closeTicks) => {
        const start = toMicro(1_000_000)
        const l = new Ledger({currency: 'USD', startingCash: start, instruments})
        let exact = 0 // Σ sells − Σ buys from unrounded prices × quantities
        let count = 0
        const apply = (i: Instrument, side: Side, lots: number, ticks: number, fee: number) => {
          const qty = Number((lots * i.lotSize).toFixed(8))
          const price = Number((ticks * i.tickSize).toFixed(5))
          l.applyFill(fill(i.id, side, qty, price, fee))
          exact += (side === 'sell' ? 1 : -1) * price * qty * i.multiplier * 1e6
          count++
        }
        for (const f of fills) apply(instruments[f.inst] as Instrument, f.side, f.lots, f.ticks, f.fee)
        instruments.forEach((i, k) => {
          const pos = l.position(i.id)
          if (pos !== 0) apply(i, pos > 0 ? 'sell' : 'buy', Math.round(Math.abs(pos) / i.lotSize), closeTicks[k] as number, 0)
        })
        expect(l.positions()).toEqual([])
        expect(l.cash).toBe(start + l.realized - l.fees)
        expect(l.equity).toBe(l.cash)
        expect(Number.isSafeInteger(l.cash) && Number.isSafeInteger(l.realized)).toBe(true)
        // Rounding happens once per fill part (at most two per fill), never accumulates beyond that.
        expect(Math.abs(l.realized - exact)).toBeLessThanOrEqual(2 * count)
      }),
      {numRuns: 300, seed: 20240601},
    )
  })
})
