import {describe, expect, it} from 'vitest'

import {PricePath, type PricePathOptions} from '../../../src/sectors/sim/prices.js'

const base: PricePathOptions = {seed: 7, instrument: 'EUR_USD', referencePrice: 1.08, tickSize: 0.00001, spreadTicks: 14, annualVol: 0.08, startTs: 1_700_000_000_000}

describe('PricePath', () => {
  it('same seed and offset, same prices, however and whenever asked', () => {
    const a = new PricePath(base)
    const b = new PricePath({...base, startTs: base.startTs + 123_456})
    // b is asked out of order (far future first), a in order.
    const far = b.quote(b.startTs + 9_000_000)
    const seqA = Array.from({length: 50}, (_, i) => a.quote(a.startTs + i * 1_000)?.bidTicks)
    const seqB = Array.from({length: 50}, (_, i) => b.quote(b.startTs + i * 1_000)?.bidTicks)
    expect(seqA).toEqual(seqB)
    expect(a.quote(a.startTs + 9_000_000)?.bidTicks).toBe(far?.bidTicks)
    expect(a.quote(a.startTs - 3_600_000)?.bidTicks).toBe(b.quote(b.startTs - 3_600_000)?.bidTicks)
  })

  it('another seed or instrument, another path', () => {
    const a = new PricePath(base)
    const b = new PricePath({...base, seed: 8})
    const c = new PricePath({...base, instrument: 'GBP_USD'})
    const at = (p: PricePath) => Array.from({length: 20}, (_, i) => p.quote(p.startTs + i * 60_000)?.bidTicks)
    expect(at(a)).not.toEqual(at(b))
    expect(at(a)).not.toEqual(at(c))
  })

  it('starts at the reference price; ask = bid + spread; the price moves and stays realistic over a day', () => {
    const p = new PricePath(base)
    const q0 = p.quote(p.startTs)!
    expect(q0.askTicks - q0.bidTicks).toBe(14)
    expect(p.price(q0.bidTicks + 7)).toBeCloseTo(1.08, 5)
    const day = p.range(p.startTs, p.startTs + 86_400_000)!
    expect(day.high).toBeGreaterThan(day.low)
    expect(p.price(day.high) / p.price(day.low)).toBeLessThan(1.05)
    expect(day.ticks).toBeGreaterThan(1_000)
  })

  it('a step holds its price for stepMs; quote.ts is the step start', () => {
    const p = new PricePath({...base, stepMs: 1_000})
    const q = p.quote(p.startTs + 5_999)!
    expect(q.ts).toBe(p.startTs + 5_000)
    expect(q.bidTicks).toBe(p.quote(p.startTs + 5_000)!.bidTicks)
  })

  it('range() is the bid OHLC of the steps set in the window, matching quote()', () => {
    const p = new PricePath(base)
    const from = p.startTs + 10_000
    const r = p.range(from, from + 5_000)!
    const bids = [0, 1, 2, 3, 4].map((i) => p.quote(from + i * 1_000)!.bidTicks)
    expect(r.open).toBe(bids[0])
    expect(r.close).toBe(bids[4])
    expect(r.high).toBe(Math.max(...bids))
    expect(r.low).toBe(Math.min(...bids))
    expect(r.firstTs).toBe(from)
    expect(r.lastTs).toBe(from + 4_000)
    expect(p.range(from, from)).toBeUndefined()
  })

  it('history is kept historyMs back from the latest trim, and dropped beyond', () => {
    const p = new PricePath({...base, historyMs: 3_600_000})
    expect(p.quote(p.startTs - 3_600_000)).toBeDefined()
    expect(p.quote(p.startTs - 3_601_000)).toBeUndefined()
    p.quote(p.startTs + 7_200_000)
    p.trim(p.startTs + 7_200_000)
    expect(p.quote(p.startTs + 3_600_000)).toBeDefined()
    expect(p.quote(p.startTs + 3_599_000)).toBeUndefined()
    expect(p.range(p.startTs, p.startTs + 3_700_000)?.firstTs).toBe(p.startTs + 3_600_000)
  })

  it('refuses a bad spread or reference price', () => {
    expect(() => new PricePath({...base, spreadTicks: 0})).toThrow(/spreadTicks/)
    expect(() => new PricePath({...base, referencePrice: 0})).toThrow(/referencePrice/)
  })
})
