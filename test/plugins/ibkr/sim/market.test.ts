import {describe, expect, it} from 'vitest'

import type {SimBar} from '../../../../plugins/ibkr/src/sim/seam.js'
import {makeBroker, MES, T0} from './harness.js'

function mesConId(h: ReturnType<typeof makeBroker>): number {
  return h.broker.contractDetails(MES)[0]?.contract.conId as number
}

describe('ibkr sim market', () => {
  it('gives 5-second bars live that equal the history of the same window, on the tick grid', () => {
    const h = makeBroker()
    const conId = mesConId(h)
    const live: SimBar[] = []
    h.broker.subscribeRealTimeBars(conId, (b) => live.push(b))
    h.advance(60_000)
    expect(live.length).toBeGreaterThanOrEqual(11)
    for (let i = 1; i < live.length; i++) expect((live[i] as SimBar).time - (live[i - 1] as SimBar).time).toBe(5)
    const first = (live[0] as SimBar).time * 1000
    const last = (live[live.length - 1] as SimBar).time * 1000 + 5000
    const history = h.broker.historicalBars({conId, endTs: last, durationSec: (last - first) / 1000, barSizeSec: 5, whatToShow: 'TRADES', useRth: false})
    expect(history).toEqual(live)
    for (const b of live) for (const px of [b.open, b.high, b.low, b.close]) expect(Math.abs(px / 0.25 - Math.round(px / 0.25))).toBeLessThan(1e-9)
    // A 1-minute bar is its twelve 5-second bars.
    const minute = h.broker.historicalBars({conId, endTs: T0 + 60_000, durationSec: 60, barSizeSec: 60, whatToShow: 'TRADES', useRth: false}) as SimBar[]
    const fives = h.broker.historicalBars({conId, endTs: T0 + 60_000, durationSec: 60, barSizeSec: 5, whatToShow: 'TRADES', useRth: false}) as SimBar[]
    expect(minute).toHaveLength(1)
    expect(minute[0]?.high).toBe(Math.max(...fives.map((b) => b.high)))
    expect(minute[0]?.volume).toBe(String(fives.reduce((s, b) => s + Number(b.volume), 0)))
  })

  it('has the same history for the same seed, another for another seed, and none in the future', () => {
    const req = (h: ReturnType<typeof makeBroker>): unknown => h.broker.historicalBars({conId: mesConId(h), endTs: T0, durationSec: 2 * 3600, barSizeSec: 300, whatToShow: 'TRADES', useRth: false})
    const a = req(makeBroker({seed: 3})) as SimBar[]
    expect(a).toHaveLength(24)
    expect(req(makeBroker({seed: 3}))).toEqual(a)
    expect(req(makeBroker({seed: 4}))).not.toEqual(a)
    const h = makeBroker()
    const future = h.broker.historicalBars({conId: mesConId(h), endTs: T0 + 3_600_000, durationSec: 7200, barSizeSec: 300, whatToShow: 'TRADES', useRth: false}) as SimBar[]
    expect(Math.max(...future.map((b) => b.time))).toBeLessThan(T0 / 1000)
    const mid = h.broker.historicalBars({conId: mesConId(h), endTs: T0, durationSec: 600, barSizeSec: 60, whatToShow: 'MIDPOINT', useRth: false}) as SimBar[]
    expect(mid[0]?.volume).toBe('-1')
  })

  it('answers a year of daily bars with the month of prices it keeps', () => {
    const h = makeBroker()
    const days = h.broker.historicalBars({conId: mesConId(h), endTs: T0, durationSec: 365 * 86_400, barSizeSec: 86_400, whatToShow: 'TRADES', useRth: false}) as SimBar[]
    expect(days.length).toBeGreaterThanOrEqual(29)
    expect(days.length).toBeLessThanOrEqual(30)
    for (const d of days) expect(d.low).toBeLessThanOrEqual(d.high)
  })

  it('refuses what TWS refuses: an unknown contract, an unknown whatToShow, an empty window', () => {
    const h = makeBroker()
    expect(h.broker.historicalBars({conId: 1, endTs: T0, durationSec: 60, barSizeSec: 5, whatToShow: 'TRADES', useRth: false})).toMatchObject({code: 200})
    expect(h.broker.historicalBars({conId: mesConId(h), endTs: T0, durationSec: 60, barSizeSec: 5, whatToShow: 'NOPE', useRth: false})).toMatchObject({code: 321})
    // Regular hours only, over a night: no bars.
    expect(h.broker.historicalBars({conId: mesConId(h), endTs: Date.parse('2026-12-08T10:00:00Z'), durationSec: 3600, barSizeSec: 60, whatToShow: 'TRADES', useRth: true})).toMatchObject({code: 162})
  })

  it('sends quotes as they change and stops with frozen prices', () => {
    const h = makeBroker()
    const quotes: number[] = []
    h.broker.subscribeQuotes(mesConId(h), (q) => {
      expect(q.ask).toBeGreaterThan(q.bid)
      quotes.push(q.bid)
    })
    h.advance(120_000)
    expect(quotes.length).toBeGreaterThan(3)
    h.broker.frozen = true
    const n = quotes.length
    h.advance(120_000)
    expect(quotes.length).toBe(n)
  })
})
