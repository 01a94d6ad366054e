// The real @oanda/v20 SDK against the OANDA simulator over TCP: every call below is the SDK's own
// request (paths, query strings, headers) and its own parsing of the answer.
import {afterEach, beforeEach, describe, expect, it} from 'vitest'

import {auth, type Harness, raw, sdk, sdkFor, startSim, T0} from './harness.js'

let h: Harness
beforeEach(async () => {
  h = await startSim()
})
afterEach(async () => {
  await h.close()
})

async function price(instrument: string): Promise<{bid: string; ask: string}> {
  const r = await sdk(h.api, 'pricing.get', h.account, {instruments: instrument})
  return {bid: r.body.prices[0].bids[0].price, ask: r.body.prices[0].asks[0].price}
}

async function balance(): Promise<string> {
  return (await sdk(h.api, 'account.summary', h.account)).body.account.balance
}

describe('OANDA simulator through the @oanda/v20 SDK: account and market data', () => {
  it('lists the account; details and summary have OANDA fields; a new account has CREATE and a deposit', async () => {
    const list = await sdk(h.api, 'account.list')
    expect(list.statusCode).toBe('200')
    expect(list.contentType).toBe('application/json')
    expect(list.body.accounts.map((a: {id: string}) => a.id)).toEqual([h.account])
    expect(h.account).toMatch(/^\d{3}-\d{3}-\d{1,10}-\d{3}$/)
    const details = await sdk(h.api, 'account.get', h.account)
    expect(details.statusCode).toBe('200')
    const a = details.body.account
    expect(a).toMatchObject({id: h.account, currency: 'USD', balance: '100000.0000', NAV: '100000.0000', unrealizedPL: '0.0000', marginUsed: '0.0000', marginAvailable: '100000.0000', hedgingEnabled: false, openTradeCount: 0, pendingOrderCount: 0})
    expect(a.trades).toEqual([])
    expect(details.body.lastTransactionID).toBe('2')
    const summary = await sdk(h.api, 'account.summary', h.account)
    expect(summary.body.account.lastTransactionID).toBe('2')
    const txs = await sdk(h.api, 'transaction.range', h.account, {from: 1, to: 2})
    expect(txs.body.transactions.map((t: {type: string}) => t.type)).toEqual(['CREATE', 'TRANSFER_FUNDS'])
    expect(txs.body.transactions[1]).toMatchObject({amount: '100000.0000', accountBalance: '100000.0000'})
  })

  it("instruments: OANDA's Instrument fields, filtered by the instruments parameter", async () => {
    const r = await sdk(h.api, 'account.instruments', h.account, {instruments: 'EUR_USD,USD_JPY'})
    expect(r.statusCode).toBe('200')
    const [eur, jpy] = r.body.instruments
    expect(eur).toMatchObject({name: 'EUR_USD', type: 'CURRENCY', displayName: 'EUR/USD', pipLocation: -4, displayPrecision: 5, tradeUnitsPrecision: 0, minimumTradeSize: '1', maximumOrderUnits: '100000000', marginRate: '0.02'})
    expect(jpy).toMatchObject({name: 'USD_JPY', pipLocation: -2, displayPrecision: 3})
    const all = await sdk(h.api, 'account.instruments', h.account, {})
    expect(all.body.instruments.length).toBe(20)
    expect((await sdk(h.api, 'account.instruments', h.account, {instruments: 'NOPE_USD'})).statusCode).toBe('400')
  })

  it('pricing: bid below ask by the spread, tradeable, RFC3339 times; UNIX times when asked', async () => {
    const r = await sdk(h.api, 'pricing.get', h.account, {instruments: 'EUR_USD,USD_JPY', includeHomeConversions: true})
    expect(r.statusCode).toBe('200')
    const [eur, jpy] = r.body.prices
    expect(eur.instrument).toBe('EUR_USD')
    expect(eur.tradeable).toBe(true)
    expect(Math.round((Number(eur.asks[0].price) - Number(eur.bids[0].price)) * 1e5)).toBe(14)
    expect(eur.bids[0].price).toMatch(/^\d\.\d{5}$/)
    expect(jpy.bids[0].price).toMatch(/^\d{3}\.\d{3}$/)
    expect(Number(eur.closeoutBid)).toBeLessThan(Number(eur.bids[0].price))
    expect(eur.time).toMatch(/^2024-03-05T14:00:00\.000000000Z$/)
    expect(r.body.homeConversions.map((c: {currency: string}) => c.currency).sort()).toEqual(['EUR', 'JPY', 'USD'])
    const unix = await raw(`${h.rest}/v3/accounts/${h.account}/pricing?instruments=EUR_USD`, {headers: {...auth(h.token), 'Accept-Datetime-Format': 'UNIX'}})
    expect(unix.json.prices[0].time).toBe(`${T0 / 1000}.000000000`)
    const bad = await raw(`${h.rest}/v3/accounts/${h.account}/pricing?instruments=EUR_USD`, {headers: {...auth(h.token), 'Accept-Datetime-Format': 'ISO'}})
    expect(bad.status).toBe(400)
  })

  it('the sim clock runs speed x wall time: 1 wall second at 60x moves prices 60 s on', async () => {
    h.wall.advance(1_000)
    const r = await sdk(h.api, 'pricing.get', h.account, {instruments: 'EUR_USD'})
    expect(Date.parse(r.body.prices[0].time)).toBe(T0 + 60_000)
  })

  it('candles on both paths: count, price MBA, complete flags, alignment, from/to', async () => {
    h.wall.advance(30_500) // 30.5 sim minutes
    const now = T0 + 30 * 60_000 + 30_000
    const r = await sdk(h.api, 'instrument.candles', 'EUR_USD', {granularity: 'M1', count: 5, price: 'MBA'})
    expect(r.statusCode).toBe('200')
    expect(r.body).toMatchObject({instrument: 'EUR_USD', granularity: 'M1'})
    const candles = r.body.candles
    expect(candles).toHaveLength(5)
    expect(candles.map((c: {time: string}) => Date.parse(c.time))).toEqual([26, 27, 28, 29, 30].map((m) => T0 + m * 60_000))
    expect(candles.map((c: {complete: boolean}) => c.complete)).toEqual([true, true, true, true, false])
    for (const c of candles) {
      expect(Number(c.bid.l)).toBeLessThanOrEqual(Number(c.bid.o))
      expect(Number(c.bid.h)).toBeGreaterThanOrEqual(Math.max(Number(c.bid.o), Number(c.bid.c)))
      expect(Math.round((Number(c.ask.o) - Number(c.bid.o)) * 1e5)).toBe(14)
      expect(Math.round((Number(c.mid.o) - Number(c.bid.o)) * 1e5)).toBe(7)
      expect(c.volume).toBeGreaterThan(0)
    }
    // The SDK's pricing.candles never fills in {accountID} (a bug of 3.0.25): that path, raw.
    const viaAccount = await raw(`${h.rest}/v3/accounts/${h.account}/instruments/EUR_USD/candles?granularity=M1&count=5&price=MBA`, {headers: auth(h.token)})
    expect(viaAccount.json.candles).toEqual(JSON.parse(r.rawBody).candles)
    // from/to: the ten complete minutes before T0 (history before the start is there too).
    const from = new Date(T0 - 10 * 60_000).toISOString()
    const to = new Date(T0).toISOString()
    const past = await sdk(h.api, 'instrument.candles', 'EUR_USD', {granularity: 'M1', from, to})
    expect(past.body.candles).toHaveLength(10)
    expect(past.body.candles.every((c: {complete: boolean; mid: unknown}) => c.complete && c.mid !== undefined)).toBe(true)
    // The current price is the last candle's close.
    const p = await price('EUR_USD')
    expect(candles[4].bid.c).toBe(p.bid)
    // OANDA's rules: count with from and to is refused; so is an unknown granularity or more than 5000.
    expect((await sdk(h.api, 'instrument.candles', 'EUR_USD', {granularity: 'M1', from, to, count: 3})).statusCode).toBe('400')
    expect((await sdk(h.api, 'instrument.candles', 'EUR_USD', {granularity: 'M3'})).statusCode).toBe('400')
    expect((await sdk(h.api, 'instrument.candles', 'EUR_USD', {count: 5001})).statusCode).toBe('400')
    expect((await sdk(h.api, 'instrument.candles', 'NOPE_USD', {})).statusCode).toBe('400')
    // Daily candles start at 17:00 New York: 22:00 UTC in March before the DST change.
    const daily = await sdk(h.api, 'instrument.candles', 'EUR_USD', {granularity: 'D', count: 3})
    expect(daily.body.candles.map((c: {time: string}) => c.time.slice(11, 19))).toEqual(['22:00:00', '22:00:00', '22:00:00'])
    expect(now).toBeGreaterThan(Date.parse(daily.body.candles[2].time))
  })
})

describe('OANDA simulator through the @oanda/v20 SDK: orders', () => {
  it('a market order fills at once at the ask, opens a trade, and is found by @clientOrderID', async () => {
    const p = await price('EUR_USD')
    const r = await sdk(h.api, 'order.create', h.account, {order: {type: 'MARKET', instrument: 'EUR_USD', units: '1000', clientExtensions: {id: 'rick-1', tag: 'donchian', comment: 'entry'}}})
    expect(r.statusCode).toBe('201')
    const create = r.body.orderCreateTransaction
    const fill = r.body.orderFillTransaction
    expect(create).toMatchObject({type: 'MARKET_ORDER', instrument: 'EUR_USD', units: '1000', timeInForce: 'FOK', positionFill: 'DEFAULT', reason: 'CLIENT_ORDER', clientExtensions: {id: 'rick-1', tag: 'donchian', comment: 'entry'}})
    expect(fill).toMatchObject({type: 'ORDER_FILL', orderID: create.id, clientOrderID: 'rick-1', instrument: 'EUR_USD', units: '1000', price: p.ask, reason: 'MARKET_ORDER', pl: '0.0000', financing: '0.0000', commission: '0.0000', accountBalance: '100000.0000', gainQuoteHomeConversionFactor: '1', lossQuoteHomeConversionFactor: '1'})
    expect(fill.tradeOpened).toMatchObject({tradeID: fill.id, units: '1000', price: p.ask, halfSpreadCost: '0.0700'})
    expect(fill.batchID).toBe(create.id)
    expect(r.body.relatedTransactionIDs).toEqual([create.id, fill.id])
    expect(r.body.lastTransactionID).toBe(fill.id)
    const byClient = await sdk(h.api, 'order.get', h.account, '@rick-1')
    expect(byClient.statusCode).toBe('200')
    expect(byClient.body.order).toMatchObject({id: create.id, state: 'FILLED', type: 'MARKET', fillingTransactionID: fill.id, tradeOpenedID: fill.id})
    const trade = await sdk(h.api, 'trade.get', h.account, fill.id)
    expect(trade.body.trade).toMatchObject({id: fill.id, instrument: 'EUR_USD', state: 'OPEN', currentUnits: '1000', initialUnits: '1000', price: p.ask})
    // A sell at the bid would close it now: its unrealized P&L is minus the spread on 1000 units.
    expect(trade.body.trade.unrealizedPL).toBe('-0.1400')
    const pos = await sdk(h.api, 'position.get', h.account, 'EUR_USD')
    expect(pos.body.position.long).toMatchObject({units: '1000', averagePrice: p.ask, tradeIDs: [fill.id]})
    expect(pos.body.position.short.units).toBe('0')
    // A sell fills at the bid.
    const sell = await sdk(h.api, 'order.create', h.account, {order: {type: 'MARKET', instrument: 'EUR_USD', units: '-1000'}})
    expect(sell.body.orderFillTransaction).toMatchObject({price: p.bid, pl: '-0.1400', accountBalance: '99999.8600'})
    expect(sell.body.orderFillTransaction.tradesClosed).toEqual([expect.objectContaining({tradeID: fill.id, units: '-1000', realizedPL: '-0.1400'})])
  })

  it('a created order answers 201 with a Location header and a RequestID; every answer is JSON', async () => {
    const r = await raw(`${h.rest}/v3/accounts/${h.account}/orders`, {method: 'POST', headers: auth(h.token), body: {order: {type: 'LIMIT', instrument: 'EUR_USD', units: '100', price: '1.00000'}}})
    expect(r.status).toBe(201)
    expect(r.headers['content-type']).toBe('application/json')
    expect(r.headers.location).toBe(`${h.rest}/v3/accounts/${h.account}/orders/${r.json.orderCreateTransaction.id}`)
    expect(r.headers.requestid).toMatch(/^\d{17}$/)
    expect(r.json.orderCreateTransaction.requestID).toBe(r.headers.requestid)
    for (const path of ['/v3/nothing', `/v3/accounts/${h.account}/orders/1/cancel`]) {
      const e = await raw(`${h.rest}${path}`, {headers: auth(h.token)})
      expect(e.headers['content-type']).toBe('application/json')
      expect(e.json.errorMessage).toEqual(expect.any(String))
    }
    expect((await raw(`${h.rest}/v3/accounts/${h.account}/orders/1/cancel`, {headers: auth(h.token)})).status).toBe(405)
    const notJson = await raw(`${h.rest}/v3/accounts/${h.account}/orders`, {method: 'POST', headers: {...auth(h.token), 'Content-Type': 'application/json'}, body: undefined})
    expect(notJson.status).toBe(400)
  })

  it('a limit order rests, then triggers on the price path and fills at or better than its price', async () => {
    const p = await price('EUR_USD')
    const limit = (Number(p.ask) - 0.0003).toFixed(5)
    const r = await sdk(h.api, 'order.create', h.account, {order: {type: 'LIMIT', instrument: 'EUR_USD', units: '2000', price: limit, clientExtensions: {id: 'lim-1'}}})
    expect(r.statusCode).toBe('201')
    expect(r.body.orderFillTransaction).toBeUndefined()
    expect(r.body.orderCreateTransaction).toMatchObject({type: 'LIMIT_ORDER', price: limit, timeInForce: 'GTC', triggerCondition: 'DEFAULT'})
    const pending = await sdk(h.api, 'order.listPending', h.account)
    expect(pending.body.orders.map((o: {id: string}) => o.id)).toEqual([r.body.orderCreateTransaction.id])
    let state = 'PENDING'
    for (let i = 0; i < 600 && state === 'PENDING'; i++) {
      h.wall.advance(1_000)
      state = (await sdk(h.api, 'order.get', h.account, '@lim-1')).body.order.state
    }
    expect(state).toBe('FILLED')
    const order = (await sdk(h.api, 'order.get', h.account, '@lim-1')).body.order
    const fill = (await sdk(h.api, 'transaction.get', h.account, order.fillingTransactionID)).body.transaction
    expect(fill).toMatchObject({type: 'ORDER_FILL', reason: 'LIMIT_ORDER', units: '2000', orderID: order.id})
    expect(Number(fill.price)).toBeLessThanOrEqual(Number(limit))
    expect(fill.requestID).toBeUndefined()
  })

  it("rejects with OANDA's reasons (400, a *_REJECT transaction, errorCode); no money moves", async () => {
    await sdk(h.api, 'order.create', h.account, {order: {type: 'LIMIT', instrument: 'EUR_USD', units: '10', price: '1.00000', clientExtensions: {id: 'taken'}}})
    const before = await balance()
    const cases: Array<[Record<string, unknown>, string, string]> = [
      [{type: 'MARKET', instrument: 'EUR_USD', units: '1.5'}, 'MARKET_ORDER_REJECT', 'UNITS_PRECISION_EXCEEDED'],
      [{type: 'MARKET', instrument: 'EUR_USD', units: '0'}, 'MARKET_ORDER_REJECT', 'UNITS_INVALID'],
      [{type: 'MARKET', instrument: 'EUR_USD', units: 'lots'}, 'MARKET_ORDER_REJECT', 'UNITS_INVALID'],
      [{type: 'MARKET', instrument: 'EUR_USD'}, 'MARKET_ORDER_REJECT', 'UNITS_MISSING'],
      [{type: 'MARKET', instrument: 'EUR_USD', units: '0.0'}, 'MARKET_ORDER_REJECT', 'UNITS_INVALID'],
      [{type: 'MARKET', instrument: 'EUR_USD', units: '200000000'}, 'MARKET_ORDER_REJECT', 'UNITS_LIMIT_EXCEEDED'],
      [{type: 'MARKET', instrument: 'EUR_USD', units: '99999999999999999999'}, 'MARKET_ORDER_REJECT', 'UNITS_LIMIT_EXCEEDED'],
      [{type: 'MARKET', instrument: 'EUR_USD', units: '-1.0000001'}, 'MARKET_ORDER_REJECT', 'UNITS_PRECISION_EXCEEDED'],
      [{type: 'MARKET', instrument: 'EUR_USD', units: {n: 1}}, 'MARKET_ORDER_REJECT', 'UNITS_INVALID'],
      [{type: 'LIMIT', instrument: 'EUR_USD', units: '1', price: '-1.1'}, 'LIMIT_ORDER_REJECT', 'PRICE_INVALID'],
      [{type: 'LIMIT', instrument: 'EUR_USD', units: '1', price: ['1.1']}, 'LIMIT_ORDER_REJECT', 'PRICE_INVALID'],
      [{type: 'MARKET', instrument: 'EUR_USD', units: '1', clientExtensions: null}, 'MARKET_ORDER_REJECT', 'CLIENT_ORDER_ID_INVALID'],
      [{type: 'MARKET', instrument: 'FOO_BAR', units: '1'}, 'MARKET_ORDER_REJECT', 'INSTRUMENT_UNKNOWN'],
      [{type: 'MARKET', units: '1'}, 'MARKET_ORDER_REJECT', 'INSTRUMENT_MISSING'],
      [{type: 'MARKET', instrument: 'EUR_USD', units: '1', timeInForce: 'GTC'}, 'MARKET_ORDER_REJECT', 'TIME_IN_FORCE_INVALID'],
      [{type: 'MARKET', instrument: 'EUR_USD', units: '1', positionFill: 'SOMETIMES'}, 'MARKET_ORDER_REJECT', 'ORDER_FILL_POSITION_ACTION_INVALID'],
      [{type: 'MARKET', instrument: 'EUR_USD', units: '1', clientExtensions: {id: 'taken'}}, 'MARKET_ORDER_REJECT', 'CLIENT_ORDER_ID_ALREADY_EXISTS'],
      [{type: 'MARKET', instrument: 'EUR_USD', units: '1', clientExtensions: {id: 'x'.repeat(129)}}, 'MARKET_ORDER_REJECT', 'CLIENT_ORDER_ID_INVALID'],
      [{type: 'LIMIT', instrument: 'EUR_USD', units: '1', price: '1.123456'}, 'LIMIT_ORDER_REJECT', 'PRICE_PRECISION_EXCEEDED'],
      [{type: 'LIMIT', instrument: 'EUR_USD', units: '1'}, 'LIMIT_ORDER_REJECT', 'PRICE_MISSING'],
      [{type: 'LIMIT', instrument: 'USD_JPY', units: '1', price: '150.1234'}, 'LIMIT_ORDER_REJECT', 'PRICE_PRECISION_EXCEEDED'],
      [{type: 'LIMIT', instrument: 'EUR_USD', units: '1', price: '1.1', timeInForce: 'GTD', gtdTime: new Date(T0 - 1000).toISOString()}, 'LIMIT_ORDER_REJECT', 'TIME_IN_FORCE_GTD_TIMESTAMP_IN_PAST'],
      [{type: 'STOP', instrument: 'EUR_USD', units: '1', price: '1.2', priceBound: '1.2000001'}, 'STOP_ORDER_REJECT', 'PRICE_BOUND_PRECISION_EXCEEDED'],
      [{type: 'MARKET', instrument: 'EUR_USD', units: '1', takeProfitOnFill: {price: '1.1234567'}}, 'MARKET_ORDER_REJECT', 'TAKE_PROFIT_ON_FILL_PRICE_PRECISION_EXCEEDED'],
      [{type: 'MARKET', instrument: 'EUR_USD', units: '1', stopLossOnFill: {price: '1.0', distance: '0.001'}}, 'MARKET_ORDER_REJECT', 'STOP_LOSS_ON_FILL_PRICE_AND_DISTANCE_BOTH_SPECIFIED'],
    ]
    for (const [order, type, reason] of cases) {
      const r = await sdk(h.api, 'order.create', h.account, {order})
      expect(r.statusCode, reason).toBe('400')
      expect(r.body.orderRejectTransaction, reason).toMatchObject({type, rejectReason: reason, reason: 'CLIENT_ORDER'})
      expect(r.body.errorCode).toBe(reason)
      expect(r.body.errorMessage).toEqual(expect.any(String))
      expect(r.body.lastTransactionID).toBe(r.body.orderRejectTransaction.id)
      expect(r.body.relatedTransactionIDs).toEqual([r.body.orderRejectTransaction.id])
    }
    expect(await balance()).toBe(before)
    const account = (await sdk(h.api, 'account.get', h.account)).body.account
    expect(account.openTradeCount).toBe(0)
    expect(account.pendingOrderCount).toBe(1)
    // Not an order at all: 400 with an errorMessage and no transaction.
    const last = account.lastTransactionID
    const notOrder = await sdk(h.api, 'order.create', h.account, {order: {type: 'ICEBERG', instrument: 'EUR_USD', units: '1'}})
    expect(notOrder.statusCode).toBe('400')
    expect(notOrder.body.errorMessage).toMatch(/order\.type/)
    expect((await sdk(h.api, 'account.summary', h.account)).body.lastTransactionID).toBe(last)
  })

  it('created then cancelled (201, ORDER_CANCEL with a reason): insufficient margin, price bound, reduce-only and open-only', async () => {
    const before = await balance()
    const margin = await sdk(h.api, 'order.create', h.account, {order: {type: 'MARKET', instrument: 'EUR_USD', units: '10000000'}})
    expect(margin.statusCode).toBe('201')
    expect(margin.body.orderFillTransaction).toBeUndefined()
    expect(margin.body.orderCancelTransaction).toMatchObject({type: 'ORDER_CANCEL', orderID: margin.body.orderCreateTransaction.id, reason: 'INSUFFICIENT_MARGIN'})
    const p = await price('EUR_USD')
    const bound = await sdk(h.api, 'order.create', h.account, {order: {type: 'MARKET', instrument: 'EUR_USD', units: '100', priceBound: (Number(p.ask) - 0.0001).toFixed(5)}})
    expect(bound.body.orderCancelTransaction.reason).toBe('BOUNDS_VIOLATION')
    const reduce = await sdk(h.api, 'order.create', h.account, {order: {type: 'MARKET', instrument: 'EUR_USD', units: '100', positionFill: 'REDUCE_ONLY'}})
    expect(reduce.body.orderCancelTransaction.reason).toBe('POSITION_CLOSEOUT_FAILED')
    expect(await balance()).toBe(before)
    await sdk(h.api, 'order.create', h.account, {order: {type: 'MARKET', instrument: 'EUR_USD', units: '100'}})
    const open = await sdk(h.api, 'order.create', h.account, {order: {type: 'MARKET', instrument: 'EUR_USD', units: '-50', positionFill: 'OPEN_ONLY'}})
    expect(open.body.orderCancelTransaction.reason).toBe('FIFO_VIOLATION')
    // REDUCE_ONLY reduces no more than there is.
    const partial = await sdk(h.api, 'order.create', h.account, {order: {type: 'MARKET', instrument: 'EUR_USD', units: '-300', positionFill: 'REDUCE_ONLY'}})
    expect(partial.body.orderFillTransaction.units).toBe('-100')
    expect(JSON.parse(partial.rawBody).orderFillTransaction.requestedUnits).toBe('-300')
    expect(partial.body.orderFillTransaction.tradeOpened).toBeUndefined()
  })

  it('DEFAULT position fill reduces first (FIFO), then opens the rest the other way', async () => {
    const a = await sdk(h.api, 'order.create', h.account, {order: {type: 'MARKET', instrument: 'EUR_USD', units: '600'}})
    const b = await sdk(h.api, 'order.create', h.account, {order: {type: 'MARKET', instrument: 'EUR_USD', units: '400'}})
    const flip = await sdk(h.api, 'order.create', h.account, {order: {type: 'MARKET', instrument: 'EUR_USD', units: '-1500'}})
    const fill = flip.body.orderFillTransaction
    expect(fill.units).toBe('-1500')
    expect(fill.tradesClosed.map((t: {tradeID: string; units: string}) => [t.tradeID, t.units])).toEqual([
      [a.body.orderFillTransaction.id, '-600'],
      [b.body.orderFillTransaction.id, '-400'],
    ])
    expect(fill.tradeOpened).toMatchObject({tradeID: fill.id, units: '-500'})
    const pos = (await sdk(h.api, 'position.get', h.account, 'EUR_USD')).body.position
    expect(pos.long.units).toBe('0')
    expect(pos.short).toMatchObject({units: '-500', tradeIDs: [fill.id]})
    // Reducing part of the oldest trade is a tradeReduced.
    const cover = await sdk(h.api, 'order.create', h.account, {order: {type: 'MARKET', instrument: 'EUR_USD', units: '200'}})
    expect(cover.body.orderFillTransaction.tradeReduced).toMatchObject({tradeID: fill.id, units: '200'})
  })

  it('cancel: a pending order by @id; cancelling again, or an unknown order, is 404 ORDER_CANCEL_REJECT; GET unknown is 404', async () => {
    const r = await sdk(h.api, 'order.create', h.account, {order: {type: 'STOP', instrument: 'EUR_USD', units: '100', price: '1.50000', clientExtensions: {id: 'stop-1'}}})
    const id = r.body.orderCreateTransaction.id
    const cancel = await sdk(h.api, 'order.cancel', h.account, '@stop-1')
    expect(cancel.statusCode).toBe('200')
    expect(cancel.body.orderCancelTransaction).toMatchObject({type: 'ORDER_CANCEL', orderID: id, clientOrderID: 'stop-1', reason: 'CLIENT_REQUEST'})
    expect((await sdk(h.api, 'order.get', h.account, id)).body.order).toMatchObject({state: 'CANCELLED', cancellingTransactionID: cancel.body.orderCancelTransaction.id})
    for (const spec of ['@stop-1', '99999', '@never-sent']) {
      const again = await sdk(h.api, 'order.cancel', h.account, spec)
      expect(again.statusCode, spec).toBe('404')
      expect(again.body.orderCancelRejectTransaction).toMatchObject({type: 'ORDER_CANCEL_REJECT', rejectReason: 'ORDER_DOESNT_EXIST'})
      expect(again.body.errorCode).toBe('ORDER_DOESNT_EXIST')
    }
    expect((await sdk(h.api, 'order.get', h.account, '@never-sent')).statusCode).toBe('404')
    expect((await sdk(h.api, 'order.get', h.account, '424242')).statusCode).toBe('404')
    expect((await sdk(h.api, 'trade.get', h.account, '424242')).statusCode).toBe('404')
    const ext = await sdk(h.api, 'order.setClientExtensions', h.account, id, {clientExtensions: {comment: 'late'}})
    expect(ext.statusCode).toBe('404')
  })

  it('orders list: state, instrument and count filters, newest first', async () => {
    for (const px of ['1.00000', '1.00100', '1.00200']) await sdk(h.api, 'order.create', h.account, {order: {type: 'LIMIT', instrument: 'EUR_USD', units: '1', price: px}})
    await sdk(h.api, 'order.create', h.account, {order: {type: 'LIMIT', instrument: 'USD_JPY', units: '1', price: '100.000'}})
    await sdk(h.api, 'order.create', h.account, {order: {type: 'MARKET', instrument: 'EUR_USD', units: '1'}})
    const pending = await sdk(h.api, 'order.list', h.account, {})
    expect(pending.body.orders.map((o: {price: string}) => o.price)).toEqual(['100.000', '1.00200', '1.00100', '1.00000'])
    const eur = await sdk(h.api, 'order.list', h.account, {instrument: 'EUR_USD', count: 2})
    expect(eur.body.orders.map((o: {price: string}) => o.price)).toEqual(['1.00200', '1.00100'])
    const all = await sdk(h.api, 'order.list', h.account, {state: 'ALL'})
    expect(all.body.orders).toHaveLength(5)
    expect(all.body.orders[0]).toMatchObject({type: 'MARKET', state: 'FILLED'})
    const ext = await sdk(h.api, 'order.setClientExtensions', h.account, pending.body.orders[0].id, {clientExtensions: {id: 'renamed', comment: 'c'}})
    expect(ext.statusCode).toBe('200')
    expect(ext.body.orderClientExtensionsModifyTransaction).toMatchObject({type: 'ORDER_CLIENT_EXTENSIONS_MODIFY', clientExtensionsModify: {id: 'renamed', comment: 'c'}})
    expect((await sdk(h.api, 'order.get', h.account, '@renamed')).body.order.price).toBe('100.000')
  })
})

describe('OANDA simulator through the @oanda/v20 SDK: trades, positions, transactions, auth', () => {
  it('TP and SL on fill become orders on the trade; a partial close reduces it; closing the position cancels them', async () => {
    const p = await price('EUR_USD')
    const r = await sdk(h.api, 'order.create', h.account, {
      order: {type: 'MARKET', instrument: 'EUR_USD', units: '1000', takeProfitOnFill: {price: (Number(p.ask) + 0.005).toFixed(5), clientExtensions: {id: 'tp-1'}}, stopLossOnFill: {distance: '0.00500'}, tradeClientExtensions: {id: 'trade-1'}},
    })
    expect(r.statusCode).toBe('201')
    const [, fillID, tpID, slID] = r.body.relatedTransactionIDs
    const txs = (await sdk(h.api, 'transaction.range', h.account, {from: tpID, to: slID})).body.transactions
    expect(txs.map((t: {type: string; reason: string; tradeID: string}) => [t.type, t.reason, t.tradeID])).toEqual([
      ['TAKE_PROFIT_ORDER', 'ON_FILL', fillID],
      ['STOP_LOSS_ORDER', 'ON_FILL', fillID],
    ])
    expect(txs[1].price).toBe((Number(p.ask) - 0.005).toFixed(5))
    const trade = (await sdk(h.api, 'trade.get', h.account, '@trade-1')).body.trade
    expect(trade).toMatchObject({id: fillID, clientExtensions: {id: 'trade-1'}})
    expect(trade.takeProfitOrder).toMatchObject({id: tpID, type: 'TAKE_PROFIT', state: 'PENDING', clientExtensions: {id: 'tp-1'}})
    expect(trade.stopLossOrder).toMatchObject({id: slID, type: 'STOP_LOSS', state: 'PENDING'})
    const part = await sdk(h.api, 'trade.close', h.account, fillID, {units: '400'})
    expect(part.statusCode).toBe('200')
    expect(part.body.orderCreateTransaction).toMatchObject({type: 'MARKET_ORDER', units: '-400', reason: 'TRADE_CLOSE', tradeClose: {tradeID: fillID, units: '400'}})
    expect(part.body.orderFillTransaction).toMatchObject({reason: 'MARKET_ORDER_TRADE_CLOSE', tradeReduced: {tradeID: fillID, units: '-400'}})
    expect((await sdk(h.api, 'trade.close', h.account, fillID, {units: '601'})).statusCode).toBe('400')
    const open = await sdk(h.api, 'trade.listOpen', h.account)
    expect(open.body.trades.map((t: {currentUnits: string}) => t.currentUnits)).toEqual(['600'])
    const close = await sdk(h.api, 'position.close', h.account, 'EUR_USD', {longUnits: 'ALL'})
    expect(close.statusCode).toBe('200')
    expect(close.body.longOrderCreateTransaction).toMatchObject({type: 'MARKET_ORDER', units: '-600', reason: 'POSITION_CLOSEOUT', longPositionCloseout: {instrument: 'EUR_USD', units: 'ALL'}})
    expect(close.body.longOrderFillTransaction).toMatchObject({reason: 'MARKET_ORDER_POSITION_CLOSEOUT', tradesClosed: [expect.objectContaining({tradeID: fillID, units: '-600'})]})
    const cancels = (await sdk(h.api, 'transaction.since', h.account, {id: close.body.longOrderFillTransaction.id})).body.transactions
    expect(cancels.map((t: {type: string; orderID: string; reason: string}) => [t.type, t.orderID, t.reason])).toEqual([
      ['ORDER_CANCEL', tpID, 'LINKED_TRADE_CLOSED'],
      ['ORDER_CANCEL', slID, 'LINKED_TRADE_CLOSED'],
    ])
    const closed = (await sdk(h.api, 'trade.get', h.account, fillID)).body.trade
    expect(closed).toMatchObject({state: 'CLOSED', currentUnits: '0'})
    expect(closed.closingTransactionIDs).toEqual([part.body.orderFillTransaction.id, close.body.longOrderFillTransaction.id])
    expect((await sdk(h.api, 'trade.list', h.account, {state: 'CLOSED'})).body.trades.map((t: {id: string}) => t.id)).toEqual([fillID])
    expect((await sdk(h.api, 'position.listOpen', h.account)).body.positions).toEqual([])
    expect((await sdk(h.api, 'position.list', h.account)).body.positions.map((x: {instrument: string}) => x.instrument)).toEqual(['EUR_USD'])
    // Nothing left to close: 400 with a reject, and a trade that does not exist: 404.
    const none = await sdk(h.api, 'position.close', h.account, 'EUR_USD', {longUnits: 'ALL'})
    expect(none.statusCode).toBe('400')
    expect(none.body.longOrderRejectTransaction.rejectReason).toBe('CLOSEOUT_POSITION_DOESNT_EXIST')
    const gone = await sdk(h.api, 'trade.close', h.account, '777', {})
    expect(gone.statusCode).toBe('404')
    expect(gone.body.orderRejectTransaction.rejectReason).toBe('TRADE_DOESNT_EXIST')
  })

  it('a take profit triggers on the price path and cancels the stop loss', async () => {
    const p = await price('EUR_USD')
    const r = await sdk(h.api, 'order.create', h.account, {order: {type: 'MARKET', instrument: 'EUR_USD', units: '-1000', takeProfitOnFill: {price: (Number(p.bid) - 0.0002).toFixed(5)}, stopLossOnFill: {price: (Number(p.ask) + 0.02).toFixed(5)}}})
    const [, tradeID, tpID, slID] = r.body.relatedTransactionIDs
    let state = 'OPEN'
    for (let i = 0; i < 600 && state === 'OPEN'; i++) {
      h.wall.advance(1_000)
      state = (await sdk(h.api, 'trade.get', h.account, tradeID)).body.trade.state
    }
    expect(state).toBe('CLOSED')
    expect((await sdk(h.api, 'order.get', h.account, tpID)).body.order.state).toBe('FILLED')
    expect((await sdk(h.api, 'order.get', h.account, slID)).body.order).toMatchObject({state: 'CANCELLED'})
    const fill = (await sdk(h.api, 'transaction.get', h.account, (await sdk(h.api, 'order.get', h.account, tpID)).body.order.fillingTransactionID)).body.transaction
    expect(fill).toMatchObject({reason: 'TAKE_PROFIT_ORDER', units: '1000'})
    expect(Number(fill.pl)).toBeGreaterThan(0)
  })

  it("a trade's dependent orders: set, replace, cancel (PUT /trades/{id}/orders); a bad part changes nothing", async () => {
    const p = await price('EUR_USD')
    const tradeID = (await sdk(h.api, 'order.create', h.account, {order: {type: 'MARKET', instrument: 'EUR_USD', units: '100'}})).body.orderFillTransaction.id
    const set = await sdk(h.api, 'trade.setDependentOrders', h.account, tradeID, {takeProfit: {price: '1.20000'}, stopLoss: {distance: '0.01000'}})
    expect(set.statusCode).toBe('200')
    const tp1 = set.body.takeProfitOrderTransaction
    expect(tp1).toMatchObject({type: 'TAKE_PROFIT_ORDER', tradeID, price: '1.20000', reason: 'CLIENT_ORDER'})
    expect(set.body.stopLossOrderTransaction).toMatchObject({type: 'STOP_LOSS_ORDER', tradeID, distance: '0.01000'})
    let trade = (await sdk(h.api, 'trade.get', h.account, tradeID)).body.trade
    expect(trade.stopLossOrder.price).toBe((Number(p.ask) - 0.01).toFixed(5))
    const replace = await sdk(h.api, 'trade.setDependentOrders', h.account, tradeID, {takeProfit: {price: '1.25000'}, stopLoss: null})
    expect(replace.body.takeProfitOrderCancelTransaction).toMatchObject({orderID: tp1.id, reason: 'CLIENT_REQUEST_REPLACED', replacedByOrderID: replace.body.takeProfitOrderTransaction.id})
    expect(replace.body.takeProfitOrderTransaction).toMatchObject({price: '1.25000', reason: 'REPLACEMENT', replacesOrderID: tp1.id})
    expect(replace.body.stopLossOrderCancelTransaction).toMatchObject({orderID: set.body.stopLossOrderTransaction.id, reason: 'CLIENT_REQUEST'})
    trade = (await sdk(h.api, 'trade.get', h.account, tradeID)).body.trade
    expect(trade.takeProfitOrder.price).toBe('1.25000')
    expect(trade.stopLossOrder).toBeUndefined()
    const bad = await sdk(h.api, 'trade.setDependentOrders', h.account, tradeID, {takeProfit: {price: '1.3'}, stopLoss: {price: '1.0000001'}})
    expect(bad.statusCode).toBe('400')
    expect(bad.body.stopLossOrderRejectTransaction.rejectReason).toBe('PRICE_PRECISION_EXCEEDED')
    expect((await sdk(h.api, 'trade.get', h.account, tradeID)).body.trade.takeProfitOrder.price).toBe('1.25000')
    expect((await sdk(h.api, 'trade.setDependentOrders', h.account, '999', {takeProfit: {price: '1.3'}})).statusCode).toBe('404')
    // A standalone STOP_LOSS order by distance (POST /orders) gets its price from the trade.
    await sdk(h.api, 'trade.setDependentOrders', h.account, tradeID, {takeProfit: null})
    const sl = await sdk(h.api, 'order.create', h.account, {order: {type: 'STOP_LOSS', tradeID, distance: '0.00200'}})
    expect(sl.statusCode).toBe('201')
    expect((await sdk(h.api, 'order.get', h.account, sl.body.orderCreateTransaction.id)).body.order.price).toBe((Number(p.ask) - 0.002).toFixed(5))
    expect((await sdk(h.api, 'order.create', h.account, {order: {type: 'STOP_LOSS', tradeID, price: '1.00000'}})).body.orderRejectTransaction.rejectReason).toBe('STOP_LOSS_ORDER_ALREADY_EXISTS')
  })

  it('trade client extensions: set and found by @id; an unknown trade is 404; a taken id is 400', async () => {
    const a = (await sdk(h.api, 'order.create', h.account, {order: {type: 'MARKET', instrument: 'EUR_USD', units: '10', tradeClientExtensions: {id: 'first'}}})).body.orderFillTransaction.id
    const b = (await sdk(h.api, 'order.create', h.account, {order: {type: 'MARKET', instrument: 'USD_JPY', units: '10'}})).body.orderFillTransaction.id
    const set = await sdk(h.api, 'trade.setClientExtensions', h.account, b, {clientExtensions: {id: 'second', comment: 'by hand'}})
    expect(set.statusCode).toBe('200')
    expect(set.body.tradeClientExtensionsModifyTransaction).toMatchObject({type: 'TRADE_CLIENT_EXTENSIONS_MODIFY', tradeID: b, tradeClientExtensionsModify: {id: 'second', comment: 'by hand'}})
    expect((await sdk(h.api, 'trade.get', h.account, '@second')).body.trade.id).toBe(b)
    const taken = await sdk(h.api, 'trade.setClientExtensions', h.account, b, {clientExtensions: {id: 'first'}})
    expect(taken.statusCode).toBe('400')
    expect(taken.body.tradeClientExtensionsModifyRejectTransaction.rejectReason).toBe('CLIENT_TRADE_ID_ALREADY_EXISTS')
    expect((await sdk(h.api, 'trade.setClientExtensions', h.account, '999', {clientExtensions: {id: 'x'}})).statusCode).toBe('404')
    expect((await sdk(h.api, 'trade.get', h.account, '@first')).body.trade.id).toBe(a)
  })

  it('transactions: pages of idrange links, idrange, sinceid, by id; changes since an id', async () => {
    for (let i = 0; i < 3; i++) await sdk(h.api, 'order.create', h.account, {order: {type: 'MARKET', instrument: 'EUR_USD', units: '10'}})
    const list = await sdk(h.api, 'transaction.list', h.account, {pageSize: 3})
    expect(list.statusCode).toBe('200')
    expect(list.body.count).toBe(8)
    expect(list.body.pages).toEqual([1, 4, 7].map((f) => `${h.rest}/v3/accounts/${h.account}/transactions/idrange?from=${f}&to=${Math.min(f + 2, 8)}`))
    const fills = await sdk(h.api, 'transaction.list', h.account, {type: 'ORDER_FILL'})
    expect(fills.body.count).toBe(3)
    const range = await sdk(h.api, 'transaction.range', h.account, {from: 3, to: 5})
    expect(range.body.transactions.map((t: {id: string}) => t.id)).toEqual(['3', '4', '5'])
    const since = await sdk(h.api, 'transaction.since', h.account, {id: 6})
    expect(since.body.transactions.map((t: {id: string}) => t.id)).toEqual(['7', '8'])
    expect((await sdk(h.api, 'transaction.get', h.account, '4')).body.transaction.type).toBe('ORDER_FILL')
    expect((await sdk(h.api, 'transaction.get', h.account, '99')).statusCode).toBe('404')
    const changes = await sdk(h.api, 'account.changes', h.account, {sinceTransactionID: 4})
    expect(changes.statusCode).toBe('200')
    expect(changes.body.changes.transactions.map((t: {id: string}) => t.id)).toEqual(['5', '6', '7', '8'])
    expect(changes.body.changes.tradesOpened.map((t: {id: string}) => t.id)).toEqual(['6', '8'])
    expect(changes.body.changes.ordersFilled.map((o: {id: string}) => o.id)).toEqual(['5', '7'])
    expect(changes.body.state.trades).toHaveLength(3)
    expect(changes.body.lastTransactionID).toBe('8')
  })

  it('401 for a missing or wrong token; 403 for an account that is not this one; 400 for a malformed id', async () => {
    const wrong = await sdk(sdkFor(h.rest, 'not-the-token'), 'account.list')
    expect(wrong.statusCode).toBe('401')
    expect(JSON.parse(wrong.rawBody)).toEqual({errorMessage: 'Insufficient authorization to perform request.'})
    const none = await sdk(sdkFor(h.rest, undefined), 'account.summary', h.account)
    expect(none.statusCode).toBe('401')
    const other = await sdk(h.api, 'account.summary', '101-001-9999999-001')
    expect(other.statusCode).toBe('403')
    expect(JSON.parse(other.rawBody).errorMessage).toEqual(expect.any(String))
    expect((await sdk(h.api, 'account.summary', 'not-an-account')).statusCode).toBe('400')
  })
})
