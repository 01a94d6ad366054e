// Reading an OrderRequest (POST /v3/accounts/{id}/orders, body {"order": {...}}) the way OANDA
// validates it. A request OANDA would refuse gives the TransactionRejectReason it would give (the
// order is then not created: a *_ORDER_REJECT transaction and a 400); a valid one gives the order's
// normalized fields (defaults filled in, prices written to the instrument's precision).
//
// Checked, in this order: instrument (INSTRUMENT_MISSING, INSTRUMENT_UNKNOWN), units (UNITS_MISSING,
// UNITS_INVALID, UNITS_PRECISION_EXCEEDED, UNITS_MIMIMUM_NOT_MET — OANDA's own spelling —,
// UNITS_LIMIT_EXCEEDED), price (PRICE_MISSING, PRICE_INVALID, PRICE_PRECISION_EXCEEDED), priceBound
// (PRICE_BOUND_INVALID, PRICE_BOUND_PRECISION_EXCEEDED), timeInForce by order type
// (TIME_IN_FORCE_INVALID; GTD: TIME_IN_FORCE_GTD_TIMESTAMP_MISSING / _IN_PAST), positionFill
// (ORDER_FILL_POSITION_ACTION_INVALID), triggerCondition (TRIGGER_CONDITION_INVALID), client
// extensions (CLIENT_ORDER_ID_INVALID…, CLIENT_ORDER_ID_ALREADY_EXISTS, CLIENT_TRADE_ID_…), then
// takeProfitOnFill and stopLossOnFill (their TAKE_PROFIT_ON_FILL_* / STOP_LOSS_ON_FILL_* reasons).
import type {SimFramework} from '../../../../src/sectors/sim/index.js'
import type {SimInstrument} from './catalogue.js'
import type {ClientExtensions, OnFill, OrderType, PositionFill, SimOrder, TimeInForce, TriggerCondition} from './model.js'
import {parseDateTime} from './wire.js'

export type OrderFields = Omit<SimOrder, 'id' | 'type' | 'state' | 'createTime' | 'reason'>

export type ParsedOrder = {ok: true; type: OrderType; fields: OrderFields} | {ok: false; type: OrderType; reason: string}

export interface RequestContext {
  sim: Pick<SimFramework, 'toScaled' | 'parseDecimal'>
  now: number
  instrument(name: string): SimInstrument | undefined
  /** Whether a client order id is taken. */
  clientOrderIdTaken(id: string): boolean
  clientTradeIdTaken(id: string): boolean
  /** The open trade a TP/SL request names (tradeID or clientTradeID), or why not. */
  trade(tradeID: unknown, clientTradeID: unknown): {instrument: string; units: number; tradeID: string} | string
  /** Whether that trade already has a TP (or SL). */
  hasDependent(tradeID: string, type: 'TAKE_PROFIT' | 'STOP_LOSS'): boolean
}

export const ORDER_TYPES: readonly OrderType[] = ['MARKET', 'LIMIT', 'STOP', 'MARKET_IF_TOUCHED', 'TAKE_PROFIT', 'STOP_LOSS']

const TIME_IN_FORCE: Record<OrderType, readonly TimeInForce[]> = {
  MARKET: ['FOK', 'IOC'],
  LIMIT: ['GTC', 'GTD', 'GFD', 'FOK', 'IOC'],
  STOP: ['GTC', 'GTD', 'GFD', 'FOK', 'IOC'],
  MARKET_IF_TOUCHED: ['GTC', 'GTD', 'GFD'],
  TAKE_PROFIT: ['GTC', 'GTD', 'GFD'],
  STOP_LOSS: ['GTC', 'GTD', 'GFD'],
}
const POSITION_FILLS: readonly PositionFill[] = ['DEFAULT', 'OPEN_ONLY', 'REDUCE_FIRST', 'REDUCE_ONLY']
const TRIGGER_CONDITIONS: readonly TriggerCondition[] = ['DEFAULT', 'INVERSE', 'BID', 'ASK', 'MID']
/** OANDA limits client ids, tags and comments to 128 characters. */
const MAX_CLIENT_TEXT = 128

class Reject {
  constructor(readonly reason: string) {}
}

function fail(reason: string): never {
  throw new Reject(reason)
}

export function parseOrderRequest(raw: Record<string, unknown>, type: OrderType, ctx: RequestContext): ParsedOrder {
  try {
    return {ok: true, type, fields: readOrder(raw, type, ctx)}
  } catch (error) {
    if (error instanceof Reject) return {ok: false, type, reason: error.reason}
    throw error
  }
}

function readOrder(raw: Record<string, unknown>, type: OrderType, ctx: RequestContext): OrderFields {
  const dependent = type === 'TAKE_PROFIT' || type === 'STOP_LOSS'
  let instrument: SimInstrument
  let units: number
  let tradeID: string | undefined
  if (dependent) {
    const t = ctx.trade(raw.tradeID, raw.clientTradeID)
    if (typeof t === 'string') fail(t)
    if (ctx.hasDependent(t.tradeID, type)) fail(`${type}_ORDER_ALREADY_EXISTS`)
    instrument = ctx.instrument(t.instrument) as SimInstrument
    units = -t.units
    tradeID = t.tradeID
  } else {
    if (raw.instrument === undefined) fail('INSTRUMENT_MISSING')
    const found = typeof raw.instrument === 'string' ? ctx.instrument(raw.instrument) : undefined
    if (found === undefined) fail('INSTRUMENT_UNKNOWN')
    instrument = found
    units = readUnits(raw.units, instrument, ctx)
  }
  const fields: OrderFields = {
    instrument: instrument.name,
    units,
    timeInForce: 'GTC',
    positionFill: 'DEFAULT',
    triggerCondition: 'DEFAULT',
    ...(tradeID === undefined ? {} : {tradeID}),
  }
  if (type === 'STOP_LOSS' && raw.distance !== undefined) {
    if (raw.price !== undefined) fail('STOP_LOSS_ORDER_PRICE_AND_DISTANCE_BOTH_SPECIFIED')
    fields.distanceTicks = readPrice(raw.distance, instrument, ctx, 'PRICE_DISTANCE')
  } else if (type !== 'MARKET') {
    if (type === 'STOP_LOSS' && raw.price === undefined) fail('STOP_LOSS_ORDER_PRICE_AND_DISTANCE_BOTH_MISSING')
    fields.priceTicks = readPrice(raw.price, instrument, ctx, 'PRICE')
  }
  if ((type === 'MARKET' || type === 'STOP' || type === 'MARKET_IF_TOUCHED') && raw.priceBound !== undefined) {
    fields.priceBoundTicks = readPrice(raw.priceBound, instrument, ctx, 'PRICE_BOUND')
  }
  fields.timeInForce = readTimeInForce(raw.timeInForce, type === 'MARKET' ? 'FOK' : 'GTC', TIME_IN_FORCE[type], 'TIME_IN_FORCE')
  if (fields.timeInForce === 'GTD') fields.gtdTime = readGtd(raw.gtdTime, ctx, 'TIME_IN_FORCE')
  if (!dependent) {
    const pf = raw.positionFill ?? 'DEFAULT'
    if (!POSITION_FILLS.includes(pf as PositionFill)) fail('ORDER_FILL_POSITION_ACTION_INVALID')
    fields.positionFill = pf as PositionFill
  }
  if (type !== 'MARKET') {
    const tc = raw.triggerCondition ?? 'DEFAULT'
    if (!TRIGGER_CONDITIONS.includes(tc as TriggerCondition)) fail('TRIGGER_CONDITION_INVALID')
    fields.triggerCondition = tc as TriggerCondition
  }
  const ce = readClientExtensions(raw.clientExtensions, 'CLIENT_ORDER')
  if (ce?.id !== undefined && ctx.clientOrderIdTaken(ce.id)) fail('CLIENT_ORDER_ID_ALREADY_EXISTS')
  if (ce !== undefined) fields.clientExtensions = ce
  if (!dependent) {
    const tce = readClientExtensions(raw.tradeClientExtensions, 'CLIENT_TRADE')
    if (tce?.id !== undefined && ctx.clientTradeIdTaken(tce.id)) fail('CLIENT_TRADE_ID_ALREADY_EXISTS')
    if (tce !== undefined) fields.tradeClientExtensions = tce
    if (raw.takeProfitOnFill !== undefined) fields.takeProfitOnFill = readOnFill(raw.takeProfitOnFill, instrument, ctx, 'TAKE_PROFIT_ON_FILL', false)
    if (raw.stopLossOnFill !== undefined) fields.stopLossOnFill = readOnFill(raw.stopLossOnFill, instrument, ctx, 'STOP_LOSS_ON_FILL', true)
    const onFillIds = [fields.clientExtensions?.id, fields.takeProfitOnFill?.clientExtensions?.id, fields.stopLossOnFill?.clientExtensions?.id].filter((x) => x !== undefined)
    if (new Set(onFillIds).size !== onFillIds.length) fail('ORDERS_ON_FILL_DUPLICATE_CLIENT_ORDER_IDS')
    if (fields.takeProfitOnFill?.clientExtensions?.id !== undefined && ctx.clientOrderIdTaken(fields.takeProfitOnFill.clientExtensions.id)) fail('TAKE_PROFIT_ON_FILL_CLIENT_ORDER_ID_INVALID')
    if (fields.stopLossOnFill?.clientExtensions?.id !== undefined && ctx.clientOrderIdTaken(fields.stopLossOnFill.clientExtensions.id)) fail('STOP_LOSS_ON_FILL_CLIENT_ORDER_ID_INVALID')
  }
  return fields
}

function readUnits(raw: unknown, i: SimInstrument, ctx: RequestContext): number {
  if (raw === undefined || raw === null || raw === '') fail('UNITS_MISSING')
  const text = typeof raw === 'number' ? String(raw) : raw
  if (typeof text !== 'string' || ctx.sim.parseDecimal(text) === undefined) fail('UNITS_INVALID')
  const units = ctx.sim.toScaled(text, i.tradeUnitsPrecision)
  // Not a whole number of units, or too many digits to be any order's size.
  if (units === undefined) fail(/[1-9]/.test(ctx.sim.parseDecimal(text)?.fraction.slice(i.tradeUnitsPrecision) ?? '') ? 'UNITS_PRECISION_EXCEEDED' : 'UNITS_LIMIT_EXCEEDED')
  if (units === 0) fail('UNITS_INVALID')
  if (Math.abs(units) < i.minimumTradeSize) fail('UNITS_MIMIMUM_NOT_MET')
  if (Math.abs(units) > i.maximumOrderUnits) fail('UNITS_LIMIT_EXCEEDED')
  return units
}

/** A price (or distance) in whole ticks; `prefix` names the reasons (PRICE_INVALID…). */
function readPrice(raw: unknown, i: SimInstrument, ctx: RequestContext, prefix: string): number {
  if (raw === undefined || raw === null || raw === '') fail(`${prefix}_MISSING`)
  const text = typeof raw === 'number' ? String(raw) : raw
  const d = typeof text === 'string' ? ctx.sim.parseDecimal(text) : undefined
  if (d === undefined || d.negative) fail(`${prefix}_INVALID`)
  const ticks = ctx.sim.toScaled(text as string, i.displayPrecision)
  if (ticks === undefined) fail(`${prefix}_PRECISION_EXCEEDED`)
  if (ticks <= 0) fail(`${prefix}_INVALID`)
  return ticks
}

function readTimeInForce(raw: unknown, fallback: TimeInForce, allowed: readonly TimeInForce[], prefix: string): TimeInForce {
  const tif = raw ?? fallback
  if (!allowed.includes(tif as TimeInForce)) fail(`${prefix}_INVALID`)
  return tif as TimeInForce
}

function readGtd(raw: unknown, ctx: RequestContext, prefix: string): number {
  const t = typeof raw === 'string' ? parseDateTime(raw) : undefined
  if (t === undefined) fail(`${prefix}_GTD_TIMESTAMP_MISSING`)
  if (t <= ctx.now) fail(`${prefix}_GTD_TIMESTAMP_IN_PAST`)
  return t
}

function readClientExtensions(raw: unknown, prefix: 'CLIENT_ORDER' | 'CLIENT_TRADE' | string): ClientExtensions | undefined {
  if (raw === undefined) return undefined
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) fail(`${prefix}_ID_INVALID`)
  const r = raw as Record<string, unknown>
  const out: ClientExtensions = {}
  for (const [key, reason] of [
    ['id', 'ID'],
    ['tag', 'TAG'],
    ['comment', 'COMMENT'],
  ] as const) {
    const v = r[key]
    if (v === undefined) continue
    if (typeof v !== 'string' || v.length === 0 || v.length > MAX_CLIENT_TEXT) fail(`${prefix}_${reason}_INVALID`)
    out[key] = v
  }
  return out
}

function readOnFill(raw: unknown, i: SimInstrument, ctx: RequestContext, prefix: 'TAKE_PROFIT_ON_FILL' | 'STOP_LOSS_ON_FILL', stopLoss: boolean): OnFill {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) fail(`${prefix}_PRICE_MISSING`)
  const r = raw as Record<string, unknown>
  const out: OnFill = {timeInForce: 'GTC'}
  if (stopLoss && r.distance !== undefined) {
    if (r.price !== undefined) fail(`${prefix}_PRICE_AND_DISTANCE_BOTH_SPECIFIED`)
    const d = typeof r.distance === 'string' || typeof r.distance === 'number' ? String(r.distance) : undefined
    if (d === undefined || ctx.sim.parseDecimal(d) === undefined || ctx.sim.parseDecimal(d)?.negative) fail(`${prefix}_DISTANCE_INVALID`)
    const ticks = ctx.sim.toScaled(d, i.displayPrecision)
    if (ticks === undefined) fail(`${prefix}_DISTANCE_PRECISION_EXCEEDED`)
    if (ticks <= 0) fail(`${prefix}_DISTANCE_INVALID`)
    out.distanceTicks = ticks
  } else {
    if (stopLoss && r.price === undefined) fail(`${prefix}_PRICE_AND_DISTANCE_BOTH_MISSING`)
    out.priceTicks = readPrice(r.price, i, ctx, `${prefix}_PRICE`)
  }
  out.timeInForce = readTimeInForce(r.timeInForce, 'GTC', ['GTC', 'GTD', 'GFD'], `${prefix}_TIME_IN_FORCE`)
  if (out.timeInForce === 'GTD') {
    const t = typeof r.gtdTime === 'string' ? parseDateTime(r.gtdTime) : undefined
    if (t === undefined) fail(`${prefix}_GTD_TIMESTAMP_MISSING`)
    if (t <= ctx.now) fail(`${prefix}_GTD_TIMESTAMP_IN_PAST`)
    out.gtdTime = t
  }
  const ce = readClientExtensions(r.clientExtensions, `${prefix}_CLIENT_ORDER`)
  if (ce !== undefined) out.clientExtensions = ce
  return out
}

/** OANDA's errorMessage for a reject reason (the reason itself is the errorCode). */
export function rejectMessage(reason: string): string {
  const known: Record<string, string> = {
    INSTRUMENT_MISSING: 'The Order request did not specify an instrument',
    INSTRUMENT_UNKNOWN: 'The instrument specified is unknown',
    UNITS_MISSING: 'The Order request did not specify the number of units',
    UNITS_INVALID: 'The units specified are invalid',
    UNITS_PRECISION_EXCEEDED: "The units specified contain more precision than is allowed for the Order's instrument",
    UNITS_MIMIMUM_NOT_MET: "The units specified do not meet the minimum units requirement for the Order's instrument",
    UNITS_LIMIT_EXCEEDED: 'The units specified exceeds the maximum number of units allowed',
    PRICE_MISSING: 'The Order request did not specify a price',
    PRICE_INVALID: 'The price specified is invalid',
    PRICE_PRECISION_EXCEEDED: "The price specified contains more precision than is allowed for the Order's instrument",
    PRICE_BOUND_INVALID: 'The price bound specified is invalid',
    PRICE_BOUND_PRECISION_EXCEEDED: "The price bound specified contains more precision than is allowed for the Order's instrument",
    TIME_IN_FORCE_INVALID: 'The time-in-force specified is invalid for this Order type',
    TIME_IN_FORCE_GTD_TIMESTAMP_MISSING: 'The time-in-force is GTD but no GTD timestamp is provided',
    TIME_IN_FORCE_GTD_TIMESTAMP_IN_PAST: 'The time-in-force is GTD but the GTD timestamp is in the past',
    ORDER_FILL_POSITION_ACTION_INVALID: 'The Order fill position action specified is invalid',
    TRIGGER_CONDITION_INVALID: 'The Order trigger condition specified is invalid',
    CLIENT_ORDER_ID_INVALID: 'The client Order ID specified is invalid',
    CLIENT_ORDER_ID_ALREADY_EXISTS: 'The client Order ID specified is already assigned to another Order',
    CLIENT_TRADE_ID_ALREADY_EXISTS: 'The client Trade ID specified is already assigned to another open Trade',
    TRADE_DOESNT_EXIST: 'The Trade specified does not exist',
    CLIENT_TRADE_ID_INVALID: 'The client Trade ID specified is invalid',
    CLIENT_EXTENSIONS_DATA_MISSING: 'No client extensions were specified',
    ORDER_DOESNT_EXIST: 'The Order specified does not exist',
    TRADE_ID_UNSPECIFIED: 'The Trade ID was not specified',
    TAKE_PROFIT_ORDER_ALREADY_EXISTS: 'A Take Profit Order for the specified Trade already exists',
    STOP_LOSS_ORDER_ALREADY_EXISTS: 'A Stop Loss Order for the specified Trade already exists',
    TRAILING_STOP_LOSS_ORDERS_NOT_SUPPORTED: 'Trailing Stop Loss Orders are not supported by this simulator',
  }
  return known[reason] ?? `The Order request was rejected: ${reason}`
}
