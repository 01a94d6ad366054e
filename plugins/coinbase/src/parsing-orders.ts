// rick's orders as Coinbase's create-order body (POST /api/v3/brokerage/orders). Orders go out as
// exact decimal strings on the product's increments: a value off the grid is refused
// (InvalidOrder), never rounded here (the engine rounds with the increments instruments() reports,
// so a quantity never grows behind its back); minimum and maximum sizes and the minimum order value
// come from the product list. What Coinbase spot cannot take as asked is refused before anything
// is sent: stop-market orders and attached brackets (Unsupported: the engine emulates brackets),
// a reduce-only buy (a spot account holds no short to reduce).
import type {OrderRequest} from '../../../src/foundation/domain/orders.js'
import {onGrid, show, type CoinbaseProductDetails} from './parsing.js'

/** An order rick cannot express at Coinbase; the connector throws it as a BrokerError of this kind. */
export class OrderSpecError extends Error {
  override readonly name = 'OrderSpecError'
  constructor(
    readonly kind: 'InvalidOrder' | 'Unsupported',
    message: string,
  ) {
    super(message)
  }
}

/**
 * What rick may ask beyond OrderRequest: market orders sized in the quote currency (quote_size)
 * instead of base. The engine sizes in base units and never sets it; a caller of the connector may.
 */
export interface OrderExtras {
  quoteSize?: number
}

/** The body of POST /api/v3/brokerage/orders. */
export interface CreateOrderBody {
  client_order_id: string
  product_id: string
  side: 'BUY' | 'SELL'
  order_configuration: Record<string, Record<string, string | boolean>>
}

/**
 * Client ids are 1-128 printable ASCII characters without blanks (Coinbase takes any string; rick
 * keeps to what needs no escaping in a query string).
 */
const CLIENT_ID = /^[A-Za-z0-9._~:-]{1,128}$/

export function isClientId(id: unknown): id is string {
  return typeof id === 'string' && CLIENT_ID.test(id)
}

/** rick's order as Coinbase's create-order body. Throws OrderSpecError for what cannot go as asked. */
export function orderRequestBody(order: OrderRequest & OrderExtras, spec: CoinbaseProductDetails): CreateOrderBody {
  const id = order.clientOrderId
  if (!isClientId(id)) throw new OrderSpecError('InvalidOrder', `clientOrderId ${show(id)}: 1-128 characters of A-Z a-z 0-9 . _ ~ : -`)
  if (order.side !== 'buy' && order.side !== 'sell') throw new OrderSpecError('InvalidOrder', `side must be buy or sell, found ${show(order.side)}`)
  if (order.bracket !== undefined) throw new OrderSpecError('Unsupported', 'Coinbase spot has no attached brackets: rick emulates them (capabilities.brackets is false)')
  if (order.type === 'stop') throw new OrderSpecError('Unsupported', 'Coinbase spot has no stop-market orders: use a stop-limit')
  if (order.reduceOnly === true && order.side === 'buy') throw new OrderSpecError('InvalidOrder', 'a reduce-only buy on a spot market: there is no short position to reduce')
  if (spec.tradingDisabled) throw new OrderSpecError('InvalidOrder', `${order.instrument} is not trading at Coinbase now (disabled or cancel-only)`)
  const side = order.side === 'buy' ? 'BUY' : 'SELL'
  const quoteSized = order.type === 'market' && order.quoteSize !== undefined
  let size: Record<string, string>
  if (quoteSized) {
    const q = order.quoteSize as number
    if (!(q > 0)) throw new OrderSpecError('InvalidOrder', `quoteSize must be a positive number, found ${show(q)}`)
    const quote = onGrid(q, spec.quoteIncrement)
    if (quote === undefined) throw new OrderSpecError('InvalidOrder', `quoteSize ${q} is not on ${order.instrument}'s quote increment ${spec.quoteIncrement}`)
    if (q < spec.quoteMinSize) throw new OrderSpecError('InvalidOrder', `quoteSize ${q} is below ${order.instrument}'s minimum ${spec.quoteMinSize}`)
    size = {quote_size: quote}
  } else {
    if (!(order.qty > 0) || !Number.isFinite(order.qty)) throw new OrderSpecError('InvalidOrder', `qty must be a positive number, found ${show(order.qty)}`)
    const baseSize = onGrid(order.qty, spec.baseIncrement)
    if (baseSize === undefined) throw new OrderSpecError('InvalidOrder', `qty ${order.qty} is not on ${order.instrument}'s base increment ${spec.baseIncrement}`)
    if (order.qty < spec.baseMinSize) throw new OrderSpecError('InvalidOrder', `qty ${order.qty} is below ${order.instrument}'s minimum size ${spec.baseMinSize}`)
    if (spec.baseMaxSize !== undefined && order.qty > spec.baseMaxSize) throw new OrderSpecError('InvalidOrder', `qty ${order.qty} is above ${order.instrument}'s maximum size ${spec.baseMaxSize}`)
    size = {base_size: baseSize}
  }
  const price = (v: number | undefined, what: string): string => {
    if (v === undefined || !(v > 0) || !Number.isFinite(v)) throw new OrderSpecError('InvalidOrder', `a ${order.type} order needs a positive ${what}, found ${show(v)}`)
    const s = onGrid(v, spec.priceIncrement)
    if (s === undefined) throw new OrderSpecError('InvalidOrder', `${what} ${v} is not on ${order.instrument}'s price increment ${spec.priceIncrement}`)
    return s
  }
  const limitNotional = (limit: string): void => {
    if (Number(limit) * order.qty < spec.quoteMinSize) throw new OrderSpecError('InvalidOrder', `${order.qty} × ${limit} is below ${order.instrument}'s minimum order value ${spec.quoteMinSize}`)
  }
  let configuration: Record<string, Record<string, string | boolean>>
  switch (order.type) {
    case 'market':
      if (spec.limitOnly) throw new OrderSpecError('InvalidOrder', `${order.instrument} takes limit orders only now`)
      if (order.postOnly === true) throw new OrderSpecError('InvalidOrder', 'a market order cannot be post-only')
      configuration = {market_market_ioc: size}
      break
    case 'limit': {
      const limit = price(order.limitPrice, 'limitPrice')
      limitNotional(limit)
      if (order.tif === 'gtc') configuration = {limit_limit_gtc: {...size, limit_price: limit, post_only: order.postOnly === true || spec.postOnly}}
      else if (order.tif === 'ioc') {
        if (order.postOnly === true) throw new OrderSpecError('InvalidOrder', 'an immediate-or-cancel order cannot be post-only')
        configuration = {sor_limit_ioc: {...size, limit_price: limit}}
      } else throw new OrderSpecError('Unsupported', `Coinbase limit orders here are gtc or ioc, not ${show(order.tif)}`)
      break
    }
    case 'stop-limit': {
      const limit = price(order.limitPrice, 'limitPrice')
      const stop = price(order.stopPrice, 'stopPrice')
      limitNotional(limit)
      if (order.tif !== 'gtc') throw new OrderSpecError('Unsupported', `Coinbase stop-limit orders here are gtc, not ${show(order.tif)}`)
      // A buy stop triggers when the price rises to it, a sell stop when it falls to it.
      configuration = {stop_limit_stop_limit_gtc: {...size, limit_price: limit, stop_price: stop, stop_direction: side === 'BUY' ? 'STOP_DIRECTION_STOP_UP' : 'STOP_DIRECTION_STOP_DOWN'}}
      break
    }
    default:
      throw new OrderSpecError('Unsupported', `order type ${show(order.type)} is not one Coinbase spot takes (market, limit, stop-limit)`)
  }
  return {client_order_id: id, product_id: order.instrument, side, order_configuration: configuration}
}

