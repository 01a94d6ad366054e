import {describe, expect, it} from 'vitest'

import smaCrossover, {type SmaCrossoverParams} from '../../strategies/sma-crossover.js'
import {bar, drive, testContext, walk} from './helpers.js'

const params = (p: Partial<SmaCrossoverParams> = {}): SmaCrossoverParams => ({fast: 2, slow: 4, size: 1, allowShort: false, ...p})

// Closes and the two means after each bar (fast = last 2, slow = last 4):
//   #0 10  #1 10  #2 10        slow not defined yet
//   #3 10   fast 10   slow 10     first defined bar: 10 > 10 is false -> "not above", no signal
//   #4 12   fast 11   slow 10.5   above                -> cross up: target +1
//   #5 14   fast 13   slow 11.5   above                -> nothing
//   #6  8   fast 11   slow 11     11 > 11 false        -> cross down: target 0
//   #7  6   fast  7   slow 10     below                -> nothing
//   #8 20   fast 13   slow 12     above                -> cross up: target +1
const CLOSES = [10, 10, 10, 10, 12, 14, 8, 6, 20]

describe('sma-crossover', () => {
  it('trades exactly at the crossings of the two averages', () => {
    const ctx = testContext(['SPY'])
    const s = smaCrossover.create(params())
    s.init(ctx)
    const signals = drive(s, ctx, CLOSES.map((c, i) => bar('SPY', i, c)))
    expect(signals.map(([i, sig]) => [i, sig.target])).toEqual([
      [4, 1],
      [6, 0],
      [8, 1],
    ])
    expect(signals[0]![1]).toEqual({instrument: 'SPY', target: 1, reason: 'SMA(2) crossed above SMA(4)'})
    expect(signals[1]![1].reason).toBe('SMA(2) crossed below SMA(4)')
  })

  it('goes short on a cross down with allowShort, with the configured size', () => {
    const ctx = testContext(['SPY'])
    const s = smaCrossover.create(params({allowShort: true, size: 3}))
    s.init(ctx)
    const signals = drive(s, ctx, CLOSES.map((c, i) => bar('SPY', i, c)))
    expect(signals.map(([i, sig]) => [i, sig.target])).toEqual([
      [4, 3],
      [6, -3],
      [8, 3],
    ])
  })

  it('sizes by notional when given: units = notional / close at the signal', () => {
    const ctx = testContext(['SPY'])
    const s = smaCrossover.create(params({allowShort: true, notional: 120}))
    s.init(ctx)
    const signals = drive(s, ctx, CLOSES.map((c, i) => bar('SPY', i, c)))
    // closes at the crossings: 12 (bar 4), 8 (bar 6), 20 (bar 8)
    expect(signals.map(([i, sig]) => [i, sig.target])).toEqual([
      [4, 10],
      [6, -15],
      [8, 6],
    ])
  })

  it('says nothing when the position is already the target (a first cross down while flat)', () => {
    const ctx = testContext(['SPY'])
    const s = smaCrossover.create(params())
    s.init(ctx)
    // #3: fast 12.5 > slow 11.75 -> above (first defined, no signal); #4: fast 9 < slow 11.25 -> cross down to 0 = flat already.
    const signals = drive(s, ctx, [10, 11, 12, 13, 5].map((c, i) => bar('SPY', i, c)))
    expect(signals).toEqual([])
  })

  it('keeps each instrument separate', () => {
    const ctx = testContext(['A', 'B'])
    const s = smaCrossover.create(params())
    s.init(ctx)
    const bars = CLOSES.flatMap((c, i) => [bar('A', i, c), bar('B', i, 50)])
    const signals = drive(s, ctx, bars)
    expect(signals.map(([, sig]) => [sig.instrument, sig.target])).toEqual([
      ['A', 1],
      ['A', 0],
      ['A', 1],
    ])
  })

  it('ignores bars with a non-finite close', () => {
    const ctx = testContext(['SPY'])
    const s = smaCrossover.create(params())
    s.init(ctx)
    const bars = CLOSES.map((c, i) => bar('SPY', i, c))
    bars.splice(5, 0, bar('SPY', 99, Number.NaN))
    expect(drive(s, ctx, bars).map(([, sig]) => sig.target)).toEqual([1, 0, 1])
  })

  it('matches a naive recomputation of both averages on a long random walk', () => {
    const bars = walk('X', 3000, 7)
    const ctx = testContext(['X'])
    const s = smaCrossover.create(params({fast: 5, slow: 21, allowShort: true}))
    s.init(ctx)
    const got = drive(s, ctx, bars).map(([i, sig]) => [i, sig.target])
    const expected: Array<[number, number]> = []
    let prev: boolean | undefined
    const mean = (from: number, to: number) => bars.slice(from, to).reduce((a, b) => a + b.close, 0) / (to - from)
    for (let i = 20; i < bars.length; i++) {
      const above = mean(i - 4, i + 1) > mean(i - 20, i + 1)
      if (prev !== undefined && above !== prev) expected.push([i, above ? 1 : -1])
      prev = above
    }
    expect(expected.length).toBeGreaterThan(50)
    expect(got).toEqual(expected)
  })

  it('restores a mid-stream checkpoint (through JSON) and then signals exactly as the original', () => {
    const bars = [...walk('A', 2000, 11), ...walk('B', 2000, 12, 50)].sort((a, b) => a.ts - b.ts)
    const p = params({fast: 10, slow: 50, allowShort: true})
    const ctxA = testContext(['A', 'B'])
    const a = smaCrossover.create(p)
    a.init(ctxA)
    drive(a, ctxA, bars.slice(0, 1777))
    const checkpoint = JSON.parse(JSON.stringify(a.state())) as ReturnType<typeof a.state>

    const ctxB = testContext(['A', 'B'])
    for (const [k, v] of ctxA.positions) ctxB.positions.set(k, v)
    const b = smaCrossover.create(p)
    b.init(ctxB)
    b.restore(checkpoint)
    const rest = bars.slice(1777)
    const fromA = drive(a, ctxA, rest)
    const fromB = drive(b, ctxB, rest)
    expect(fromA.length).toBeGreaterThan(10)
    expect(fromB).toEqual(fromA)
    expect(b.state()).toEqual(a.state())
  })

  it('refuses a checkpoint taken with other params, or not of this strategy', () => {
    const s = smaCrossover.create(params())
    s.init(testContext(['SPY']))
    const other = smaCrossover.create(params({slow: 5}))
    other.init(testContext(['SPY']))
    expect(() => s.restore(other.state())).toThrow(/fast=2, slow=5.*now fast=2, slow=4/)
    expect(() => s.restore({nonsense: true} as never)).toThrow(/not a checkpoint/)
  })

  it('declares its params: defaults, and slow must exceed fast', () => {
    const props = (smaCrossover.paramsSchema as {properties: Record<string, {default?: unknown}>}).properties
    expect(Object.fromEntries(Object.entries(props).map(([k, v]) => [k, v.default]))).toEqual({fast: 10, slow: 50, size: 1, allowShort: false})
    expect(smaCrossover.checkParams!(params({fast: 5, slow: 5}))).toEqual([{param: 'slow', message: 'must be more than fast (5)'}])
    expect(smaCrossover.checkParams!(params())).toEqual([])
  })
})
