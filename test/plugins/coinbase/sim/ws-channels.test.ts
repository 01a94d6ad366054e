// What each channel of the simulator's websocket carries, message by message, with a bare `ws`
// client: ticker and ticker_batch, status, market_trades, candles, level2 over the synthesised
// book, and user (the order fields, the 50-order batches of the snapshot, a product filter).
import {afterEach, beforeEach, describe, expect, it} from 'vitest'
import {startCoinbaseWs, type CoinbaseWsServer} from '../../../../plugins/coinbase/src/sim/ws-server.js'
import {ManualWall} from '../../../../src/sectors/sim/clock.js'
import {FakeFeed, makeKeyPair, order, quote, USER_ID} from './ws-fake-feed.js'
import {type Msg, RawClient, wsFaults} from './ws-raw-client.js'

const T0 = Date.UTC(2026, 0, 5, 12, 0, 0, 0)

function events(m: Msg | undefined): Array<Record<string, unknown>> {
  return m?.events ?? []
}

describe('coinbase sim websocket channels', () => {
  const keys = makeKeyPair()
  let feed: FakeFeed
  let wall: ManualWall
  let server: CoinbaseWsServer
  let c: RawClient

  beforeEach(async () => {
    feed = new FakeFeed(keys.publicKey)
    wall = new ManualWall(0)
    server = await startCoinbaseWs({feed, faults: wsFaults(), wall})
    c = await RawClient.open(server.url)
  })

  afterEach(async () => {
    c.close()
    await server.close()
  })

  it('ticker: every field, the 24 h change from open24h; ticker_batch: no best bid/ask, every 5 s, only what changed', async () => {
    const [snap] = await c.request({type: 'subscribe', product_ids: ['BTC-USD'], channel: 'ticker'})
    expect(events(snap)).toEqual([
      {
        type: 'snapshot',
        tickers: [
          {
            type: 'ticker',
            product_id: 'BTC-USD',
            price: '60000.00',
            volume_24_h: '1234.50000000',
            low_24_h: '58800.00',
            high_24_h: '61200.00',
            low_52_w: '58800.00',
            high_52_w: '61200.00',
            price_percent_chg_24_h: String(((60000 - 59400) / 59400) * 100),
            best_bid: '59999.99',
            best_bid_quantity: '0.25000000',
            best_ask: '60000.01',
            best_ask_quantity: '0.40000000',
          },
        ],
      },
    ])
    const batch = await c.request({type: 'subscribe', product_ids: ['BTC-USD', 'ETH-USD'], channel: 'ticker_batch'})
    expect(batch.map((m) => m['channel'])).toEqual(['ticker_batch', 'subscriptions'])
    const tickers = events(batch[0])[0]?.['tickers'] as Array<Record<string, unknown>>
    expect(tickers.map((t) => t['product_id'])).toEqual(['BTC-USD', 'ETH-USD'])
    expect(Object.keys(tickers[0] ?? {})).not.toContain('best_bid')
    // The 52-week range widens with every price the market has shown.
    feed.move(quote('BTC-USD', '63000.00', T0 + 1_000, {high24h: '61200.00', low24h: '58800.00'}))
    expect(events(await c.next())[0]).toMatchObject({type: 'update', tickers: [{price: '63000.00', high_24_h: '61200.00', high_52_w: '63000.00', low_52_w: '58800.00'}]})
    wall.advance(4_999)
    await c.roundTrip()
    expect(c.unread).toBe(0)
    wall.advance(1)
    const update = await c.next()
    expect(update['channel']).toBe('ticker_batch')
    expect(events(update)).toEqual([{type: 'update', tickers: [expect.objectContaining({product_id: 'BTC-USD', price: '63000.00', high_52_w: '63000.00'})]}])
    wall.advance(5_000)
    await c.roundTrip()
    expect(c.unread).toBe(0)
  })

  it('a -USDC product is its -USD twin on market-data channels, and itself on user', async () => {
    const products = feed.products()
    feed.products = () => [...products, 'BTC-USDC', 'USDT-USDC']
    feed.quotes.set('BTC-USDC', quote('BTC-USDC', '60500.00', T0))
    feed.quotes.set('USDT-USDC', quote('USDT-USDC', '1.00', T0))
    const [snap, ack] = await c.request({type: 'subscribe', product_ids: ['BTC-USDC', 'USDT-USDC'], channel: 'ticker'})
    expect((events(snap)[0]?.['tickers'] as Array<Record<string, unknown>>).map((t) => [t['product_id'], t['price']])).toEqual([
      ['BTC-USD', '60000.00'],
      ['USDT-USDC', '1.00'],
    ])
    expect(events(ack)).toEqual([{subscriptions: {ticker: ['BTC-USD', 'USDT-USDC']}}])
  })

  it('status: the products with their increments and minimum funds, as the feed gives them (not read off the quotes)', async () => {
    const [snap, ack] = await c.request({type: 'subscribe', channel: 'status'})
    const rules = {BTC: ['0.00000001', '0.01', '1'], ETH: ['0.0001', '0.1', '5']} as const
    expect(events(snap)).toEqual([
      {
        type: 'snapshot',
        products: (['BTC', 'ETH'] as const).map((base) => ({
          product_type: 'SPOT',
          id: `${base}-USD`,
          base_currency: base,
          quote_currency: 'USD',
          base_increment: rules[base][0],
          quote_increment: rules[base][1],
          display_name: `${base}/USD`,
          status: 'online',
          status_message: '',
          min_market_funds: rules[base][2],
        })),
      },
    ])
    expect(events(ack)).toEqual([{subscriptions: {status: ['BTC-USD', 'ETH-USD']}}])
  })

  it('market_trades: recent trades newest first, then each trade with the maker side; candles: 5-minute buckets from the trades', async () => {
    const trade = (id: string, price: string, size: string, side: 'BUY' | 'SELL', ts: number): void =>
      feed.move(quote('BTC-USD', price, ts), {productId: 'BTC-USD', tradeId: id, price, size, side, ts})
    trade('1', '60010.00', '0.01000000', 'BUY', T0 + 1_000)
    trade('2', '60020.00', '0.02000000', 'SELL', T0 + 2_250)
    const [snap] = await c.request({type: 'subscribe', product_ids: ['BTC-USD'], channel: 'market_trades'})
    expect(events(snap)).toEqual([
      {
        type: 'snapshot',
        trades: [
          {trade_id: '2', product_id: 'BTC-USD', price: '60020.00', size: '0.02000000', side: 'BUY', time: '2026-01-05T12:00:02.25Z'},
          {trade_id: '1', product_id: 'BTC-USD', price: '60010.00', size: '0.01000000', side: 'SELL', time: '2026-01-05T12:00:01Z'},
        ],
      },
    ])
    const [candles] = await c.request({type: 'subscribe', product_ids: ['BTC-USD', 'ETH-USD'], channel: 'candles'})
    const start = String(T0 / 1000)
    expect(events(candles)).toEqual([
      {
        type: 'snapshot',
        candles: [
          {start, high: '60020.00', low: '60010.00', open: '60010.00', close: '60020.00', volume: '0.03000000', product_id: 'BTC-USD'},
          // No trade yet: the current bucket at the quoted price, with no volume.
          {start, high: '3000.00', low: '3000.00', open: '3000.00', close: '3000.00', volume: '0', product_id: 'ETH-USD'},
        ],
      },
    ])
    trade('3', '59990.00', '0.50000000', 'BUY', T0 + 299_999)
    expect(events(await c.next())).toEqual([{type: 'update', trades: [expect.objectContaining({trade_id: '3', side: 'SELL'})]}])
    // Candles are sent once a second, when they changed.
    await c.roundTrip()
    expect(c.unread).toBe(0)
    wall.advance(1_000)
    const c3 = await c.next()
    expect(events(c3)).toEqual([{type: 'update', candles: [{start, high: '60020.00', low: '59990.00', open: '60010.00', close: '59990.00', volume: '0.53000000', product_id: 'BTC-USD'}]}])
    trade('4', '59995.00', '0.10000000', 'SELL', T0 + 300_000)
    trade('5', '59996.00', '0.20000000', 'SELL', T0 + 300_400)
    await c.take(2)
    wall.advance(1_000)
    expect(events(await c.next())).toEqual([
      {type: 'update', candles: [{start: String(T0 / 1000 + 300), high: '59996.00', low: '59995.00', open: '59995.00', close: '59996.00', volume: '0.30000000', product_id: 'BTC-USD'}]},
    ])
    // A quote with no trade moves no candle and no tape; an unchanged candle is not sent again.
    feed.move(quote('BTC-USD', '59996.00', T0 + 301_000, {bestBidQuantity: '9.00000000'}))
    wall.advance(1_000)
    await c.roundTrip()
    expect(c.unread).toBe(0)
  })

  it('level2: a snapshot of 50 levels a side as l2_data, then only the changed levels, which rebuild the new book', async () => {
    const [snap, ack] = await c.request({type: 'subscribe', product_ids: ['BTC-USD'], channel: 'level2'})
    expect(snap?.['channel']).toBe('l2_data')
    expect(events(ack)).toEqual([{subscriptions: {level2: ['BTC-USD']}}])
    const ev = events(snap)[0] as {type: string; product_id: string; updates: Array<{side: string; event_time: string; price_level: string; new_quantity: string}>}
    expect([ev.type, ev.product_id, ev.updates.length]).toEqual(['snapshot', 'BTC-USD', 100])
    expect(ev.updates[0]).toEqual({side: 'bid', event_time: '2026-01-05T12:00:00Z', price_level: '59999.99', new_quantity: '0.25000000'})
    expect(ev.updates[1]?.price_level).toBe('59999.98')
    expect(ev.updates[50]).toMatchObject({side: 'offer', price_level: '60000.01', new_quantity: '0.40000000'})
    expect(ev.updates[99]?.price_level).toBe('60000.50')
    const book = new Map(ev.updates.map((u) => [`${u.side}|${u.price_level}`, u.new_quantity]))
    for (const q of book.values()) expect(Number(q)).toBeGreaterThan(0)

    feed.move(quote('BTC-USD', '60000.03', T0 + 1_500))
    const upd = events(await c.next())[0] as typeof ev
    expect(upd.type).toBe('update')
    expect(upd.updates.every((u) => u.event_time === '2026-01-05T12:00:01.5Z')).toBe(true)
    // Up three cents: three bids appear at the top, three drop off the bottom, the old best bid
    // takes its deep size; three asks leave the near end of the ask side, three join its far end.
    expect(upd.updates.length).toBe(14)
    for (const u of upd.updates) {
      if (u.new_quantity === '0') book.delete(`${u.side}|${u.price_level}`)
      else book.set(`${u.side}|${u.price_level}`, u.new_quantity)
    }
    const bids = [...book].filter(([k]) => k.startsWith('bid|')).map(([k, v]) => [Number(k.slice(4)), v] as const)
    const asks = [...book].filter(([k]) => k.startsWith('offer|')).map(([k, v]) => [Number(k.slice(6)), v] as const)
    bids.sort((a, b) => b[0] - a[0])
    asks.sort((a, b) => a[0] - b[0])
    expect([bids.length, asks.length]).toEqual([50, 50])
    expect(bids[0]).toEqual([60000.02, '0.25000000'])
    expect(asks[0]).toEqual([60000.04, '0.40000000'])
    expect(bids.at(-1)?.[0]).toBeCloseTo(59999.53, 6)
    // The same move seen by a new subscriber's snapshot: the updates told the whole story.
    const d = await RawClient.open(server.url)
    const [fresh] = await d.request({type: 'subscribe', product_ids: ['BTC-USD'], channel: 'level2'})
    d.close()
    const freshBook = new Map((events(fresh)[0] as typeof ev).updates.map((u) => [`${u.side}|${u.price_level}`, u.new_quantity]))
    expect(freshBook).toEqual(book)
  })

  it('level2 kept only while subscribed: a book that missed moves is shown at the current quote, and its updates follow from that snapshot', async () => {
    type L2 = {updates: Array<{side: string; price_level: string; new_quantity: string}>}
    const toBook = (m: Msg | undefined): Map<string, string> => new Map((events(m)[0] as L2).updates.map((u) => [`${u.side}|${u.price_level}`, u.new_quantity]))
    const bestBid = (b: Map<string, string>): number => Math.max(...[...b.keys()].filter((k) => k.startsWith('bid|')).map((k) => Number(k.slice(4))))
    // Moves nobody watches on level2 (c listens to ticker only).
    await c.request({type: 'subscribe', product_ids: ['BTC-USD'], channel: 'ticker'})
    feed.move(quote('BTC-USD', '60010.00', T0 + 1_000))
    feed.move(quote('BTC-USD', '60020.00', T0 + 2_000))
    await c.take(2)
    const [first] = await c.request({type: 'subscribe', product_ids: ['BTC-USD'], channel: 'level2'})
    const book = toBook(first)
    expect(bestBid(book)).toBeCloseTo(60019.99, 6)
    // Unsubscribed, the book goes stale through two moves; a new subscription shows the newest.
    await c.request({type: 'unsubscribe', product_ids: ['BTC-USD'], channel: 'level2'})
    feed.move(quote('BTC-USD', '60030.00', T0 + 3_000))
    feed.move(quote('BTC-USD', '60005.00', T0 + 4_000))
    await c.take(2)
    const [again] = await c.request({type: 'subscribe', product_ids: ['BTC-USD'], channel: 'level2'})
    const resumed = toBook(again)
    expect(bestBid(resumed)).toBeCloseTo(60004.99, 6)
    expect(resumed.size).toBe(100)
    // The next move's update, applied to that snapshot, gives what a newcomer's snapshot shows.
    feed.move(quote('BTC-USD', '60006.00', T0 + 5_000))
    const msgs = await c.take(2)
    const l2 = msgs.find((m) => m['channel'] === 'l2_data')
    for (const u of (events(l2)[0] as L2).updates) {
      if (u.new_quantity === '0') resumed.delete(`${u.side}|${u.price_level}`)
      else resumed.set(`${u.side}|${u.price_level}`, u.new_quantity)
    }
    const d = await RawClient.open(server.url)
    const [fresh] = await d.request({type: 'subscribe', product_ids: ['BTC-USD'], channel: 'level2'})
    d.close()
    expect(resumed).toEqual(toBook(fresh))
    expect(bestBid(resumed)).toBeCloseTo(60005.99, 6)
  })

  it('user: open orders in snapshots of 50 with empty positions, every field of an order, a product filter', async () => {
    for (let i = 0; i < 51; i++) feed.change(order({orderId: `o-${String(i).padStart(2, '0')}`, clientOrderId: `c-${i}`, productId: i === 50 ? 'ETH-USD' : 'BTC-USD'}))
    const {createPrivateKey, sign} = await import('node:crypto')
    const now = Math.floor(Date.now() / 1000)
    const part = (o: object): string => Buffer.from(JSON.stringify(o)).toString('base64url')
    const name = 'organizations/0b2f5b0a-1c1d-4e7b-9a51-3f0d2c9e7a11/apiKeys/6a4d8e2c-95b1-4f3a-8c7e-1d2b3c4d5e6f'
    const head = `${part({alg: 'ES256', kid: name, nonce: 'n', typ: 'JWT'})}.${part({sub: name, iss: 'cdp', nbf: now, exp: now + 120})}`
    const jwt = `${head}.${sign('sha256', Buffer.from(head), {key: createPrivateKey(keys.privatePem), dsaEncoding: 'ieee-p1363'}).toString('base64url')}`

    const all = await c.request({type: 'subscribe', channel: 'user', jwt})
    expect(events(all[2])).toEqual([{subscriptions: {user: [USER_ID]}}])
    expect(all.map((m) => [m['channel'], m['sequence_num']])).toEqual([
      ['user', 0],
      ['user', 1],
      ['subscriptions', 2],
    ])
    const first = events(all[0])[0] as {type: string; orders: Array<Record<string, unknown>>; positions: unknown}
    expect([first.type, first.orders.length, (events(all[1])[0] as typeof first).orders.length]).toEqual(['snapshot', 50, 1])
    expect(first.positions).toEqual({perpetual_futures_positions: [], expiring_futures_positions: [], prediction_market_positions: []})
    expect(first.orders[0]).toEqual({
      avg_price: '0',
      cancel_reason: '',
      client_order_id: 'c-0',
      completion_percentage: '0',
      contract_expiry_type: 'UNKNOWN_CONTRACT_EXPIRY_TYPE',
      cumulative_quantity: '0',
      filled_value: '0',
      leaves_quantity: '0.01000000',
      limit_price: '60000.00',
      number_of_fills: '0',
      order_id: 'o-00',
      order_side: 'BUY',
      order_type: 'LIMIT',
      outstanding_hold_amount: '606.00',
      post_only: 'false',
      product_id: 'BTC-USD',
      product_type: 'SPOT',
      reject_reason: '',
      risk_managed_by: 'UNKNOWN_RISK_MANAGEMENT_TYPE',
      status: 'OPEN',
      time_in_force: 'GOOD_UNTIL_CANCELLED',
      total_fees: '0',
      total_value_after_fees: '0',
      trigger_status: 'INVALID_ORDER_TYPE',
      creation_time: '2026-01-05T12:00:00.123Z',
    })

    // A second connection asking for ETH-USD only.
    const d = await RawClient.open(server.url)
    const eth = await d.request({type: 'subscribe', channel: 'user', product_ids: ['ETH-USD'], jwt})
    expect((events(eth[0])[0] as typeof first).orders.map((o) => o['order_id'])).toEqual(['o-50'])
    expect(events(eth[1])).toEqual([{subscriptions: {user: ['ETH-USD']}}])
    feed.change(
      order({
        orderId: 'o-07',
        side: 'SELL',
        type: 'STOP_LIMIT',
        stopPrice: '59000.00',
        status: 'FILLED',
        postOnly: false,
        filledSize: '0.01000000',
        filledValue: '590.00',
        averageFilledPrice: '59000.00',
        totalFees: '2.36',
        numberOfFills: 2,
        leavesQuantity: '0',
        outstandingHold: '0',
        endTs: T0 + 61_000,
        triggered: true,
      }),
    )
    feed.change(order({orderId: 'o-50', productId: 'ETH-USD', status: 'CANCELLED', leavesQuantity: '0', cancelReason: 'User requested cancel', endTs: T0 + 62_000}))
    const filled = events(await c.next())[0] as typeof first
    expect(filled.type).toBe('update')
    expect(filled.orders[0]).toMatchObject({
      order_id: 'o-07',
      order_side: 'SELL',
      order_type: 'STOP_LIMIT',
      stop_price: '59000.00',
      status: 'FILLED',
      completion_percentage: '100',
      number_of_fills: '2',
      total_value_after_fees: '587.64',
      trigger_status: 'STOP_TRIGGERED',
      end_time: '2026-01-05T12:01:01Z',
    })
    expect(events(await c.next())[0]).toMatchObject({orders: [{order_id: 'o-50', status: 'CANCELLED'}]})
    feed.change(order({orderId: 'o-51', type: 'STOP_LIMIT', stopPrice: '61000.00', limitPrice: '61010.00', triggered: false}))
    expect(events(await c.next())[0]).toMatchObject({orders: [{order_id: 'o-51', trigger_status: 'STOP_PENDING', stop_price: '61000.00', limit_price: '61010.00'}]})
    // Triggered, resting unfilled at its limit: STOP_TRIGGERED, still OPEN, no fills.
    feed.change(order({orderId: 'o-51', type: 'STOP_LIMIT', stopPrice: '61000.00', limitPrice: '61010.00', triggered: true}))
    expect(events(await c.next())[0]).toMatchObject({orders: [{order_id: 'o-51', status: 'OPEN', number_of_fills: '0', trigger_status: 'STOP_TRIGGERED'}]})
    expect(events(await d.next())[0]).toMatchObject({orders: [{order_id: 'o-50', status: 'CANCELLED', cancel_reason: 'User requested cancel'}]})
    await d.roundTrip()
    expect(d.unread).toBe(0)
    d.close()
  })
})
