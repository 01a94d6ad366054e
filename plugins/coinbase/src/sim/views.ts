// The JSON shapes of Advanced Trade v3, field for field (products, orders, fills, accounts), from the
// API reference and the official SDKs' models. Numbers are decimal strings except where Coinbase
// sends JSON numbers (number_of_fills is a string too; transaction_summary's volumes are numbers).
// Times are RFC 3339 in UTC.
import {currencyName, type SimProduct} from './catalogue.js'
import type {Market} from './market.js'
import {percentChange} from './market.js'
import {div, formatUnits, mul, ONE, type Units} from './money.js'
import type {OrderKind, SimFill, SimOrder} from './model.js'
import type {FeedOrder, FeedOrderType} from './ws-feed.js'

export function iso(ts: number): string {
  return new Date(ts).toISOString()
}

export function productView(m: Market, p: SimProduct, now: number): Record<string, unknown> {
  const last = m.lastPrice(p.id, now)
  const day = m.day(p.id, now)
  return {
    product_id: p.id,
    price: m.priceText(p.id, last),
    price_percentage_change_24h: percentChange(day.open, last),
    volume_24h: m.sizeText(p.id, day.volume),
    volume_percentage_change_24h: '0',
    base_increment: p.baseIncrement,
    quote_increment: p.quoteIncrement,
    quote_min_size: p.quoteMinSize,
    quote_max_size: p.quoteMaxSize,
    base_min_size: p.baseMinSize,
    base_max_size: p.baseMaxSize,
    base_name: currencyName(p.base),
    quote_name: currencyName(p.quote),
    watched: false,
    is_disabled: false,
    new: false,
    status: 'online',
    cancel_only: false,
    limit_only: false,
    post_only: false,
    trading_disabled: false,
    auction_mode: false,
    product_type: 'SPOT',
    quote_currency_id: p.quote,
    base_currency_id: p.base,
    fcm_trading_session_details: null,
    mid_market_price: '',
    alias: '',
    alias_to: [],
    base_display_symbol: p.base,
    quote_display_symbol: p.quote,
    view_only: false,
    price_increment: p.quoteIncrement,
    display_name: p.id,
    product_venue: 'CBE',
    approximate_quote_24h_volume: formatUnits(mul(day.volume, last)),
  }
}

const TIME_IN_FORCE: Record<OrderKind, FeedOrder['timeInForce']> = {
  market_market_ioc: 'IMMEDIATE_OR_CANCEL',
  sor_limit_ioc: 'IMMEDIATE_OR_CANCEL',
  limit_limit_gtc: 'GOOD_UNTIL_CANCELLED',
  limit_limit_gtd: 'GOOD_UNTIL_DATE_TIME',
  limit_limit_fok: 'FILL_OR_KILL',
  stop_limit_stop_limit_gtc: 'GOOD_UNTIL_CANCELLED',
  stop_limit_stop_limit_gtd: 'GOOD_UNTIL_DATE_TIME',
}

export function orderType(o: SimOrder): FeedOrderType {
  if (o.kind === 'market_market_ioc') return 'MARKET'
  return o.stopPrice !== undefined ? 'STOP_LIMIT' : 'LIMIT'
}

function averagePrice(o: SimOrder): Units {
  return o.filledSize > 0n ? div(o.filledValue, o.filledSize) : 0n
}

function triggerStatus(o: SimOrder): string {
  if (o.stopPrice === undefined) return 'INVALID_ORDER_TYPE'
  return o.triggered ? 'STOP_TRIGGERED' : 'STOP_PENDING'
}

/** GET /orders/historical/{id} and the batch list. */
export function orderView(m: Market, o: SimOrder, userId: string, portfolioId: string): Record<string, unknown> {
  const buy = o.side === 'BUY'
  const size = o.baseSize ?? o.quoteSize ?? 0n
  const filledRef = o.baseSize !== undefined ? o.filledSize : o.filledValue + (buy ? o.totalFees : 0n)
  const completion = o.status === 'FILLED' ? ONE * 100n : size > 0n ? div(filledRef * 100n, size) : 0n
  return {
    order_id: o.orderId,
    product_id: o.productId,
    user_id: userId,
    order_configuration: o.config,
    side: o.side,
    client_order_id: o.clientOrderId,
    status: o.status,
    time_in_force: TIME_IN_FORCE[o.kind],
    created_time: iso(o.createdTs),
    completion_percentage: formatUnits(completion > ONE * 100n ? ONE * 100n : completion),
    filled_size: m.sizeText(o.productId, o.filledSize),
    average_filled_price: formatUnits(averagePrice(o)),
    fee: '',
    number_of_fills: String(o.numberOfFills),
    filled_value: formatUnits(o.filledValue),
    pending_cancel: false,
    size_in_quote: o.quoteSize !== undefined,
    total_fees: formatUnits(o.totalFees),
    size_inclusive_of_fees: o.quoteSize !== undefined && buy,
    total_value_after_fees: formatUnits(buy ? o.filledValue + o.totalFees : o.filledValue - o.totalFees),
    trigger_status: triggerStatus(o),
    order_type: orderType(o),
    reject_reason: 'REJECT_REASON_UNSPECIFIED',
    settled: o.status === 'FILLED',
    product_type: 'SPOT',
    reject_message: '',
    cancel_message: o.cancelMessage,
    order_placement_source: 'RETAIL_ADVANCED',
    outstanding_hold_amount: formatUnits(o.hold),
    is_liquidation: false,
    last_fill_time: o.lastFillTs === undefined ? null : iso(o.lastFillTs),
    edit_history: [],
    leverage: '',
    margin_type: 'UNKNOWN_MARGIN_TYPE',
    retail_portfolio_id: portfolioId,
    originating_order_id: '',
    attached_order_id: '',
  }
}

export function fillView(m: Market, f: SimFill, userId: string, portfolioId: string): Record<string, unknown> {
  return {
    entry_id: f.entryId,
    trade_id: f.tradeId,
    order_id: f.orderId,
    trade_time: iso(f.ts),
    trade_type: 'FILL',
    price: m.priceText(f.productId, f.price),
    // An order sized in quote reports its fills' size in quote too (size_in_quote), as Coinbase does.
    size: f.sizeInQuote ? formatUnits(mul(f.size, f.price)) : m.sizeText(f.productId, f.size),
    commission: formatUnits(f.commission),
    product_id: f.productId,
    sequence_timestamp: iso(f.ts),
    liquidity_indicator: f.liquidity,
    size_in_quote: f.sizeInQuote,
    user_id: userId,
    side: f.side,
    retail_portfolio_id: portfolioId,
  }
}

export interface AccountRow {
  uuid: string
  currency: string
  available: Units
  hold: Units
  createdTs: number
}

export function accountView(a: AccountRow, fiat: boolean, portfolioId: string, now: number): Record<string, unknown> {
  return {
    uuid: a.uuid,
    name: `${a.currency} Wallet`,
    currency: a.currency,
    available_balance: {value: formatUnits(a.available, fiat ? 2 : 0), currency: a.currency},
    default: a.currency === 'USD',
    active: true,
    created_at: iso(a.createdTs),
    updated_at: iso(now),
    deleted_at: null,
    type: fiat ? 'ACCOUNT_TYPE_FIAT' : 'ACCOUNT_TYPE_CRYPTO',
    ready: true,
    hold: {value: formatUnits(a.hold, fiat ? 2 : 0), currency: a.currency},
    retail_portfolio_id: portfolioId,
  }
}

/** The user channel's view of an order (the seam's FeedOrder). */
export function feedOrder(m: Market, o: SimOrder): FeedOrder {
  const leaves = o.baseSize !== undefined && !(o.status === 'FILLED' || o.status === 'CANCELLED' || o.status === 'EXPIRED' || o.status === 'FAILED') ? o.baseSize - o.filledSize : 0n
  return {
    orderId: o.orderId,
    clientOrderId: o.clientOrderId,
    productId: o.productId,
    side: o.side,
    type: orderType(o),
    status: o.status,
    timeInForce: TIME_IN_FORCE[o.kind],
    postOnly: o.postOnly,
    ...(o.baseSize !== undefined ? {baseSize: m.sizeText(o.productId, o.baseSize)} : {}),
    ...(o.quoteSize !== undefined ? {quoteSize: m.priceText(o.productId, o.quoteSize)} : {}),
    ...(o.limitPrice !== undefined ? {limitPrice: m.priceText(o.productId, o.limitPrice)} : {}),
    ...(o.stopPrice !== undefined ? {stopPrice: m.priceText(o.productId, o.stopPrice), triggered: o.triggered} : {}),
    filledSize: m.sizeText(o.productId, o.filledSize),
    filledValue: formatUnits(o.filledValue),
    averageFilledPrice: formatUnits(averagePrice(o)),
    totalFees: formatUnits(o.totalFees),
    numberOfFills: o.numberOfFills,
    leavesQuantity: m.sizeText(o.productId, leaves),
    outstandingHold: formatUnits(o.hold),
    createdTs: o.createdTs,
    ...(o.endTs !== undefined ? {endTs: o.endTs} : {}),
    ...(o.cancelMessage !== '' ? {cancelReason: o.cancelMessage} : {}),
  }
}
