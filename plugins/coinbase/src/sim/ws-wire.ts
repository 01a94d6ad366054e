// Coinbase Advanced Trade websocket messages, field for field. Sources: the channel reference
// (docs.cdp.coinbase.com, api-reference/advanced-trade-api/websocket/*, the AsyncAPI document),
// the official Python SDK's response types (coinbase-advanced-py, coinbase/websocket/types),
// ccxt's pro/coinbase.js handlers, and frames recorded from production that public clients keep as
// fixtures (envelope key order, Go-style time strings, the snapshot before the acknowledgement).
//
// Every message but an error is an envelope {channel, client_id, timestamp, sequence_num, events}.
// The server is written in Go: `timestamp`, trade and order times are RFC 3339 with up to nine
// fraction digits and trailing zeros trimmed (Go's RFC3339Nano), and a heartbeat's current_time is
// Go's Time.String() with its monotonic reading ("2026-09-07 23:37:22.674409 +0000 UTC m=+139651.272674714").
// Decimal values are exact decimal strings, as the exchange gives them.
import type {FeedOrder, FeedQuote, FeedTrade} from './ws-feed.js'
import {addDec, dec, formatDec, rescale} from './ws-decimal.js'

export type JsonObject = {[key: string]: unknown}

/** The channel names a client subscribes to. l2 data arrives as channel `l2_data`. */
export const CHANNELS = ['heartbeats', 'status', 'ticker', 'ticker_batch', 'market_trades', 'candles', 'level2', 'user'] as const
export type Channel = (typeof CHANNELS)[number]
export function isChannel(name: unknown): name is Channel {
  return typeof name === 'string' && (CHANNELS as readonly string[]).includes(name)
}
/** The `channel` field of the messages a subscription produces. */
export function wireChannel(channel: Channel): string {
  return channel === 'level2' ? 'l2_data' : channel
}

export type EventType = 'snapshot' | 'update'

// ---------------------------------------------------------------------------------------- time

function pad(n: number, width = 2): string {
  return String(n).padStart(width, '0')
}

/** Nine fraction digits of an epoch-ms instant, trailing zeros trimmed ('' when whole seconds). */
function fraction(ms: number): string {
  const digits = `${pad(((ms % 1000) + 1000) % 1000, 3)}000000`.replace(/0+$/, '')
  return digits === '' ? '' : `.${digits}`
}

function datePart(d: Date): string {
  return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`
}

function clockPart(d: Date): string {
  return `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`
}

/** Go's time.RFC3339Nano of a UTC instant: 2026-09-30T02:37:15.05Z. */
export function rfc3339Nano(ms: number): string {
  const d = new Date(ms)
  return `${datePart(d)}T${clockPart(d)}${fraction(ms)}Z`
}

/** Go's Time.String() of a UTC instant with the monotonic reading `monoMs` after process start. */
export function goTimeString(ms: number, monoMs: number): string {
  const d = new Date(ms)
  const mono = Math.max(0, Math.floor(monoMs))
  return `${datePart(d)} ${clockPart(d)}${fraction(ms)} +0000 UTC m=+${Math.floor(mono / 1000)}.${pad(mono % 1000, 3)}000000`
}

// ------------------------------------------------------------------------------------ envelope

export function envelope(channel: string, timestampMs: number, sequenceNum: number, events: JsonObject[]): JsonObject {
  return {channel, client_id: '', timestamp: rfc3339Nano(timestampMs), sequence_num: sequenceNum, events}
}

/** Coinbase's error message; it carries no envelope and no sequence number. */
export function errorMessage(message: string): JsonObject {
  return {type: 'error', message}
}

// ------------------------------------------------------------------------------- market data

export interface TickerExtremes {
  low52w: string
  high52w: string
}

/**
 * 24 h change in percent. A statistic Coinbase itself sends as a float's digits
 * ("-4.15775596190603"), so a float is the faithful type here; no money moves on it.
 */
function percentChange(price: string, open: string): string {
  const p = Number(price)
  const o = Number(open)
  if (!Number.isFinite(p) || !Number.isFinite(o) || o === 0) return '0'
  return String(((p - o) / o) * 100)
}

/** A ticker of the `ticker` channel; ticker_batch has the same fields without best bid/ask. */
export function tickerView(q: FeedQuote, extremes: TickerExtremes, batch: boolean): JsonObject {
  const base: JsonObject = {
    type: 'ticker',
    product_id: q.productId,
    price: q.price,
    volume_24_h: q.volume24h,
    low_24_h: q.low24h,
    high_24_h: q.high24h,
    low_52_w: extremes.low52w,
    high_52_w: extremes.high52w,
    price_percent_chg_24_h: percentChange(q.price, q.open24h),
  }
  if (batch) return base
  return {...base, best_bid: q.bestBid, best_bid_quantity: q.bestBidQuantity, best_ask: q.bestAsk, best_ask_quantity: q.bestAskQuantity}
}

/**
 * A trade of market_trades. Coinbase's `side` is the MAKER's side ("side refers to the makers
 * side"; AsyncAPI: "The maker's side of the trade"); the feed gives the taker's, so it flips.
 */
export function tradeView(t: FeedTrade): JsonObject {
  return {trade_id: t.tradeId, product_id: t.productId, price: t.price, size: t.size, side: t.side === 'BUY' ? 'SELL' : 'BUY', time: rfc3339Nano(t.ts)}
}

export interface Candle {
  productId: string
  /** Start of the 5-minute bucket, epoch seconds. */
  startSec: number
  open: string
  high: string
  low: string
  close: string
  volume: string
}

export function candleKey(c: Candle): string {
  return `${c.startSec}|${c.open}|${c.high}|${c.low}|${c.close}|${c.volume}`
}

export function candleView(c: Candle): JsonObject {
  return {start: String(c.startSec), high: c.high, low: c.low, open: c.open, close: c.close, volume: c.volume, product_id: c.productId}
}

export interface L2Level {
  side: 'bid' | 'offer'
  price: string
  quantity: string
}

export function l2View(level: L2Level, eventTimeMs: number): JsonObject {
  return {side: level.side, event_time: rfc3339Nano(eventTimeMs), price_level: level.price, new_quantity: level.quantity}
}

export interface StatusProduct {
  id: string
  baseIncrement: string
  quoteIncrement: string
  minMarketFunds: string
}

export function statusProductView(p: StatusProduct): JsonObject {
  const [base = '', quote = ''] = p.id.split('-')
  return {
    product_type: 'SPOT',
    id: p.id,
    base_currency: base,
    quote_currency: quote,
    base_increment: p.baseIncrement,
    quote_increment: p.quoteIncrement,
    display_name: `${base}/${quote}`,
    status: 'online',
    status_message: '',
    min_market_funds: p.minMarketFunds,
  }
}

// ---------------------------------------------------------------------------------------- user

function completion(o: FeedOrder): string {
  // A display percentage (Coinbase writes it as a decimal string); two places suffice.
  const ordered = o.baseSize !== undefined ? Number(o.baseSize) : Number(o.quoteSize ?? '0')
  const done = o.baseSize !== undefined ? Number(o.filledSize) : Number(o.filledValue)
  if (!(ordered > 0)) return '0'
  return String(Math.round((done / ordered) * 10_000) / 100)
}

function valueAfterFees(o: FeedOrder): string {
  const value = dec(o.filledValue)
  const fees = dec(o.totalFees)
  // A buy costs value + fees; a sell brings value - fees.
  const signed = o.side === 'BUY' ? fees : {units: -fees.units, scale: fees.scale}
  const sum = addDec(value, signed)
  return formatDec(rescale(sum, Math.max(value.scale, fees.scale)))
}

/** A stop order's trigger state; other orders have none (Coinbase writes INVALID_ORDER_TYPE). */
function triggerStatus(o: FeedOrder): string {
  if (o.type !== 'STOP_LIMIT') return 'INVALID_ORDER_TYPE'
  return o.triggered === true ? 'STOP_TRIGGERED' : 'STOP_PENDING'
}

/** One order of the user channel (the fields of the SDK's UserOrders, as the reference names them). */
export function userOrderView(o: FeedOrder): JsonObject {
  const view: JsonObject = {
    avg_price: o.averageFilledPrice,
    cancel_reason: o.cancelReason ?? '',
    client_order_id: o.clientOrderId,
    completion_percentage: completion(o),
    contract_expiry_type: 'UNKNOWN_CONTRACT_EXPIRY_TYPE',
    cumulative_quantity: o.filledSize,
    filled_value: o.filledValue,
    leaves_quantity: o.leavesQuantity,
  }
  if (o.limitPrice !== undefined) view['limit_price'] = o.limitPrice
  Object.assign(view, {
    number_of_fills: String(o.numberOfFills),
    order_id: o.orderId,
    order_side: o.side,
    order_type: o.type,
    outstanding_hold_amount: o.outstandingHold,
    post_only: o.postOnly ? 'true' : 'false',
    product_id: o.productId,
    product_type: 'SPOT',
    reject_reason: o.rejectReason ?? '',
    risk_managed_by: 'UNKNOWN_RISK_MANAGEMENT_TYPE',
    status: o.status,
  })
  if (o.stopPrice !== undefined) view['stop_price'] = o.stopPrice
  Object.assign(view, {
    time_in_force: o.timeInForce,
    total_fees: o.totalFees,
    total_value_after_fees: valueAfterFees(o),
    trigger_status: triggerStatus(o),
    creation_time: rfc3339Nano(o.createdTs),
  })
  if (o.endTs !== undefined) view['end_time'] = rfc3339Nano(o.endTs)
  return view
}

/** The snapshot's positions: a spot account holds no futures or prediction-market positions. */
export function emptyPositions(): JsonObject {
  return {perpetual_futures_positions: [], expiring_futures_positions: [], prediction_market_positions: []}
}
