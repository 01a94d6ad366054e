// The status poll on manual timers: when it reads (quiet or down user channel, the long period, a
// reconnection), what it reads (followed orders in one request, lost creates by client id within
// their window), and that a failing read is only logged.
import {describe, expect, it} from 'vitest'

import {OrderTracker} from '../../../plugins/coinbase/src/connector-orders.js'
import {SEARCH_SLACK_MS, StatusPoll, type PollTiming} from '../../../plugins/coinbase/src/connector-poll.js'
import type {CoinbaseOrder} from '../../../plugins/coinbase/src/parsing.js'

const TIMING: PollTiming = {pollEveryMs: 5_000, quietAfterMs: 60_000, longPollMs: 120_000, unknownSearchMs: 600_000, lookbackMs: 86_400_000}

function setup(fail = false) {
  let now = 1_000_000
  const due: Array<{at: number; fn: () => void; id: number}> = []
  let seq = 0
  const timers = {
    now: () => now,
    setTimeout: (fn: () => void, ms: number): unknown => {
      due.push({at: now + ms, fn, id: ++seq})
      return seq
    },
    clearTimeout: (h: unknown): void => {
      const i = due.findIndex((d) => d.id === h)
      if (i >= 0) due.splice(i, 1)
    },
  }
  const reads: string[][] = []
  const searches: Array<[string, number]> = []
  const logs: string[] = []
  const tracker = new OrderTracker({emit: () => {}, fillsOf: async () => [], problem: () => {}})
  const poll = new StatusPoll({
    timing: TIMING,
    timers,
    tracker,
    readOrders: async (ids) => {
      reads.push(ids)
      if (fail) throw new Error('HTTP 503')
      return ids.map((orderId): CoinbaseOrder => ({orderId, clientOrderId: `c-${orderId}`, productId: 'BTC-USD', side: 'buy', status: 'OPEN', filledSize: 0, averageFilledPrice: 0, createdTs: 0, updatedTs: 0}))
    },
    search: async (id, since) => void searches.push([id, since]),
    log: (m) => void logs.push(m),
  })
  /** Moves the clock on, running the timers due (and letting their promises settle). */
  const advance = async (ms: number): Promise<void> => {
    const end = now + ms
    for (;;) {
      due.sort((a, b) => a.at - b.at)
      const next = due[0]
      if (next === undefined || next.at > end) break
      due.shift()
      now = next.at
      next.fn()
      await new Promise((r) => setImmediate(r))
    }
    now = end
  }
  return {poll, tracker, reads, searches, logs, advance, now: () => now, pending: () => due.length}
}

describe('StatusPoll', () => {
  it('with the user channel up and talking, only the long period reads; quiet for a minute, every 5 s', async () => {
    const x = setup()
    x.tracker.created(x.tracker.track('c-o1', 'BTC-USD'), 'o1', 0)
    x.poll.start()
    x.poll.userChannel(true)
    await x.advance(0)
    expect(x.reads).toEqual([['o1']])
    x.reads.length = 0
    for (let i = 0; i < 11; i++) {
      await x.advance(5_000)
      x.poll.heard()
    }
    expect(x.reads).toEqual([])
    await x.advance(65_000)
    // Quiet for 60 s since the last news: reads at 60 s and 65 s.
    expect(x.reads.length).toBe(2)
    x.poll.heard()
    x.reads.length = 0
    await x.advance(50_000)
    expect(x.reads).toEqual([])
    // The long period: 120 s after the last read.
    await x.advance(10_000)
    expect(x.reads.length).toBe(1)
  })

  it('with the user channel down, every 5 s; nothing followed, nothing read', async () => {
    const x = setup()
    x.poll.start()
    x.poll.userChannel(false)
    await x.advance(20_000)
    expect(x.reads).toEqual([])
    x.tracker.created(x.tracker.track('c-o1', 'BTC-USD'), 'o1', 0)
    await x.advance(20_000)
    expect(x.reads.length).toBe(4)
  })

  it('a create without an answer is searched by client id within its window, from a little before it was sent', async () => {
    const x = setup()
    const t = x.tracker.track('c-lost', 'BTC-USD')
    x.tracker.unknown(t, x.now())
    const sent = x.now()
    x.poll.start()
    x.poll.userChannel(false)
    await x.advance(5_000)
    expect(x.searches).toEqual([['c-lost', sent - SEARCH_SLACK_MS]])
    await x.advance(TIMING.unknownSearchMs)
    const n = x.searches.length
    await x.advance(30_000)
    expect(x.searches.length).toBe(n)
  })

  it('a failing read is logged and the poll goes on; stop() leaves no timer', async () => {
    const x = setup(true)
    x.tracker.created(x.tracker.track('c-o1', 'BTC-USD'), 'o1', 0)
    x.poll.start()
    x.poll.userChannel(false)
    await x.advance(10_000)
    expect(x.logs).toEqual([expect.stringMatching(/status poll failed \(HTTP 503\)/), expect.stringMatching(/status poll failed/)])
    x.poll.stop()
    await x.advance(10_000)
    expect(x.pending()).toBe(0)
    expect(x.reads.length).toBe(2)
  })
})
