// The payloads a backtest journals by the ten thousand: ORDER_INTENT, ORDER_ACK and FILL (three per
// order), and ORDER_DENIED (a halted or capped sector's strategy asking again bar after bar). Their
// canonical JSON is written from their known shape straight into bytes (json-bytes.ts) instead of
// walking the object and building a string: ~0.5 µs an event on the engine's thread and no garbage. The bytes are exactly canonicalJson(payload) as UTF-8
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
    case 'ORDER_DENIED':
      return writeDenied(payload, out)
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

const ORDER_STOP_LOSS = new AsciiKey('{"bracket":{"stopLoss":')
const ORDER_TAKE_PROFIT = new AsciiKey(',"takeProfit":')
const ORDER_ID_AFTER_BRACKET = new AsciiKey('},"clientOrderId":')
const ORDER_ID = new AsciiKey('{"clientOrderId":')
const ORDER_INSTRUMENT = new AsciiKey(',"instrument":')
const ORDER_LIMIT = new AsciiKey(',"limitPrice":')
const ORDER_PARENT = new AsciiKey(',"parentId":')
const ORDER_QTY = new AsciiKey(',"qty":')
const ORDER_REDUCE = new AsciiKey(',"reduceOnly":')
const ORDER_SIDE = new AsciiKey(',"side":')
const ORDER_STOP = new AsciiKey(',"stopPrice":')
const ORDER_TIF = new AsciiKey(',"tif":')
const ORDER_TYPE = new AsciiKey(',"type":')

/** Whether `o` is exactly an order request (what ORDER_INTENT and ORDER_DENIED carry). */
function isOrder(o: unknown): o is Plain {
  if (!plain(o)) return false
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
  return members(o) === count
}

/** An order that isOrder(), as canonical JSON. */
function writeOrder(o: Plain, out: JsonBytes): void {
  const bracket = o.bracket as Plain | undefined
  if (bracket !== undefined) {
    out.key(ORDER_STOP_LOSS)
    out.num(bracket.stopLoss as number)
    out.key(ORDER_TAKE_PROFIT)
    out.num(bracket.takeProfit as number)
    out.key(ORDER_ID_AFTER_BRACKET)
  } else out.key(ORDER_ID)
  out.str(o.clientOrderId as string)
  out.key(ORDER_INSTRUMENT)
  out.str(o.instrument as string)
  if (o.limitPrice !== undefined) {
    out.key(ORDER_LIMIT)
    out.num(o.limitPrice as number)
  }
  if (o.parentId !== undefined) {
    out.key(ORDER_PARENT)
    out.str(o.parentId as string)
  }
  out.key(ORDER_QTY)
  out.num(o.qty as number)
  if (o.reduceOnly !== undefined) {
    out.key(ORDER_REDUCE)
    out.bool(o.reduceOnly as boolean)
  }
  out.key(ORDER_SIDE)
  out.str(o.side as string)
  if (o.stopPrice !== undefined) {
    out.key(ORDER_STOP)
    out.num(o.stopPrice as number)
  }
  out.key(ORDER_TIF)
  out.str(o.tif as string)
  out.key(ORDER_TYPE)
  out.str(o.type as string)
  out.key(CLOSE)
}

const INTENT_ORDER = new AsciiKey('{"order":')
const INTENT_REASON = new AsciiKey(',"reason":')

function writeIntent(p: unknown, out: JsonBytes): boolean {
  if (!plain(p) || members(p) !== 2) return false
  const o = p.order
  const reason = p.reason
  if (!str(reason) || !isOrder(o)) return false
  out.key(INTENT_ORDER)
  writeOrder(o, out)
  out.key(INTENT_REASON)
  out.str(reason)
  out.key(CLOSE)
  return true
}

const DENIED_CODE = new AsciiKey('{"code":')
const DENIED_DETAIL = new AsciiKey(',"detail":')
const DENIED_ORDER = new AsciiKey(',"order":')

/** ORDER_DENIED: a halted or capped sector denies a strategy's asks bar after bar. */
function writeDenied(p: unknown, out: JsonBytes): boolean {
  if (!plain(p) || members(p) !== 3) return false
  const {code, detail, order} = p
  if (!str(code) || !str(detail) || !isOrder(order)) return false
  out.key(DENIED_CODE)
  out.str(code)
  out.key(DENIED_DETAIL)
  out.str(detail)
  out.key(DENIED_ORDER)
  writeOrder(order, out)
  out.key(CLOSE)
  return true
}
