import {describe, expect, it} from 'vitest'

import type {BarSeries} from '../../../src/foundation/domain/bars.js'
import type {Instrument} from '../../../src/foundation/domain/instrument.js'
import {builtinInstrument} from '../../../src/sectors/data/instruments.js'
import {syntheticSeries} from '../../../src/sectors/data/synthetic.js'

const inst = (id: string, venue = 'test'): Instrument => builtinInstrument(venue, id) as Instrument
const opts = {seed: 42, startTs: 1_717_200_000_000, periodMs: 60_000, length: 20_000}

function logReturnsSd(s: BarSeries, from = 1, to = s.length): number {
  let sum = 0
  let sq = 0
  let n = 0
  for (let i = Math.max(1, from); i < to; i++) {
    const r = Math.log((s.close[i] as number) / (s.close[i - 1] as number))
    sum += r
    sq += r * r
    n++
  }
  return Math.sqrt(sq / n - (sum / n) ** 2)
}

describe('syntheticSeries', () => {
  it('is deterministic: the same seed gives the same bars, another seed other bars', () => {
    const a = syntheticSeries(inst('BTC-USD'), opts)
    const b = syntheticSeries(inst('BTC-USD'), opts)
    const c = syntheticSeries(inst('BTC-USD'), {...opts, seed: 43})
    for (const col of ['ts', 'open', 'high', 'low', 'close', 'volume'] as const) expect(Buffer.from(b[col].buffer).equals(Buffer.from(a[col].buffer))).toBe(true)
    expect(a.close[100]).not.toBe(c.close[100])
    // Different instruments under one seed do not move in lockstep.
    const e = syntheticSeries(inst('ETH-USD'), opts)
    expect(Math.log((e.close[500] as number) / 3000)).not.toBeCloseTo(Math.log((a.close[500] as number) / 60000), 6)
  })

  it.each([
    ['EUR_USD', 1.08, 0.00001, 0.00003, 0.0003],
    ['USD_JPY', 150, 0.001, 0.00003, 0.0003],
    ['BTC-USD', 60000, 0.01, 0.0003, 0.003],
    ['ETH-USD', 3000, 0.01, 0.0003, 0.003],
    ['MES', 5000, 0.25, 0.00005, 0.0006],
    ['SPY', 500, 0.01, 0.00005, 0.0006],
  ])('%s: starts near %d, prices on the %d tick, OHLC consistent, one-minute volatility in [%d, %d]', (id, level, tick, minSd, maxSd) => {
    const s = syntheticSeries(inst(id), opts)
    expect(s.length).toBe(opts.length)
    expect(s.ts[0]).toBe(opts.startTs)
    expect((s.ts[s.length - 1] as number) - (s.ts[0] as number)).toBe((opts.length - 1) * 60_000)
    expect(Math.abs((s.open[0] as number) / level - 1)).toBeLessThan(0.01)
    let lo = Infinity
    let hi = 0
    const inconsistent: number[] = []
    const offTick: number[] = []
    for (let i = 0; i < s.length; i++) {
      const [o, h, l, c] = [s.open[i], s.high[i], s.low[i], s.close[i]] as [number, number, number, number]
      if (!(l <= Math.min(o, c) && Math.max(o, c) <= h && l > 0)) inconsistent.push(i)
      for (const p of [o, h, l, c]) if (Math.abs(p / tick - Math.round(p / tick)) > 1e-6 || Number(p.toFixed(8)) !== p) offTick.push(i)
      lo = Math.min(lo, c)
      hi = Math.max(hi, c)
    }
    expect(inconsistent).toEqual([])
    expect(offTick).toEqual([])
    // Two weeks of minutes stay at a realistic level.
    expect(lo / level).toBeGreaterThan(0.6)
    expect(hi / level).toBeLessThan(1.6)
    const sd = logReturnsSd(s)
    expect(sd).toBeGreaterThan(minSd)
    expect(sd).toBeLessThan(maxSd)
  })

  it('switches volatility regimes: some stretches are far calmer than others', () => {
    const s = syntheticSeries(inst('BTC-USD'), {...opts, length: 50_000})
    const window = 500
    const sds: number[] = []
    for (let i = 1; i + window <= s.length; i += window) sds.push(logReturnsSd(s, i, i + window))
    expect(Math.max(...sds) / Math.min(...sds)).toBeGreaterThan(2.5)
  })

  it('has volumes of the instrument kind', () => {
    const s = syntheticSeries(inst('SPY'), {...opts, length: 100})
    expect(Array.from(s.volume).every((v) => v > 0 && Number.isInteger(v))).toBe(true)
  })
})
