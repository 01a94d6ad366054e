// The whole simulator, REST and websocket together, through the real ccxt pro coinbase client: an
// order made over REST reaches the user channel (created, filled, cancelled), the market's moves
// reach the ticker, and a revoked key is refused on the websocket too. This is the seam
// (ws-feed.ts) as the exchange implements it, end to end.
import {createRequire} from 'node:module'
import {dirname, join} from 'node:path'
import {pathToFileURL} from 'node:url'
import {afterEach, beforeEach, describe, expect, it} from 'vitest'

import {type Harness, makeJwt, signed, startSim} from './harness.js'
import {type Msg, RawClient} from './ws-raw-client.js'

interface ProCoinbase {
  urls: {api: Record<string, string>}
  loadMarkets(): Promise<unknown>
  loadHttpProxyAgent(): Promise<unknown>
  watchOrders(symbol?: string): Promise<Array<{id: string; clientOrderId: string; status: string; filled: number}>>
  watchTicker(symbol: string): Promise<{last: number; bid: number; ask: number; timestamp: number}>
  createOrder(symbol: string, type: string, side: string, amount: number, price?: number, params?: Record<string, unknown>): Promise<{id: string}>
  cancelOrder(id: string): Promise<unknown>
  fetchOrderBook(symbol: string, limit?: number): Promise<{bids: number[][]; asks: number[][]}>
  close(): Promise<void>
}

async function proClient(h: Harness): Promise<ProCoinbase> {
  const entry = createRequire(import.meta.url).resolve('ccxt')
  const file = join(dirname(entry), '..', 'js', 'src', 'pro', 'coinbase.js')
  const Pro = ((await import(pathToFileURL(file).href)) as {default: new (c: Record<string, unknown>) => ProCoinbase}).default
  const ex = new Pro({apiKey: h.apiKey, secret: h.apiSecret, enableRateLimit: false, timeout: 5000})
  ex.urls.api = {...ex.urls.api, rest: h.rest, ws: h.sim.endpoints.ws as string}
  await ex.loadHttpProxyAgent()
  await ex.loadMarkets()
  return ex
}

describe('coinbase simulator, REST and websocket together (ccxt pro)', () => {
  let h: Harness
  const clients: ProCoinbase[] = []
  beforeEach(async () => {
    h = await startSim({balances: {BTC: '1'}})
  })
  afterEach(async () => {
    for (const c of clients.splice(0)) await c.close().catch(() => undefined)
    await h.close()
  })
  const client = async () => {
    const c = await proClient(h)
    clients.push(c)
    return c
  }

  it('an order made over REST shows on the user channel as it opens and is cancelled, a market order as it fills', async () => {
    const ex = await client()
    // The subscription's snapshot (no open orders yet) completes the first watch.
    const subscribed = ex.watchOrders('BTC/USD')
    const book = await ex.fetchOrderBook('BTC/USD', 1)
    const bid = book.bids[0]?.[0] as number
    const created = await ex.createOrder('BTC/USD', 'limit', 'buy', 0.01, Math.round(bid * 0.9 * 100) / 100, {client_order_id: 'feed-limit'})
    let seen = await subscribed
    for (let i = 0; i < 5 && !seen.some((o) => o.id === created.id); i++) seen = await ex.watchOrders('BTC/USD')
    expect(seen.find((o) => o.id === created.id)).toMatchObject({clientOrderId: 'feed-limit', status: 'open'})
    const cancelled = ex.watchOrders('BTC/USD')
    await ex.cancelOrder(created.id)
    expect((await cancelled).find((o) => o.id === created.id)?.status).toBe('canceled')
    const filled = ex.watchOrders('BTC/USD')
    const sold = await ex.createOrder('BTC/USD', 'market', 'sell', 0.02, undefined, {client_order_id: 'feed-market'})
    let updates = await filled
    for (let i = 0; i < 5 && updates.find((o) => o.id === sold.id)?.status !== 'closed'; i++) updates = await ex.watchOrders('BTC/USD')
    expect(updates.find((o) => o.id === sold.id)).toMatchObject({clientOrderId: 'feed-market', status: 'closed', filled: 0.02})
  })

  it('the ticker follows the price path as the wall clock moves', async () => {
    const ex = await client()
    const first = await ex.watchTicker('BTC/USD')
    const next = ex.watchTicker('BTC/USD')
    for (let i = 0; i < 20; i++) h.wall.advance(100)
    const moved = await next
    expect(moved.timestamp).toBeGreaterThan(first.timestamp)
    expect(moved.ask).toBeGreaterThan(moved.bid)
    // dropStreams reaches the websocket server: the client's socket is cut.
    expect(await h.sim.faults.act('dropStreams')).toEqual({cut: 1})
  })

  it('revokeKey: the user channel refuses the key too', async () => {
    h.sim.faults.set({revokeKey: true})
    const ex = await client().catch((e: unknown) => e)
    // loadMarkets itself needs the key (transaction_summary), so ccxt stops there.
    expect(String(ex)).toMatch(/401|Unauthorized|AuthenticationError/i)
    h.sim.faults.set({revokeKey: false})
    const ok = await client()
    h.sim.faults.set({revokeKey: true})
    await expect(ok.watchOrders('BTC/USD')).rejects.toThrow('authentication failure')
  })

  it('the seam carries the catalogue rules to status, the key\'s user to the user acknowledgement, and a stop\'s trigger state as it rests', async () => {
    const c = await RawClient.open(h.sim.endpoints.ws as string)
    try {
      const [status] = await c.request({type: 'subscribe', channel: 'status', product_ids: ['BTC-USD']})
      expect(status?.events?.[0]?.['products']).toMatchObject([{id: 'BTC-USD', base_increment: '0.00000001', quote_increment: '0.01', min_market_funds: '1'}])
      const jwt = makeJwt(h, {method: 'GET', path: ''}, {uri: null})
      const user = await c.request({type: 'subscribe', channel: 'user', jwt})
      const ack = user[user.length - 1]?.events?.[0]?.['subscriptions'] as {user: string[]}

      // A sell stop one cent under the last trade, its limit far above the market: once a trade
      // reaches the stop, it rests as a limit sell that nothing fills.
      const last = Number((await signed(h, 'GET', '/api/v3/brokerage/products/BTC-USD')).json.price)
      const stop = (last - 0.01).toFixed(2)
      const limit = (last * 1.2).toFixed(2)
      const created = await signed(h, 'POST', '/api/v3/brokerage/orders', {
        client_order_id: 'seam-stop',
        product_id: 'BTC-USD',
        side: 'SELL',
        order_configuration: {stop_limit_stop_limit_gtc: {base_size: '0.01', limit_price: limit, stop_price: stop, stop_direction: 'STOP_DIRECTION_STOP_DOWN'}},
      })
      expect(created.json.success).toBe(true)
      const id = created.json.success_response.order_id as string
      const rest = (await signed(h, 'GET', `/api/v3/brokerage/orders/historical/${id}`)).json.order
      expect(ack.user).toEqual([rest.user_id])

      const updates: Array<Record<string, unknown>> = []
      const mine = (m: Msg): Array<Record<string, unknown>> => ((m.events?.[0]?.['orders'] ?? []) as Array<Record<string, unknown>>).filter((o) => o['order_id'] === id)
      updates.push(...mine(await c.next()))
      expect(updates[0]).toMatchObject({status: 'OPEN', trigger_status: 'STOP_PENDING'})
      for (let i = 0; i < 100 && !updates.some((u) => u['trigger_status'] === 'STOP_TRIGGERED'); i++) {
        h.wall.advance(200)
        await c.roundTrip()
        while (c.unread > 0) updates.push(...mine(await c.next()))
      }
      expect(updates[updates.length - 1]).toMatchObject({status: 'OPEN', trigger_status: 'STOP_TRIGGERED', number_of_fills: '0', limit_price: limit})
      expect((await signed(h, 'GET', `/api/v3/brokerage/orders/historical/${id}`)).json.order).toMatchObject({status: 'OPEN', trigger_status: 'STOP_TRIGGERED'})
    } finally {
      c.close()
    }
  })
})
