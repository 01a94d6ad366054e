// The seam between the Coinbase simulator's exchange (REST side: products, prices, accounts, order
// matching) and its websocket server (ws*.ts). The exchange implements CoinbaseWsFeed; the
// websocket server formats what it hears into Coinbase's channel messages (heartbeats, ticker,
// ticker_batch, market_trades, candles, level2, status, user). Types only.
//
// Values that Coinbase writes as decimal strings stay strings here (exact, already rounded to the
// product's increments by the exchange); times are sim epoch ms (the sim clock, not the wall).

export type FeedSide = 'BUY' | 'SELL'
export type FeedOrderType = 'MARKET' | 'LIMIT' | 'STOP_LIMIT'
/** Coinbase's order statuses as the user channel spells them. */
export type FeedOrderStatus = 'PENDING' | 'OPEN' | 'FILLED' | 'CANCELLED' | 'EXPIRED' | 'FAILED'

/** The market of one product at one moment. */
export interface FeedQuote {
  productId: string
  /** Last trade price. */
  price: string
  bestBid: string
  bestAsk: string
  bestBidQuantity: string
  bestAskQuantity: string
  volume24h: string
  low24h: string
  high24h: string
  /** Price 24 h ago (for price_percent_chg_24h). */
  open24h: string
  ts: number
}

/** One trade on the public tape (the simulated market's own trades, and the account's fills). */
export interface FeedTrade {
  productId: string
  tradeId: string
  price: string
  size: string
  /**
   * The TAKER's side (a buyer lifting the ask is BUY). Coinbase's market_trades channel and REST
   * ticker write the MAKER's side ("side refers to the makers side"): the wire flips this.
   */
  side: FeedSide
  ts: number
}

/** One order of the simulated account, as the user channel reports it. */
export interface FeedOrder {
  orderId: string
  clientOrderId: string
  productId: string
  side: FeedSide
  type: FeedOrderType
  status: FeedOrderStatus
  timeInForce: 'GOOD_UNTIL_CANCELLED' | 'IMMEDIATE_OR_CANCEL' | 'FILL_OR_KILL' | 'GOOD_UNTIL_DATE_TIME'
  postOnly: boolean
  /** Base size ordered (absent for a market buy sized in quote currency). */
  baseSize?: string
  /** Quote size ordered (market orders sized in quote currency). */
  quoteSize?: string
  limitPrice?: string
  stopPrice?: string
  /**
   * Stop-limit orders only: false while the stop waits (trigger_status STOP_PENDING), true once a
   * trade reached it and the order works as a limit (STOP_TRIGGERED), filled or still resting.
   */
  triggered?: boolean
  /** Cumulative filled base quantity. */
  filledSize: string
  /** Cumulative filled value in quote currency (before fees). */
  filledValue: string
  averageFilledPrice: string
  totalFees: string
  numberOfFills: number
  /** Base quantity still working (0 once final). */
  leavesQuantity: string
  /** Quote currency held for the order (buys) or base held (sells), as outstanding_hold_amount. */
  outstandingHold: string
  createdTs: number
  /** When it became final (filled, cancelled, expired, failed). */
  endTs?: number
  rejectReason?: string
  cancelReason?: string
}

/** A product's trading rules, as the status channel lists them (the catalogue's, exact). */
export interface FeedProduct {
  productId: string
  baseIncrement: string
  quoteIncrement: string
  /** The smallest order value in quote currency (the product's quote_min_size). */
  minMarketFunds: string
}

/** A verified JWT: the key, and the account it belongs to (the user channel's acknowledgement names the user). */
export type FeedAuth = {ok: true; keyName: string; userId: string; portfolioId: string} | {ok: false; reason: string}

export interface CoinbaseWsFeed {
  /** Product ids the simulator quotes. */
  products(): readonly string[]
  /** A product's increments and minimum funds; undefined for an unknown one. */
  product(productId: string): FeedProduct | undefined
  /** Sim time now (epoch ms). */
  now(): number
  /** Current market of a product; undefined for an unknown one. */
  quote(productId: string): FeedQuote | undefined
  /** Market changes as they happen: every new quote, with the trade that made it when there was one. */
  onMarket(listener: (quote: FeedQuote, trade?: FeedTrade) => void): () => void
  /** The account's orders that are not final (the user channel's snapshot). */
  openOrders(): FeedOrder[]
  /** Every change of an account order (created, filled in part or whole, cancelled, expired). */
  onOrder(listener: (order: FeedOrder) => void): () => void
  /**
   * Verifies a CDP JWT given in a subscribe message (ES256, the simulator's key, not expired).
   * Websocket JWTs carry no `uri` claim.
   */
  verifyJwt(jwt: unknown): FeedAuth
}
