// Reading a create-order request (POST /api/v3/brokerage/orders) and checking it against the
// product, in the order Coinbase's preview does: the body's shape (a malformed body is an HTTP 400,
// not a refusal), the product and side, the configuration (one known key with its fields), then
// each number: a decimal, a multiple of its increment (else INVALID_SIZE/PRICE_PRECISION — Coinbase
// refuses, it never rounds), within the product's minimum and maximum sizes and values.
// What needs the market or the account (post-only crossing, stop side, funds) is exchange.ts's.
import type {SimProduct} from './catalogue.js'
import {isMultiple, mul, parseUnits, type Units} from './money.js'
import {ORDER_KINDS, type OrderKind, type StopDirection} from './model.js'
import {REFUSALS, type Refusal} from './refusals.js'
import type {FeedSide} from './ws-feed.js'

export interface OrderRequest {
  clientOrderId: string
  productId: string
  side: FeedSide
  kind: OrderKind
  config: Record<string, unknown>
  baseSize?: Units
  quoteSize?: Units
  limitPrice?: Units
  stopPrice?: Units
  stopDirection?: StopDirection
  postOnly: boolean
  endTime?: number
}

export type Parsed =
  | {ok: true; order: OrderRequest}
  | {ok: false; refusal: Refusal; config: unknown}
  | {ok: false; status: 400; body: Record<string, unknown>}

const STOP_DIRECTIONS = ['STOP_DIRECTION_STOP_UP', 'STOP_DIRECTION_STOP_DOWN']

export function invalidArgument(details: string): {ok: false; status: 400; body: Record<string, unknown>} {
  return {ok: false, status: 400, body: {error: 'INVALID_ARGUMENT', error_details: details, message: details}}
}

export function parseOrderRequest(body: unknown, product: (id: string) => SimProduct | undefined): Parsed {
  if (!isObject(body)) return invalidArgument('request body must be a JSON object')
  const clientOrderId = body.client_order_id
  if (typeof clientOrderId !== 'string' || clientOrderId.length === 0) return invalidArgument('client_order_id is required')
  if (clientOrderId.length > 128) return invalidArgument('client_order_id is too long')
  const configRaw = body.order_configuration
  const refuse = (r: Refusal): Parsed => ({ok: false, refusal: r, config: configRaw})
  const p = typeof body.product_id === 'string' ? product(body.product_id) : undefined
  if (p === undefined) return refuse(REFUSALS.INVALID_PRODUCT_ID)
  if (body.side !== 'BUY' && body.side !== 'SELL') return refuse(REFUSALS.INVALID_SIDE)
  const side: FeedSide = body.side
  if (!isObject(configRaw)) return refuse(REFUSALS.UNSUPPORTED_ORDER_CONFIGURATION)
  const keys = Object.keys(configRaw)
  const kind = keys[0] as OrderKind
  if (keys.length !== 1 || !ORDER_KINDS.includes(kind)) return refuse(REFUSALS.UNSUPPORTED_ORDER_CONFIGURATION)
  const c = configRaw[kind]
  if (!isObject(c)) return refuse(REFUSALS.UNSUPPORTED_ORDER_CONFIGURATION)
  const order: OrderRequest = {clientOrderId, productId: p.id, side, kind, config: configRaw, postOnly: false}

  // Sizes: a market order takes base_size or quote_size (not both); every other kind base_size.
  const hasBase = c.base_size !== undefined
  const hasQuote = c.quote_size !== undefined
  if (kind === 'market_market_ioc' ? hasBase === hasQuote : !hasBase || hasQuote) return refuse(REFUSALS.UNSUPPORTED_ORDER_CONFIGURATION)
  if (hasBase) {
    const v = parseUnits(c.base_size)
    if (v === undefined) return refuse(REFUSALS.UNSUPPORTED_ORDER_CONFIGURATION)
    if (!isMultiple(v, p.u.baseIncrement)) return refuse(REFUSALS.INVALID_SIZE_PRECISION)
    if (v === 0n || v < p.u.baseMinSize) return refuse(REFUSALS.BASE_SIZE_TOO_SMALL)
    if (v > p.u.baseMaxSize) return refuse(REFUSALS.BASE_SIZE_TOO_LARGE)
    order.baseSize = v
  } else {
    const v = parseUnits(c.quote_size)
    if (v === undefined) return refuse(REFUSALS.UNSUPPORTED_ORDER_CONFIGURATION)
    if (!isMultiple(v, p.u.quoteIncrement)) return refuse(REFUSALS.INVALID_QUOTE_SIZE_PRECISION)
    if (v === 0n || v < p.u.quoteMinSize) return refuse(REFUSALS.QUOTE_SIZE_TOO_SMALL)
    if (v > p.u.quoteMaxSize) return refuse(REFUSALS.QUOTE_SIZE_TOO_LARGE)
    order.quoteSize = v
  }

  if (kind !== 'market_market_ioc') {
    const price = readPrice(c.limit_price, p)
    if ('refusal' in price) return refuse(price.refusal)
    order.limitPrice = price.value
    const value = mul(order.baseSize as Units, price.value)
    if (value < p.u.quoteMinSize) return refuse(REFUSALS.QUOTE_SIZE_TOO_SMALL)
    if (value > p.u.quoteMaxSize) return refuse(REFUSALS.QUOTE_SIZE_TOO_LARGE)
  }
  if (kind === 'limit_limit_gtc' || kind === 'limit_limit_gtd') {
    if (c.post_only !== undefined && typeof c.post_only !== 'boolean') return refuse(REFUSALS.UNSUPPORTED_ORDER_CONFIGURATION)
    order.postOnly = c.post_only === true
  }
  if (kind === 'limit_limit_fok' && c.post_only === true) return refuse(REFUSALS.POST_ONLY_NOT_ALLOWED_WITH_FOK)
  if (kind === 'stop_limit_stop_limit_gtc' || kind === 'stop_limit_stop_limit_gtd') {
    const stop = readPrice(c.stop_price, p)
    if ('refusal' in stop) return refuse(stop.refusal)
    order.stopPrice = stop.value
    if (typeof c.stop_direction !== 'string' || !STOP_DIRECTIONS.includes(c.stop_direction)) return refuse(REFUSALS.UNSUPPORTED_ORDER_CONFIGURATION)
    order.stopDirection = c.stop_direction as StopDirection
  }
  if (kind === 'limit_limit_gtd' || kind === 'stop_limit_stop_limit_gtd') {
    const end = typeof c.end_time === 'string' ? Date.parse(c.end_time) : Number.NaN
    if (!Number.isFinite(end)) return refuse(REFUSALS.INVALID_END_TIME)
    order.endTime = end
  }
  return {ok: true, order}
}

function readPrice(raw: unknown, p: SimProduct): {value: Units} | {refusal: Refusal} {
  const v = parseUnits(raw)
  if (v === undefined || v === 0n) return {refusal: REFUSALS.UNSUPPORTED_ORDER_CONFIGURATION}
  if (!isMultiple(v, p.u.quoteIncrement)) return {refusal: REFUSALS.INVALID_PRICE_PRECISION}
  return {value: v}
}

export function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v)
}
