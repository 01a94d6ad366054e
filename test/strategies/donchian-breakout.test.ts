import {describe, expect, it} from 'vitest'

import donchian, {type DonchianParams} from '../../strategies/donchian-breakout.js'
import {bar, drive, testContext, walk} from './helpers.js'

const make = (p: Partial<DonchianParams> = {}) => donchian.create({lookback: 3, size: 1, allowShort: false, ...p})

// lookback 3, exitLookback 1 (half of 3, rounded down):
//        high   low    close
//   #0   10     9      9.5
//   #1   10.5   9.2   10
//   #2   10.2   9.4    9.8    (3 bars in: channels defined from the next bar)
//   #3   11.2  10     11      11 > max high of #0..#2 = 10.5   -> long +1
//   #4   11.5  10.8   11.4    long; 11.4 < low of #3 (10)? no
//   #5   11.3  10.5   10.7    long; 10.7 < low of #4 (10.8)    -> flat 0
//   #6   10.9  10.4   10.8    flat; 10.8 > max high #3..#5 = 11.5? no
//   #7   12    11     11.9    flat; 11.9 > max high #4..#6 = 11.5 -> long +1
const BARS: Array<[number, number, number]> = [
  [10, 9, 9.5],
  [10.5, 9.2, 10],
  [10.2, 9.4, 9.8],
  [11.2, 10, 11],
  [11.5, 10.8, 11.4],
  [11.3, 10.5, 10.7],
  [10.9, 10.4, 10.8],
  [12, 11, 11.9],
]
const bars = (id = 'BTC-USD') => BARS.map(([h, l, c], i) => bar(id, i, c, h, l))

describe('donchian-breakout', () => {
  it('enters on a close above the previous lookback highs and exits below the previous exitLookback lows', () => {
    const ctx = testContext(['BTC-USD'])
    const s = make()
    s.init(ctx)
    const signals = drive(s, ctx, bars())
    expect(signals.map(([i, sig]) => [i, sig.target])).toEqual([
      [3, 1],
      [5, 0],
      [7, 1],
    ])
    expect(signals[0]![1].reason).toBe('close 11 above the 3-bar high: breakout long')
    expect(signals[1]![1].reason).toBe('close 10.7 below the 1-bar low: exit long')
  })

  it('is symmetric for shorts with allowShort', () => {
    // The same bars mirrored around 20: every high becomes a low.
    const mirrored = BARS.map(([h, l, c], i) => bar('X', i, 20 - c, 20 - l, 20 - h))
    const ctx = testContext(['X'])
    const s = make({allowShort: true, size: 2})
    s.init(ctx)
    expect(drive(s, ctx, mirrored).map(([i, sig]) => [i, sig.target])).toEqual([
      [3, -2],
      [5, 0],
      [7, -2],
    ])
  })

  it('does not short without allowShort', () => {
    const mirrored = BARS.map(([h, l, c], i) => bar('X', i, 20 - c, 20 - l, 20 - h))
    const ctx = testContext(['X'])
    const s = make()
    s.init(ctx)
    expect(drive(s, ctx, mirrored)).toEqual([])
  })

  it('does not repeat a target it is waiting for, and asks again once the breakout is over', () => {
    const ctx = testContext(['BTC-USD'])
    const s = make({lookback: 2, exitLookback: 2})
    s.init(ctx)
    // Positions never move (every order refused). lookback 2:
    //   #2 close 12 > max(10, 11)      -> +1
    //   #3 close 13 > max(11, 12.5)    -> still wanted: not repeated
    //   #4 close 11 > max(12.5, 13.5)? no -> nothing wanted: pending cleared
    //   #5 close 15 > max(13.5, 11.5)  -> +1 asked again
    const seq: Array<[number, number, number]> = [
      [10, 9, 9.5],
      [11, 10, 10.5],
      [12.5, 11, 12],
      [13.5, 12, 13],
      [11.5, 10.5, 11],
      [15.5, 14, 15],
    ]
    const signals = drive(s, ctx, seq.map(([h, l, c], i) => bar('BTC-USD', i, c, h, l)), false)
    expect(signals.map(([i, sig]) => [i, sig.target])).toEqual([
      [2, 1],
      [5, 1],
    ])
  })

  it('sized by notional, does not ask again at every bar of a breakout it is waiting for (a halted sector)', () => {
    const ctx = testContext(['BTC-USD'])
    const s = make({lookback: 2, exitLookback: 2, notional: 120})
    s.init(ctx)
    // Every order refused: the position stays flat. Closes 12, 13, 14 break out bar after bar, each
    // with another size (120/12, 120/13, 120/14): one ask. The breakout ends at #5; #6 breaks out again.
    const seq: Array<[number, number, number]> = [
      [10, 9, 9.5],
      [11, 10, 10.5],
      [12.5, 11, 12],
      [13.5, 12, 13],
      [14.5, 13, 14],
      [13, 11, 11.5],
      [16, 14, 15],
    ]
    const signals = drive(s, ctx, seq.map(([h, l, c], i) => bar('BTC-USD', i, c, h, l)), false)
    expect(signals.map(([i, sig]) => [i, sig.target])).toEqual([
      [2, 10],
      [6, 8],
    ])
  })

  it('derives exitLookback from lookback', () => {
    expect(donchian.deriveParams!({lookback: 20, size: 1, allowShort: false})).toEqual({lookback: 20, exitLookback: 10, size: 1, allowShort: false})
    expect(donchian.deriveParams!({lookback: 1, size: 1, allowShort: false}).exitLookback).toBe(1)
    expect(donchian.deriveParams!({lookback: 20, exitLookback: 5, size: 1, allowShort: false}).exitLookback).toBe(5)
  })

  it('restores a mid-stream checkpoint (through JSON) and then signals exactly as the original', () => {
    const all = [...walk('A', 1500, 3), ...walk('B', 1500, 4, 30)].sort((a, b) => a.ts - b.ts)
    const p = {lookback: 20, exitLookback: 7, size: 1, allowShort: true}
    const ctxA = testContext(['A', 'B'])
    const a = donchian.create(p)
    a.init(ctxA)
    drive(a, ctxA, all.slice(0, 1501))
    const checkpoint = JSON.parse(JSON.stringify(a.state())) as ReturnType<typeof a.state>
    const ctxB = testContext(['A', 'B'])
    for (const [k, v] of ctxA.positions) ctxB.positions.set(k, v)
    const b = donchian.create(p)
    b.init(ctxB)
    b.restore(checkpoint)
    const fromA = drive(a, ctxA, all.slice(1501))
    const fromB = drive(b, ctxB, all.slice(1501))
    expect(fromA.length).toBeGreaterThan(10)
    expect(fromB).toEqual(fromA)
  })

  it('refuses a checkpoint taken with other params', () => {
    const s = make()
    s.init(testContext(['X']))
    const other = make({lookback: 4})
    other.init(testContext(['X']))
    expect(() => s.restore(other.state())).toThrow(/lookback=4, exitLookback=2.*now 3, 1/)
  })
})
