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
  /** The taker's side, as Coinbase's market_trades channel gives it. */
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

export type FeedAuth = {ok: true; keyName: string} | {ok: false; reason: string}

export interface CoinbaseWsFeed {
  /** Product ids the simulator quotes. */
  products(): readonly string[]
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
