// What the websocket server remembers of the market between events, once for all connections:
// per product the recent public trades (market_trades' snapshot), the 5-minute candle being built
// from those trades (candles), the synthesised level2 book, and the lowest and highest prices seen
// (the tickers' 52-week fields: the simulated market's whole history is shorter than a year).
// The book is the costly part (a hundred levels rebuilt and compared per quote): it is kept only
// while someone subscribes to level2 for the product, and rebuilt from the current quote when a
// subscription comes after a time nobody watched (its deep sizes are a function of the price, so
// the rebuilt book is the one that would have been kept).
import {SyntheticBook} from './ws-book.js'
import {addDec, cmpDec, dec, formatDec} from './ws-decimal.js'
import type {FeedQuote, FeedTrade} from './ws-feed.js'
import type {Candle, L2Level, TickerExtremes} from './ws-wire.js'

export const CANDLE_SECONDS = 300
/** Trades the market_trades snapshot carries per product. */
export const RECENT_TRADES = 50

interface ProductState {
  book: SyntheticBook
  /** The book missed quotes nobody subscribed for: rebuild it before showing it. */
  bookStale: boolean
  trades: FeedTrade[]
  candle: Candle | undefined
  extremes: TickerExtremes | undefined
}

export interface MarketChange {
  quote: FeedQuote
  trade: FeedTrade | undefined
  book: L2Level[]
}

function minDec(a: string, b: string): string {
  return cmpDec(dec(a), dec(b)) <= 0 ? a : b
}

function maxDec(a: string, b: string): string {
  return cmpDec(dec(a), dec(b)) >= 0 ? a : b
}

export class WsMarket {
  private readonly states = new Map<string, ProductState>()

  private state(productId: string): ProductState {
    let s = this.states.get(productId)
    if (s === undefined) {
      s = {book: new SyntheticBook(productId), bookStale: true, trades: [], candle: undefined, extremes: undefined}
      this.states.set(productId, s)
    }
    return s
  }

  /** `withBook`: whether anyone subscribes to the product's level2 (else the book is left stale). */
  apply(quote: FeedQuote, trade: FeedTrade | undefined, withBook: boolean): MarketChange {
    const s = this.state(quote.productId)
    this.widen(s, quote)
    if (trade !== undefined) {
      s.trades.push(trade)
      if (s.trades.length > RECENT_TRADES) s.trades.splice(0, s.trades.length - RECENT_TRADES)
      this.addToCandle(s, trade)
    }
    if (!withBook) {
      s.bookStale = true
      return {quote, trade, book: []}
    }
    // A book that missed quotes is rebuilt; its changes since then were never anyone's to hear.
    const wasStale = s.bookStale
    s.bookStale = false
    const changes = s.book.apply(quote)
    return {quote, trade, book: wasStale ? [] : changes}
  }

  extremes(quote: FeedQuote): TickerExtremes {
    const s = this.state(quote.productId)
    this.widen(s, quote)
    return s.extremes ?? {low52w: quote.low24h, high52w: quote.high24h}
  }

  /** Recent trades, newest first (the order Coinbase sends them in). */
  recentTrades(productId: string): FeedTrade[] {
    return [...this.state(productId).trades].reverse()
  }

  /** The candle being built from a product's trades (none before its first trade). */
  latestCandle(productId: string): Candle | undefined {
    return this.states.get(productId)?.candle
  }

  /**
   * The latest candle of a product; before its first trade, the current bucket at the quoted
   * price with no volume (a candle is made of trades, and there were none).
   */
  candle(quote: FeedQuote, nowMs: number): Candle {
    const c = this.state(quote.productId).candle
    if (c !== undefined) return c
    const p = quote.price
    return {productId: quote.productId, startSec: bucketOf(nowMs), open: p, high: p, low: p, close: p, volume: '0'}
  }

  /** The book for a snapshot, brought up to the quote if it missed any. */
  book(quote: FeedQuote): L2Level[] {
    const s = this.state(quote.productId)
    if (s.bookStale || s.book.empty) s.book.apply(quote)
    s.bookStale = false
    return s.book.snapshot()
  }

  private widen(s: ProductState, q: FeedQuote): void {
    const low = minDec(q.low24h, q.price)
    const high = maxDec(q.high24h, q.price)
    s.extremes = s.extremes === undefined ? {low52w: low, high52w: high} : {low52w: minDec(s.extremes.low52w, low), high52w: maxDec(s.extremes.high52w, high)}
  }

  private addToCandle(s: ProductState, t: FeedTrade): void {
    const start = bucketOf(t.ts)
    const c = s.candle
    // A late trade of an older bucket still counts toward the candle being built: the sim's
    // trades arrive in time order, so this only guards against a clock that stepped back.
    if (c === undefined || start > c.startSec) {
      s.candle = {productId: t.productId, startSec: start, open: t.price, high: t.price, low: t.price, close: t.price, volume: t.size}
    } else {
      s.candle = {
        ...c,
        high: maxDec(c.high, t.price),
        low: minDec(c.low, t.price),
        close: t.price,
        volume: formatDec(addDec(dec(c.volume), dec(t.size))),
      }
    }
  }
}

export function bucketOf(ms: number): number {
  const sec = Math.floor(ms / 1000)
  return sec - (((sec % CANDLE_SECONDS) + CANDLE_SECONDS) % CANDLE_SECONDS)
}
