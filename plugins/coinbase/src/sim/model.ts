// The simulated account's orders and fills, as the exchange keeps them (units: see money.ts).
import type {FeedOrderStatus, FeedSide} from './ws-feed.js'
import type {Units} from './money.js'

/** The order configurations the simulator executes (Coinbase's `order_configuration` keys). */
export const ORDER_KINDS = ['market_market_ioc', 'sor_limit_ioc', 'limit_limit_gtc', 'limit_limit_gtd', 'limit_limit_fok', 'stop_limit_stop_limit_gtc', 'stop_limit_stop_limit_gtd'] as const
export type OrderKind = (typeof ORDER_KINDS)[number]

export type StopDirection = 'STOP_DIRECTION_STOP_UP' | 'STOP_DIRECTION_STOP_DOWN'

export interface SimOrder {
  /** Creation order (cursor pagination walks it). */
  seq: number
  orderId: string
  clientOrderId: string
  productId: string
  side: FeedSide
  kind: OrderKind
  /** The configuration as the request gave it (echoed back in every view). */
  config: Record<string, unknown>
  baseSize?: Units
  quoteSize?: Units
  limitPrice?: Units
  stopPrice?: Units
  stopDirection?: StopDirection
  postOnly: boolean
  /** GTD: sim epoch ms when it expires. */
  endTime?: number
  status: FeedOrderStatus
  /** Stop orders: the stop was reached and the order now works as a limit. */
  triggered: boolean
  /** Fills after the order has rested on the book are maker fills. */
  rested: boolean
  createdTs: number
  lastFillTs?: number
  endTs?: number
  filledSize: Units
  /** Σ price × size of the fills, before fees. */
  filledValue: Units
  totalFees: Units
  numberOfFills: number
  /** What is still held for the order (quote for buys, base for sells), in holdCurrency. */
  hold: Units
  holdCurrency: string
  cancelMessage: string
  /** Placed by hand (the placeExternalOrder action), not through the API. */
  external: boolean
}

export interface SimFill {
  seq: number
  entryId: string
  tradeId: string
  orderId: string
  productId: string
  side: FeedSide
  price: Units
  size: Units
  commission: Units
  liquidity: 'MAKER' | 'TAKER'
  ts: number
  sizeInQuote: boolean
}

export function isFinal(status: FeedOrderStatus): boolean {
  return status === 'FILLED' || status === 'CANCELLED' || status === 'EXPIRED' || status === 'FAILED'
}
