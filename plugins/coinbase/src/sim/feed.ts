// The exchange side of the seam (ws-feed.ts): what the websocket server hears. Quotes are pushed from
// the simulator's pulse, one per step of the price path where the market moved (with the trade that
// moved it), and one per fill of the account's own orders; order changes come from the exchange as
// they happen. A pulse that finds many steps behind it (a stalled process) sends only the newest
// minute of them rather than a burst.
import type {SimKey} from './credentials.js'
import type {Exchange} from './exchange.js'
import {verifyJwt} from './jwt.js'
import type {Market, TapeTrade, Tick} from './market.js'
import type {CoinbaseWsFeed, FeedAuth, FeedOrder, FeedProduct, FeedQuote, FeedTrade} from './ws-feed.js'
import {feedOrder} from './views.js'

const MAX_STEPS_PER_PULSE = 60

export interface FeedDeps {
  market: Market
  exchange: Exchange
  key: SimKey
  userId: string
  portfolioId: string
  now(): number
  wallNow(): number
  revoked(): boolean
}

export class ExchangeFeed implements CoinbaseWsFeed {
  private readonly marketListeners = new Set<(quote: FeedQuote, trade?: FeedTrade) => void>()
  private readonly lastStep = new Map<string, number>()

  constructor(private readonly d: FeedDeps) {
    d.exchange.onTrade((trade, tick) => this.push(this.quoteAt(trade.productId, tick, trade.ts), trade))
  }

  products(): readonly string[] {
    return [...this.d.market.products.keys()]
  }

  product(productId: string): FeedProduct | undefined {
    const p = this.d.market.products.get(productId)
    return p === undefined ? undefined : {productId: p.id, baseIncrement: p.baseIncrement, quoteIncrement: p.quoteIncrement, minMarketFunds: p.quoteMinSize}
  }

  now(): number {
    return this.d.now()
  }

  quote(productId: string): FeedQuote | undefined {
    if (!this.d.market.has(productId)) return undefined
    const now = this.d.now()
    return this.quoteAt(productId, this.d.market.tick(productId, now), now)
  }

  onMarket(listener: (quote: FeedQuote, trade?: FeedTrade) => void): () => void {
    this.marketListeners.add(listener)
    return () => this.marketListeners.delete(listener)
  }

  openOrders(): FeedOrder[] {
    return this.d.exchange.openOrders().map((o) => feedOrder(this.d.market, o))
  }

  onOrder(listener: (order: FeedOrder) => void): () => void {
    return this.d.exchange.onOrder((o) => listener(feedOrder(this.d.market, o)))
  }

  verifyJwt(jwt: unknown): FeedAuth {
    if (this.d.revoked()) return {ok: false, reason: 'key revoked'}
    const check = verifyJwt(jwt, this.d.key, this.d.wallNow())
    return check.ok ? {...check, userId: this.d.userId, portfolioId: this.d.portfolioId} : check
  }

  /** Sends the market moves since the last pulse (none while prices are frozen). */
  pulse(now: number): void {
    const m = this.d.market
    for (const id of m.products.keys()) {
      const target = m.stepAt(id, now)
      const last = this.lastStep.get(id) ?? target
      this.lastStep.set(id, target)
      if (m.frozenAt !== undefined || this.marketListeners.size === 0) continue
      for (let s = Math.max(last + 1, target - MAX_STEPS_PER_PULSE + 1); s <= target; s++) {
        const trade = m.tradeAt(id, s)
        const tick = m.tickAt(id, s)
        if (trade === undefined || tick === undefined) continue
        this.push(this.quoteAt(id, tick, tick.ts, trade), this.tapeTrade(id, trade))
      }
    }
  }

  private quoteAt(id: string, tick: Tick, ts: number, trade?: TapeTrade): FeedQuote {
    const m = this.d.market
    const day = m.day(id, ts)
    const last = trade?.price ?? m.lastPrice(id, ts)
    return {
      productId: id,
      price: m.priceText(id, last),
      bestBid: m.priceText(id, tick.bid),
      bestAsk: m.priceText(id, tick.ask),
      bestBidQuantity: m.sizeText(id, m.bookSize(id, tick.step, 'bid')),
      bestAskQuantity: m.sizeText(id, m.bookSize(id, tick.step, 'ask')),
      volume24h: m.sizeText(id, day.volume),
      low24h: m.priceText(id, day.low < last ? day.low : last),
      high24h: m.priceText(id, day.high > last ? day.high : last),
      open24h: m.priceText(id, day.open),
      ts,
    }
  }

  private tapeTrade(id: string, t: TapeTrade): FeedTrade {
    const m = this.d.market
    return {productId: id, tradeId: t.tradeId, price: m.priceText(id, t.price), size: m.sizeText(id, t.size), side: t.takerSide, ts: t.ts}
  }

  private push(quote: FeedQuote, trade?: FeedTrade): void {
    for (const fn of [...this.marketListeners]) {
      try {
        fn(quote, trade)
      } catch {
        // One listener failing must not stop the others (the websocket server logs its own).
      }
    }
  }
}
