// The payloads a backtest journals by the ten thousand: ORDER_INTENT, ORDER_ACK and FILL (three per
// order). Their canonical JSON is written from their known shape straight into bytes (json-bytes.ts)
// instead of walking the object and building a string: ~0.5 µs an event on the engine's thread and
// no garbage. The bytes are exactly canonicalJson(payload) as UTF-8
// (test/foundation/journal/hot-payloads.test.ts pins it over generated payloads), so hashes, storage
// and every reader are the same whichever way an event went.
//
// A payload takes this path only when it is exactly the shape below: plain objects, no other keys,
// every value of its declared type, numbers finite. Anything else (an extra key, a NaN, a class
// instance) takes the general path, which also reports what is wrong with it. The shape is checked
// completely before the first byte is written.
import type {EventType} from './events.js'
import {AsciiKey, type JsonBytes} from './json-bytes.js'

type Plain = Record<string, unknown>

/** What canonicalJson writes member by member: objects whose prototype is Object's or null. */
function plain(v: unknown): v is Plain {
  if (v === null || typeof v !== 'object') return false
  const proto: unknown = Object.getPrototypeOf(v)
  return proto === Object.prototype || proto === null
}

/** Members that canonicalJson writes (undefined ones are left out), without allocating. */
function members(o: Plain): number {
  let n = 0
  for (const k in o) if (o[k] !== undefined) n++
  return n
}

const str = (v: unknown): v is string => typeof v === 'string'
const num = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v)

/**
 * Writes canonicalJson(payload) for the three hot shapes and returns true; returns false and writes
 * nothing when the type is not one of them or the payload is not exactly their shape.
 */
export function writeHotPayload(type: EventType, payload: unknown, out: JsonBytes): boolean {
  switch (type) {
    case 'ORDER_ACK':
      return writeAck(payload, out)
    case 'FILL':
      return writeFill(payload, out)
    case 'ORDER_INTENT':
      return writeIntent(payload, out)
    default:
      return false
  }
}

// Keys in canonical (sorted) order, with the punctuation around them.
const ACK_ID = new AsciiKey('{"clientOrderId":')
const ACK_VENUE = new AsciiKey(',"venueOrderId":')
const CLOSE = new AsciiKey('}')
const CLOSE2 = new AsciiKey('}}')

function writeAck(p: unknown, out: JsonBytes): boolean {
  if (!plain(p) || members(p) !== 2) return false
  const id = p.clientOrderId
  const venueId = p.venueOrderId
  if (!str(id) || !str(venueId)) return false
  out.key(ACK_ID)
  out.str(id)
  out.key(ACK_VENUE)
  out.str(venueId)
  out.key(CLOSE)
  return true
}

const FILL_ID = new AsciiKey('{"fill":{"clientOrderId":')
const FILL_FEE = new AsciiKey(',"fee":')
const FILL_FILL_ID = new AsciiKey(',"fillId":')
const FILL_INSTRUMENT = new AsciiKey(',"instrument":')
const FILL_LIQUIDITY = new AsciiKey(',"liquidity":')
const FILL_PRICE = new AsciiKey(',"price":')
const FILL_QTY = new AsciiKey(',"qty":')
const FILL_SIDE = new AsciiKey(',"side":')
const FILL_TS = new AsciiKey(',"ts":')
const FILL_VENUE = new AsciiKey(',"venueOrderId":')

function writeFill(p: unknown, out: JsonBytes): boolean {
  if (!plain(p) || members(p) !== 1) return false
  const f = p.fill
  if (!plain(f)) return false
  const {clientOrderId, fee, fillId, instrument, liquidity, price, qty, side, ts, venueOrderId} = f
  const hasVenueId = venueOrderId !== undefined
  if (members(f) !== (hasVenueId ? 10 : 9)) return false
  if (!str(clientOrderId) || !num(fee) || !str(fillId) || !str(instrument) || !str(liquidity) || !num(price) || !num(qty) || !str(side) || !num(ts)) return false
  if (hasVenueId && !str(venueOrderId)) return false
  out.key(FILL_ID)
  out.str(clientOrderId)
  out.key(FILL_FEE)
  out.num(fee)
  out.key(FILL_FILL_ID)
  out.str(fillId)
  out.key(FILL_INSTRUMENT)
  out.str(instrument)
  out.key(FILL_LIQUIDITY)
  out.str(liquidity)
  out.key(FILL_PRICE)
  out.num(price)
  out.key(FILL_QTY)
  out.num(qty)
  out.key(FILL_SIDE)
  out.str(side)
  out.key(FILL_TS)
  out.num(ts)
  if (hasVenueId) {
    out.key(FILL_VENUE)
    out.str(venueOrderId as string)
  }
  out.key(CLOSE2)
  return true
}

const INTENT_OPEN = new AsciiKey('{"order":{')
const INTENT_STOP_LOSS = new AsciiKey('"bracket":{"stopLoss":')
const INTENT_TAKE_PROFIT = new AsciiKey(',"takeProfit":')
const INTENT_ID_AFTER_BRACKET = new AsciiKey('},"clientOrderId":')
const INTENT_ID = new AsciiKey('"clientOrderId":')
const INTENT_INSTRUMENT = new AsciiKey(',"instrument":')
const INTENT_LIMIT = new AsciiKey(',"limitPrice":')
const INTENT_PARENT = new AsciiKey(',"parentId":')
const INTENT_QTY = new AsciiKey(',"qty":')
const INTENT_REDUCE = new AsciiKey(',"reduceOnly":')
const INTENT_SIDE = new AsciiKey(',"side":')
const INTENT_STOP = new AsciiKey(',"stopPrice":')
const INTENT_TIF = new AsciiKey(',"tif":')
const INTENT_TYPE = new AsciiKey(',"type":')
const INTENT_REASON = new AsciiKey('},"reason":')

function writeIntent(p: unknown, out: JsonBytes): boolean {
  if (!plain(p) || members(p) !== 2) return false
  const o = p.order
  const reason = p.reason
  if (!plain(o) || !str(reason)) return false
  const {bracket, clientOrderId, instrument, limitPrice, parentId, qty, reduceOnly, side, stopPrice, tif, type} = o
  if (!str(clientOrderId) || !str(instrument) || !num(qty) || !str(side) || !str(tif) || !str(type)) return false
  let count = 6
  if (bracket !== undefined) {
    if (!plain(bracket) || members(bracket) !== 2 || !num(bracket.stopLoss) || !num(bracket.takeProfit)) return false
    count++
  }
  if (limitPrice !== undefined) {
    if (!num(limitPrice)) return false
    count++
  }
  if (parentId !== undefined) {
    if (!str(parentId)) return false
    count++
  }
  if (reduceOnly !== undefined) {
    if (typeof reduceOnly !== 'boolean') return false
    count++
  }
  if (stopPrice !== undefined) {
    if (!num(stopPrice)) return false
    count++
  }
  if (members(o) !== count) return false
  out.key(INTENT_OPEN)
  if (bracket !== undefined) {
    out.key(INTENT_STOP_LOSS)
    out.num((bracket as Plain).stopLoss as number)
    out.key(INTENT_TAKE_PROFIT)
    out.num((bracket as Plain).takeProfit as number)
    out.key(INTENT_ID_AFTER_BRACKET)
  } else out.key(INTENT_ID)
  out.str(clientOrderId)
  out.key(INTENT_INSTRUMENT)
  out.str(instrument)
  if (limitPrice !== undefined) {
    out.key(INTENT_LIMIT)
    out.num(limitPrice as number)
  }
  if (parentId !== undefined) {
    out.key(INTENT_PARENT)
    out.str(parentId as string)
  }
  out.key(INTENT_QTY)
  out.num(qty)
  if (reduceOnly !== undefined) {
    out.key(INTENT_REDUCE)
    out.bool(reduceOnly as boolean)
  }
  out.key(INTENT_SIDE)
  out.str(side)
  if (stopPrice !== undefined) {
    out.key(INTENT_STOP)
    out.num(stopPrice as number)
  }
  out.key(INTENT_TIF)
  out.str(tif)
  out.key(INTENT_TYPE)
  out.str(type)
  out.key(INTENT_REASON)
  out.str(reason)
  out.key(CLOSE)
  return true
}
