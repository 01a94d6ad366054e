// Request handling over raw TCP at 193: subscriptions and their edges (duplicate and unknown ids,
// snapshots and their deadline), position updates after a fill, the account summary limit,
// reqIds, reqGlobalCancel, reqAutoOpenOrders for a client other than 0, sessions' subscriptions
// ending with the session; @stoqey/ib's placeOrder decoded at every version layout from 120 to 193.
import {OrderAction, OrderType} from '@stoqey/ib'
import {describe, expect, it} from 'vitest'

import {MES, SPY} from './fake-broker.js'
import {useWireBench} from './harness.js'
import {type RawClient, until} from './raw-client.js'
import {cancelOrderFields, placeOrderFields} from './stoqey-encoder.js'

const bench = useWireBench(0)
const ready = (clientId: number, range?: string): Promise<RawClient> => bench.ready(clientId, range)

/** reqMktData at 193 for a conId: version 11, reqId, 12 contract fields, no delta neutral, ticks, snapshot, regulatory, options. */
function mktData(c: RawClient, reqId: number, conId: number, snapshot: 0 | 1): void {
  c.send(1, 11, reqId, conId, '', '', '', 0, '', '', 'SMART', '', '', '', '', 0, '', snapshot, 0, '')
}

function mktOrder(c: RawClient, orderId: number, conId: number, qty: number): void {
  c.send(...placeOrderFields(orderId, {conId, exchange: 'SMART', currency: 'USD'}, {action: OrderAction.BUY, orderType: OrderType.MKT, totalQuantity: qty, transmit: true, orderRef: 'ref'}))
}

describe('subscriptions', () => {
  it('refuses a ticker id already streaming (322) and a cancel of one that is not (300); a session that goes ends its streams', async () => {
    const c = await ready(1)
    mktData(c, 5, SPY.conId, 0)
    mktData(c, 5, SPY.conId, 0)
    c.send(2, 1, 77)
    c.send(50, 3, 6, MES.conId, '', '', '', 0, '', '', 'CME', '', '', '', '', 5, 'TRADES', 0, '')
    c.send(50, 3, 7, MES.conId, '', '', '', 0, '', '', 'CME', '', '', '', '', 5, 'GREEKS', 0, '')
    await until(() => c.errors().filter((e) => [322, 300, 321].includes(e.code)).length === 3, 'refusals')
    expect(c.errors().filter((e) => [322, 300, 321].includes(e.code)).map((e) => [e.code, e.reqId])).toEqual([[322, 5], [300, 77], [321, 7]])
    expect(bench.broker.listenerCount(bench.broker.quoteListeners)).toBe(1)
    expect(bench.broker.listenerCount(bench.broker.barListeners)).toBe(1)
    c.close()
    await until(() => bench.tws.clients().length === 0, 'session gone')
    expect(bench.broker.listenerCount(bench.broker.quoteListeners) + bench.broker.listenerCount(bench.broker.barListeners)).toBe(0)
  })

  it('ends a snapshot after the first quote, or at TWS\'s 11-second deadline when none comes', async () => {
    const c = await ready(1)
    mktData(c, 8, SPY.conId, 1)
    await until(() => bench.broker.listenerCount(bench.broker.quoteListeners) === 1, 'subscribed')
    bench.broker.pushQuote(SPY.conId, {bid: 600, ask: 600.02, last: 600.01, bidSize: '1', askSize: '2', lastSize: '3'})
    await until(() => c.of(57).length === 1, 'snapshot end')
    expect(c.of(1).map((f) => [f[2], f[3], f[4]])).toEqual([['8', '1', '600'], ['8', '2', '600.02'], ['8', '4', '600.01']])
    expect(bench.broker.listenerCount(bench.broker.quoteListeners)).toBe(0)
    mktData(c, 9, MES.conId, 1)
    await until(() => bench.broker.listenerCount(bench.broker.quoteListeners) === 1, 'second subscribed')
    bench.wall.advance(10_999)
    expect(c.of(57)).toHaveLength(1)
    bench.wall.advance(1)
    await until(() => c.of(57).length === 2, 'deadline end')
    expect(c.of(57)[1]).toEqual(['57', '1', '9'])
    expect(bench.broker.listenerCount(bench.broker.quoteListeners)).toBe(0)
  })
})

describe('positions and the account', () => {
  it('sends a subscriber the new position after a fill, to every session, until cancelled', async () => {
    const a = await ready(1)
    const b = await ready(2)
    a.send(61, 1)
    b.send(61, 1)
    await until(() => a.of(62).length === 1 && b.of(62).length === 1, 'position ends')
    expect(a.of(61)).toEqual([])
    mktOrder(a, 1, SPY.conId, 3)
    await until(() => a.of(61).length === 1 && b.of(61).length === 1, 'position updates')
    expect(a.of(61)[0]?.slice(2, 5)).toEqual(['DU1234567', String(SPY.conId), 'SPY'])
    expect(b.of(61)[0]?.at(-2)).toBe('3')
    b.send(64, 1)
    mktOrder(a, 2, SPY.conId, 1)
    await until(() => a.of(61).length === 2, 'second update')
    expect(a.of(61)[1]?.at(-2)).toBe('4')
    a.send(49, 1)
    b.send(49, 1)
    await until(() => b.of(49).length === 1 && a.of(49).length === 1, 'round trip')
    expect(b.of(61)).toHaveLength(1)
  })

  it('allows two account summary subscriptions at a time, as TWS', async () => {
    const c = await ready(1)
    c.send(62, 1, 1, 'All', 'NetLiquidation')
    c.send(62, 1, 2, 'All', 'NetLiquidation')
    c.send(62, 1, 3, 'All', 'NetLiquidation')
    c.send(63, 1, 1)
    c.send(62, 1, 4, 'All', 'NetLiquidation')
    await until(() => c.of(64).length === 3, 'three ends')
    expect(c.of(64).map((f) => f[2])).toEqual(['1', '2', '4'])
    expect(c.errors().filter((e) => e.code === 322).map((e) => e.reqId)).toEqual([3])
  })
})

describe('ids and orders', () => {
  it('answers reqIds with the broker\'s id, cancels every client\'s orders on reqGlobalCancel, and refuses reqAutoOpenOrders to client 1', async () => {
    const a = await ready(1)
    const b = await ready(2)
    bench.broker.nextId = 40
    a.send(8, 1, 5)
    await until(() => a.of(9).length === 2, 'nextValidId')
    expect(a.of(9)[1]).toEqual(['9', '1', '40'])
    a.send(3, 40, SPY.conId, '', '', '', 0, '', '', 'SMART', '', 'USD', '', '', '', '', 'BUY', 1, 'LMT', 590, '')
    await until(() => a.errors().some((e) => e.code === 320), 'short order refused')
    expect(bench.broker.placed).toEqual([])
    bench.broker.placeOrder(SPY, {orderId: 50, clientId: 2, permId: 0, action: 'BUY', totalQuantity: '1', orderType: 'LMT', lmtPrice: 590, auxPrice: null, tif: 'DAY', ocaGroup: '', ocaType: 0, orderRef: 'x', transmit: true, parentId: 0, outsideRth: false, account: ''})
    bench.broker.placeOrder(SPY, {orderId: 51, clientId: 1, permId: 0, action: 'SELL', totalQuantity: '1', orderType: 'LMT', lmtPrice: 610, auxPrice: null, tif: 'DAY', ocaGroup: '', ocaType: 0, orderRef: 'y', transmit: true, parentId: 0, outsideRth: false, account: ''})
    a.send(58, '', 2147483647)
    await until(() => bench.broker.cancels.length === 2, 'global cancel')
    expect(bench.broker.cancels).toEqual([{clientId: 2, orderId: 50}, {clientId: 1, orderId: 51}])
    await until(() => b.errors().some((e) => e.code === 202), 'b hears its cancel')
    a.send(15, 1, 1)
    await until(() => a.errors().some((e) => e.code === 321), 'auto open orders refused')
  })
})

describe('placeOrder at every layout the client may use', () => {
  it('decodes @stoqey/ib\'s placeOrder and cancelOrder at versions 120 to 193 (RFQ fields 187-189, CME tagging 192)', async () => {
    await bench.start(100_000)
    const versions = [120, 145, 150, 166, 170, 177, 183, 187, 189, 190, 192, 193]
    for (const [i, v] of versions.entries()) {
      const c = await ready(100 + i, `v100..${v}`)
      const orderId = 200 + i
      c.send(...placeOrderFields(orderId, {conId: MES.conId, exchange: 'CME'}, {
        action: OrderAction.SELL, orderType: OrderType.STP_LMT, lmtPrice: 5979.5, auxPrice: 5980, totalQuantity: 3, parentId: 199, ocaGroup: `g${v}`,
        ocaType: 2, transmit: false, outsideRth: true, tif: 'GTC', orderRef: `v${v}`, account: 'DU1234567',
      }, v))
      await until(() => bench.broker.placed.length === i + 1 || c.errors().some((e) => e.code === 320), `placed at ${v}`)
      expect(c.errors().filter((e) => e.code === 320)).toEqual([])
      expect(bench.broker.placed[i]?.order).toEqual({
        orderId, clientId: 100 + i, permId: 0, action: 'SELL', totalQuantity: '3', orderType: 'STP LMT', lmtPrice: 5979.5, auxPrice: 5980, tif: 'GTC',
        ocaGroup: `g${v}`, ocaType: 2, orderRef: `v${v}`, transmit: false, parentId: 199, outsideRth: true, account: 'DU1234567',
      })
      c.send(...cancelOrderFields(orderId, v))
      await until(() => bench.broker.cancels.length === i + 1, `cancelled at ${v}`)
      expect(bench.broker.cancels[i]).toEqual({clientId: 100 + i, orderId})
      c.close()
    }
  })
})
