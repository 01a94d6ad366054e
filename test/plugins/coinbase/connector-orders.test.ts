// The order tracker: news of one order from several sources (create answer, user channel, polls,
// lookups), late, twice and out of order, folded into ack → fills → final, each once.
import {describe, expect, it} from 'vitest'

import {OrderTracker} from '../../../plugins/coinbase/src/connector-orders.js'
import type {CoinbaseFill, CoinbaseOrder} from '../../../plugins/coinbase/src/parsing.js'
import type {VenueEvent} from '../../../src/foundation/domain/orders.js'

const order = (status: string, filled: number, more: Partial<CoinbaseOrder> = {}): CoinbaseOrder => ({orderId: 'o-1', clientOrderId: 'c-1', productId: 'BTC-USD', side: 'buy', status, filledSize: filled, averageFilledPrice: 100, createdTs: 10, updatedTs: 20, ...more})
const fill = (id: string, qty: number, seq: number, orderId = 'o-1'): CoinbaseFill => ({orderId, seq, fill: {venueOrderId: orderId, fillId: id, instrument: 'BTC-USD', side: 'buy', qty, price: 100 + seq, fee: 1, liquidity: 'taker', ts: seq}})

function setup(venueFills: CoinbaseFill[] = []) {
  const events: VenueEvent[] = []
  const problems: string[] = []
  let reads = 0
  const t = new OrderTracker({
    emit: (e) => void events.push(e),
    fillsOf: async (orderId) => {
      reads++
      return venueFills.filter((f) => f.orderId === orderId)
    },
    problem: (m) => void problems.push(m),
  })
  const kinds = (): string[] => events.map((e) => (e.kind === 'fill' ? `fill:${e.fill.fillId}` : e.kind))
  return {t, events, problems, kinds, reads: () => reads, venueFills}
}

describe('OrderTracker', () => {
  it('the create answer acks; the stream copies of the same order add nothing; fills once each, in venue order; the final once', async () => {
    const x = setup([fill('f-2', 0.4, 2), fill('f-1', 0.6, 1)])
    const tr = x.t.track('c-1', 'BTC-USD')
    x.t.sending(tr)
    x.t.created(tr, 'o-1', 5)
    await x.t.observe(order('OPEN', 0))
    await x.t.observe(order('OPEN', 0))
    await x.t.observe(order('FILLED', 1))
    await x.t.observe(order('FILLED', 1))
    await x.t.idle()
    expect(x.kinds()).toEqual(['ack', 'fill:f-1', 'fill:f-2'])
    expect(x.events[0]).toEqual({kind: 'ack', clientOrderId: 'c-1', venueOrderId: 'o-1', ts: 5})
    expect(x.events[1]).toMatchObject({kind: 'fill', fill: {clientOrderId: 'c-1', qty: 0.6}})
    expect(x.t.live()).toEqual([])
  })

  it('news that comes while the create is in flight waits for its answer: the ack always first', async () => {
    const x = setup([fill('f-1', 1, 1)])
    const tr = x.t.track('c-1', 'BTC-USD')
    x.t.sending(tr)
    await x.t.observe(order('OPEN', 0))
    await x.t.observe(order('FILLED', 1))
    await x.t.idle()
    expect(x.events).toEqual([])
    x.t.created(tr, 'o-1', 7)
    await x.t.idle()
    expect(x.kinds()).toEqual(['ack', 'fill:f-1'])
    expect(x.events[0]).toMatchObject({ts: 7})
  })

  it('a create without an answer: what waited goes out, with the venue order id learned from it', async () => {
    const x = setup([fill('f-1', 1, 1)])
    const tr = x.t.track('c-1', 'BTC-USD')
    x.t.sending(tr)
    await x.t.observe(order('FILLED', 1))
    x.t.unknown(tr, 3)
    await x.t.idle()
    expect(x.kinds()).toEqual(['ack', 'fill:f-1'])
    expect(tr.orderId).toBe('o-1')
    expect(x.t.byVenueId('o-1')).toBe(tr)
  })

  it('the fills endpoint behind the order: no final event until its fills cover the filled size; a later poll completes it', async () => {
    const x = setup([fill('f-1', 0.5, 1)])
    const tr = x.t.track('c-1', 'BTC-USD')
    x.t.created(tr, 'o-1', 1)
    await x.t.observe(order('CANCELLED', 1))
    await x.t.idle()
    expect(x.kinds()).toEqual(['ack', 'fill:f-1'])
    expect(tr.behind).toBe(true)
    expect(x.t.live()).toEqual([tr])
    x.venueFills.push(fill('f-2', 0.5, 2))
    await x.t.observe(order('CANCELLED', 1, {cancelReason: 'User requested cancel'}))
    await x.t.idle()
    expect(x.kinds()).toEqual(['ack', 'fill:f-1', 'fill:f-2', 'cancel'])
    expect(x.events[3]).toMatchObject({reason: 'User requested cancel'})
    await x.t.observe(order('CANCELLED', 1))
    expect(x.kinds()).toHaveLength(4)
  })

  it('FAILED before any ack is a reject; after an ack a cancel; EXPIRED an expire', async () => {
    const a = setup()
    a.t.track('c-1', 'BTC-USD')
    await a.t.observe(order('FAILED', 0, {rejectReason: 'INSUFFICIENT_FUND'}))
    expect(a.events).toEqual([{kind: 'reject', clientOrderId: 'c-1', code: 'InvalidOrder', reason: 'INSUFFICIENT_FUND', ts: 20}])
    const b = setup()
    b.t.created(b.t.track('c-1', 'BTC-USD'), 'o-1', 1)
    await b.t.observe(order('FAILED', 0))
    await b.t.idle()
    expect(b.kinds()).toEqual(['ack', 'cancel'])
    const c = setup()
    c.t.created(c.t.track('c-1', 'BTC-USD'), 'o-1', 1)
    await c.t.observe(order('EXPIRED', 0))
    await c.t.idle()
    expect(c.kinds()).toEqual(['ack', 'expire'])
  })

  it("orders rick does not track are ignored unless adopted; another order under a tracked client id is refused", async () => {
    const x = setup([fill('f-9', 1, 1, 'o-9')])
    await x.t.observe(order('FILLED', 1, {orderId: 'o-9', clientOrderId: 'someone'}))
    expect(x.events).toEqual([])
    expect(x.reads()).toBe(0)
    await x.t.observe(order('FILLED', 1, {orderId: 'o-9', clientOrderId: 'sector-1'}), true)
    await x.t.idle()
    expect(x.kinds()).toEqual(['ack', 'fill:f-9'])
    await x.t.observe(order('OPEN', 0, {orderId: 'o-10', clientOrderId: 'sector-1'}))
    expect(x.problems).toEqual([expect.stringMatching(/o-10 carries client id sector-1, which belongs to order o-9/)])
  })

  it('a refused create leaves no order and no event; a fill id seen once is never emitted again, even for another copy', async () => {
    const x = setup([fill('f-1', 1, 1)])
    const r = x.t.track('c-2', 'BTC-USD')
    x.t.sending(r)
    x.t.refused(r)
    await x.t.observe(order('OPEN', 0, {orderId: 'o-2', clientOrderId: 'c-2'}))
    expect(x.events).toEqual([])
    const tr = x.t.track('c-1', 'BTC-USD')
    x.t.created(tr, 'o-1', 1)
    await Promise.all([x.t.observe(order('OPEN', 1)), x.t.observe(order('FILLED', 1)), x.t.observe(order('FILLED', 1))])
    await x.t.idle()
    expect(x.kinds()).toEqual(['ack', 'fill:f-1'])
  })

  it('a failing fills read is reported and retried by the next news', async () => {
    let fail = true
    const events: VenueEvent[] = []
    const problems: string[] = []
    const t = new OrderTracker({
      emit: (e) => void events.push(e),
      fillsOf: async () => {
        if (fail) throw new Error('HTTP 503')
        return [fill('f-1', 1, 1)]
      },
      problem: (m) => void problems.push(m),
    })
    t.created(t.track('c-1', 'BTC-USD'), 'o-1', 1)
    await t.observe(order('FILLED', 1))
    await t.idle()
    expect(events.map((e) => e.kind)).toEqual(['ack'])
    expect(problems).toEqual([expect.stringMatching(/c-1: HTTP 503/)])
    fail = false
    await t.observe(order('FILLED', 1))
    expect(events.map((e) => e.kind)).toEqual(['ack', 'fill'])
  })
})
