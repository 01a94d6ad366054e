// A feed merges one series per instrument. Picking the next bar by scanning every instrument made a
// backtest of 10,000 instruments quadratic (234 s for 100 bars each); these tests hold the merge
// to logarithmic work per bar, and to the order the scan gave (ts, then the order given).
import {describe, expect, it} from 'vitest'

import {emptySeries, type BarSeries} from '../../../src/foundation/domain/bars.js'
import type {Instrument} from '../../../src/foundation/domain/instrument.js'
import {seriesFeed, syntheticFeed, type BarFeed} from '../../../src/sectors/data/feed.js'
import {builtinInstrument} from '../../../src/sectors/data/instruments.js'
import {seededRandom} from '../../../src/foundation/random.js'

const EUR = builtinInstrument('oanda', 'EUR_USD') as Instrument

function instruments(n: number): Instrument[] {
  return Array.from({length: n}, (_, i) => ({...EUR, id: `I${i}_USD`}))
}

/** Series whose ts reads are counted (the merge's unit of work). */
function countedSeries(n: number, length: number, tsOf: (k: number, i: number) => number): {series: BarSeries[]; reads: () => number} {
  let reads = 0
  const series = Array.from({length: n}, (_, k) => {
    const s = emptySeries(`I${k}`, 60_000, length)
    for (let i = 0; i < length; i++) s.ts[i] = tsOf(k, i)
    const ts = s.ts
    s.ts = new Proxy(ts, {
      get(target, prop) {
        if (typeof prop === 'string' && /^\d+$/.test(prop)) reads++
        const v = Reflect.get(target, prop, target) as unknown
        return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v
      },
    })
    return s
  })
  return {series, reads: () => reads}
}

function order(feed: BarFeed, max = Infinity): string[] {
  const out: string[] = []
  for (let b = feed.next(); b !== undefined && out.length < max; b = feed.next()) out.push(`${b.instrument}@${b.ts}`)
  return out
}

/** The order the merge must give: by ts, ties in the order the series were given. */
function reference(series: readonly BarSeries[]): string[] {
  const all: Array<{ts: number; k: number; i: number; id: string}> = []
  series.forEach((s, k) => {
    for (let i = 0; i < s.length; i++) all.push({ts: s.ts[i] as number, k, i, id: s.instrument})
  })
  all.sort((a, b) => a.ts - b.ts || a.k - b.k || a.i - b.i)
  return all.map((x) => `${x.id}@${x.ts}`)
}

describe('merging many instruments', () => {
  it('reads a bounded number of timestamps per bar, however many instruments (100 vs 2,000)', () => {
    const perBar = (n: number, length: number): number => {
      const {series, reads} = countedSeries(n, length, (_k, i) => i * 60_000)
      const feed = seriesFeed(series)
      let bars = 0
      while (feed.next() !== undefined) bars++
      expect(bars).toBe(n * length)
      return reads() / bars
    }
    const small = perBar(100, 20)
    const large = perBar(2_000, 2)
    // A scan reads every instrument's next ts for every bar: 20 times more work at 20 times the
    // instruments. A heap grows with log2(n): about 1.7 times here.
    expect(large / small).toBeLessThan(3)
  })

  it('keeps the per-bar time of a 3,000-instrument feed within a small factor of a 100-instrument one', () => {
    const time = (n: number, length: number, unbounded: boolean): number => {
      const feed = syntheticFeed({instruments: instruments(n), seed: 1, startTs: 0, periodMs: 60_000, ...(unbounded ? {} : {bars: length})})
      const total = n * length
      const t0 = process.hrtime.bigint()
      for (let i = 0; i < total; i++) feed.next()
      return Number(process.hrtime.bigint() - t0) / total
    }
    for (const unbounded of [false, true]) {
      time(100, 50, unbounded) // warm-up
      const small = time(100, 500, unbounded)
      const large = time(3_000, 10, unbounded)
      // The scan made this ratio about 30; a heap keeps it near the log ratio (and noise).
      expect(large / small, unbounded ? 'unbounded (walker) feed' : 'bounded (series) feed').toBeLessThan(10)
    }
  })

  it('gives the order of a stable sort by ts for any count of instruments, with ties and gaps', () => {
    const rnd = seededRandom(7)
    for (const n of [2, 3, 7, 8, 9, 16, 17, 33, 100]) {
      const lengths = Array.from({length: n}, () => Math.floor(rnd.next() * 6))
      const {series} = countedSeries(n, 0, () => 0)
      series.forEach((s, k) => {
        const length = lengths[k] as number
        const fresh = emptySeries(s.instrument, 60_000, length)
        let ts = Math.floor(rnd.next() * 4) * 60_000
        for (let i = 0; i < length; i++) {
          fresh.ts[i] = ts
          ts += Math.floor(rnd.next() * 3) * 60_000 // 0: the same ts twice in a row
        }
        series[k] = fresh
      })
      expect(order(seriesFeed(series)), `${n} series`).toEqual(reference(series))
    }
  })

  it('gives the same bars unbounded as bounded with many instruments', () => {
    const list = instruments(40)
    const bounded = order(syntheticFeed({instruments: list, seed: 3, startTs: 0, periodMs: 60_000, bars: 5}))
    const unbounded = order(syntheticFeed({instruments: list, seed: 3, startTs: 0, periodMs: 60_000}), 200)
    expect(bounded).toHaveLength(200)
    expect(unbounded).toEqual(bounded)
  })
})
