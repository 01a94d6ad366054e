import {describe, expect, it} from 'vitest'

import type {Bar} from '../../../src/foundation/domain/bars.js'
import {BarBuilder} from '../../../src/sectors/live/bar-builder.js'

const M = 60_000
const T0 = Date.UTC(2026, 0, 5, 10, 0)
const tick = (instrument: string, ts: number, price: number, volume = 0) => ({instrument, ts, bid: price, ask: price, price, volume})

function builder(instruments = ['EUR_USD', 'USD_JPY']) {
  const periods: Bar[][] = []
  const b = new BarBuilder(instruments, M, (bars) => periods.push(bars))
  return {b, periods}
}

describe('BarBuilder: bars on the venue clock', () => {
  it('builds OHLC from the ticks of a period and closes it at the first venue time past its end', () => {
    const {b, periods} = builder(['EUR_USD'])
    b.tick(tick('EUR_USD', T0 + 1_000, 1.1, 2))
    b.tick(tick('EUR_USD', T0 + 20_000, 1.105, 1))
    b.tick(tick('EUR_USD', T0 + 40_000, 1.098))
    b.tick(tick('EUR_USD', T0 + 59_999, 1.101))
    expect(periods).toEqual([])
    b.advance(T0 + M) // a heartbeat at the period's end
    expect(periods).toEqual([[{instrument: 'EUR_USD', ts: T0, open: 1.1, high: 1.105, low: 1.098, close: 1.101, volume: 3}]])
  })

  it('closes a period on time when no price came in it: flat at the last close, volume 0; never a bar before the first price', () => {
    const {b, periods} = builder()
    b.tick(tick('EUR_USD', T0 + 5_000, 1.1))
    b.advance(T0 + 3 * M + 1)
    expect(periods.map((p) => p.map((x) => `${x.instrument}@${(x.ts - T0) / M} ${x.open}/${x.close} v${x.volume}`))).toEqual([
      ['EUR_USD@0 1.1/1.1 v0'],
      ['EUR_USD@1 1.1/1.1 v0'],
      ['EUR_USD@2 1.1/1.1 v0'],
    ])
  })

  it('hands every instrument of a period over together, in the configured order', () => {
    const {b, periods} = builder()
    b.tick(tick('USD_JPY', T0 + 1, 150))
    b.tick(tick('EUR_USD', T0 + 2, 1.1))
    b.tick(tick('USD_JPY', T0 + M + 1, 151))
    expect(periods).toHaveLength(1)
    expect(periods[0]!.map((x) => x.instrument)).toEqual(['EUR_USD', 'USD_JPY'])
  })

  it('drops and counts a tick whose period was already handed over; ignores unknown instruments and garbage', () => {
    const {b, periods} = builder(['EUR_USD'])
    b.tick(tick('EUR_USD', T0 + M + 1, 1.2))
    b.tick(tick('EUR_USD', T0 + 5, 9.9)) // late: its period (T0) was never open, or closed
    b.tick(tick('GBP_USD', T0 + M + 2, 1.3))
    b.tick(tick('EUR_USD', T0 + M + 3, Number.NaN))
    b.advance(T0 + 2 * M)
    expect(b.lateTicks).toBe(1)
    expect(periods).toEqual([[{instrument: 'EUR_USD', ts: T0 + M, open: 1.2, high: 1.2, low: 1.2, close: 1.2, volume: 0}]])
  })

  it('a seeded close (warm-up history) gives a quiet first period its bar', () => {
    const {b, periods} = builder(['EUR_USD'])
    b.seed('EUR_USD', 1.0875)
    b.advance(T0 + 10)
    b.advance(T0 + M)
    expect(periods).toEqual([[{instrument: 'EUR_USD', ts: T0, open: 1.0875, high: 1.0875, low: 1.0875, close: 1.0875, volume: 0}]])
  })
})
