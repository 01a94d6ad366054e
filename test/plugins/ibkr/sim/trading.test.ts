import {describe, expect, it} from 'vitest'

import type {SimExecution} from '../../../../plugins/ibkr/src/sim/seam.js'
import {contract, errors, makeBroker, MES, order, SPY, T0, trail, type Harness} from './harness.js'

function quote(h: Harness): {bid: number; ask: number} {
  const conId = h.broker.contractDetails(MES)[0]?.contract.conId as number
  const q = h.broker.market.quote(conId, h.clock.now())
  if (q === undefined) throw new Error('no quote')
  return {bid: q.bid, ask: q.ask}
}

const commissions = (h: Harness): Array<{commission: number; realizedPNL: number | null}> => h.events.flatMap((e) => (e.kind === 'commission' ? [{commission: e.report.commission, realizedPNL: e.report.realizedPNL}] : []))

describe('ibkr sim orders', () => {
  it('fills a market order at the touch: PreSubmitted, Submitted, execution, Filled, commission 0.62 with no realized P&L', () => {
    const h = makeBroker()
    const {ask, bid} = quote(h)
    h.broker.placeOrder(MES, order(1))
    expect(trail(h.events, 1)).toEqual(['open:PreSubmitted', 'status:PreSubmitted', 'open:Submitted', 'status:Submitted', 'exec', 'open:Filled', 'status:Filled'])
    const exec = h.events.find((e) => e.kind === 'execution')
    expect(exec?.kind === 'execution' && exec.execution).toMatchObject({side: 'BOT', price: ask, shares: '1', exchange: 'CME', orderRef: 'ref-1', clientId: 1})
    expect(exec?.kind === 'execution' && exec.execution.execId).toMatch(/^[0-9a-f]{8}\.[0-9a-f]{8}\.[0-9a-f]{2}\.01$/)
    expect(commissions(h)).toEqual([{commission: 0.62, realizedPNL: null}])
    const [pos] = h.broker.positions()
    expect(pos?.pos).toBe('1')
    expect(pos?.avgCost).toBeCloseTo(ask * 5 + 0.62, 6)
    // Closing at the bid of the same moment: the spread and both commissions lost.
    h.broker.placeOrder(MES, order(2, {action: 'SELL'}))
    expect(commissions(h)[1]?.realizedPNL).toBeCloseTo((bid - ask) * 5 - 1.24, 6)
    expect(h.broker.positions()[0]?.pos).toBe('0')
    const summary = Object.fromEntries(h.broker.accountSummary(['NetLiquidation', 'TotalCashValue', 'RealizedPnL', 'InitMarginReq']).map((v) => [v.tag, v.value]))
    expect(summary).toEqual({NetLiquidation: (1_000_000 + (bid - ask) * 5 - 1.24).toFixed(2), TotalCashValue: (1_000_000 + (bid - ask) * 5 - 1.24).toFixed(2), RealizedPnL: ((bid - ask) * 5 - 1.24).toFixed(2), InitMarginReq: '0.00'})
  })

  it('holds a bracket until its last child transmits; children work after the parent fills; one child filling cancels the other', () => {
    const h = makeBroker()
    const {bid, ask} = quote(h)
    h.broker.placeOrder(MES, order(10, {transmit: false, orderRef: 'e'}))
    h.broker.placeOrder(MES, order(11, {action: 'SELL', orderType: 'LMT', lmtPrice: ask + 100 * 0.25, parentId: 10, transmit: false, tif: 'GTC', orderRef: 'e-tp'}))
    expect(h.events).toEqual([])
    expect(h.broker.openOrders(1)).toEqual([])
    h.broker.placeOrder(MES, order(12, {action: 'SELL', orderType: 'STP', auxPrice: bid - 0.25, parentId: 10, transmit: true, tif: 'GTC', orderRef: 'e-sl'}))
    expect(trail(h.events, 10)).toContain('status:Filled')
    expect(trail(h.events, 11)).toEqual(['open:PreSubmitted', 'status:PreSubmitted', 'open:Submitted', 'status:Submitted'])
    expect(trail(h.events, 12).slice(-1)).toEqual(['status:Submitted'])
    expect(h.broker.openOrders(1).map((o) => [o.open.order.orderId, o.status.status])).toEqual([[11, 'Submitted'], [12, 'Submitted']])
    for (let i = 0; i < 7200 && h.broker.openOrders(1).length > 0; i++) h.advance(1000)
    const tp = trail(h.events, 11)
    const sl = trail(h.events, 12)
    const [winner, loser] = sl.includes('exec') ? [sl, tp] : [tp, sl]
    expect(winner).toContain('exec')
    expect(loser.slice(-2)).toEqual(['open:Cancelled', 'status:Cancelled'])
    expect(loser).not.toContain('error:202')
    expect(h.broker.positions()[0]?.pos).toBe('0')
    expect(h.broker.venueRecords.byOrderRef('e-tp')?.accepted).toBe(1)
  })

  it('cancels the children with a cancelled parent, and answers cancels of unknown and filled orders with 10147 / 10148', () => {
    const h = makeBroker()
    const {bid} = quote(h)
    h.broker.placeOrder(MES, order(20, {orderType: 'LMT', lmtPrice: bid - 50, transmit: false}))
    h.broker.placeOrder(MES, order(21, {action: 'SELL', orderType: 'STP', auxPrice: bid - 60, parentId: 20}))
    expect(trail(h.events, 21).slice(-1)).toEqual(['status:PreSubmitted'])
    h.broker.cancelOrder(1, 20)
    expect(trail(h.events, 20).slice(-3)).toEqual(['open:Cancelled', 'status:Cancelled', 'error:202'])
    expect(trail(h.events, 21).slice(-3)).toEqual(['open:Cancelled', 'status:Cancelled', 'error:202'])
    h.broker.cancelOrder(1, 99)
    h.broker.placeOrder(MES, order(22))
    h.broker.cancelOrder(1, 22)
    h.broker.cancelOrder(2, 22)
    expect(errors(h.events).slice(-3)).toEqual([
      {reqId: 99, code: 10147, message: 'OrderId 99 that needs to be cancelled is not found.'},
      {reqId: 22, code: 10148, message: 'OrderId 22 that needs to be cancelled can not be cancelled, state: Filled.'},
      // Order ids belong to their client: client 2 has no order 22.
      {reqId: 22, code: 10147, message: 'OrderId 22 that needs to be cancelled is not found.'},
    ])
    expect(h.broker.openOrders(undefined)).toEqual([])
  })

  it('cancels the other members of an OCA group (type 1) when one fills, and reduces them (type 2)', () => {
    const h = makeBroker()
    const {bid} = quote(h)
    h.broker.placeOrder(MES, order(30, {orderType: 'LMT', lmtPrice: bid - 100, ocaGroup: 'g1', ocaType: 1, tif: 'GTC'}))
    h.broker.placeOrder(MES, order(31, {ocaGroup: 'g1', ocaType: 1}))
    expect(trail(h.events, 31)).toContain('exec')
    expect(trail(h.events, 30).slice(-2)).toEqual(['open:Cancelled', 'status:Cancelled'])
    h.broker.placeOrder(MES, order(32, {totalQuantity: '3', orderType: 'LMT', lmtPrice: bid - 100, ocaGroup: 'g2', ocaType: 2, tif: 'GTC'}))
    h.broker.placeOrder(MES, order(33, {ocaGroup: 'g2', ocaType: 2}))
    const open = h.broker.openOrders(1)
    expect(open.map((o) => [o.open.order.orderId, o.open.order.totalQuantity, o.status.remaining])).toEqual([[32, '2', '2']])
  })

  it('refuses with TWS codes: 200, 103, 110, 434, 387, 321, 10006, 201 — and a refused order does not exist', () => {
    const h = makeBroker({startingCash: 1000})
    h.broker.placeOrder(contract({symbol: 'NOPE', secType: 'STK', exchange: 'SMART', currency: 'USD'}), order(40))
    h.broker.placeOrder(MES, order(41, {orderType: 'LMT', lmtPrice: 5000.1}))
    h.broker.placeOrder(MES, order(42, {totalQuantity: '0'}))
    h.broker.placeOrder(MES, order(43, {orderType: 'TRAIL'}))
    h.broker.placeOrder(MES, order(44, {totalQuantity: '1.5'}))
    h.broker.placeOrder(MES, order(45, {action: 'SELL', orderType: 'STP', auxPrice: 1000, parentId: 4444}))
    h.broker.placeOrder(MES, order(46))
    const codes = errors(h.events).map((e) => [e.reqId, e.code])
    expect(codes).toEqual([[40, 200], [41, 110], [42, 434], [43, 387], [44, 321], [45, 10006], [46, 201]])
    expect(errors(h.events).find((e) => e.code === 201)?.message).toMatch(/^Order rejected - reason:YOUR ORDER IS NOT ACCEPTED\. IN ORDER TO OBTAIN THE DESIRED POSITION YOUR EQUITY WITH LOAN VALUE \[1000\.00 USD\] MUST EXCEED THE INITIAL MARGIN \[2500\.00 USD\]$/)
    expect(h.broker.openOrders(undefined)).toEqual([])
    expect(h.broker.positions()).toEqual([])
    // A refused id was never used: the next valid id has not moved.
    expect(h.broker.nextValidId()).toBe(1)
    const h2 = makeBroker()
    h2.broker.placeOrder(SPY, order(50, {orderType: 'LMT', lmtPrice: 1, tif: 'GTC'}))
    h2.broker.placeOrder(SPY, order(49, {orderType: 'LMT', lmtPrice: 1}))
    h2.broker.placeOrder(SPY, order(50, {action: 'SELL', orderType: 'LMT', lmtPrice: 1}))
    expect(errors(h2.events).map((e) => [e.reqId, e.code])).toEqual([[49, 103], [50, 105]])
    // Another client may use the same id.
    h2.broker.placeOrder(SPY, order(49, {clientId: 2, orderType: 'LMT', lmtPrice: 1}))
    expect(errors(h2.events)).toHaveLength(2)
    h2.rejects = 1
    h2.broker.placeOrder(SPY, order(51, {orderType: 'LMT', lmtPrice: 1}))
    expect(errors(h2.events).slice(-1)[0]).toMatchObject({reqId: 51, code: 201})
    expect(h2.broker.venueRecords.byOrderRef('ref-51')).toMatchObject({accepted: 0, refused: 1, codes: [201]})
  })

  it('modifies an order placed again with its id, and fills it when the new price is marketable', () => {
    const h = makeBroker()
    const {bid, ask} = quote(h)
    h.broker.placeOrder(MES, order(60, {orderType: 'LMT', lmtPrice: bid - 25, tif: 'GTC'}))
    h.broker.placeOrder(MES, order(60, {orderType: 'LMT', lmtPrice: ask, tif: 'GTC'}))
    expect(trail(h.events, 60)).toEqual(['open:PreSubmitted', 'status:PreSubmitted', 'open:Submitted', 'status:Submitted', 'open:Submitted', 'status:Submitted', 'exec', 'open:Filled', 'status:Filled'])
    expect(h.broker.venueRecords.byOrderRef('ref-60')).toMatchObject({accepted: 1, modified: 1, filled: 1})
    h.broker.placeOrder(MES, order(60, {orderType: 'LMT', lmtPrice: ask}))
    expect(errors(h.events).slice(-1)[0]).toMatchObject({reqId: 60, code: 104})
  })

  it('cancels an IOC that cannot fill and a DAY order at its session close; keeps a stock stop PreSubmitted until it triggers', () => {
    const h = makeBroker()
    const {bid} = quote(h)
    h.broker.placeOrder(MES, order(70, {orderType: 'LMT', lmtPrice: bid - 50, tif: 'IOC'}))
    expect(trail(h.events, 70).slice(-1)).toEqual(['status:Cancelled'])
    h.broker.placeOrder(MES, order(71, {orderType: 'LMT', lmtPrice: bid - 500, tif: 'DAY'}))
    h.broker.placeOrder(SPY, order(72, {action: 'SELL', orderType: 'STP', auxPrice: 10, tif: 'GTC'}))
    expect(trail(h.events, 72).slice(-1)).toEqual(['status:PreSubmitted'])
    h.advance(7 * 3_600_000 - 1000)
    expect(trail(h.events, 71).slice(-1)).toEqual(['status:Submitted'])
    h.advance(2000)
    expect(trail(h.events, 71).slice(-1)).toEqual(['status:Cancelled'])
    expect(h.clock.now()).toBeGreaterThanOrEqual(Date.parse('2026-12-08T22:00:00Z'))
    expect(h.broker.openOrders(1).map((o) => o.open.order.orderId)).toEqual([72])
  })

  it('keeps ids: nextValidId above every id used by any client, rolled back only by a Gateway restart', () => {
    const h = makeBroker()
    expect(h.broker.nextValidId()).toBe(1)
    h.broker.placeOrder(SPY, order(10, {orderType: 'LMT', lmtPrice: 1, tif: 'GTC'}))
    h.broker.placeOrder(SPY, order(11))
    h.broker.placeOrder(SPY, order(40, {clientId: 2, orderType: 'LMT', lmtPrice: 1, tif: 'GTC'}))
    expect(h.broker.nextValidId()).toBe(41)
    expect(h.broker.reserveIds(5)).toBe(41)
    h.broker.placeOrder(SPY, order(11, {orderRef: 'before'}))
    expect(errors(h.events).slice(-1)[0]).toMatchObject({reqId: 11, code: 104})
    expect(h.broker.restart(5)).toBe(36)
    expect(h.broker.nextValidId()).toBe(36)
    // The open order is still there to cancel; the filled one is forgotten, so its id goes through again (and is counted).
    h.broker.cancelOrder(1, 10)
    expect(trail(h.events, 10).slice(-1)).toEqual(['error:202'])
    expect(h.broker.venueRecords.idReuses()).toEqual([])
    h.broker.placeOrder(SPY, order(11, {orderRef: 'again'}))
    expect(h.broker.venueRecords.idReuses()).toEqual([{clientId: 1, orderId: 11, orderRef: 'again'}])
    expect(h.broker.nextValidId()).toBe(36)
  })

  it("withholds order events while connectivity is lost; the fill is seen afterwards through executions and positions", () => {
    const h = makeBroker()
    const {bid} = quote(h)
    h.broker.placeOrder(MES, order(80, {orderType: 'LMT', lmtPrice: bid + 25}))
    h.broker.loseConnectivity()
    expect(h.broker.refusal()).toEqual({code: 1100, message: 'Connectivity between IB and Trader Workstation has been lost.'})
    const before = h.events.length
    h.broker.placeOrder(MES, order(81))
    h.advance(5000)
    expect(h.events.length).toBe(before)
    h.broker.restoreConnectivity(false)
    expect(h.broker.refusal()).toBeUndefined()
    const all = h.broker.executions({clientId: 0, acctCode: '', sinceTs: 0, symbol: '', secType: '', exchange: '', side: ''})
    expect(all.map((r) => r.execution.orderId)).toEqual([80, 81])
    expect(all[0]?.report.realizedPNL).toBeNull()
    expect(h.broker.positions()[0]?.pos).toBe('2')
    const filter = {clientId: 0, acctCode: '', sinceTs: 0, symbol: '', secType: '', exchange: '', side: ''}
    expect(h.broker.executions({...filter, side: 'SELL'})).toEqual([])
    expect(h.broker.executions({...filter, symbol: 'MES', secType: 'FUT', clientId: 1})).toHaveLength(2)
    expect(h.broker.executions({...filter, clientId: 3})).toEqual([])
    expect(h.broker.executions({...filter, sinceTs: h.clock.now() + 1})).toEqual([])
    const ids = new Set(all.map((r) => (r.execution as SimExecution).execId))
    expect(ids.size).toBe(2)
  })

  it('fills a working order with no client there (fillWhileAway) and an order by hand in TWS as client 0', () => {
    const h = makeBroker()
    const {bid} = quote(h)
    h.broker.placeOrder(MES, order(90, {orderType: 'LMT', lmtPrice: bid - 100, tif: 'GTC'}))
    const before = h.events.length
    const exec = h.broker.fillUnseen()
    expect(exec.orderId).toBe(90)
    expect(h.events.length).toBe(before)
    expect(h.broker.openOrders(undefined)).toEqual([])
    expect(h.broker.positions()[0]?.pos).toBe('1')
    const ext = h.broker.placeExternal(MES, {action: 'SELL', totalQuantity: '1', orderType: 'MKT', lmtPrice: null, auxPrice: null, tif: 'DAY', ocaGroup: '', ocaType: 0, orderRef: '', transmit: true, parentId: 0, outsideRth: false})
    expect(ext).toEqual({orderId: -1, status: 'Filled'})
    expect(h.events.filter((e) => e.kind === 'execution').map((e) => e.clientId)).toEqual([0])
    expect(h.broker.positions()[0]?.pos).toBe('0')
    expect(() => h.broker.fillUnseen()).toThrow(/no working order/)
  })

  it('books stocks through cash, with IBKR fixed commissions (USD 0.005 a share, at least 1.00)', () => {
    const h = makeBroker({startTs: T0})
    const conId = 756733
    const q = h.broker.market.quote(conId, h.clock.now())
    h.broker.placeOrder(SPY, order(1, {totalQuantity: '10'}))
    h.broker.placeOrder(SPY, order(2, {totalQuantity: '1000'}))
    expect(commissions(h).map((c) => c.commission)).toEqual([1, 5])
    const cash = Number(h.broker.accountSummary(['TotalCashValue'])[0]?.value)
    expect(cash).toBeCloseTo(1_000_000 - 1010 * (q?.ask as number) - 6, 2)
    const gross = Number(h.broker.accountSummary(['GrossPositionValue'])[0]?.value)
    expect(gross).toBeGreaterThan(1000 * (q?.bid as number))
    const ledger = h.broker.accountSummary(['$LEDGER:ALL']).map((v) => v.tag)
    expect(ledger).toEqual(expect.arrayContaining(['CashBalance', 'NetLiquidationByCurrency', 'RealizedPnL', 'UnrealizedPnL', 'Currency']))
  })
})
