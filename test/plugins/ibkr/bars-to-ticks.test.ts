import {describe, expect, it} from 'vitest'

import {barToTicks, REALTIME_BAR_MS, type RealtimeBar} from '../../../plugins/ibkr/src/bars-to-ticks.js'
import type {Bar} from '../../../src/foundation/domain/bars.js'
import {seededRandom} from '../../../src/foundation/random.js'
import {BarBuilder} from '../../../src/sectors/live/bar-builder.js'

const T = Date.UTC(2026, 2, 3, 15, 0, 0)

describe('5-second real-time bars → ticks', () => {
  it('an up bar: open, low, high, close, inside the bar, volume on the close only', () => {
    const ticks = barToTicks('MES', {ts: T, open: 5000, high: 5002, low: 4999.5, close: 5001.75, volume: 12})
    expect(ticks.map((t) => t.price)).toEqual([5000, 4999.5, 5002, 5001.75])
    expect(ticks.map((t) => t.volume)).toEqual([0, 0, 0, 12])
    for (const t of ticks) {
      expect(t.ts).toBeGreaterThanOrEqual(T)
      expect(t.ts).toBeLessThan(T + REALTIME_BAR_MS)
      expect(t.bid).toBe(t.price)
      expect(t.ask).toBe(t.price)
    }
    expect(ticks.map((t) => t.ts)).toEqual([...ticks.map((t) => t.ts)].sort((a, b) => a - b))
  })

  it('a down bar goes to its high first; a flat bar is its open and close', () => {
    expect(barToTicks('X', {ts: T, open: 10, high: 11, low: 9, close: 9.5, volume: 0}).map((t) => t.price)).toEqual([10, 11, 9, 9.5])
    expect(barToTicks('X', {ts: T, open: 10, high: 10, low: 10, close: 10, volume: 3}).map((t) => [t.price, t.volume])).toEqual([[10, 0], [10, 3]])
  })

  it('bars no market makes give no ticks', () => {
    for (const bad of [
      {open: 10, high: 9, low: 11, close: 10},
      {open: 12, high: 11, low: 9, close: 10},
      {open: 10, high: 11, low: 9, close: 8},
      {open: Number.NaN, high: 11, low: 9, close: 10},
      {open: 0, high: 11, low: 0, close: 10},
    ]) expect(barToTicks('X', {ts: T, volume: 1, ...bad})).toEqual([])
  })

  it('bid and ask come from the quote when it brackets the price, else they are the price', () => {
    const ticks = barToTicks('X', {ts: T, open: 10, high: 10.5, low: 9.5, close: 10, volume: 1}, {bid: 9.75, ask: 10.25})
    expect(ticks.map((t) => [t.bid, t.ask])).toEqual([[9.75, 10.25], [9.5, 9.5], [10.5, 10.5], [9.75, 10.25]])
  })

  it('a minute of random 5-second bars, through the engine\'s bar builder, gives that minute\'s exact OHLC and volume', () => {
    const rnd = seededRandom(9)
    for (let trial = 0; trial < 50; trial++) {
      const bars: RealtimeBar[] = []
      let last = 5000
      for (let i = 0; i < 12; i++) {
        const open = last
        const close = open + Math.round((rnd.next() - 0.5) * 8) * 0.25
        const high = Math.max(open, close) + Math.round(rnd.next() * 4) * 0.25
        const low = Math.min(open, close) - Math.round(rnd.next() * 4) * 0.25
        bars.push({ts: T + i * REALTIME_BAR_MS, open, high, low, close, volume: Math.floor(rnd.next() * 20)})
        last = close
      }
      const out: Bar[] = []
      const b = new BarBuilder(['MES'], 60_000, (x) => out.push(...x))
      for (const bar of bars) for (const t of barToTicks('MES', bar)) b.tick(t)
      b.advance(T + 60_000)
      expect(out).toEqual([{instrument: 'MES', ts: T, open: 5000, high: Math.max(...bars.map((x) => x.high)), low: Math.min(...bars.map((x) => x.low)), close: last, volume: bars.reduce((s, x) => s + x.volume, 0)}])
    }
  })
})
