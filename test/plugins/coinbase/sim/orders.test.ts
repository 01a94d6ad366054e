// Order kinds beyond the everyday three (IOC, FOK, GTD expiry), frozen prices, answers that come
// late, and the v2 account list ccxt's fetchBalance reads by default.
import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {raw, signed, startSim, T0, type Harness} from './harness.js'

const B = '/api/v3/brokerage'

describe('coinbase simulator, order kinds and time', () => {
  let h: Harness
  beforeAll(async () => {
    h = await startSim({balances: {BTC: '0.1'}})
  })
  afterAll(async () => h.close())

  const create = (id: string, config: Record<string, unknown>, side = 'BUY') => signed(h, 'POST', `${B}/orders`, {client_order_id: id, product_id: 'BTC-USD', side, order_configuration: config})
  const order = async (id: string) => (await signed(h, 'GET', `${B}/orders/historical/${id}`)).json.order
  const top = async () => {
    const r = await signed(h, 'GET', `${B}/best_bid_ask?product_ids=BTC-USD`)
    return {bid: Number(r.json.pricebooks[0].bids[0].price), ask: Number(r.json.pricebooks[0].asks[0].price)}
  }

  it('IOC that cannot fill is cancelled at once; FOK that can fills whole as taker', async () => {
    const {bid, ask} = await top()
    const ioc = await create('k-ioc', {sor_limit_ioc: {base_size: '0.01', limit_price: (bid - 100).toFixed(2)}})
    expect(await order(ioc.json.success_response.order_id)).toMatchObject({status: 'CANCELLED', time_in_force: 'IMMEDIATE_OR_CANCEL', filled_size: '0.00000000', outstanding_hold_amount: '0'})
    const fok = await create('k-fok', {limit_limit_fok: {base_size: '0.01', limit_price: (ask + 100).toFixed(2)}})
    const filled = await order(fok.json.success_response.order_id)
    expect(filled).toMatchObject({status: 'FILLED', time_in_force: 'FILL_OR_KILL', filled_size: '0.01000000', average_filled_price: ask.toFixed(2)})
    const post = await create('k-fok-po', {limit_limit_fok: {base_size: '0.01', limit_price: (ask + 100).toFixed(2), post_only: true}})
    expect(post.json.error_response.error).toBe('POST_ONLY_NOT_ALLOWED_WITH_FOK')
  })

  it('GTD expires at its end_time (sim time) and gives back its hold', async () => {
    const {bid} = await top()
    const end = new Date(T0 + 10 * 60_000).toISOString()
    const r = await create('k-gtd', {limit_limit_gtd: {base_size: '0.01', limit_price: (bid * 0.8).toFixed(2), end_time: end, post_only: false}})
    const id = r.json.success_response.order_id
    expect((await order(id)).time_in_force).toBe('GOOD_UNTIL_DATE_TIME')
    // 60x: 12 wall seconds are 12 sim minutes.
    for (let i = 0; i < 12; i++) h.wall.advance(1000)
    const o = await order(id)
    expect(o.status).toBe('EXPIRED')
    expect(o.outstanding_hold_amount).toBe('0')
    const past = await create('k-gtd-past', {limit_limit_gtd: {base_size: '0.01', limit_price: (bid * 0.8).toFixed(2), end_time: new Date(T0).toISOString()}})
    expect(past.json.error_response.preview_failure_reason).toBe('PREVIEW_INVALID_END_TIME')
  })

  it('freezePrices: the market stands still and a resting order is not filled while frozen', async () => {
    h.sim.faults.set({freezePrices: true})
    const before = await top()
    const r = await create('k-frozen', {limit_limit_gtc: {base_size: '0.01', limit_price: before.bid.toFixed(2), post_only: false}})
    const id = r.json.success_response.order_id
    for (let i = 0; i < 10; i++) h.wall.advance(500)
    expect(await top()).toEqual(before)
    expect((await order(id)).status).toBe('OPEN')
    h.sim.faults.set({freezePrices: false})
    await signed(h, 'POST', `${B}/orders/batch_cancel`, {order_ids: [id]})
  })

  it('latencyMs: the answer waits on the wall clock; the request has been executed already', async () => {
    h.sim.faults.set({latencyMs: 500})
    const timers = h.wall.pending
    let answered = false
    const pending = create('k-late', {market_market_ioc: {base_size: '0.001'}}, 'SELL').then((r) => {
      answered = true
      return r
    })
    // The answer is parked on a wall timer (bounded wait for the request to arrive).
    const deadline = performance.now() + 2000
    while (h.wall.pending <= timers && performance.now() < deadline) await new Promise((r) => setTimeout(r, 5))
    expect(h.wall.pending).toBe(timers + 1)
    expect(answered).toBe(false)
    h.sim.faults.set({latencyMs: 0})
    const list = await signed(h, 'GET', `${B}/orders/historical/batch?order_status=FILLED`)
    expect(list.json.orders.some((o: {client_order_id: string}) => o.client_order_id === 'k-late')).toBe(true)
    h.wall.advance(600)
    expect((await pending).json.success).toBe(true)
  })

  it('v2 accounts (ccxt fetchBalance default) give each whole balance', async () => {
    const r = await signed(h, 'GET', '/v2/accounts?limit=250')
    expect(r.status).toBe(200)
    const btc = r.json.data.find((a: {currency: {code: string}}) => a.currency.code === 'BTC')
    expect(btc).toMatchObject({type: 'wallet', balance: {currency: 'BTC'}, resource: 'account'})
    const v3 = await signed(h, 'GET', `${B}/accounts`)
    const v3btc = v3.json.accounts.find((a: {currency: string}) => a.currency === 'BTC')
    expect(Number(btc.balance.amount)).toBeCloseTo(Number(v3btc.available_balance.value) + Number(v3btc.hold.value), 12)
    expect((await raw(`${h.rest}/v2/accounts`)).status).toBe(401)
  })
})

describe('coinbase simulator, products it was asked for', () => {
  it('lists a USDC twin with its USD increments and an unknown coin with its quote usual ones', async () => {
    const h = await startSim({instruments: ['BTC-USDC', 'PEPE-USD']})
    try {
      const r = await raw(`${h.rest}${B}/market/products`)
      expect(r.json.products.map((p: {product_id: string}) => p.product_id)).toEqual(['BTC-USDC', 'PEPE-USD'])
      expect(r.json.products[0]).toMatchObject({base_increment: '0.00000001', quote_increment: '0.01', quote_currency_id: 'USDC'})
      const accounts = await signed(h, 'GET', `${B}/accounts`)
      expect(accounts.json.accounts.map((a: {currency: string}) => a.currency).sort()).toEqual(['BTC', 'PEPE', 'USD', 'USDC'])
      // No USDC at start: buying BTC-USDC is refused for funds, not for anything else.
      const buy = await signed(h, 'POST', `${B}/orders`, {client_order_id: 'u-1', product_id: 'BTC-USDC', side: 'BUY', order_configuration: {market_market_ioc: {quote_size: '10'}}})
      expect(buy.json.error_response.error).toBe('INSUFFICIENT_FUND')
      const ext = await raw(`${h.rest}/__sim/actions/placeExternalOrder`, {method: 'POST', body: {product_id: 'PEPE-USD'}})
      expect(ext.json.result).toMatchObject({success: true, success_response: {product_id: 'PEPE-USD', side: 'BUY'}})
    } finally {
      await h.close()
    }
  })
})
