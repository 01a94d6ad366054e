// OANDA v20 payloads as rick's domain model, and rick's orders as OANDA's. Pure functions over the
// JSON as OANDA's reference documents it (developer.oanda.com/rest-live-v20): decimal strings for
// prices, units and money, RFC 3339 times with nanoseconds (or UNIX seconds), ids as strings.
// Every parser refuses malformed input with an OandaParseError naming the field: nothing NaN or
// undefined ever reaches the engine.
//
// Units and money:
// - Prices and quantities become JS numbers (rick's domain rule); units are parsed and summed as
//   scaled integers so 0.3 + -0.1 is 0.2, not 0.19999999999999998.
// - Money (balance, NAV, commission) becomes Micro straight from the decimal string, digit by digit,
//   never through a float: "100000.1234565" is 100000123457 micro units.
// - A fill's fee is commission + guaranteedExecutionFee: what OANDA charges for the trade itself.
//   Financing is left out: it is the carry of the position (interest, either sign) that OANDA books
//   on a fill only for the days since the last DAILY_FINANCING, not a cost of executing the order;
//   it shows in the account's balance, which the reconciler reads from account().
// - Fills are `taker`: OANDA is the counterparty of every fill, at its own quoted price.
import type {Bar} from '../../../src/foundation/domain/bars.js'
import type {Instrument, InstrumentKind} from '../../../src/foundation/domain/instrument.js'
import type {Micro} from '../../../src/foundation/domain/money.js'
import type {AccountSnapshot, Fill, OrderRequest, OrderState, OrderType, Position, Side, TimeInForce, VenueEvent} from '../../../src/foundation/domain/orders.js'
import type {Tick} from '../../../src/sectors/connector.js'

/** A payload that does not have the shape OANDA documents. */
export class OandaParseError extends Error {
  override readonly name = 'OandaParseError'
}

/** An order rick cannot express at OANDA; the connector throws it as a BrokerError of this kind. */
export class OrderSpecError extends Error {
  override readonly name = 'OrderSpecError'
  constructor(readonly kind: 'InvalidOrder' | 'Unsupported', message: string) {
    super(message)
  }
}

type Json = Record<string, unknown>

// ---- primitives

export function obj(v: unknown, what: string): Json {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new OandaParseError(`${what}: expected an object, found ${show(v)}`)
  return v as Json
}

export function str(v: unknown, what: string): string {
  if (typeof v !== 'string' || v === '') throw new OandaParseError(`${what}: expected a non-empty string, found ${show(v)}`)
  return v
}

function optStr(v: unknown, what: string): string | undefined {
  return v === undefined ? undefined : str(v, what)
}

function int(v: unknown, what: string): number {
  if (typeof v !== 'number' || !Number.isSafeInteger(v)) throw new OandaParseError(`${what}: expected an integer, found ${show(v)}`)
  return v
}

function arr(v: unknown, what: string): unknown[] {
  if (!Array.isArray(v)) throw new OandaParseError(`${what}: expected an array, found ${show(v)}`)
  return v
}

const DECIMAL = /^([+-])?(\d+)(?:\.(\d+))?$/

/** A decimal string as OANDA sends prices and units ("1.10523", "-1000"): no exponent, no blanks. */
export function decimal(v: unknown, what: string): number {
  if (typeof v !== 'string' || !DECIMAL.test(v)) throw new OandaParseError(`${what}: expected a decimal string, found ${show(v)}`)
  const n = Number(v)
  if (!Number.isFinite(n)) throw new OandaParseError(`${what}: ${v} is out of range`)
  return n
}

/** Decimals of a decimal string ("1.10523" → 5). */
function places(v: string): number {
  return DECIMAL.exec(v)?.[3]?.length ?? 0
}

/** Sums decimal strings exactly (scaled integers), e.g. a position's long and short units. */
export function sumDecimals(values: readonly string[], what: string): number {
  const nums = values.map((v, i) => decimal(v, `${what}[${i}]`))
  const scale = 10 ** Math.max(0, ...values.map(places))
  let total = 0
  for (const n of nums) total += Math.round(n * scale)
  return total / scale
}

/**
 * A decimal money string as integer micro units, without a float: digits beyond the sixth decimal
 * round half away from zero. Refuses amounts beyond 2^53 micro units (~9 billion).
 */
export function decimalToMicro(v: unknown, what: string): Micro {
  const m = typeof v === 'string' ? DECIMAL.exec(v) : null
  if (!m) throw new OandaParseError(`${what}: expected a decimal string, found ${show(v)}`)
  const [, sign, whole = '0', frac = ''] = m
  const six = (frac + '000000').slice(0, 6)
  let micro = Number(whole) * 1_000_000 + Number(six)
  if (frac.length > 6 && (frac.charCodeAt(6) - 48) >= 5) micro += 1
  if (!Number.isSafeInteger(micro)) throw new OandaParseError(`${what}: ${v} is too large for micro units`)
  return sign === '-' && micro !== 0 ? -micro : micro
}

const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(Z|[+-]\d{2}:\d{2})$/
const UNIX = /^(\d{1,12})(?:\.(\d{1,9}))?$/

/** OANDA's DateTime as epoch ms (truncated): RFC 3339 with up to nine decimals, or UNIX seconds ("1466620889.264030555"). */
export function parseTime(v: unknown, what: string): number {
  if (typeof v !== 'string') throw new OandaParseError(`${what}: expected a time string, found ${show(v)}`)
  const u = UNIX.exec(v)
  if (u) return Number(u[1]) * 1000 + Number(((u[2] ?? '') + '000').slice(0, 3))
  const m = RFC3339.exec(v)
  if (!m) throw new OandaParseError(`${what}: expected an RFC 3339 or UNIX time, found ${show(v)}`)
  const [, y, mo, d, h, mi, s, frac = '', zone = 'Z'] = m
  const base = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s))
  const check = new Date(base)
  if (check.getUTCMonth() !== Number(mo) - 1 || check.getUTCDate() !== Number(d) || Number(h) > 23 || Number(mi) > 59 || Number(s) > 59) {
    throw new OandaParseError(`${what}: ${v} is not a valid date and time`)
  }
  const offset = zone === 'Z' ? 0 : (zone.startsWith('-') ? -1 : 1) * (Number(zone.slice(1, 3)) * 60 + Number(zone.slice(4, 6))) * 60_000
  return base + Number((frac + '000').slice(0, 3)) - offset
}

/** Epoch ms as RFC 3339 (what rick sends in `from`/`to`). */
export function formatTime(ms: number): string {
  return new Date(ms).toISOString()
}

/** An integer count of steps of 10^-digits as a decimal string, exactly ("110523", 5 → "1.10523"). */
function stepsToString(steps: number, digits: number): string {
  const neg = steps < 0
  const s = String(Math.abs(steps)).padStart(digits + 1, '0')
  const body = digits === 0 ? s : `${s.slice(0, s.length - digits)}.${s.slice(s.length - digits)}`
  return neg ? `-${body}` : body
}

/** A number as a decimal string of exactly `digits` decimals; undefined when it is not on that grid. */
function onGrid(value: number, digits: number): string | undefined {
  const scaled = value * 10 ** digits
  const steps = Math.round(scaled)
  // The paper venue's tolerance (1e-6 of a step), plus a few ulps for large values: a number that
  // rick rounded to the grid is the double nearest a grid point, never a step away from it.
  if (!Number.isSafeInteger(steps) || Math.abs(scaled - steps) > 1e-6 + Math.abs(scaled) * 1e-15) return undefined
  return stepsToString(steps, digits)
}

function show(v: unknown): string {
  const s = JSON.stringify(v)
  return s === undefined ? String(v) : s.length > 80 ? `${s.slice(0, 77)}...` : s
}

// ---- instruments

/** What OANDA says about an instrument that rick's Instrument has no field for. */
export interface OandaInstrumentDetails {
  type: 'CURRENCY' | 'CFD' | 'METAL'
  /** Decimals of a price: quotes come with this many, and orders may not carry more. */
  displayPrecision: number
  /** Where the pip is (10^pipLocation): a quoting convention, not the price increment. */
  pipLocation: number
  /** Decimals allowed in units. */
  tradeUnitsPrecision: number
  minimumTradeSize: number
  marginRate: number
  maximumOrderUnits?: number
}

export type OandaInstrument = Instrument & {oanda: OandaInstrumentDetails}

/**
 * An instrument of GET /v3/accounts/{id}/instruments as rick's Instrument.
 * - tickSize = 10^-displayPrecision, not 10^pipLocation: OANDA quotes and accepts prices to
 *   displayPrecision decimals (EUR_USD: pip 0.0001, prices 1.10523), so a pip-sized tick would
 *   make rick round every limit and stop ten times coarser than the venue allows.
 * - lotSize = 10^-tradeUnitsPrecision (1 unit for FX, 0.1 for some CFDs).
 * - minNotional 0: OANDA's minimum is in units (minimumTradeSize, kept in `oanda`), not in money.
 * `base` (rick's built-in description) supplies what OANDA does not say: the reference price.
 */
export function parseInstrument(raw: unknown, venue: string, base?: Instrument): OandaInstrument {
  const o = obj(raw, 'instrument')
  const name = str(o.name, 'instrument.name')
  const what = `instrument ${name}`
  const type = str(o.type, `${what}.type`)
  if (type !== 'CURRENCY' && type !== 'CFD' && type !== 'METAL') throw new OandaParseError(`${what}.type: expected CURRENCY, CFD or METAL, found ${show(type)}`)
  const displayPrecision = int(o.displayPrecision, `${what}.displayPrecision`)
  const tradeUnitsPrecision = int(o.tradeUnitsPrecision, `${what}.tradeUnitsPrecision`)
  if (displayPrecision < 0 || displayPrecision > 10) throw new OandaParseError(`${what}.displayPrecision: ${displayPrecision} is out of range`)
  if (tradeUnitsPrecision < 0 || tradeUnitsPrecision > 10) throw new OandaParseError(`${what}.tradeUnitsPrecision: ${tradeUnitsPrecision} is out of range`)
  const minimumTradeSize = decimal(o.minimumTradeSize, `${what}.minimumTradeSize`)
  const marginRate = decimal(o.marginRate, `${what}.marginRate`)
  if (!(marginRate > 0)) throw new OandaParseError(`${what}.marginRate: ${marginRate} must be positive`)
  const details: OandaInstrumentDetails = {type, displayPrecision, pipLocation: int(o.pipLocation, `${what}.pipLocation`), tradeUnitsPrecision, minimumTradeSize, marginRate}
  if (o.maximumOrderUnits !== undefined) details.maximumOrderUnits = decimal(o.maximumOrderUnits, `${what}.maximumOrderUnits`)
  const quote = name.split('_')[1] ?? ''
  const kind: InstrumentKind = type === 'CURRENCY' ? 'fx' : 'cfd'
  return {
    id: name,
    venue,
    kind,
    tickSize: 1 / 10 ** displayPrecision,
    lotSize: 1 / 10 ** tradeUnitsPrecision,
    minNotional: 0,
    multiplier: 1,
    quoteCurrency: quote,
    referencePrice: base?.referencePrice ?? 1,
    oanda: details,
  }
}

// ---- orders: rick → OANDA

export interface OandaClientExtensions {
  id: string
  tag: string
}

/** The `order` of POST /v3/accounts/{id}/orders (MarketOrderRequest, LimitOrderRequest, StopOrderRequest). */
export interface OandaOrderRequest {
  type: 'MARKET' | 'LIMIT' | 'STOP'
  instrument: string
  /** Signed decimal string: positive buys, negative sells. */
  units: string
  price?: string
  timeInForce: 'FOK' | 'IOC' | 'GTC' | 'GFD'
  positionFill: 'DEFAULT' | 'REDUCE_ONLY'
  clientExtensions: OandaClientExtensions
  takeProfitOnFill?: {price: string; timeInForce: 'GTC'; clientExtensions: OandaClientExtensions}
  stopLossOnFill?: {price: string; timeInForce: 'GTC'; clientExtensions: OandaClientExtensions}
}

/** The tag on every order rick sends: how openOrders() tells rick's orders from a person's. */
export const RICK_TAG = 'rick'

/**
 * Client ids go into URL paths (`/orders/@<id>`), so they are kept to characters that need no
 * escaping; 125 leaves room for the `-tp`/`-sl` of bracket exits within OANDA's 128.
 */
const CLIENT_ID = /^[A-Za-z0-9._~:-]{1,125}$/

export function isClientId(id: unknown): id is string {
  return typeof id === 'string' && CLIENT_ID.test(id)
}

/** rick's order as OANDA's order request. Throws OrderSpecError for what OANDA cannot take as asked. */
export function orderRequestBody(order: OrderRequest, spec: OandaInstrumentDetails): OandaOrderRequest {
  const id = order.clientOrderId
  if (!isClientId(id)) throw new OrderSpecError('InvalidOrder', `clientOrderId ${show(id)}: 1-125 characters of A-Z a-z 0-9 . _ ~ : - (it goes into OANDA's URLs)`)
  if (order.side !== 'buy' && order.side !== 'sell') throw new OrderSpecError('InvalidOrder', `side must be buy or sell, found ${show(order.side)}`)
  if (!(order.qty > 0) || !Number.isFinite(order.qty)) throw new OrderSpecError('InvalidOrder', `qty must be a positive number, found ${show(order.qty)}`)
  // OANDA v20 has no post-only flag: a limit order there may trade at once, which is what the flag forbids.
  if (order.postOnly === true) throw new OrderSpecError('Unsupported', 'OANDA has no post-only orders (a limit order at or through the market trades at once)')
  const units = onGrid(order.qty, spec.tradeUnitsPrecision)
  if (units === undefined) throw new OrderSpecError('InvalidOrder', `qty ${order.qty} of ${order.instrument} has more than ${spec.tradeUnitsPrecision} decimals (OANDA's tradeUnitsPrecision); rick never rounds an order`)
  const price = (name: 'limitPrice' | 'stopPrice' | 'stopLoss' | 'takeProfit', p: number | undefined): string => {
    if (p === undefined || !(p > 0) || !Number.isFinite(p)) throw new OrderSpecError('InvalidOrder', `a ${order.type} order needs a positive ${name}, found ${show(p)}`)
    const s = onGrid(p, spec.displayPrecision)
    if (s === undefined) throw new OrderSpecError('InvalidOrder', `${name} ${p} of ${order.instrument} has more than ${spec.displayPrecision} decimals (OANDA's displayPrecision)`)
    return s
  }
  const tif = order.tif
  if (tif !== 'gtc' && tif !== 'day' && tif !== 'ioc') throw new OrderSpecError('InvalidOrder', `tif must be gtc, day or ioc, found ${show(tif)}`)
  const ext = (cid: string): OandaClientExtensions => ({id: cid, tag: RICK_TAG})
  let body: OandaOrderRequest
  const common = {instrument: order.instrument, units: order.side === 'sell' ? `-${units}` : units}
  switch (order.type) {
    case 'market':
      // OANDA takes only FOK or IOC for a market order: gtc and day mean "fill it now", i.e. FOK.
      body = {type: 'MARKET', ...common, timeInForce: tif === 'ioc' ? 'IOC' : 'FOK', positionFill: 'DEFAULT', clientExtensions: ext(id)}
      break
    case 'limit':
      body = {type: 'LIMIT', ...common, price: price('limitPrice', order.limitPrice), timeInForce: PENDING_TIF[tif], positionFill: 'DEFAULT', clientExtensions: ext(id)}
      break
    case 'stop':
      body = {type: 'STOP', ...common, price: price('stopPrice', order.stopPrice), timeInForce: PENDING_TIF[tif], positionFill: 'DEFAULT', clientExtensions: ext(id)}
      break
    case 'stop-limit':
      // OANDA's STOP with a priceBound is cancelled when the market gaps past the bound; it never
      // rests as a limit, so it is not a stop-limit. The engine emulates what the venue lacks.
      throw new OrderSpecError('Unsupported', 'OANDA has no stop-limit order (capabilities.stopLimitOrders is false)')
    default:
      throw new OrderSpecError('InvalidOrder', `type must be market, limit or stop, found ${show(order.type)}`)
  }
  if (order.reduceOnly) body.positionFill = 'REDUCE_ONLY'
  if (order.bracket) {
    if (order.reduceOnly) throw new OrderSpecError('InvalidOrder', 'a reduce-only order cannot carry a bracket')
    body.takeProfitOnFill = {price: price('takeProfit', order.bracket.takeProfit), timeInForce: 'GTC', clientExtensions: ext(`${id}-tp`)}
    body.stopLossOnFill = {price: price('stopLoss', order.bracket.stopLoss), timeInForce: 'GTC', clientExtensions: ext(`${id}-sl`)}
  }
  return body
}

const PENDING_TIF = {gtc: 'GTC', day: 'GFD', ioc: 'IOC'} as const

// ---- transactions: OANDA → rick's events

/** A transaction's identity, checked; `raw` is the rest of it. */
export interface OandaTransaction {
  id: string
  /** The id as a number, for ordering (OANDA's ids are increasing integers). */
  seq: number
  type: string
  ts: number
  raw: Json
}

const TX_ID = /^\d{1,15}$/

export function transactionId(v: unknown, what: string): string {
  if (typeof v !== 'string' || !TX_ID.test(v)) throw new OandaParseError(`${what}: expected a transaction id (a decimal integer string), found ${show(v)}`)
  return v
}

export function parseTransaction(raw: unknown): OandaTransaction {
  const o = obj(raw, 'transaction')
  const id = transactionId(o.id, 'transaction.id')
  return {id, seq: Number(id), type: str(o.type, `transaction ${id}.type`), ts: parseTime(o.time, `transaction ${id}.time`), raw: o}
}

/** Order-creating transactions (an ack when they carry a client id). */
const ORDER_CREATE = new Set(['MARKET_ORDER', 'LIMIT_ORDER', 'STOP_ORDER', 'MARKET_IF_TOUCHED_ORDER', 'TAKE_PROFIT_ORDER', 'STOP_LOSS_ORDER', 'GUARANTEED_STOP_LOSS_ORDER', 'TRAILING_STOP_LOSS_ORDER', 'FIXED_PRICE_ORDER'])

function clientIdOf(ext: unknown, what: string): string | undefined {
  if (ext === undefined) return undefined
  return optStr(obj(ext, what).id, `${what}.id`)
}

/**
 * What a transaction means for rick's orders: ack (order created), reject (creation refused), fill,
 * cancel or expire (TIME_IN_FORCE_EXPIRED). Transactions of orders without a client id (placed by
 * a person, margin closeouts) and the account's other transactions give no event.
 */
export function transactionEvents(tx: OandaTransaction): VenueEvent[] {
  const r = tx.raw
  const what = `transaction ${tx.id}`
  if (ORDER_CREATE.has(tx.type)) {
    const clientOrderId = clientIdOf(r.clientExtensions, `${what}.clientExtensions`)
    return clientOrderId === undefined ? [] : [{kind: 'ack', clientOrderId, venueOrderId: tx.id, ts: tx.ts}]
  }
  if (tx.type.endsWith('_ORDER_REJECT') && ORDER_CREATE.has(tx.type.slice(0, -'_REJECT'.length))) {
    const clientOrderId = clientIdOf(r.clientExtensions, `${what}.clientExtensions`)
    if (clientOrderId === undefined) return []
    const code = optStr(r.rejectReason, `${what}.rejectReason`) ?? 'REJECTED'
    return [{kind: 'reject', clientOrderId, code, reason: `OANDA ${tx.type}: ${code}`, ts: tx.ts}]
  }
  if (tx.type === 'ORDER_FILL') {
    const fill = parseFill(tx)
    return fill === undefined ? [] : [{kind: 'fill', fill}]
  }
  if (tx.type === 'ORDER_CANCEL') {
    const clientOrderId = optStr(r.clientOrderID, `${what}.clientOrderID`)
    if (clientOrderId === undefined) return []
    const reason = optStr(r.reason, `${what}.reason`) ?? 'CANCELLED'
    return reason === 'TIME_IN_FORCE_EXPIRED' ? [{kind: 'expire', clientOrderId, ts: tx.ts}] : [{kind: 'cancel', clientOrderId, reason, ts: tx.ts}]
  }
  return []
}

/**
 * The client id a transaction is about: the created (or refused) order's clientExtensions.id, or
 * the filled/cancelled order's clientOrderID. Undefined when it has none.
 */
export function transactionClientId(tx: OandaTransaction): string | undefined {
  const r = tx.raw
  const ext = r.clientExtensions
  if (typeof ext === 'object' && ext !== null && typeof (ext as Json).id === 'string') return (ext as Json).id as string
  return typeof r.clientOrderID === 'string' ? r.clientOrderID : undefined
}

/** An ORDER_FILL as a Fill (fillId = the transaction id); undefined for an order without a client id. */
export function parseFill(tx: OandaTransaction): Fill | undefined {
  const r = tx.raw
  const what = `ORDER_FILL ${tx.id}`
  if (tx.type !== 'ORDER_FILL') throw new OandaParseError(`${what}: expected type ORDER_FILL, found ${tx.type}`)
  const clientOrderId = optStr(r.clientOrderID, `${what}.clientOrderID`)
  if (clientOrderId === undefined) return undefined
  const unitsText = str(r.units, `${what}.units`)
  const units = decimal(unitsText, `${what}.units`)
  if (units === 0) throw new OandaParseError(`${what}.units: a fill of 0 units`)
  const fee = (r.commission === undefined ? 0 : decimalToMicro(r.commission, `${what}.commission`)) + (r.guaranteedExecutionFee === undefined ? 0 : decimalToMicro(r.guaranteedExecutionFee, `${what}.guaranteedExecutionFee`))
  const fill: Fill = {
    clientOrderId,
    venueOrderId: str(r.orderID, `${what}.orderID`),
    fillId: tx.id,
    instrument: str(r.instrument, `${what}.instrument`),
    side: units > 0 ? 'buy' : 'sell',
    qty: Math.abs(units),
    price: fillPrice(r, Math.abs(units), what),
    fee,
    liquidity: 'taker',
    ts: tx.ts,
  }
  return fill
}

/**
 * The fill's price: the unit-weighted price of the trades it opened, reduced and closed (OANDA's
 * official prices; `price` is deprecated), falling back to `price` when those do not add up to
 * the fill's units.
 */
function fillPrice(r: Json, units: number, what: string): number {
  const trades: unknown[] = []
  if (r.tradeOpened !== undefined) trades.push(r.tradeOpened)
  if (r.tradeReduced !== undefined) trades.push(r.tradeReduced)
  if (r.tradesClosed !== undefined) trades.push(...arr(r.tradesClosed, `${what}.tradesClosed`))
  let price: number | undefined
  // Older answers (and OANDA's own examples) give a trade's units without its price: then `price`.
  if (trades.length > 0 && trades.every((t) => typeof t === 'object' && t !== null && (t as Json).price !== undefined)) {
    let total = 0
    let value = 0
    trades.forEach((t, i) => {
      const u = Math.abs(decimal((t as Json).units, `${what}.trades[${i}].units`))
      total += u
      value += u * decimal((t as Json).price, `${what}.trades[${i}].price`)
    })
    if (Math.abs(total - units) <= 1e-9 * Math.max(1, units)) price = trades.length === 1 ? decimal((trades[0] as Json).price, `${what}.trades[0].price`) : value / total
  }
  price ??= decimal(r.price, `${what}.price`)
  if (!(price > 0)) throw new OandaParseError(`${what}: fill price ${price} must be positive`)
  return price
}

// ---- orders: OANDA → rick's OrderState

/** The Trade a take-profit or stop-loss order closes (GET …/trades/{id}): its instrument and size. */
export interface TradeInfo {
  id: string
  instrument: string
  /** Signed units the trade holds (its initial units once closed). */
  units: number
}

export function parseTrade(raw: unknown): TradeInfo {
  const o = obj(raw, 'trade')
  const id = str(o.id, 'trade.id')
  const current = decimal(o.currentUnits ?? '0', `trade ${id}.currentUnits`)
  return {id, instrument: str(o.instrument, `trade ${id}.instrument`), units: current !== 0 ? current : decimal(o.initialUnits, `trade ${id}.initialUnits`)}
}

const ORDER_TYPES: Readonly<Record<string, OrderType>> = {MARKET: 'market', LIMIT: 'limit', STOP: 'stop', TAKE_PROFIT: 'limit', STOP_LOSS: 'stop'}
const STATES: Readonly<Record<string, OrderState['status']>> = {PENDING: 'working', TRIGGERED: 'working', FILLED: 'filled', CANCELLED: 'cancelled'}
const TIFS: Readonly<Record<string, TimeInForce>> = {GTC: 'gtc', GTD: 'gtc', GFD: 'day', IOC: 'ioc', FOK: 'gtc'}

/** The client id of an OANDA Order, when rick (or anyone) gave it one. */
export function orderClientId(raw: unknown): string | undefined {
  const o = obj(raw, 'order')
  return clientIdOf(o.clientExtensions, `order ${String(o.id)}.clientExtensions`)
}

/** Whether an OANDA Order carries rick's tag (openOrders lists only those). */
export function isRickOrder(raw: unknown): boolean {
  const ext = obj(raw, 'order').clientExtensions
  return typeof ext === 'object' && ext !== null && (ext as Json).tag === RICK_TAG && isClientId((ext as Json).id)
}

/** The trade a TAKE_PROFIT/STOP_LOSS order is linked to (to look up its size). */
export function linkedTradeId(raw: unknown): string | undefined {
  const o = obj(raw, 'order')
  return o.type === 'TAKE_PROFIT' || o.type === 'STOP_LOSS' ? str(o.tradeID, `order ${String(o.id)}.tradeID`) : undefined
}

/**
 * An OANDA Order (GET …/orders/@id, …/pendingOrders) as rick's OrderState. `fill` is the filling
 * transaction (for a FILLED order: its size and price); `trade` the trade a take-profit or
 * stop-loss closes (those orders carry no instrument or units of their own). Undefined for an
 * order without a client id or of a type rick never sends (market-if-touched, trailing stop…).
 */
export function orderState(raw: unknown, extra: {fill?: Fill; trade?: TradeInfo} = {}): OrderState | undefined {
  const o = obj(raw, 'order')
  const venueOrderId = str(o.id, 'order.id')
  const what = `order ${venueOrderId}`
  const clientOrderId = clientIdOf(o.clientExtensions, `${what}.clientExtensions`)
  const type = ORDER_TYPES[str(o.type, `${what}.type`)]
  if (clientOrderId === undefined || type === undefined) return undefined
  const status = STATES[str(o.state, `${what}.state`)]
  if (status === undefined) throw new OandaParseError(`${what}.state: expected PENDING, FILLED, TRIGGERED or CANCELLED, found ${show(o.state)}`)
  const exit = o.type === 'TAKE_PROFIT' || o.type === 'STOP_LOSS'
  let instrument: string
  let signed: number
  if (exit) {
    const trade = extra.trade
    if (trade === undefined || trade.id !== o.tradeID) throw new OandaParseError(`${what}: a ${String(o.type)} order needs its trade ${show(o.tradeID)} to be described`)
    instrument = trade.instrument
    signed = -trade.units
  } else {
    instrument = str(o.instrument, `${what}.instrument`)
    signed = decimal(o.units, `${what}.units`)
  }
  if (signed === 0) throw new OandaParseError(`${what}: 0 units`)
  const side: Side = signed > 0 ? 'buy' : 'sell'
  const state: OrderState = {
    clientOrderId,
    instrument,
    side,
    type,
    qty: Math.abs(signed),
    tif: TIFS[str(o.timeInForce ?? 'GTC', `${what}.timeInForce`)] ?? 'gtc',
    status,
    filledQty: 0,
    avgFillPrice: 0,
    venueOrderId,
    updatedAt: parseTime(o.filledTime ?? o.cancelledTime ?? o.createTime, `${what}.createTime`),
  }
  if (o.type !== 'MARKET') {
    const p = decimal(o.price, `${what}.price`)
    if (type === 'limit') state.limitPrice = p
    else state.stopPrice = p
  }
  if (exit || o.positionFill === 'REDUCE_ONLY') state.reduceOnly = true
  if (exit) state.parentId = clientOrderId.replace(/-(tp|sl)$/, '')
  const tp = o.takeProfitOnFill === undefined ? undefined : obj(o.takeProfitOnFill, `${what}.takeProfitOnFill`).price
  const sl = o.stopLossOnFill === undefined ? undefined : obj(o.stopLossOnFill, `${what}.stopLossOnFill`).price
  if (tp !== undefined && sl !== undefined) state.bracket = {takeProfit: decimal(tp, `${what}.takeProfitOnFill.price`), stopLoss: decimal(sl, `${what}.stopLossOnFill.price`)}
  if (status === 'filled') {
    const fill = extra.fill
    state.filledQty = fill?.qty ?? state.qty
    if (fill !== undefined) state.avgFillPrice = fill.price
  }
  return state
}

// ---- positions and account

/** A Position of GET …/openPositions as rick's net position; undefined when flat. */
export function parsePosition(raw: unknown): Position | undefined {
  const o = obj(raw, 'position')
  const instrument = str(o.instrument, 'position.instrument')
  const what = `position ${instrument}`
  const long = obj(o.long, `${what}.long`)
  const short = obj(o.short, `${what}.short`)
  const longUnits = str(long.units, `${what}.long.units`)
  const shortUnits = str(short.units, `${what}.short.units`)
  const qty = sumDecimals([longUnits, shortUnits], `${what}.units`)
  if (qty === 0) return undefined
  // A hedging account can hold both sides: the average is that of the side the net position is on.
  const side = qty > 0 ? long : short
  return {instrument, qty, avgPrice: decimal(side.averagePrice, `${what}.${qty > 0 ? 'long' : 'short'}.averagePrice`)}
}

export interface AccountSummary {
  snapshot: AccountSnapshot
  lastTransactionID: string
}

/** GET …/summary's `account`: balance is cash, NAV is equity, marginAvailable is buying power. */
export function parseAccountSummary(raw: unknown): AccountSummary {
  const a = obj(raw, 'account')
  const snapshot: AccountSnapshot = {
    currency: str(a.currency, 'account.currency'),
    cash: decimalToMicro(a.balance, 'account.balance'),
    equity: decimalToMicro(a.NAV, 'account.NAV'),
  }
  if (a.marginAvailable !== undefined) snapshot.buyingPower = decimalToMicro(a.marginAvailable, 'account.marginAvailable')
  return {snapshot, lastTransactionID: transactionId(a.lastTransactionID, 'account.lastTransactionID')}
}

// ---- market data

/** OANDA's fixed-length granularities (W and M follow the calendar, so rick has no bar period for them). */
export const GRANULARITIES: ReadonlyArray<readonly [string, number]> = [
  ['S5', 5_000], ['S10', 10_000], ['S15', 15_000], ['S30', 30_000],
  ['M1', 60_000], ['M2', 120_000], ['M4', 240_000], ['M5', 300_000], ['M10', 600_000], ['M15', 900_000], ['M30', 1_800_000],
  ['H1', 3_600_000], ['H2', 7_200_000], ['H3', 10_800_000], ['H4', 14_400_000], ['H6', 21_600_000], ['H8', 28_800_000], ['H12', 43_200_000],
  ['D', 86_400_000],
]

export function granularityFor(periodMs: number): string | undefined {
  return GRANULARITIES.find(([, ms]) => ms === periodMs)?.[0]
}

/**
 * The complete mid candles of GET /v3/instruments/{instrument}/candles as Bars, oldest first.
 * An incomplete candle (the one still forming) is left out; a candle without `mid` is malformed
 * (rick always asks price=M).
 */
export function parseCandles(body: unknown, instrument: string): Bar[] {
  const b = obj(body, 'candles response')
  const list = arr(b.candles, 'candles response.candles')
  const bars: Bar[] = []
  list.forEach((raw, i) => {
    const what = `${instrument} candle ${i}`
    const c = obj(raw, what)
    if (typeof c.complete !== 'boolean') throw new OandaParseError(`${what}.complete: expected a boolean, found ${show(c.complete)}`)
    if (!c.complete) return
    const mid = obj(c.mid, `${what}.mid`)
    const bar: Bar = {
      instrument,
      ts: parseTime(c.time, `${what}.time`),
      open: decimal(mid.o, `${what}.mid.o`),
      high: decimal(mid.h, `${what}.mid.h`),
      low: decimal(mid.l, `${what}.mid.l`),
      close: decimal(mid.c, `${what}.mid.c`),
      volume: int(c.volume, `${what}.volume`),
    }
    if (!(bar.low <= Math.min(bar.open, bar.close) && bar.high >= Math.max(bar.open, bar.close)) || bar.volume < 0) {
      throw new OandaParseError(`${what}: inconsistent candle o=${bar.open} h=${bar.high} l=${bar.low} c=${bar.close} volume=${bar.volume}`)
    }
    const prev = bars[bars.length - 1]
    if (prev !== undefined && !(bar.ts > prev.ts)) throw new OandaParseError(`${what}: time ${c.time as string} is not after the previous candle's`)
    bars.push(bar)
  })
  return bars
}

/** A line of the pricing stream. */
export type PricingLine = {kind: 'price'; tick: Tick | undefined; instrument: string} | {kind: 'heartbeat'; ts: number}

/**
 * A PRICE or HEARTBEAT line of GET …/pricing/stream. A PRICE with an empty side (no liquidity, a
 * closed market) gives `tick: undefined`: not an error, just no quote to build a bar from.
 */
export function parsePricingLine(raw: unknown): PricingLine {
  const o = obj(raw, 'pricing line')
  const type = str(o.type, 'pricing line.type')
  if (type === 'HEARTBEAT') return {kind: 'heartbeat', ts: parseTime(o.time, 'HEARTBEAT.time')}
  if (type !== 'PRICE') throw new OandaParseError(`pricing line.type: expected PRICE or HEARTBEAT, found ${show(type)}`)
  const instrument = str(o.instrument, 'PRICE.instrument')
  const what = `PRICE ${instrument}`
  const ts = parseTime(o.time, `${what}.time`)
  const best = (side: 'bids' | 'asks'): number | undefined => {
    let out: number | undefined
    arr(o[side], `${what}.${side}`).forEach((bucket, i) => {
      const p = decimal(obj(bucket, `${what}.${side}[${i}]`).price, `${what}.${side}[${i}].price`)
      if (!(p > 0)) throw new OandaParseError(`${what}.${side}[${i}].price: ${p} must be positive`)
      if (out === undefined || (side === 'bids' ? p > out : p < out)) out = p
    })
    return out
  }
  const bid = best('bids')
  const ask = best('asks')
  if (bid === undefined || ask === undefined) return {kind: 'price', tick: undefined, instrument}
  return {kind: 'price', instrument, tick: {instrument, ts, bid, ask, price: (bid + ask) / 2, volume: 0}}
}

/** A line of the transaction stream: a transaction, or a heartbeat that names the last transaction id. */
export type TransactionLine = {kind: 'transaction'; tx: OandaTransaction} | {kind: 'heartbeat'; ts: number; lastTransactionID: string}

export function parseTransactionLine(raw: unknown): TransactionLine {
  const o = obj(raw, 'transaction line')
  if (o.type === 'HEARTBEAT') {
    return {kind: 'heartbeat', ts: parseTime(o.time, 'HEARTBEAT.time'), lastTransactionID: transactionId(o.lastTransactionID, 'HEARTBEAT.lastTransactionID')}
  }
  return {kind: 'transaction', tx: parseTransaction(o)}
}
