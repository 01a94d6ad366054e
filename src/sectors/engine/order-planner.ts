// From a target position to orders. The strategy says where it wants to be; the planner says what
// to send from where the sector is (position + working orders): nothing when the working orders
// already lead to the target, else cancel the instrument's working orders (they were meant for an
// older target) and send the difference, split at zero so that closing is a reduce-only order the
// risk gate can let through in REDUCING while it refuses the opening part.
import {roundToLot, roundToTick, type Instrument} from '../../foundation/domain/instrument.js'
import type {OrderRequest, Side} from '../../foundation/domain/orders.js'
import type {Signal} from '../strategy/contract.js'

/** A working order as the engine tracks it (what is still open of it). */
export interface WorkingOrder {
  order: OrderRequest
  /** Quantity still open (order.qty minus fills). */
  remaining: number
  /** True for bracket exits (stop-loss / take-profit children): protective, never an entry. */
  protective: boolean
}

export interface PlannedOrder {
  /** The order without its clientOrderId (the engine assigns ids in sequence). */
  order: Omit<OrderRequest, 'clientOrderId'>
  reason: string
}

export interface OrderPlan {
  /** clientOrderIds to cancel before sending. */
  cancel: string[]
  orders: PlannedOrder[]
}

const NO_IDS: string[] = Object.freeze([]) as unknown as string[]
const EMPTY: OrderPlan = Object.freeze({cancel: NO_IDS, orders: Object.freeze([]) as unknown as PlannedOrder[]}) as OrderPlan

/** Signed quantity an entry order adds to the position when it fills. */
export function signedRemaining(w: WorkingOrder): number {
  return w.order.side === 'buy' ? w.remaining : -w.remaining
}

/**
 * The orders that move `position` to `signal.target` on `instrument`. `working` holds the
 * instrument's working orders only. Quantities are rounded down to whole lots (an order never
 * grows by rounding); a target that rounds to the current position plans nothing. With the last
 * `price`, a change that keeps a position open on the same side and is worth less than the
 * instrument's minimum order is dust: nothing is planned (a venue such as Coinbase refuses it, and
 * a sizing-by-notional strategy asks for such trims every bar as the price moves). Closing and
 * opening are planned whatever their size: a remainder must be closable, and the risk gate judges
 * an opening order (MIN_NOTIONAL).
 */
export function planOrders(signal: Signal, instrument: Instrument, position: number, working: readonly WorkingOrder[], price?: number): OrderPlan {
  const target = roundToLot(signal.target, instrument.lotSize)
  let pending = 0
  let entries = 0
  for (const w of working) {
    if (w.protective) continue
    pending += signedRemaining(w)
    entries++
  }
  const lot = instrument.lotSize
  // Working orders already lead exactly to the target: let them work.
  if (entries > 0 && sameQty(position + pending, target, lot)) return EMPTY
  const cancel = working.length === 0 ? NO_IDS : working.map((w) => w.order.clientOrderId)
  if (sameQty(position, target, lot)) return cancel.length === 0 ? EMPTY : {cancel, orders: []}
  const crosses = position !== 0 && target !== 0 && Math.sign(position) !== Math.sign(target)
  if (crosses) {
    // Close first (reduce-only), then open the other side.
    const orders = [makeOrder(signal, instrument, -position, true, false), makeOrder(signal, instrument, target, false, true)]
    return {cancel, orders: orders.filter((o) => o.order.qty > 0)}
  }
  const delta = target - position
  if (price !== undefined && instrument.minNotional > 0 && position !== 0 && Math.sign(target) === Math.sign(position) && Math.abs(delta) * price * instrument.multiplier < instrument.minNotional) {
    return cancel.length === 0 ? EMPTY : {cancel, orders: []}
  }
  const reducing = Math.abs(target) < Math.abs(position)
  const one = makeOrder(signal, instrument, delta, reducing, !reducing)
  return {cancel, orders: one.order.qty > 0 ? [one] : []}
}

function sameQty(a: number, b: number, lot: number): boolean {
  return Math.abs(a - b) < lot / 2
}

function makeOrder(signal: Signal, instrument: Instrument, delta: number, reduceOnly: boolean, opening: boolean): PlannedOrder {
  const side: Side = delta > 0 ? 'buy' : 'sell'
  const qty = roundToLot(Math.abs(delta), instrument.lotSize)
  const type = signal.type ?? 'market'
  // Built property by property (no spreads): orders are made on the hot path of backtests.
  const order: Omit<OrderRequest, 'clientOrderId'> = {instrument: instrument.id, side, type, qty, tif: 'gtc'}
  if (type === 'limit' && signal.limitPrice !== undefined) order.limitPrice = roundToTick(signal.limitPrice, instrument.tickSize)
  if (type === 'stop' && signal.stopPrice !== undefined) order.stopPrice = roundToTick(signal.stopPrice, instrument.tickSize)
  if (reduceOnly) order.reduceOnly = true
  if (type === 'limit' && signal.postOnly === true) order.postOnly = true
  if (opening && signal.bracket) {
    order.bracket = {stopLoss: roundToTick(signal.bracket.stopLoss, instrument.tickSize), takeProfit: roundToTick(signal.bracket.takeProfit, instrument.tickSize)}
  }
  return {order, reason: signal.reason}
}

/** The request with its id first, copied field by field (an object spread with extra keys is slow in V8). */
export function withClientOrderId(id: string, o: Omit<OrderRequest, 'clientOrderId'>): OrderRequest {
  const order: OrderRequest = {clientOrderId: id, instrument: o.instrument, side: o.side, type: o.type, qty: o.qty, tif: o.tif}
  if (o.limitPrice !== undefined) order.limitPrice = o.limitPrice
  if (o.stopPrice !== undefined) order.stopPrice = o.stopPrice
  if (o.bracket !== undefined) order.bracket = o.bracket
  if (o.reduceOnly !== undefined) order.reduceOnly = o.reduceOnly
  if (o.parentId !== undefined) order.parentId = o.parentId
  if (o.postOnly !== undefined) order.postOnly = o.postOnly
  return order
}

/**
 * The exit a venue makes for a bracket entry when it fills: `<entry>-sl` (a stop at stopLoss) or
 * `<entry>-tp` (a limit at takeProfit), reduce-only, on the other side, for the entry's quantity.
 * undefined when `clientOrderId` is not such an exit of `parent`. The engine tracks exits from
 * their ack on; recovery rebuilds them from the journal after a restart.
 */
export function bracketExit(parent: OrderRequest, clientOrderId: string): OrderRequest | undefined {
  const b = parent.bracket
  if (b === undefined) return undefined
  const kind = clientOrderId === `${parent.clientOrderId}-sl` ? 'sl' : clientOrderId === `${parent.clientOrderId}-tp` ? 'tp' : undefined
  if (kind === undefined) return undefined
  const order: OrderRequest = {
    clientOrderId,
    instrument: parent.instrument,
    side: parent.side === 'buy' ? 'sell' : 'buy',
    type: kind === 'sl' ? 'stop' : 'limit',
    qty: parent.qty,
    tif: 'gtc',
    reduceOnly: true,
    parentId: parent.clientOrderId,
  }
  if (kind === 'sl') order.stopPrice = b.stopLoss
  else order.limitPrice = b.takeProfit
  return order
}

/** The entry id of a bracket exit id (`<entry>-sl` / `<entry>-tp`), else undefined. */
export function bracketParentId(clientOrderId: string): string | undefined {
  return clientOrderId.endsWith('-sl') || clientOrderId.endsWith('-tp') ? clientOrderId.slice(0, -3) : undefined
}
