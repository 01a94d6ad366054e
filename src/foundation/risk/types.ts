// The risk gate's vocabulary. Every order passes the gate; a denial carries a stable code that
// reports and tests rely on (never rename a code, add new ones).
import type {OrderRequest} from '../domain/orders.js'
import type {Micro} from '../domain/money.js'

/** ACTIVE: anything within limits. REDUCING: only orders that reduce exposure. HALTED: only cancels. */
export type TradingState = 'ACTIVE' | 'REDUCING' | 'HALTED'

export const DENY_CODES = [
  'HALTED',
  'REDUCING_ONLY',
  'MAX_ORDER_NOTIONAL',
  'MAX_POSITION',
  'MAX_OPEN_ORDERS',
  'DAILY_LOSS_CAP',
  'MAX_DRAWDOWN',
  'CONSECUTIVE_LOSSES',
  'TRADES_PER_DAY',
  'ORDER_RATE',
  'LEVERAGE',
  'OUTSIDE_SESSION',
  'FLATTEN_DEADLINE',
  'CANARY_ORDER_NOTIONAL',
  'CANARY_POSITIONS',
  'CANARY_DAILY_LOSS',
  'MIN_NOTIONAL',
  'INVALID_ORDER',
  'NO_PRICE',
  'RISK_ERROR',
] as const
export type DenyCode = (typeof DENY_CODES)[number]

export type RiskDecision = {ok: true} | {ok: false; code: DenyCode; detail: string}

/** Limits in force for a sector: profile + overrides, capped by the charter (amounts in Micro). */
export interface EffectiveLimits {
  maxOrderNotional: Micro
  maxPositionNotional: Micro
  maxOpenOrders: number
  dailyLossCap: Micro
  maxDrawdownPct: number
  consecutiveLossHalt: number
  maxTradesPerDay: number
  maxOrdersPerMinute: number
  allowLeverage: boolean
  /** Set in canary mode. */
  canary?: {maxOrderNotional: Micro; maxPositions: number; dailyLossCap: Micro}
}

/** Prices by instrument id (a ReadonlyMap is one). */
export interface PriceLookup {
  get(instrument: string): number | undefined
}

/** What the gate needs to know about the sector at the moment of an order. */
export interface RiskSnapshot {
  state: TradingState
  now: number
  /** Signed position per instrument, in units. */
  positions: ReadonlyMap<string, number>
  /**
   * Last known price per instrument. Only looked up, never iterated: an engine of 10,000
   * instruments answers from its own state instead of copying every price for each order.
   */
  prices: PriceLookup
  multipliers: ReadonlyMap<string, number>
  openOrders: number
  /** Realized + unrealized since the session day began (negative is a loss). */
  dailyPnl: Micro
  equity: Micro
  /** Highest equity of the session day (for the drawdown halt). */
  dayPeakEquity: Micro
  cash: Micro
  consecutiveLosses: number
  tradesToday: number
  /** Timestamps (ms) of orders sent in the last minute. */
  recentOrderTimes: readonly number[]
  /** Whether `now` is inside a session window, and whether the flatten deadline has passed. */
  inSession: boolean
  pastFlatten: boolean
  /** Smallest order notional the venue accepts per instrument (Micro); absent or 0 = no minimum. */
  minNotionals?: ReadonlyMap<string, Micro>
  /**
   * Instruments, other than the order's, that are flat but have a working order that would open a
   * position (canary: they count toward maxPositions, or two entries sent on one bar would both pass).
   */
  pendingOpens?: number
}

export interface RiskGate {
  check(order: OrderRequest, snapshot: RiskSnapshot): RiskDecision
}
