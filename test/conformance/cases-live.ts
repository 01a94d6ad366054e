// Conformance cases of the live-venue part of the contract (a broker implements it; the paper venue
// does not need it): price ticks, the venue's candles, and its own list of recent fills.
import {expect} from 'vitest'

import type {Tick} from '../../src/sectors/connector.js'
import {expectFilledOnce, fillMarket, onTick, type ConformanceCase} from './checks.js'
import {until, type VenueFixture} from './fixture.js'

const live = (f: VenueFixture): boolean => f.environment !== 'paper'

const ticks: ConformanceCase = {
  name: 'subscribeTicks (streaming): quotes of the subscribed instrument only, bid ≤ price ≤ ask on the tick, in time order; none after close()',
  applies: (f) => f.capabilities.streaming,
  async run(f, r) {
    const {s, c, spec} = await r.begin()
    expect(c.subscribeTicks, 'a streaming connector has subscribeTicks').toBeTypeOf('function')
    const heard: Tick[] = []
    const sub = c.subscribeTicks?.([f.instrument], (x) => void heard.push(structuredClone(x)))
    await until('three ticks', () => heard.length >= 3, {venue: s})
    for (const [i, x] of heard.entries()) {
      expect(x.instrument).toBe(f.instrument)
      expect(x.bid).toBeGreaterThan(0)
      expect(x.bid).toBeLessThanOrEqual(x.ask)
      expect(x.price).toBeGreaterThanOrEqual(x.bid)
      expect(x.price).toBeLessThanOrEqual(x.ask)
      expect(onTick(x.bid, spec.tickSize) && onTick(x.ask, spec.tickSize), `bid ${x.bid} / ask ${x.ask} on the tick`).toBe(true)
      if (i > 0) expect(x.ts).toBeGreaterThanOrEqual((heard[i - 1] as Tick).ts)
    }
    sub?.close()
    await s.settle()
    const n = heard.length
    for (let i = 0; i < 3; i++) await s.step()
    expect(heard.length, 'ticks after the subscription closed').toBe(n)
  },
}

const history: ConformanceCase = {
  name: 'history (a live venue): the asked number of one-minute bars, oldest first, a period apart, high and low around open and close',
  applies: live,
  async run(f, r) {
    const {c} = await r.begin()
    expect(c.history, 'a live connector has history').toBeTypeOf('function')
    const bars = (await c.history?.({instrument: f.instrument, periodMs: 60_000, count: 20})) ?? []
    expect(bars.length).toBe(20)
    for (const [i, b] of bars.entries()) {
      expect(b.instrument).toBe(f.instrument)
      expect(b.ts % 60_000).toBe(0)
      if (i > 0) expect(b.ts - (bars[i - 1]?.ts ?? 0)).toBe(60_000)
      expect(b.low).toBeLessThanOrEqual(Math.min(b.open, b.close))
      expect(b.high).toBeGreaterThanOrEqual(Math.max(b.open, b.close))
      expect(b.low).toBeGreaterThan(0)
    }
  },
}

const recentFills: ConformanceCase = {
  name: 'recentFills (a live venue): the fills heard as events, with the same ids, quantities and prices',
  applies: live,
  async run(f, r) {
    const t = await r.begin()
    expect(t.c.recentFills, 'a live connector has recentFills').toBeTypeOf('function')
    await fillMarket(t, 'cf-recent', 'buy')
    const heard = expectFilledOnce(t, 'cf-recent', 'buy', f.qty)
    const since = Math.min(...heard.map((x) => x.ts)) - 1
    const listed = ((await t.c.recentFills?.(since)) ?? []).filter((x) => x.clientOrderId === 'cf-recent')
    const key = (x: {fillId: string; qty: number; price: number; side: string}): string => `${x.fillId} ${x.side} ${x.qty} @ ${x.price}`
    expect(listed.map(key).sort()).toEqual(heard.map(key).sort())
  },
}

export const LIVE_CASES: readonly ConformanceCase[] = [ticks, history, recentFills]
