// Orders, fills and what a venue says about them. Quantities are positive; the side says the
// direction. Prices are floats rounded to the instrument's tick; money amounts are Micro (money.ts).
import type {Micro} from './money.js'

export type Side = 'buy' | 'sell'
export type OrderType = 'market' | 'limit' | 'stop' | 'stop-limit'
export type TimeInForce = 'gtc' | 'day' | 'ioc'

export interface Bracket {
  /** Stop-loss trigger price (a stop order on the exit side). */
  stopLoss: number
  /** Take-profit limit price. */
  takeProfit: number
}

export interface OrderRequest {
  /** Unique per sector and run; the idempotency key at the venue (never reused, never sent twice). */
  clientOrderId: string
  instrument: string
  side: Side
  type: OrderType
  qty: number
  limitPrice?: number
  stopPrice?: number
  tif: TimeInForce
  /** Exits attached to this entry; the venue (or the engine, if the venue cannot) makes them OCO. */
  bracket?: Bracket
  /** Only reduces an existing position (exits, flattening). */
  reduceOnly?: boolean
  /** Limit orders only: must add liquidity (maker); a venue refuses it rather than let it take. */
  postOnly?: boolean
  /** Set on bracket children: the entry they belong to. */
  parentId?: string
}

export type OrderStatus = 'pending' | 'working' | 'partially-filled' | 'filled' | 'cancelled' | 'rejected' | 'expired'

export interface OrderState extends OrderRequest {
  status: OrderStatus
  filledQty: number
  /** Volume-weighted fill price so far (0 before any fill). */
  avgFillPrice: number
  venueOrderId?: string
  /** Epoch ms of the last change. */
  updatedAt: number
}

export interface Fill {
  clientOrderId: string
  venueOrderId?: string
  /** Unique per venue; fills are deduplicated on it. */
  fillId: string
  instrument: string
  side: Side
  qty: number
  price: number
  fee: Micro
  liquidity: 'maker' | 'taker'
  ts: number
  /** Not heard from the venue as it happened: learned on reconciliation (or its fills list). */
  inferred?: boolean
}

/** What a connector reports about orders, as they happen. */
export type VenueEvent =
  | {kind: 'ack'; clientOrderId: string; venueOrderId: string; ts: number}
  | {kind: 'reject'; clientOrderId: string; code: string; reason: string; ts: number}
  | {kind: 'fill'; fill: Fill}
  | {kind: 'cancel'; clientOrderId: string; reason: string; ts: number}
  | {kind: 'expire'; clientOrderId: string; ts: number}

export interface Position {
  instrument: string
  /** Signed: positive long, negative short. */
  qty: number
  /** Average entry price of the open quantity. */
  avgPrice: number
}

export interface AccountSnapshot {
  currency: string
  cash: Micro
  equity: Micro
  /** Margin or buying power the venue reports, when it does. */
  buyingPower?: Micro
}
