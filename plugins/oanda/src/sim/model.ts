// The OANDA simulator's own state, in exact units: units are whole units (tradeUnitsPrecision 0),
// prices whole ticks of the instrument, money integer micro units of USD that are always whole
// multiples of 1e-4 (OANDA's AccountUnits precision), so sums never drift. Times are sim epoch ms.
// Wire objects (JSON layouts of OANDA's definitions) are built from these in views.ts.

export type OrderType = 'MARKET' | 'LIMIT' | 'STOP' | 'MARKET_IF_TOUCHED' | 'TAKE_PROFIT' | 'STOP_LOSS'
export type OrderState = 'PENDING' | 'FILLED' | 'TRIGGERED' | 'CANCELLED'
export type TimeInForce = 'GTC' | 'GTD' | 'GFD' | 'FOK' | 'IOC'
export type PositionFill = 'DEFAULT' | 'OPEN_ONLY' | 'REDUCE_FIRST' | 'REDUCE_ONLY'
export type TriggerCondition = 'DEFAULT' | 'INVERSE' | 'BID' | 'ASK' | 'MID'

export interface ClientExtensions {
  id?: string
  tag?: string
  comment?: string
}

/** takeProfitOnFill / stopLossOnFill of an entry order. */
export interface OnFill {
  priceTicks?: number
  /** Stop loss only: distance from the fill price instead of a price. */
  distanceTicks?: number
  timeInForce: TimeInForce
  gtdTime?: number
  clientExtensions?: ClientExtensions
}

export interface SimOrder {
  id: string
  type: OrderType
  state: OrderState
  createTime: number
  instrument: string
  /** Signed units (entry orders). A TP/SL order closes its trade, whatever its size then. */
  units: number
  priceTicks?: number
  priceBoundTicks?: number
  distanceTicks?: number
  timeInForce: TimeInForce
  gtdTime?: number
  positionFill: PositionFill
  triggerCondition: TriggerCondition
  /** MIT: the price when it was created decides whether it acts as a limit or a stop. */
  initialMarketPriceTicks?: number
  clientExtensions?: ClientExtensions
  tradeClientExtensions?: ClientExtensions
  takeProfitOnFill?: OnFill
  stopLossOnFill?: OnFill
  /** TP/SL: the trade it belongs to. */
  tradeID?: string
  /** Why it was created: CLIENT_ORDER, TRADE_CLOSE, POSITION_CLOSEOUT, ON_FILL. */
  reason: string
  tradeClose?: {tradeID: string; clientTradeID?: string; units: string}
  longPositionCloseout?: {instrument: string; units: string}
  shortPositionCloseout?: {instrument: string; units: string}
  fillingTransactionID?: string
  filledTime?: number
  tradeOpenedID?: string
  tradeReducedID?: string
  tradeClosedIDs?: string[]
  cancellingTransactionID?: string
  cancelledTime?: number
  replacesOrderID?: string
  replacedByOrderID?: string
}

export interface SimTrade {
  id: string
  instrument: string
  priceTicks: number
  openTime: number
  initialUnits: number
  currentUnits: number
  initialMarginRequired: number
  realizedPL: number
  state: 'OPEN' | 'CLOSED'
  /** Units closed so far and Σ units × price ticks of those closes (averageClosePrice). */
  closedUnits: number
  closedTicksSum: number
  closingTransactionIDs: string[]
  closeTime?: number
  clientExtensions?: ClientExtensions
  takeProfitOrderID?: string
  stopLossOrderID?: string
}

/** Realized P&L of one instrument's position, per side (micro). */
export interface PositionBook {
  longPL: number
  shortPL: number
}
