// Raw HTTP against the simulator: Coinbase's exact answers — refusals in an HTTP 200, error layouts
// and status codes, list filters and cursors, candles' limits — and the fault switches.
import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {dec, makeJwt, raw, signed, startSim, T0, type Harness} from './harness.js'

const B = '/api/v3/brokerage'

describe('coinbase simulator, REST shapes and errors', () => {
  let h: Harness
  beforeAll(async () => {
    h = await startSim({startingCash: 10_000, balances: {ETH: '1'}})
  })
  afterAll(async () => h.close())

  const create = (body: Record<string, unknown>) => signed(h, 'POST', `${B}/orders`, body)
  const limitBuy = (id: string, size: string, price: string, extra: Record<string, unknown> = {}) => create({client_order_id: id, product_id: 'BTC-USD', side: 'BUY', order_configuration: {limit_limit_gtc: {base_size: size, limit_price: price, post_only: false, ...extra}}})

  async function bidAsk(product = 'BTC-USD'): Promise<{bid: number; ask: number}> {
    const r = await signed(h, 'GET', `${B}/best_bid_ask?product_ids=${product}`)
    const book = r.json.pricebooks[0]
    return {bid: Number(book.bids[0].price), ask: Number(book.asks[0].price)}
  }

  it('creates: {success, success_response, order_configuration} echoing the request', async () => {
    const r = await limitBuy('r-create', '0.001', '1000.00')
    expect(r.status).toBe(200)
    expect(r.json).toEqual({
      success: true,
      success_response: {order_id: expect.stringMatching(/^[0-9a-f-]{36}$/), product_id: 'BTC-USD', side: 'BUY', client_order_id: 'r-create'},
      order_configuration: {limit_limit_gtc: {base_size: '0.001', limit_price: '1000.00', post_only: false}},
    })
    const one = await signed(h, 'GET', `${B}/orders/historical/${r.json.success_response.order_id}`)
    expect(one.json.order).toMatchObject({status: 'OPEN', order_type: 'LIMIT', time_in_force: 'GOOD_UNTIL_CANCELLED', client_order_id: 'r-create', filled_size: '0.00000000', outstanding_hold_amount: '1.009', created_time: new Date(T0).toISOString()})
  })

  it('refuses in an HTTP 200: insufficient funds, precision, size limits, post-only, stop side, configuration', async () => {
    const refusal = async (body: Record<string, unknown>) => {
      const r = await create(body)
      expect(r.status).toBe(200)
      expect(r.json.success).toBe(false)
      expect(r.json.order_configuration).toEqual(body.order_configuration)
      return r.json.error_response
    }
    const order = (id: string, config: Record<string, unknown>, side = 'BUY', product = 'BTC-USD') => ({client_order_id: id, product_id: product, side, order_configuration: config})
    expect(await refusal(order('r-1', {limit_limit_gtc: {base_size: '1', limit_price: '50000.00', post_only: false}}))).toEqual({error: 'INSUFFICIENT_FUND', message: 'Insufficient balance in source account', error_details: '', preview_failure_reason: 'PREVIEW_INSUFFICIENT_FUND', new_order_failure_reason: 'INSUFFICIENT_FUND'})
    expect(await refusal(order('r-2', {market_market_ioc: {base_size: '2'}}, 'SELL', 'ETH-USD'))).toMatchObject({error: 'INSUFFICIENT_FUND'})
    expect(await refusal(order('r-3', {limit_limit_gtc: {base_size: '0.000000001', limit_price: '1000.00'}}))).toMatchObject({error: 'INVALID_SIZE_PRECISION', message: 'Too many decimals in order amount', preview_failure_reason: 'PREVIEW_INVALID_SIZE_PRECISION'})
    expect(await refusal(order('r-4', {limit_limit_gtc: {base_size: '0.001', limit_price: '1000.001'}}))).toMatchObject({error: 'INVALID_PRICE_PRECISION', message: 'Too many decimals in order price'})
    expect(await refusal(order('r-5', {limit_limit_gtc: {base_size: '0.00001', limit_price: '1000.00'}}))).toMatchObject({preview_failure_reason: 'PREVIEW_INVALID_QUOTE_SIZE_TOO_SMALL'})
    expect(await refusal(order('r-6', {market_market_ioc: {quote_size: '0.50'}}))).toMatchObject({preview_failure_reason: 'PREVIEW_INVALID_QUOTE_SIZE_TOO_SMALL'})
    expect(await refusal(order('r-7', {market_market_ioc: {base_size: '3401'}}))).toMatchObject({preview_failure_reason: 'PREVIEW_INVALID_BASE_SIZE_TOO_LARGE'})
    const {ask} = await bidAsk()
    expect(await refusal(order('r-8', {limit_limit_gtc: {base_size: '0.0001', limit_price: ask.toFixed(2), post_only: true}}))).toMatchObject({error: 'INVALID_LIMIT_PRICE_POST_ONLY', preview_failure_reason: 'PREVIEW_INVALID_LIMIT_PRICE_POST_ONLY'})
    const eth = await bidAsk('ETH-USD')
    // A stop-loss sell whose stop is above the last trade would fire at once: refused.
    expect(await refusal(order('r-9', {stop_limit_stop_limit_gtc: {base_size: '0.01', limit_price: (eth.bid + 5).toFixed(2), stop_price: (eth.ask + 10).toFixed(2), stop_direction: 'STOP_DIRECTION_STOP_DOWN'}}, 'SELL', 'ETH-USD'))).toMatchObject({preview_failure_reason: 'PREVIEW_STOP_PRICE_ABOVE_LAST_TRADE_PRICE'})
    expect(await refusal(order('r-9b', {stop_limit_stop_limit_gtc: {base_size: '0.01', limit_price: (eth.ask - 10).toFixed(2), stop_price: (eth.bid - 10).toFixed(2), stop_direction: 'STOP_DIRECTION_STOP_UP'}}, 'BUY', 'ETH-USD'))).toMatchObject({preview_failure_reason: 'PREVIEW_STOP_PRICE_BELOW_LAST_TRADE_PRICE'})
    expect(await refusal(order('r-10', {limit_limit_gtc: {base_size: '0.001'}}))).toMatchObject({error: 'UNSUPPORTED_ORDER_CONFIGURATION'})
    expect(await refusal(order('r-11', {bracket_magic: {base_size: '0.001'}}))).toMatchObject({error: 'UNSUPPORTED_ORDER_CONFIGURATION'})
    expect(await refusal(order('r-12', {market_market_ioc: {base_size: '0.001', quote_size: '10'}}))).toMatchObject({error: 'UNSUPPORTED_ORDER_CONFIGURATION'})
    expect(await refusal(order('r-13', {market_market_ioc: {base_size: '-1'}}))).toMatchObject({error: 'UNSUPPORTED_ORDER_CONFIGURATION'})
    expect(await refusal(order('r-14', {market_market_ioc: {base_size: '0.001'}}, 'BUY', 'NOPE-USD'))).toMatchObject({error: 'INVALID_PRODUCT_ID'})
    expect(await refusal(order('r-15', {market_market_ioc: {base_size: '0.001'}}, 'HOLD'))).toMatchObject({error: 'INVALID_SIDE'})
    // Nothing was created, no id is taken, no money is held.
    const list = await signed(h, 'GET', `${B}/orders/historical/batch`)
    expect(list.json.orders.map((o: {client_order_id: string}) => o.client_order_id).filter((id: string) => id.startsWith('r-') && id !== 'r-create')).toEqual([])
    const accounts = await signed(h, 'GET', `${B}/accounts`)
    const ethAccount = accounts.json.accounts.find((a: {currency: string}) => a.currency === 'ETH')
    expect(ethAccount.hold.value).toBe('0')
  })

  it('answers malformed bodies with a 400 INVALID_ARGUMENT, not a refusal', async () => {
    const bad = await raw(`${h.rest}${B}/orders`, {method: 'POST', body: '{not json', headers: {'Content-Type': 'application/json', Authorization: `Bearer ${makeJwt(h, {method: 'POST', path: `${B}/orders`})}`}})
    expect(bad.status).toBe(400)
    expect(bad.json.error).toBe('INVALID_ARGUMENT')
    const noId = await create({product_id: 'BTC-USD', side: 'BUY', order_configuration: {market_market_ioc: {quote_size: '10'}}})
    expect(noId.status).toBe(400)
    expect(noId.json).toMatchObject({error: 'INVALID_ARGUMENT', error_details: 'client_order_id is required'})
  })

  it('lists orders newest first with Coinbase filters and a cursor that survives new orders', async () => {
    const ids: string[] = []
    for (let i = 0; i < 5; i++) ids.push((await limitBuy(`r-page-${i}`, '0.001', `${1000 + i}.00`)).json.success_response.order_id)
    const page1 = await signed(h, 'GET', `${B}/orders/historical/batch?order_status=OPEN&product_ids=BTC-USD&limit=2`)
    expect(page1.json.orders.map((o: {client_order_id: string}) => o.client_order_id)).toEqual(['r-page-4', 'r-page-3'])
    expect(page1.json.has_next).toBe(true)
    await limitBuy('r-page-late', '0.001', '999.00')
    const page2 = await signed(h, 'GET', `${B}/orders/historical/batch?order_status=OPEN&product_ids=BTC-USD&limit=2&cursor=${page1.json.cursor}`)
    expect(page2.json.orders.map((o: {client_order_id: string}) => o.client_order_id)).toEqual(['r-page-2', 'r-page-1'])
    const mixed = await signed(h, 'GET', `${B}/orders/historical/batch?order_status=OPEN&order_status=FILLED`)
    expect(mixed.status).toBe(400)
    expect(mixed.json.error).toBe('INVALID_ARGUMENT')
    const none = await signed(h, 'GET', `${B}/orders/historical/batch?start_date=${encodeURIComponent(new Date(T0 + 86_400_000).toISOString())}`)
    expect(none.json).toEqual({orders: [], sequence: '0', has_next: false, cursor: ''})
    // batch_cancel: one result per id, unknown ids refused.
    const cancel = await signed(h, 'POST', `${B}/orders/batch_cancel`, {order_ids: [ids[0], 'nope']})
    expect(cancel.json).toEqual({results: [{success: true, failure_reason: 'UNKNOWN_CANCEL_FAILURE_REASON', order_id: ids[0]}, {success: false, failure_reason: 'UNKNOWN_CANCEL_ORDER', order_id: 'nope'}]})
    const missing = await signed(h, 'GET', `${B}/orders/historical/00000000-0000-4000-8000-000000000000`)
    expect(missing.status).toBe(404)
    expect(missing.json).toEqual({error: 'NOT_FOUND', error_details: 'order with this orderID was not found', message: 'order with this orderID was not found'})
  })

  it('pages accounts with a cursor and shows each wallet once', async () => {
    const first = await signed(h, 'GET', `${B}/accounts?limit=2`)
    expect(first.json).toMatchObject({has_next: true, size: 2})
    const rest = await signed(h, 'GET', `${B}/accounts?limit=250&cursor=${first.json.cursor}`)
    expect(rest.json.has_next).toBe(false)
    const currencies = [...first.json.accounts, ...rest.json.accounts].map((a: {currency: string}) => a.currency)
    expect(currencies.sort()).toEqual(['BTC', 'ETH', 'SOL', 'USD'])
    const usd = first.json.accounts.find((a: {currency: string}) => a.currency === 'USD')
    expect(usd).toMatchObject({name: 'USD Wallet', type: 'ACCOUNT_TYPE_FIAT', active: true, ready: true, available_balance: {currency: 'USD'}, hold: {currency: 'USD'}})
    const one = await signed(h, 'GET', `${B}/accounts/${usd.uuid}`)
    expect(one.json.account.uuid).toBe(usd.uuid)
  })

  it('serves candles up to 350 per request and Coinbase errors beyond; unknown products are 404', async () => {
    const path = `${B}/market/products/BTC-USD/candles`
    const end = Math.floor(T0 / 1000)
    const ok = await raw(`${h.rest}${path}?granularity=ONE_MINUTE&start=${end - 350 * 60}&end=${end}`)
    expect(ok.status).toBe(200)
    expect(ok.json.candles.length).toBeGreaterThan(300)
    expect(ok.json.candles.length).toBeLessThanOrEqual(350)
    expect(Number(ok.json.candles[0].start)).toBeGreaterThan(Number(ok.json.candles[1].start))
    expect(Object.keys(ok.json.candles[0]).sort()).toEqual(['close', 'high', 'low', 'open', 'start', 'volume'])
    const tooMany = await raw(`${h.rest}${path}?granularity=ONE_MINUTE&start=${end - 351 * 60}&end=${end}`)
    expect(tooMany.status).toBe(400)
    expect(tooMany.json).toEqual({error: 'INVALID_ARGUMENT', error_details: 'start and end argument is invalid - number of candles requested should be less than 350', message: 'start and end argument is invalid - number of candles requested should be less than 350'})
    expect((await raw(`${h.rest}${path}?granularity=TEN_MINUTE&start=${end - 600}&end=${end}`)).status).toBe(400)
    const unknown = await raw(`${h.rest}${B}/market/products/NOPE-USD`)
    expect(unknown.status).toBe(404)
    expect(unknown.json).toMatchObject({error: 'NOT_FOUND', message: 'Product NOPE-USD not supported'})
  })

  it('daily candles agree with the five-minute candles of the same day, a whole past day and today so far', async () => {
    const candles = async (granularity: string, start: number, end: number): Promise<Array<Record<string, string>>> => {
      const r = await raw(`${h.rest}${B}/market/products/ETH-USD/candles?granularity=${granularity}&start=${start}&end=${end}`)
      expect(r.status).toBe(200)
      return r.json.candles
    }
    const now = Math.floor(h.wall.now() / 1000)
    const warmup = await candles('ONE_DAY', now - 349 * 86_400, now)
    // The simulator keeps 30 days of prices: 30 whole days and today.
    expect(warmup.length).toBeGreaterThanOrEqual(30)
    const today = Math.floor(T0 / 86_400_000) * 86_400
    for (const day of [today - 86_400, today]) {
      const [daily] = await candles('ONE_DAY', day, day + 86_400)
      const fives = await candles('FIVE_MINUTE', day, day + 86_400)
      expect(fives.length).toBeGreaterThan(100)
      const sum = fives.reduce((acc, c) => acc + dec(c.volume as string), 0n)
      expect(daily).toEqual({
        start: String(day),
        open: fives.at(-1)?.open,
        close: fives[0]?.close,
        high: fives.map((c) => c.high as string).sort((a, b) => Number(b) - Number(a))[0],
        low: fives.map((c) => c.low as string).sort((a, b) => Number(a) - Number(b))[0],
        volume: daily?.volume,
      })
      expect(dec(daily?.volume as string)).toBe(sum)
      expect(warmup.find((c) => c.start === String(day))).toEqual(daily)
    }
  })

  it('answers 429 with Coinbase rate-limit body, 503, and executes nothing under them', async () => {
    h.sim.faults.set({http429: 1, http5xx: 1})
    const limited = await limitBuy('r-429', '0.001', '1000.00')
    expect(limited.status).toBe(429)
    expect(limited.json).toEqual({errors: [{id: 'rate_limit_exceeded', message: 'Too many requests'}]})
    const down = await limitBuy('r-503', '0.001', '1000.00')
    expect(down.status).toBe(503)
    const all = await signed(h, 'GET', `${B}/orders/historical/batch`)
    expect(all.json.orders.find((o: {client_order_id: string}) => o.client_order_id === 'r-429' || o.client_order_id === 'r-503')).toBeUndefined()
  })

  it('refuse fault: the next creates answer success:false with the chosen refusal; the control endpoint', async () => {
    const set = await raw(`${h.rest}/__sim/actions/refuse`, {method: 'POST', body: {count: 1, reason: 'INVALID_LIMIT_PRICE_POST_ONLY'}})
    expect(set.json.result).toEqual({refuse: 1, reason: 'INVALID_LIMIT_PRICE_POST_ONLY'})
    const refused = await limitBuy('r-refused', '0.001', '1000.00')
    expect(refused.json).toMatchObject({success: false, error_response: {error: 'INVALID_LIMIT_PRICE_POST_ONLY'}})
    expect((await limitBuy('r-after', '0.001', '1000.00')).json.success).toBe(true)
    const faults = await raw(`${h.rest}/__sim/faults`)
    expect(faults.json.actions).toEqual(expect.arrayContaining(['dropStreams', 'placeExternalOrder', 'refuse']))
    expect((await raw(`${h.rest}/__sim/faults`, {method: 'POST', body: {nope: 1}})).status).toBe(400)
    expect((await raw(`${h.rest}/__sim/actions/refuse`, {method: 'POST', body: {reason: 'MADE_UP'}})).status).toBe(400)
  })

  it('submitTimeout: the create is executed, its answer never comes; the order is found by client id', async () => {
    h.sim.faults.set({submitTimeout: 1, submitTimeoutHoldMs: 50})
    const pending = limitBuy('r-lost', '0.001', '1000.00').then(
      () => 'answered',
      () => 'cut',
    )
    // The connection is cut once the hold passes on the wall clock.
    for (let i = 0; i < 20 && h.wall.pending > 0; i++) {
      await new Promise((r) => setImmediate(r))
      h.wall.advance(10)
    }
    expect(await pending).toBe('cut')
    const list = await signed(h, 'GET', `${B}/orders/historical/batch?order_status=OPEN`)
    expect(list.json.orders.filter((o: {client_order_id: string}) => o.client_order_id === 'r-lost')).toHaveLength(1)
  })

  it('placeExternalOrder places an order rick did not make', async () => {
    const r = await raw(`${h.rest}/__sim/actions/placeExternalOrder`, {method: 'POST', body: {product_id: 'ETH-USD', side: 'SELL', base_size: '0.1'}})
    expect(r.json.result.success).toBe(true)
    const o = await signed(h, 'GET', `${B}/orders/historical/${r.json.result.success_response.order_id}`)
    expect(o.json.order).toMatchObject({status: 'FILLED', side: 'SELL', product_id: 'ETH-USD'})
  })
})
