import {describe, expect, it} from 'vitest'

import type {Bar} from '../../../src/foundation/domain/bars.js'
import type {Connector, ConnectorStatus, HistoryRequest, Tick} from '../../../src/sectors/connector.js'
import {MarketData} from '../../../src/sectors/live/market-data.js'

const M = 60_000
const T0 = Date.UTC(2026, 0, 5, 10, 0)

/** The live parts of a connector, driven by hand. */
function fakeLive() {
  let onTick: ((t: Tick) => void) | undefined
  let onStatus: ((s: ConnectorStatus) => void) | undefined
  const asked: HistoryRequest[] = []
  const connector = {
    venue: 'fake',
    subscribeTicks: (_i: readonly string[], fn: (t: Tick) => void) => {
      onTick = fn
      return {close: () => void (onTick = undefined)}
    },
    onStatus: (fn: (s: ConnectorStatus) => void) => {
      onStatus = fn
      return () => void (onStatus = undefined)
    },
    history: async (r: HistoryRequest): Promise<Bar[]> => {
      asked.push(r)
      return [0, 1, 2].map((k) => ({instrument: r.instrument, ts: T0 - (3 - k) * M, open: 1, high: 1, low: 1, close: 1 + k / 100, volume: 1}))
    },
  } as unknown as Connector
  return {connector, asked, tick: (t: Tick) => onTick?.(t), status: (s: ConnectorStatus) => onStatus?.(s), subscribed: () => onTick !== undefined}
}

function setup() {
  const live = fakeLive()
  let local = 0
  let timer: (() => void) | undefined
  const periods: Bar[][] = []
  const log: string[] = []
  const md = new MarketData({
    connector: live.connector,
    instruments: ['EUR_USD'],
    periodMs: M,
    staleAfterMs: 10_000,
    monotonic: () => local,
    every: (_ms, fn) => {
      timer = fn
      return () => void (timer = undefined)
    },
    onBars: (b) => periods.push(b),
    onStale: (r) => log.push(`stale: ${r}`),
    onFresh: (r) => log.push(`fresh: ${r}`),
  })
  return {md, live, periods, log, advanceLocal: (ms: number) => ((local += ms), timer?.())}
}

const tick = (ts: number, price: number): Tick => ({instrument: 'EUR_USD', ts, bid: price, ask: price, price, volume: 0})

describe('MarketData', () => {
  it('warms up from the venue history, oldest first, and seeds the bars with the last close', async () => {
    const {md, live, periods, advanceLocal} = setup()
    const bars = await md.history(3)
    expect(live.asked).toEqual([{instrument: 'EUR_USD', periodMs: M, count: 3}])
    expect(bars.map((b) => b.close)).toEqual([1, 1.01, 1.02])
    md.start()
    live.status({kind: 'heartbeat', stream: 'prices', ts: T0 + 1})
    live.status({kind: 'heartbeat', stream: 'prices', ts: T0 + M})
    advanceLocal(1)
    expect(periods).toEqual([[{instrument: 'EUR_USD', ts: T0, open: 1.02, high: 1.02, low: 1.02, close: 1.02, volume: 0}]])
  })

  it('follows the venue clock: a venue running 60× closes a bar a second of local time, even with no price', () => {
    const {md, live, periods, advanceLocal} = setup()
    md.start()
    live.tick(tick(T0 + 1_000, 1.1))
    advanceLocal(500)
    live.status({kind: 'heartbeat', stream: 'prices', ts: T0 + 31_000}) // 30 s of venue time in 0.5 s
    for (let i = 0; i < 10; i++) advanceLocal(500)
    // 5 more local seconds at 60× = 5 venue minutes (less the latency margin).
    expect(periods.length).toBeGreaterThanOrEqual(4)
    expect(periods.length).toBeLessThanOrEqual(6)
    expect(periods.map((p) => p[0]!.ts - T0)).toEqual(periods.map((_, i) => i * M))
  })

  it('says stale when prices and heartbeats stop, or the stream drops; fresh at the next price', () => {
    const {md, live, log, advanceLocal} = setup()
    md.start()
    live.tick(tick(T0 + 1, 1.1))
    advanceLocal(9_999)
    expect(log).toEqual([])
    advanceLocal(1)
    expect(log).toEqual(['stale: no price and no heartbeat for 10 s'])
    advanceLocal(5_000)
    expect(log).toHaveLength(1)
    live.tick(tick(T0 + 20_000, 1.1))
    expect(log.at(-1)).toBe('fresh: prices flow again')
    live.status({kind: 'disconnected', stream: 'prices', reason: 'socket hang up', ts: T0 + 21_000})
    expect(log.at(-1)).toBe('stale: price stream disconnected: socket hang up')
    md.stop()
    expect(live.subscribed()).toBe(false)
  })
})
