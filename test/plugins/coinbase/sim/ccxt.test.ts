// The real ccxt coinbase client (4.5) against the simulator over TCP: markets as ccxt loads them
// (v2 currencies, v3 products, the fee tier), balances, every order kind rick sends with rick's own
// client_order_id, order lookups, cancels, fills, candles and fees.
import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {type CcxtCoinbase, type Harness, startSim, T0} from './harness.js'

describe('coinbase simulator, ccxt coinbase', () => {
  let h: Harness
  let ex: CcxtCoinbase

  beforeAll(async () => {
    h = await startSim({balances: {BTC: '0.5'}})
    ex = await h.client()
    await ex.loadMarkets()
  })
  afterAll(async () => h.close())

  /** Moves the wall (and, at 60x, the market) until `cond` holds; bounded. */
  async function advanceUntil(cond: () => Promise<boolean>, stepMs = 200, max = 50): Promise<void> {
    for (let i = 0; i < max; i++) {
      if (await cond()) return
      h.wall.advance(stepMs)
    }
    throw new Error('condition never held')
  }

  it('loads markets with the products increments, minimums and the fee tier', () => {
    const btc = ex.markets['BTC/USD']
    expect(btc?.id).toBe('BTC-USD')
    expect(btc?.precision).toEqual({amount: 1e-8, price: 0.01})
    expect(btc?.limits.amount.min).toBe(1e-8)
    expect(btc?.limits.cost.min).toBe(1)
    expect(btc?.taker).toBe(0.009)
    expect(btc?.maker).toBe(0.005)
    expect(Object.keys(ex.markets).sort()).toEqual(['BTC/USD', 'ETH/USD', 'SOL/USD'])
    expect(ex.currencies.BTC).toBeDefined()
    expect(ex.currencies.USD).toBeDefined()
  })

  it('fetches the v3 balance: USD cash and the coins, free + used = total', async () => {
    const b = await ex.fetchBalance({v3: true})
    expect(b.USD).toEqual({free: 100000, used: 0, total: 100000})
    expect(b.BTC.total).toBe(0.5)
    expect(b.ETH.total).toBe(0)
  })

  it('market buy by quote and market sell by base, with rick client ids; fetchOrder and fetchMyTrades agree', async () => {
    // ccxt sizes a spot market buy in quote (its cost).
    const a = await ex.createOrder('ETH/USD', 'market', 'buy', 50, undefined, {client_order_id: 'rick-mkt-quote', createMarketBuyOrderRequiresPrice: false})
    expect(a.clientOrderId).toBe('rick-mkt-quote')
    const got = await ex.fetchOrder(a.id)
    expect(got.status).toBe('closed')
    expect(got.clientOrderId).toBe('rick-mkt-quote')
    expect(got.info.order_configuration).toEqual({market_market_ioc: {quote_size: '50'}})
    expect(got.info.size_in_quote).toBe(true)
    const trades = await ex.fetchMyTrades('ETH/USD')
    const mine = trades.filter((t) => t.order === a.id)
    expect(mine).toHaveLength(1)
    expect(mine[0].takerOrMaker).toBe('taker')
    expect(Number(got.info.total_fees)).toBeCloseTo(mine[0].fee.cost, 10)
    // A quote-sized buy spends at most its quote size, fees included.
    expect(Number(got.info.total_value_after_fees)).toBeLessThanOrEqual(50)
    expect(Number(got.info.total_value_after_fees)).toBeGreaterThan(49.9)

    const s = await ex.createOrder('BTC/USD', 'market', 'sell', 0.01, undefined, {client_order_id: 'rick-mkt-sell'})
    const sold = await ex.fetchOrder(s.id)
    expect(sold.status).toBe('closed')
    expect(sold.filled).toBe(0.01)
    expect(sold.info.order_configuration).toEqual({market_market_ioc: {base_size: '0.01'}})
  })

  it('a resting limit buy is open, shows its hold, and fills as maker at its limit when the ask comes down to it', async () => {
    const book = await ex.fetchOrderBook('SOL/USD', 1)
    const bid = book.bids[0][0] as number
    const o = await ex.createOrder('SOL/USD', 'limit', 'buy', 2, bid, {client_order_id: 'rick-lmt-1'})
    const open = await ex.fetchOpenOrders('SOL/USD')
    expect(open.map((x) => x.id)).toContain(o.id)
    const held = await ex.fetchBalance({v3: true})
    // Hold = limit × size × (1 + taker rate).
    expect(held.USD.used).toBeCloseTo(bid * 2 * 1.009, 6)
    await advanceUntil(async () => (await ex.fetchOrder(o.id)).status === 'closed')
    const done = await ex.fetchOrder(o.id)
    expect(done.average).toBe(bid)
    const fills = (await ex.fetchMyTrades('SOL/USD')).filter((t) => t.order === o.id)
    expect(fills.map((f) => f.takerOrMaker)).toEqual(['maker'])
    expect(fills[0].fee.cost).toBeCloseTo(bid * 2 * 0.005, 9)
    expect((await ex.fetchBalance({v3: true})).USD.used).toBe(0)
  })

  it('post-only that would cross is refused (HTTP 200 success:false) and creates nothing', async () => {
    const book = await ex.fetchOrderBook('BTC/USD', 1)
    const ask = book.asks[0][0] as number
    await expect(ex.createOrder('BTC/USD', 'limit', 'buy', 0.001, ask, {client_order_id: 'rick-po', postOnly: true})).rejects.toThrow(/INVALID_LIMIT_PRICE_POST_ONLY/)
    const all = await ex.fetchOpenOrders()
    expect(all.find((x) => x.clientOrderId === 'rick-po')).toBeUndefined()
  })

  it('cancelOrder cancels an open limit order and releases its hold', async () => {
    const book = await ex.fetchOrderBook('BTC/USD', 1)
    const low = Math.round((book.bids[0][0] as number) * 0.9 * 100) / 100
    const o = await ex.createOrder('BTC/USD', 'limit', 'buy', 0.01, low, {client_order_id: 'rick-cxl'})
    expect((await ex.fetchBalance({v3: true})).USD.used).toBeGreaterThan(0)
    await ex.cancelOrder(o.id)
    expect((await ex.fetchOrder(o.id)).status).toBe('canceled')
    expect((await ex.fetchBalance({v3: true})).USD.used).toBe(0)
    // A second cancel is refused by Coinbase, which ccxt turns into an error.
    await expect(ex.cancelOrder(o.id)).rejects.toThrow(/cancelOrders\(\) has failed/)
  })

  it('a stop-limit sell waits for its stop, then works as a limit', async () => {
    const ticker = await ex.fetchTicker('BTC/USD')
    const last = ticker.last as number
    const stop = Math.round((last - 0.05) * 100) / 100
    const limit = Math.round((last - 50) * 100) / 100
    const o = await ex.createOrder('BTC/USD', 'limit', 'sell', 0.02, limit, {client_order_id: 'rick-stop', stopPrice: stop, stop_direction: 'STOP_DIRECTION_STOP_DOWN'})
    const placed = await ex.fetchOrder(o.id)
    expect(placed.triggerPrice).toBe(stop)
    expect(placed.info.trigger_status).toBe('STOP_PENDING')
    expect(placed.info.order_type).toBe('STOP_LIMIT')
    await advanceUntil(async () => (await ex.fetchOrder(o.id)).status === 'closed', 100, 200)
    const done = await ex.fetchOrder(o.id)
    expect(done.info.trigger_status).toBe('STOP_TRIGGERED')
    expect(done.average).toBeGreaterThanOrEqual(limit)
  })

  it('a repeated client_order_id creates nothing and answers with the first order', async () => {
    const first = await ex.createOrder('ETH/USD', 'limit', 'buy', 0.01, 100, {client_order_id: 'rick-dup'})
    const again = await ex.createOrder('ETH/USD', 'limit', 'buy', 0.05, 99, {client_order_id: 'rick-dup'})
    expect(again.id).toBe(first.id)
    const open = (await ex.fetchOpenOrders('ETH/USD')).filter((x) => x.clientOrderId === 'rick-dup')
    expect(open).toHaveLength(1)
    expect(open[0].amount).toBe(0.01)
    await ex.cancelOrder(first.id)
  })

  it('fetches candles of sim time and the trading fees', async () => {
    const candles = await ex.fetchOHLCV('BTC/USD', '1m', T0 - 60 * 60_000, 30)
    expect(candles.length).toBeGreaterThan(20)
    for (const [ts, o, hi, lo, c, v] of candles) {
      expect((ts as number) % 60_000).toBe(0)
      expect(hi).toBeGreaterThanOrEqual(Math.max(o as number, c as number))
      expect(lo).toBeLessThanOrEqual(Math.min(o as number, c as number))
      expect(v).toBeGreaterThan(0)
    }
    // Oldest first in ccxt, and within what was asked.
    expect(candles[0]?.[0]).toBeGreaterThanOrEqual(T0 - 60 * 60_000)
    const fees = await ex.fetchTradingFees()
    expect(fees['BTC/USD']).toMatchObject({maker: 0.005, taker: 0.009})
    expect(await ex.fetchTime({method: 'v3PublicGetBrokerageTime'})).toBeGreaterThanOrEqual(T0)
  })
})
