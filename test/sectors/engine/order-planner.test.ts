import {describe, expect, it} from 'vitest'

import type {Instrument} from '../../../src/foundation/domain/instrument.js'
import {planOrders, type WorkingOrder} from '../../../src/sectors/engine/order-planner.js'

const BTC: Instrument = {id: 'BTC-USD', venue: 'coinbase', kind: 'crypto', tickSize: 0.01, lotSize: 0.00000001, minNotional: 1, multiplier: 1, quoteCurrency: 'USD', referencePrice: 60000}
const SPY: Instrument = {id: 'SPY', venue: 'ibkr', kind: 'etf', tickSize: 0.01, lotSize: 1, minNotional: 0, multiplier: 1, quoteCurrency: 'USD', referencePrice: 500}
const sig = (target: number, extra: object = {}) => ({instrument: 'SPY', target, reason: 'r', ...extra})
const working = (id: string, side: 'buy' | 'sell', qty: number, remaining = qty, protective = false): WorkingOrder => ({
  order: {clientOrderId: id, instrument: 'SPY', side, type: 'limit', qty, limitPrice: 400, tif: 'gtc'},
  remaining,
  protective,
})

describe('planOrders', () => {
  it('opens from flat with one market order of the target', () => {
    expect(planOrders(sig(10), SPY, 0, [])).toEqual({cancel: [], orders: [{order: {instrument: 'SPY', side: 'buy', type: 'market', qty: 10, tif: 'gtc'}, reason: 'r'}]})
  })

  it('reduces with a reduce-only order of the difference', () => {
    expect(planOrders(sig(4), SPY, 10, []).orders).toEqual([{order: {instrument: 'SPY', side: 'sell', type: 'market', qty: 6, tif: 'gtc', reduceOnly: true}, reason: 'r'}])
  })

  it('splits a flip at zero: a reduce-only close, then the opening part', () => {
    const plan = planOrders(sig(-3), SPY, 5, [])
    expect(plan.orders.map((o) => [o.order.side, o.order.qty, o.order.reduceOnly ?? false])).toEqual([
      ['sell', 5, true],
      ['sell', 3, false],
    ])
  })

  it('rounds the target down to whole lots and plans nothing when that is where we are', () => {
    expect(planOrders(sig(10.9), SPY, 10, [])).toEqual({cancel: [], orders: []})
    const btc = planOrders({instrument: 'BTC-USD', target: 0.123456789, reason: 'r'}, BTC, 0, [])
    expect(btc.orders[0]!.order.qty).toBe(0.12345678)
  })

  it('lets working orders that already lead to the target work', () => {
    expect(planOrders(sig(10), SPY, 4, [working('a', 'buy', 6)])).toEqual({cancel: [], orders: []})
  })

  it('cancels working orders meant for an older target and sends the new difference', () => {
    const plan = planOrders(sig(2), SPY, 0, [working('a', 'buy', 6), working('b', 'sell', 1, 1, true)])
    expect(plan.cancel).toEqual(['a', 'b'])
    expect(plan.orders.map((o) => [o.order.side, o.order.qty])).toEqual([['buy', 2]])
  })

  it('cancels and sends nothing when the position already is the target', () => {
    expect(planOrders(sig(5), SPY, 5, [working('a', 'buy', 3)])).toEqual({cancel: ['a'], orders: []})
  })

  it('carries limit and stop prices rounded to the tick, and a bracket only on the opening order', () => {
    const plan = planOrders(sig(-2, {type: 'limit', limitPrice: 401.237, bracket: {stopLoss: 410.004, takeProfit: 390.006}}), SPY, 3, [])
    expect(plan.orders[0]!.order).toMatchObject({side: 'sell', qty: 3, type: 'limit', limitPrice: 401.24, reduceOnly: true})
    expect(plan.orders[0]!.order.bracket).toBeUndefined()
    expect(plan.orders[1]!.order).toMatchObject({side: 'sell', qty: 2, limitPrice: 401.24, bracket: {stopLoss: 410, takeProfit: 390.01}})
  })

  it('carries post-only onto a limit order, never onto a market one', () => {
    expect(planOrders(sig(10, {type: 'limit', limitPrice: 400, postOnly: true}), SPY, 0, []).orders[0]!.order).toMatchObject({type: 'limit', limitPrice: 400, postOnly: true})
    expect(planOrders(sig(10, {postOnly: true}), SPY, 0, []).orders[0]!.order.postOnly).toBeUndefined()
  })

  describe("dust: a change worth less than the venue's minimum order", () => {
    const btc = (target: number) => ({instrument: 'BTC-USD', target, reason: 'r'})
    it('leaves an open position as it is instead of trimming or topping it up by less than the minimum', () => {
      // 2e-8 BTC at 60,000 is 0.0012 USD: Coinbase refuses it (and the person pays nothing for the dust).
      expect(planOrders(btc(0.0003332209), BTC, 0.00033324, [], 60_000)).toEqual({cancel: [], orders: []})
      expect(planOrders(btc(0.00033326), BTC, 0.00033324, [], 60_000)).toEqual({cancel: [], orders: []})
    })
    it('still closes a position of any size, still opens (the risk gate judges the size), still trims by more than the minimum', () => {
      expect(planOrders(btc(0), BTC, 0.00000002, [], 60_000).orders).toEqual([expect.objectContaining({order: expect.objectContaining({side: 'sell', qty: 0.00000002, reduceOnly: true})})])
      expect(planOrders(btc(0.00000002), BTC, 0, [], 60_000).orders).toHaveLength(1)
      expect(planOrders(btc(0.0001), BTC, 0.00033324, [], 60_000).orders).toEqual([expect.objectContaining({order: expect.objectContaining({side: 'sell', qty: 0.00023324})})])
    })
    it('without a price it plans as before', () => {
      expect(planOrders(btc(0.0003332209), BTC, 0.00033324, []).orders).toHaveLength(1)
    })
  })
})
