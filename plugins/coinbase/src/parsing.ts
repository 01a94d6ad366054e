// Coinbase Advanced Trade (API v3) payloads as rick's domain model, and rick's orders as Coinbase's.
// Pure functions over the JSON as Coinbase documents it (docs.cdp.coinbase.com, Advanced Trade
// REST): decimal strings for prices, sizes and money, RFC 3339 times with up to nine decimals,
// candle times as UNIX seconds in strings. A malformed payload throws CoinbaseParseError naming the
// field: nothing NaN or undefined reaches the engine.
//
// rick's orders as Coinbase's create-order bodies are in parsing-orders.ts.
//
// Units and money:
// - Prices and sizes become JS numbers (rick's domain rule).
// - Money (balances, commissions) becomes Micro straight from the decimal string, digit by digit,
//   never through a float.
// - A fill's fee is its `commission` (quote currency, what Coinbase charged). A fill without one
//   is charged at the account's fee tier (transaction_summary): the maker or taker rate × notional,
//   rounded up to the micro unit (the connector passes the tier in).
import type {Bar} from '../../../src/foundation/domain/bars.js'
import type {Instrument} from '../../../src/foundation/domain/instrument.js'
import type {Micro} from '../../../src/foundation/domain/money.js'
import type {Fill, OrderState, OrderStatus, OrderType, Side, TimeInForce} from '../../../src/foundation/domain/orders.js'

export class CoinbaseParseError extends Error {
  override readonly name = 'CoinbaseParseError'
}

export type Json = Record<string, unknown>

// ---- primitives

export function obj(v: unknown, what: string): Json {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new CoinbaseParseError(`${what}: expected an object, found ${show(v)}`)
  return v as Json
}

export function str(v: unknown, what: string): string {
  if (typeof v !== 'string' || v === '') throw new CoinbaseParseError(`${what}: expected a non-empty string, found ${show(v)}`)
  return v
}

export function arr(v: unknown, what: string): unknown[] {
  if (!Array.isArray(v)) throw new CoinbaseParseError(`${what}: expected an array, found ${show(v)}`)
  return v
}

/** A string field that may be absent or empty (Coinbase sends "" for "none"). */
export function optStr(v: unknown): string | undefined {
  return typeof v === 'string' && v !== '' ? v : undefined
}

const DECIMAL = /^([+-])?(\d+)(?:\.(\d+))?$/

/** A decimal string ("21932.98", "0.00000001"): no exponent, no blanks. */
export function decimal(v: unknown, what: string): number {
  if (typeof v !== 'string' || !DECIMAL.test(v)) throw new CoinbaseParseError(`${what}: expected a decimal string, found ${show(v)}`)
  const n = Number(v)
  if (!Number.isFinite(n)) throw new CoinbaseParseError(`${what}: ${v} is out of range`)
  return n
}

/** decimal() for a field Coinbase may leave out or send empty. */
export function optDecimal(v: unknown, what: string): number | undefined {
  return v === undefined || v === null || v === '' ? undefined : decimal(v, what)
}

/** A decimal money string as integer micro units, without a float; digits past the sixth round half away from zero. */
export function decimalToMicro(v: unknown, what: string): Micro {
  const m = typeof v === 'string' ? DECIMAL.exec(v) : null
  if (!m) throw new CoinbaseParseError(`${what}: expected a decimal string, found ${show(v)}`)
  const [, sign, whole = '0', frac = ''] = m
  let micro = Number(whole) * 1_000_000 + Number((frac + '000000').slice(0, 6))
  if (frac.length > 6 && frac.charCodeAt(6) - 48 >= 5) micro += 1
  if (!Number.isSafeInteger(micro)) throw new CoinbaseParseError(`${what}: ${v} is too large for micro units`)
  return sign === '-' && micro !== 0 ? -micro : micro
}

const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(Z|[+-]\d{2}:\d{2})$/

/** Coinbase's time (RFC 3339, up to nine decimals) as epoch ms, truncated. */
export function parseTime(v: unknown, what: string): number {
  const m = typeof v === 'string' ? RFC3339.exec(v) : null
  if (!m) throw new CoinbaseParseError(`${what}: expected an RFC 3339 time, found ${show(v)}`)
  const [, y, mo, d, h, mi, s, frac = '', zone = 'Z'] = m
  const base = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s))
  const check = new Date(base)
  if (check.getUTCMonth() !== Number(mo) - 1 || check.getUTCDate() !== Number(d) || Number(h) > 23 || Number(mi) > 59 || Number(s) > 59) throw new CoinbaseParseError(`${what}: ${String(v)} is not a valid date and time`)
  const offset = zone === 'Z' ? 0 : (zone.startsWith('-') ? -1 : 1) * (Number(zone.slice(1, 3)) * 60 + Number(zone.slice(4, 6))) * 60_000
  return base + Number((frac + '000').slice(0, 3)) - offset
}

/** Sums decimal strings exactly (scaled integers): 0.3 + 0.1 is 0.4. Numbers in exponent form are written out first. */
export function sumDecimals(values: readonly string[]): number {
  const plain = values.map((v) => (/e/i.test(v) ? Number(v).toFixed(12) : v))
  const scale = 10 ** Math.min(15, Math.max(0, ...plain.map((v) => DECIMAL.exec(v)?.[3]?.length ?? 0)))
  let total = 0
  for (const [i, v] of plain.entries()) total += Math.round(decimal(v, `amount[${i}]`) * scale)
  return total / scale
}

/** Decimals of an increment string ("0.00000001" → 8, "1" → 0). */
export function decimalsOf(increment: string): number {
  return DECIMAL.exec(increment)?.[3]?.length ?? 0
}

/**
 * A value as a decimal string on the grid of `increment` (a Coinbase increment string such as
 * "0.01" or "0.00000001"); undefined when the value is not on that grid (within float dust).
 */
export function onGrid(value: number, increment: string): string | undefined {
  const digits = decimalsOf(increment)
  const unit = Math.round(Number(increment) * 10 ** digits)
  if (!(unit > 0) || !Number.isFinite(value)) return undefined
  const scaled = (value * 10 ** digits) / unit
  const steps = Math.round(scaled)
  if (!Number.isSafeInteger(steps * unit) || Math.abs(scaled - steps) > 1e-6 + Math.abs(scaled) * 1e-15) return undefined
  const s = String(Math.abs(steps * unit)).padStart(digits + 1, '0')
  const body = digits === 0 ? s : `${s.slice(0, s.length - digits)}.${s.slice(s.length - digits)}`
  return steps < 0 ? `-${body}` : body
}

export function show(v: unknown): string {
  const s = JSON.stringify(v)
  return s === undefined ? String(v) : s.length > 80 ? `${s.slice(0, 77)}...` : s
}

// ---- products

/** What Coinbase says about a product that rick's Instrument has no field for (strings: exact increments). */
export interface CoinbaseProductDetails {
  baseIncrement: string
  /** The price grid (price_increment, or quote_increment when absent). */
  priceIncrement: string
  quoteIncrement: string
  baseMinSize: number
  baseMaxSize?: number
  quoteMinSize: number
  baseCurrency: string
  quoteCurrency: string
  /** Orders are refused while it holds (trading_disabled, cancel_only, is_disabled, status not online). */
  tradingDisabled: boolean
  limitOnly: boolean
  postOnly: boolean
  price?: number
}

export type CoinbaseInstrument = Instrument & {coinbase: CoinbaseProductDetails}

/**
 * A product of GET /api/v3/brokerage/products as rick's Instrument: tick = price_increment, lot =
 * base_increment, minNotional = quote_min_size. `base` (rick's built-in description) supplies the
 * reference price when Coinbase gives none.
 */
export function parseProduct(raw: unknown, venue: string, base?: Instrument): CoinbaseInstrument {
  const o = obj(raw, 'product')
  const id = str(o.product_id, 'product.product_id')
  const what = `product ${id}`
  const baseIncrement = str(o.base_increment, `${what}.base_increment`)
  const quoteIncrement = str(o.quote_increment, `${what}.quote_increment`)
  const priceIncrement = optStr(o.price_increment) ?? quoteIncrement
  for (const [k, v] of [['base_increment', baseIncrement], ['quote_increment', quoteIncrement], ['price_increment', priceIncrement]] as const) {
    if (!(decimal(v, `${what}.${k}`) > 0)) throw new CoinbaseParseError(`${what}.${k}: ${v} must be positive`)
  }
  const [b = '', q = ''] = id.split('-')
  const status = optStr(o.status)
  const details: CoinbaseProductDetails = {
    baseIncrement,
    priceIncrement,
    quoteIncrement,
    baseMinSize: optDecimal(o.base_min_size, `${what}.base_min_size`) ?? 0,
    quoteMinSize: optDecimal(o.quote_min_size, `${what}.quote_min_size`) ?? 0,
    baseCurrency: optStr(o.base_currency_id) ?? b,
    quoteCurrency: optStr(o.quote_currency_id) ?? q,
    tradingDisabled: o.trading_disabled === true || o.is_disabled === true || o.cancel_only === true || (status !== undefined && status.toLowerCase() !== 'online'),
    limitOnly: o.limit_only === true,
    postOnly: o.post_only === true,
  }
  const max = optDecimal(o.base_max_size, `${what}.base_max_size`)
  if (max !== undefined && max > 0) details.baseMaxSize = max
  const price = optDecimal(o.price, `${what}.price`)
  if (price !== undefined && price > 0) details.price = price
  return {
    id,
    venue,
    kind: 'crypto',
    tickSize: Number(priceIncrement),
    lotSize: Number(baseIncrement),
    minNotional: details.quoteMinSize,
    multiplier: 1,
    quoteCurrency: details.quoteCurrency,
    referencePrice: price ?? base?.referencePrice ?? 1,
    coinbase: details,
  }
}

// ---- orders: Coinbase → rick

/** The parts of a Coinbase order rick reads, from REST (historical orders) or the user channel. */
export interface CoinbaseOrder {
  orderId: string
  clientOrderId: string
  productId: string
  side: Side
  status: string
  filledSize: number
  averageFilledPrice: number
  numberOfFills?: number
  totalFees?: string
  createdTs: number
  updatedTs: number
  state?: OrderState
  rejectReason?: string
  cancelReason?: string
}

const FINAL = new Set(['FILLED', 'CANCELLED', 'EXPIRED', 'FAILED'])

export function isFinal(status: string): boolean {
  return FINAL.has(status)
}

function parseSide(v: unknown, what: string): Side {
  if (v === 'BUY') return 'buy'
  if (v === 'SELL') return 'sell'
  throw new CoinbaseParseError(`${what}: expected BUY or SELL, found ${show(v)}`)
}

/** The order type, size, prices and tif of an `order_configuration`. */
function configuration(raw: unknown, what: string): {type: OrderType; tif: TimeInForce; qty?: number; quoteSize?: number; limitPrice?: number; stopPrice?: number} | undefined {
  if (typeof raw !== 'object' || raw === null) return undefined
  const entries = Object.entries(raw as Json).filter(([, v]) => typeof v === 'object' && v !== null)
  const [key, value] = entries[0] ?? []
  if (key === undefined) return undefined
  const c = value as Json
  const type: OrderType = key.startsWith('market_') ? 'market' : key.startsWith('stop_limit_') ? 'stop-limit' : key.includes('limit') ? 'limit' : 'market'
  const tif: TimeInForce = /_gtc$/.test(key) ? 'gtc' : /_(ioc|fok)$/.test(key) ? 'ioc' : /_gtd$/.test(key) ? 'day' : 'gtc'
  const out: ReturnType<typeof configuration> = {type, tif}
  const qty = optDecimal(c.base_size, `${what}.${key}.base_size`)
  if (qty !== undefined) out.qty = qty
  const quote = optDecimal(c.quote_size, `${what}.${key}.quote_size`)
  if (quote !== undefined) out.quoteSize = quote
  const limit = optDecimal(c.limit_price, `${what}.${key}.limit_price`)
  if (limit !== undefined) out.limitPrice = limit
  const stop = optDecimal(c.stop_price, `${what}.${key}.stop_price`)
  if (stop !== undefined) out.stopPrice = stop
  return out
}

function orderStatus(status: string, filled: number): OrderStatus {
  switch (status) {
    case 'OPEN':
    case 'CANCEL_QUEUED':
    case 'EDIT_QUEUED':
      return filled > 0 ? 'partially-filled' : 'working'
    case 'FILLED':
      return 'filled'
    case 'CANCELLED':
      return 'cancelled'
    case 'EXPIRED':
      return 'expired'
    case 'FAILED':
      return 'rejected'
    default:
      // PENDING, QUEUED, UNKNOWN_ORDER_STATUS: accepted, not working yet.
      return filled > 0 ? 'partially-filled' : 'pending'
  }
}

/** An order of GET /api/v3/brokerage/orders/historical/{id} or …/batch. */
export function parseOrder(raw: unknown): CoinbaseOrder {
  const o = obj(raw, 'order')
  const orderId = str(o.order_id, 'order.order_id')
  const what = `order ${orderId}`
  const productId = str(o.product_id, `${what}.product_id`)
  const side = parseSide(o.side, `${what}.side`)
  const status = str(o.status, `${what}.status`)
  const filledSize = optDecimal(o.filled_size, `${what}.filled_size`) ?? 0
  const averageFilledPrice = optDecimal(o.average_filled_price, `${what}.average_filled_price`) ?? 0
  const createdTs = parseTime(o.created_time, `${what}.created_time`)
  const lastFill = optStr(o.last_fill_time)
  const updatedTs = lastFill !== undefined ? parseTime(lastFill, `${what}.last_fill_time`) : createdTs
  const clientOrderId = optStr(o.client_order_id) ?? `external:${orderId}`
  const c = configuration(o.order_configuration, what)
  const type: OrderType = c?.type ?? (o.order_type === 'LIMIT' ? 'limit' : o.order_type === 'STOP_LIMIT' ? 'stop-limit' : 'market')
  const state: OrderState = {
    clientOrderId,
    instrument: productId,
    side,
    type,
    qty: c?.qty ?? filledSize,
    tif: c?.tif ?? 'gtc',
    status: orderStatus(status, filledSize),
    filledQty: filledSize,
    avgFillPrice: filledSize > 0 ? averageFilledPrice : 0,
    venueOrderId: orderId,
    updatedAt: updatedTs,
  }
  if (c?.limitPrice !== undefined) state.limitPrice = c.limitPrice
  if (c?.stopPrice !== undefined) state.stopPrice = c.stopPrice
  const out: CoinbaseOrder = {orderId, clientOrderId, productId, side, status, filledSize, averageFilledPrice, createdTs, updatedTs, state}
  const fills = o.number_of_fills
  if (typeof fills === 'string' && /^\d+$/.test(fills)) out.numberOfFills = Number(fills)
  else if (typeof fills === 'number' && Number.isSafeInteger(fills)) out.numberOfFills = fills
  if (optStr(o.total_fees) !== undefined) out.totalFees = String(o.total_fees)
  const reject = optStr(o.reject_reason) ?? optStr(o.reject_message)
  if (reject !== undefined && !/^(UNKNOWN_|REJECT_REASON_UNSPECIFIED)/.test(reject)) out.rejectReason = reject
  const cancel = optStr(o.cancel_message) ?? optStr(o.cancel_reason)
  if (cancel !== undefined) out.cancelReason = cancel
  return out
}

/** An order of the user websocket channel (fewer fields than REST: no order_configuration). */
export function parseUserOrder(raw: unknown, ts: number): CoinbaseOrder {
  const o = obj(raw, 'user order')
  const orderId = str(o.order_id, 'user order.order_id')
  const what = `user order ${orderId}`
  const filledSize = optDecimal(o.cumulative_quantity, `${what}.cumulative_quantity`) ?? 0
  const created = optStr(o.creation_time)
  const out: CoinbaseOrder = {
    orderId,
    clientOrderId: optStr(o.client_order_id) ?? `external:${orderId}`,
    productId: str(o.product_id, `${what}.product_id`),
    side: parseSide(o.order_side, `${what}.order_side`),
    status: str(o.status, `${what}.status`),
    filledSize,
    averageFilledPrice: optDecimal(o.avg_price, `${what}.avg_price`) ?? 0,
    createdTs: created !== undefined ? parseTime(created, `${what}.creation_time`) : ts,
    updatedTs: ts,
  }
  const fills = o.number_of_fills
  if (typeof fills === 'string' && /^\d+$/.test(fills)) out.numberOfFills = Number(fills)
  if (optStr(o.total_fees) !== undefined) out.totalFees = String(o.total_fees)
  const reject = optStr(o.reject_reason)
  if (reject !== undefined && !/^(UNKNOWN_|REJECT_REASON_UNSPECIFIED)/.test(reject)) out.rejectReason = reject
  const cancel = optStr(o.cancel_reason)
  if (cancel !== undefined) out.cancelReason = cancel
  return out
}

// ---- fills

/** The fee tier of GET /api/v3/brokerage/transaction_summary (rates as fractions: 0.006 is 0.6%). */
export interface FeeTier {
  name: string
  maker: number
  taker: number
}

export function parseFeeTier(raw: unknown): FeeTier {
  const o = obj(raw, 'transaction_summary')
  const t = obj(o.fee_tier, 'transaction_summary.fee_tier')
  const maker = decimal(t.maker_fee_rate, 'fee_tier.maker_fee_rate')
  const taker = decimal(t.taker_fee_rate, 'fee_tier.taker_fee_rate')
  if (maker < 0 || taker < 0 || maker > 0.1 || taker > 0.1) throw new CoinbaseParseError(`fee_tier: rates ${maker}/${taker} are not fee rates`)
  return {name: optStr(t.pricing_tier) ?? 'unknown', maker, taker}
}

/** The fee of a fill at a tier: rate × notional, rounded up to the micro unit. */
export function tierFee(tier: FeeTier, price: number, qty: number, liquidity: 'maker' | 'taker'): Micro {
  const rate = liquidity === 'maker' ? tier.maker : tier.taker
  return Math.ceil(price * qty * rate * 1_000_000 - 1e-6)
}

export interface CoinbaseFill {
  fill: Omit<Fill, 'clientOrderId'>
  orderId: string
  /** Sort key: sequence_timestamp, else trade_time. */
  seq: number
}

/** One fill of GET /api/v3/brokerage/orders/historical/fills. `tier` prices a fill without a commission. */
export function parseFill(raw: unknown, tier?: FeeTier): CoinbaseFill {
  const o = obj(raw, 'fill')
  const orderId = str(o.order_id, 'fill.order_id')
  const fillId = optStr(o.entry_id) ?? str(o.trade_id, `fill of order ${orderId}.trade_id`)
  const what = `fill ${fillId}`
  const price = decimal(o.price, `${what}.price`)
  const size = decimal(o.size, `${what}.size`)
  if (!(price > 0) || !(size > 0)) throw new CoinbaseParseError(`${what}: price ${price} and size ${size} must be positive`)
  // size_in_quote: the size is in the quote currency (a market order sized in quote).
  const qty = o.size_in_quote === true ? size / price : size
  const liquidity = o.liquidity_indicator === 'MAKER' ? 'maker' : 'taker'
  const commission = optStr(o.commission)
  const ts = parseTime(o.trade_time, `${what}.trade_time`)
  const fill: Omit<Fill, 'clientOrderId'> = {
    venueOrderId: orderId,
    fillId,
    instrument: str(o.product_id, `${what}.product_id`),
    side: parseSide(o.side, `${what}.side`),
    qty,
    price,
    fee: commission !== undefined ? decimalToMicro(commission, `${what}.commission`) : tier !== undefined ? tierFee(tier, price, qty, liquidity) : 0,
    liquidity,
    ts,
  }
  const seqText = optStr(o.sequence_timestamp)
  return {fill, orderId, seq: seqText !== undefined && RFC3339.test(seqText) ? parseTime(seqText, `${what}.sequence_timestamp`) : ts}
}

// ---- accounts

export interface Balance {
  currency: string
  /** available + hold in micro units (cash: exact to 1e-6). */
  total: Micro
  available: Micro
  /** available + hold as a number (a coin balance: 1e-8 and finer stay exact to the double). */
  qty: number
}

/** The balances of GET /api/v3/brokerage/accounts (one page), by currency (summed). */
export function parseAccounts(raw: unknown): {balances: Balance[]; cursor?: string} {
  const o = obj(raw, 'accounts')
  const list = arr(o.accounts, 'accounts.accounts')
  const by = new Map<string, Balance>()
  for (const [i, a] of list.entries()) {
    const acc = obj(a, `accounts[${i}]`)
    const currency = str(acc.currency, `accounts[${i}].currency`)
    const available = decimalToMicro(obj(acc.available_balance, `accounts[${i}].available_balance`).value, `accounts[${i}].available_balance.value`)
    const holdRaw = acc.hold === undefined ? undefined : obj(acc.hold, `accounts[${i}].hold`).value
    const hold = holdRaw === undefined || holdRaw === '' ? 0 : decimalToMicro(holdRaw, `accounts[${i}].hold.value`)
    const b = by.get(currency) ?? {currency, total: 0, available: 0, qty: 0}
    b.total += available + hold
    b.available += available
    b.qty = sumDecimals([String(b.qty), String(obj(acc.available_balance, 'x').value), holdRaw === undefined || holdRaw === '' ? '0' : String(holdRaw)])
    by.set(currency, b)
  }
  const cursor = o.has_next === true ? optStr(o.cursor) : undefined
  return cursor === undefined ? {balances: [...by.values()]} : {balances: [...by.values()], cursor}
}

// ---- candles

/** Coinbase's candle granularities by bar length (ms). */
export const GRANULARITIES: ReadonlyMap<number, string> = new Map([
  [60_000, 'ONE_MINUTE'],
  [300_000, 'FIVE_MINUTE'],
  [900_000, 'FIFTEEN_MINUTE'],
  [1_800_000, 'THIRTY_MINUTE'],
  [3_600_000, 'ONE_HOUR'],
  [7_200_000, 'TWO_HOUR'],
  [21_600_000, 'SIX_HOUR'],
  [86_400_000, 'ONE_DAY'],
])

/** Candles of GET …/products/{id}/candles, oldest first (Coinbase sends newest first). */
export function parseCandles(raw: unknown, instrument: string): Bar[] {
  const list = arr(obj(raw, 'candles answer').candles, 'candles')
  const bars = list.map((c, i) => {
    const o = obj(c, `candles[${i}]`)
    const start = str(o.start, `candles[${i}].start`)
    if (!/^\d{1,12}$/.test(start)) throw new CoinbaseParseError(`candles[${i}].start: expected UNIX seconds, found ${show(start)}`)
    const bar: Bar = {
      instrument,
      ts: Number(start) * 1000,
      open: decimal(o.open, `candles[${i}].open`),
      high: decimal(o.high, `candles[${i}].high`),
      low: decimal(o.low, `candles[${i}].low`),
      close: decimal(o.close, `candles[${i}].close`),
      volume: optDecimal(o.volume, `candles[${i}].volume`) ?? 0,
    }
    if (bar.low > Math.min(bar.open, bar.close) || bar.high < Math.max(bar.open, bar.close)) throw new CoinbaseParseError(`candles[${i}]: low/high ${bar.low}/${bar.high} do not contain open/close`)
    return bar
  })
  return bars.sort((a, b) => a.ts - b.ts)
}
