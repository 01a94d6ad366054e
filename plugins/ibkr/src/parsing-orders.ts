// rick's orders as TWS orders, and TWS's order, execution, position and account messages back as
// rick's domain model. Pure functions.
//
// - Types: market MKT, limit LMT, stop STP (auxPrice = trigger), stop-limit STP LMT; tif DAY, GTC,
//   IOC. `orderRef` carries rick's client order id (TWS keeps it on the order and its executions).
// - A bracket is TWS's native one: the parent (transmit false), the take-profit LMT `<id>-tp`
//   (transmit false) and the stop STP `<id>-sl` (transmit true: the last order transmits the group),
//   the children with parentId = the parent's order id and one OCA group (type 1: a fill cancels the
//   sibling), GTC, so that the stop protects beyond the day.
// - postOnly: TWS has no post-only order for stocks and futures (its "add liquidity" routing is not
//   a guarantee): refused with Unsupported. reduceOnly: TWS has no reduce-only flag either; the
//   connector checks it against the venue's position before sending (connector.ts), and refuses a
//   reduce-only order that carries a bracket.
import type {Fill, OrderRequest, OrderState, OrderStatus, OrderType, Side, TimeInForce} from '../../../src/foundation/domain/orders.js'
import type {BrokerErrorKind} from '../../../src/foundation/domain/broker-errors.js'
import {num, rec, str, type IbContract, type IbkrInstrument} from './parsing.js'

/** A TWS order as rick builds it (@stoqey/ib's field names; the SDK fills the rest with defaults). */
export interface IbOrder {
  orderId?: number
  action: 'BUY' | 'SELL'
  totalQuantity: number
  orderType: 'MKT' | 'LMT' | 'STP' | 'STP LMT'
  lmtPrice?: number
  auxPrice?: number
  tif: 'DAY' | 'GTC' | 'IOC'
  orderRef: string
  transmit: boolean
  parentId?: number
  ocaGroup?: string
  ocaType?: number
  account?: string
  outsideRth?: boolean
}

export class OrderSpecError extends Error {
  constructor(
    readonly kind: BrokerErrorKind,
    message: string,
  ) {
    super(message)
  }
}

const TYPES: Readonly<Record<OrderType, IbOrder['orderType']>> = {market: 'MKT', limit: 'LMT', stop: 'STP', 'stop-limit': 'STP LMT'}
const TIFS: Readonly<Record<TimeInForce, IbOrder['tif']>> = {day: 'DAY', gtc: 'GTC', ioc: 'IOC'}

/** A client order id TWS can carry in orderRef and rick can tell apart (printable, no blanks). */
export function isClientId(id: string): boolean {
  return /^[\x21-\x7e]{1,64}$/.test(id)
}

function onTick(price: number, tick: number): boolean {
  const steps = price / tick
  return Math.abs(steps - Math.round(steps)) < 1e-6
}

/**
 * The TWS orders of one request, the parent first; `ids` are their order ids (one, or three for a
 * bracket). Throws OrderSpecError for what TWS would refuse or rick cannot express.
 */
export function ibOrders(order: OrderRequest, spec: IbkrInstrument, ids: readonly number[], account?: string): IbOrder[] {
  const type = TYPES[order.type]
  if (type === undefined) throw new OrderSpecError('Unsupported', `order type ${String(order.type)} is not one rick sends to IBKR (market, limit, stop, stop-limit)`)
  const tif = TIFS[order.tif]
  if (tif === undefined) throw new OrderSpecError('InvalidOrder', `tif must be gtc, day or ioc, found ${String(order.tif)}`)
  if (order.postOnly === true) throw new OrderSpecError('Unsupported', 'IBKR has no post-only orders for stocks and futures (a limit at or through the market trades at once)')
  if (!isClientId(order.clientOrderId)) throw new OrderSpecError('InvalidOrder', `client order id ${JSON.stringify(order.clientOrderId)}: 1-64 printable characters without blanks`)
  if (!(order.qty > 0) || !Number.isFinite(order.qty)) throw new OrderSpecError('InvalidOrder', `qty must be a positive number, found ${order.qty}`)
  const steps = order.qty / spec.lotSize
  if (Math.abs(steps - Math.round(steps)) > 1e-9) throw new OrderSpecError('InvalidOrder', `qty ${order.qty} is not a whole number of ${spec.lotSize} ${spec.id} (IBKR trades whole shares and contracts)`)
  const price = (name: string, p: number | undefined): number => {
    if (p === undefined || !(p > 0) || !Number.isFinite(p)) throw new OrderSpecError('InvalidOrder', `a ${order.type} order needs a positive ${name}, found ${String(p)}`)
    if (!onTick(p, spec.tickSize)) throw new OrderSpecError('InvalidOrder', `${name} ${p} is not on ${spec.id}'s tick of ${spec.tickSize} (TWS error 110)`)
    return p
  }
  const side = order.side === 'buy' ? 'BUY' : order.side === 'sell' ? 'SELL' : undefined
  if (side === undefined) throw new OrderSpecError('InvalidOrder', `side must be buy or sell, found ${String(order.side)}`)
  const parent: IbOrder = {action: side, totalQuantity: order.qty, orderType: type, tif, orderRef: order.clientOrderId, transmit: order.bracket === undefined, orderId: ids[0] as number}
  if (type === 'LMT' || type === 'STP LMT') parent.lmtPrice = price('limitPrice', order.limitPrice)
  if (type === 'STP' || type === 'STP LMT') parent.auxPrice = price('stopPrice', order.stopPrice)
  if (account !== undefined) parent.account = account
  if (order.bracket === undefined) return [parent]
  if (order.reduceOnly === true) throw new OrderSpecError('InvalidOrder', 'a reduce-only order cannot carry a bracket')
  if (order.tif === 'ioc') throw new OrderSpecError('InvalidOrder', 'an immediate-or-cancel order cannot carry a bracket (its exits would outlive it)')
  if (ids.length !== 3) throw new Error(`a bracket needs 3 order ids, given ${ids.length}`)
  const b = order.bracket
  const stopLoss = price('bracket stopLoss', b.stopLoss)
  const takeProfit = price('bracket takeProfit', b.takeProfit)
  if (order.side === 'buy' ? !(stopLoss < takeProfit) : !(stopLoss > takeProfit)) throw new OrderSpecError('InvalidOrder', `bracket of a ${order.side}: stopLoss ${stopLoss} must be ${order.side === 'buy' ? 'below' : 'above'} takeProfit ${takeProfit}`)
  const exit = side === 'BUY' ? 'SELL' : 'BUY'
  const parentId = ids[0] as number
  const oca = `rick-${order.clientOrderId}`
  const child = {action: exit, totalQuantity: order.qty, tif: 'GTC', parentId, ocaGroup: oca, ocaType: 1, ...(account === undefined ? {} : {account})} as const
  const tp: IbOrder = {...child, orderId: ids[1] as number, orderType: 'LMT', lmtPrice: takeProfit, orderRef: `${order.clientOrderId}-tp`, transmit: false}
  const sl: IbOrder = {...child, orderId: ids[2] as number, orderType: 'STP', auxPrice: stopLoss, orderRef: `${order.clientOrderId}-sl`, transmit: true}
  return [parent, tp, sl]
}

/** The requests of a bracket's children as rick tracks them (bracketExit of the engine's planner). */
export function bracketChildren(order: OrderRequest): OrderRequest[] {
  const b = order.bracket
  if (b === undefined) return []
  const side: Side = order.side === 'buy' ? 'sell' : 'buy'
  const base = {instrument: order.instrument, side, qty: order.qty, tif: 'gtc' as const, reduceOnly: true, parentId: order.clientOrderId}
  return [
    {...base, clientOrderId: `${order.clientOrderId}-tp`, type: 'limit', limitPrice: b.takeProfit},
    {...base, clientOrderId: `${order.clientOrderId}-sl`, type: 'stop', stopPrice: b.stopLoss},
  ]
}

/**
 * TWS's order status as rick's. PendingSubmit / ApiPending: not at IB yet; PreSubmitted: accepted,
 * held until its trigger or the session (a bracket's children, a stop); Submitted: working;
 * PendingCancel: still working; ApiCancelled / Cancelled: cancelled; Filled; Inactive: refused or
 * not working (rejected, or a cancel the exchange made).
 */
export function statusOf(ib: string, filled: number, qty: number): OrderStatus {
  switch (ib) {
    case 'Filled':
      return filled > 0 && filled < qty - 1e-9 ? 'partially-filled' : 'filled'
    case 'Cancelled':
    case 'ApiCancelled':
      return 'cancelled'
    case 'Inactive':
      return filled > 0 ? 'cancelled' : 'rejected'
    case 'PendingSubmit':
    case 'ApiPending':
      return 'pending'
    default:
      return filled > 0 ? 'partially-filled' : 'working'
  }
}

export const isFinalIb = (ib: string): boolean => ib === 'Filled' || ib === 'Cancelled' || ib === 'ApiCancelled' || ib === 'Inactive'

const TYPE_BACK: Readonly<Record<string, OrderType>> = {MKT: 'market', LMT: 'limit', STP: 'stop', 'STP LMT': 'stop-limit'}
const TIF_BACK: Readonly<Record<string, TimeInForce>> = {DAY: 'day', GTC: 'gtc', IOC: 'ioc'}

/** An order as TWS lists it (openOrder), without its progress: rick's request fields. */
export function requestOf(order: unknown, clientOrderId: string, instrument: string): Omit<OrderState, 'status' | 'filledQty' | 'avgFillPrice' | 'updatedAt'> {
  const o = rec(order)
  const type = TYPE_BACK[str(o.orderType)] ?? 'market'
  const out: Omit<OrderState, 'status' | 'filledQty' | 'avgFillPrice' | 'updatedAt'> = {
    clientOrderId,
    instrument,
    side: str(o.action) === 'SELL' ? 'sell' : 'buy',
    type,
    qty: num(o.totalQuantity),
    tif: TIF_BACK[str(o.tif)] ?? 'day',
    venueOrderId: String(num(o.orderId)),
  }
  const lmt = num(o.lmtPrice)
  const aux = num(o.auxPrice)
  if ((type === 'limit' || type === 'stop-limit') && lmt > 0 && lmt < 1e300) out.limitPrice = lmt
  if ((type === 'stop' || type === 'stop-limit') && aux > 0 && aux < 1e300) out.stopPrice = aux
  return out
}

/** An execution (execDetails) with its commission, as rick's fill. `fee` is Micro. */
export function fillOf(execution: unknown, clientOrderId: string, instrument: string, fee: number, ts: number): Fill {
  const e = rec(execution)
  const liquidity = num(rec(e.lastLiquidity).value ?? e.lastLiquidity)
  return {
    clientOrderId,
    venueOrderId: String(num(e.orderId)),
    fillId: str(e.execId),
    instrument,
    side: str(e.side) === 'SLD' ? 'sell' : 'buy',
    qty: num(e.shares),
    price: num(e.price),
    fee,
    // TWS: 1 added liquidity, 2 removed, 3 routed out (a taker elsewhere).
    liquidity: liquidity === 1 ? 'maker' : 'taker',
    ts,
  }
}

/** A position message (account, contract, pos, avgCost) as rick's: avgCost is per contract, i.e. price × multiplier. */
export function positionOf(pos: unknown, avgCost: unknown, multiplier: number): {qty: number; avgPrice: number} {
  const qty = num(pos)
  const cost = num(avgCost)
  return {qty: Number.isFinite(qty) ? qty : 0, avgPrice: Number.isFinite(cost) && multiplier > 0 ? Number((cost / multiplier).toPrecision(12)) : 0}
}

/** What an IbContract sent with an order looks like for TWS: the conId and the exchange are enough. */
export function orderContract(spec: IbkrInstrument): IbContract {
  const c = spec.ibkr.contract
  return {conId: spec.ibkr.conId, symbol: c.symbol, secType: c.secType, exchange: c.exchange, currency: c.currency, ...(c.lastTradeDateOrContractMonth === undefined ? {} : {lastTradeDateOrContractMonth: c.lastTradeDateOrContractMonth}), ...(c.multiplier === undefined ? {} : {multiplier: c.multiplier})}
}
