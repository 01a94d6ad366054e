// The channels' snapshots, sent on a subscription before its acknowledgement (recorded sessions
// number the snapshot 0 and the `subscriptions` message 1), and which connection wants what.
//
//   | channel       | snapshot                                          | then                          |
//   |---------------|---------------------------------------------------|-------------------------------|
//   | heartbeats    | —                                                 | one a second (the server's)   |
//   | status        | the products, one message                         | nothing: products never change|
//   | ticker        | the products' tickers, one message                | a ticker per market change    |
//   | ticker_batch  | the same without best bid/ask                     | every 5 s, the changed ones   |
//   | market_trades | recent trades, newest first, a message a product  | each trade                    |
//   | candles       | the latest 5-minute candle of each product        | each second, the changed ones |
//   | level2        | the synthesised book, a message a product         | the levels that changed       |
//   | user          | open orders, 50 a message, and empty positions    | each order change             |
import type {CoinbaseWsFeed, FeedQuote} from './ws-feed.js'
import type {WsMarket} from './ws-market.js'
import type {ClientRequest} from './ws-protocol.js'
import type {WsSession} from './ws-session.js'
import {candleKey, candleView, type Channel, emptyPositions, type JsonObject, l2View, type StatusProduct, statusProductView, tickerView, tradeView, userOrderView} from './ws-wire.js'

export const USER_SNAPSHOT_BATCH = 50

export interface ChannelContext {
  feed: CoinbaseWsFeed
  market: WsMarket
}

/** -USDC products that are markets of their own on every channel (the reference names these two). */
const OWN_USDC_MARKETS: ReadonlySet<string> = new Set(['USDT-USDC', 'EURC-USDC'])

/**
 * "Subscribing to -USDC based products are only available on the user channel. Other channels
 * will return the same data as the corresponding -USD based products": a market-data subscription
 * to X-USDC is one to X-USD when the simulator lists X-USD too (ccxt expects exactly that).
 */
export function marketDataProduct(productId: string, products: ReadonlySet<string>): string {
  if (!productId.endsWith('-USDC') || OWN_USDC_MARKETS.has(productId)) return productId
  const usd = productId.slice(0, -1)
  return products.has(usd) ? usd : productId
}

/** What the acknowledgement lists for a request: its products, or the channel's key when none. */
export function subscriptionKeys(req: ClientRequest, ctx: ChannelContext): string[] {
  if (req.productIds.length > 0) {
    if (req.channel === 'user' || req.channel === 'heartbeats') return req.productIds
    const known = new Set(ctx.feed.products())
    return [...new Set(req.productIds.map((id) => marketDataProduct(id, known)))]
  }
  switch (req.channel) {
    case 'heartbeats':
      return ['heartbeats']
    case 'user':
      // The acknowledgement names the key's user ("subscriptions":{"user":["<uuid>"]}).
      return [req.userId ?? '']
    default:
      return [...ctx.feed.products()]
  }
}

/** Whether a connection receives a channel's message about a product. */
export function wants(session: WsSession, channel: Channel, productId: string): boolean {
  if (channel === 'user' && session.userKey !== undefined && session.has('user', session.userKey)) return true
  return session.has(channel, productId)
}

function quotes(ctx: ChannelContext, productIds: readonly string[]): FeedQuote[] {
  const out: FeedQuote[] = []
  for (const id of productIds) {
    const q = ctx.feed.quote(id)
    if (q !== undefined) out.push(q)
  }
  return out
}

export function tickerKey(q: FeedQuote): string {
  return `${q.price}|${q.volume24h}|${q.low24h}|${q.high24h}|${q.open24h}`
}

export function sendSnapshot(session: WsSession, req: ClientRequest, keys: readonly string[], ctx: ChannelContext): void {
  const now = ctx.feed.now()
  const products = req.channel === 'user' || req.channel === 'heartbeats' ? req.productIds : keys
  switch (req.channel) {
    case 'heartbeats':
      return
    case 'status':
      session.send('status', now, [{type: 'snapshot', products: statusProducts(ctx, products).map(statusProductView)}])
      return
    case 'ticker':
    case 'ticker_batch': {
      const batch = req.channel === 'ticker_batch'
      const qs = quotes(ctx, products)
      if (batch) for (const q of qs) session.batchSent.set(q.productId, tickerKey(q))
      session.send(req.channel, now, [{type: 'snapshot', tickers: qs.map((q) => tickerView(q, ctx.market.extremes(q), batch))}])
      return
    }
    case 'market_trades':
      for (const id of products) session.send('market_trades', now, [{type: 'snapshot', trades: ctx.market.recentTrades(id).map(tradeView)}])
      return
    case 'candles': {
      const candles = quotes(ctx, products).map((q) => ctx.market.candle(q, now))
      for (const c of candles) session.candleSent.set(c.productId, candleKey(c))
      session.send('candles', now, [{type: 'snapshot', candles: candles.map(candleView)}])
      return
    }
    case 'level2':
      for (const q of quotes(ctx, products)) session.send('level2', now, [{type: 'snapshot', product_id: q.productId, updates: ctx.market.book(q).map((l) => l2View(l, now))}])
      return
    case 'user': {
      const filter = new Set(req.productIds)
      const orders = ctx.feed.openOrders().filter((o) => filter.size === 0 || filter.has(o.productId))
      const batches: JsonObject[][] = []
      for (let i = 0; i < orders.length; i += USER_SNAPSHOT_BATCH) batches.push(orders.slice(i, i + USER_SNAPSHOT_BATCH).map(userOrderView))
      if (batches.length === 0) batches.push([])
      for (const batch of batches) session.send('user', now, [{type: 'snapshot', orders: batch, positions: emptyPositions()}])
      return
    }
  }
}

function statusProducts(ctx: ChannelContext, productIds: readonly string[]): StatusProduct[] {
  const out: StatusProduct[] = []
  for (const id of productIds) {
    const p = ctx.feed.product(id)
    if (p !== undefined) out.push({id: p.productId, baseIncrement: p.baseIncrement, quoteIncrement: p.quoteIncrement, minMarketFunds: p.minMarketFunds})
  }
  return out
}
