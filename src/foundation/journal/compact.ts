// Compact records for the events a backtest writes by the ten thousand: ORDER_INTENT, ORDER_ACK and
// FILL (three per order). On the producer's thread a batch copies such a payload's fields into a
// flat array of strings, numbers and booleans instead of writing its JSON there; the writer (its
// thread, or inline) writes the JSON from them. That JSON is byte for byte canonicalJson(payload)
// (test/foundation/journal/compact.test.ts pins it over generated payloads), so hashes, storage and
// every reader are the same whichever way an event went. Measured on 80k backtest-shaped events:
// canonical JSON on the engine's thread plus posting the strings costs ~78 ms there; packing and
// posting the fields ~15 ms.
//
// A payload packs only when it is exactly the shape below: plain objects, no other keys, every
// value of its declared type, numbers finite. Anything else (an extra key, a NaN, a class instance)
// takes the general path, which also reports what is wrong with it.
//
// Layout of one record: [code, mask, ...values], values in the canonical (sorted) key order.
//   ORDER_ACK    1, 0, clientOrderId, venueOrderId
//   FILL         2, mask(1 = venueOrderId), clientOrderId, fee, fillId, instrument, liquidity,
//                price, qty, side, ts[, venueOrderId]
//   ORDER_INTENT 3, mask(INTENT_*), [stopLoss, takeProfit,] clientOrderId, instrument[, limitPrice]
//                [, parentId], qty[, reduceOnly], side[, stopPrice], tif, type, reason
import {quote} from '../canonical.js'
import type {EventType} from './events.js'

export type CompactValue = string | number | boolean

const ACK = 1
const FILL = 2
const INTENT = 3

const FILL_VENUE_ID = 1
const INTENT_BRACKET = 1
const INTENT_LIMIT = 2
const INTENT_PARENT = 4
const INTENT_REDUCE = 8
const INTENT_STOP = 16

const TYPE_OF_CODE: Readonly<Record<number, EventType>> = {[ACK]: 'ORDER_ACK', [FILL]: 'FILL', [INTENT]: 'ORDER_INTENT'}

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
 * Appends the compact record of a payload to `out` and returns true; returns false and leaves
 * `out` as it was when the type is not one of the three or the payload is not exactly their shape.
 */
export function packPayload(type: EventType, payload: unknown, out: CompactValue[]): boolean {
  switch (type) {
    case 'ORDER_ACK':
      return packAck(payload, out)
    case 'FILL':
      return packFill(payload, out)
    case 'ORDER_INTENT':
      return packIntent(payload, out)
    default:
      return false
  }
}

function packAck(p: unknown, out: CompactValue[]): boolean {
  if (!plain(p) || members(p) !== 2) return false
  const id = p.clientOrderId
  const venueId = p.venueOrderId
  if (!str(id) || !str(venueId)) return false
  out.push(ACK, 0, id, venueId)
  return true
}

function packFill(p: unknown, out: CompactValue[]): boolean {
  if (!plain(p) || members(p) !== 1) return false
  const f = p.fill
  if (!plain(f)) return false
  const {clientOrderId, fee, fillId, instrument, liquidity, price, qty, side, ts, venueOrderId} = f
  const hasVenueId = venueOrderId !== undefined
  if (members(f) !== (hasVenueId ? 10 : 9)) return false
  if (!str(clientOrderId) || !num(fee) || !str(fillId) || !str(instrument) || !str(liquidity) || !num(price) || !num(qty) || !str(side) || !num(ts)) return false
  if (hasVenueId && !str(venueOrderId)) return false
  out.push(FILL, hasVenueId ? FILL_VENUE_ID : 0, clientOrderId, fee, fillId, instrument, liquidity, price, qty, side, ts)
  if (hasVenueId) out.push(venueOrderId)
  return true
}

function packIntent(p: unknown, out: CompactValue[]): boolean {
  if (!plain(p) || members(p) !== 2) return false
  const o = p.order
  const reason = p.reason
  if (!plain(o) || !str(reason)) return false
  const {bracket, clientOrderId, instrument, limitPrice, parentId, qty, reduceOnly, side, stopPrice, tif, type} = o
  if (!str(clientOrderId) || !str(instrument) || !num(qty) || !str(side) || !str(tif) || !str(type)) return false
  let mask = 0
  let count = 6
  if (bracket !== undefined) {
    if (!plain(bracket) || members(bracket) !== 2 || !num(bracket.stopLoss) || !num(bracket.takeProfit)) return false
    mask |= INTENT_BRACKET
    count++
  }
  if (limitPrice !== undefined) {
    if (!num(limitPrice)) return false
    mask |= INTENT_LIMIT
    count++
  }
  if (parentId !== undefined) {
    if (!str(parentId)) return false
    mask |= INTENT_PARENT
    count++
  }
  if (reduceOnly !== undefined) {
    if (typeof reduceOnly !== 'boolean') return false
    mask |= INTENT_REDUCE
    count++
  }
  if (stopPrice !== undefined) {
    if (!num(stopPrice)) return false
    mask |= INTENT_STOP
    count++
  }
  if (members(o) !== count) return false
  out.push(INTENT, mask)
  if (mask & INTENT_BRACKET) out.push((bracket as Plain).stopLoss as number, (bracket as Plain).takeProfit as number)
  out.push(clientOrderId, instrument)
  if (mask & INTENT_LIMIT) out.push(limitPrice as number)
  if (mask & INTENT_PARENT) out.push(parentId as string)
  out.push(qty)
  if (mask & INTENT_REDUCE) out.push(reduceOnly as boolean)
  out.push(side)
  if (mask & INTENT_STOP) out.push(stopPrice as number)
  out.push(tif, type, reason)
  return true
}

/** The event type of the record at `at`. */
export function compactType(rec: readonly CompactValue[], at: number): EventType {
  const type = TYPE_OF_CODE[rec[at] as number]
  if (type === undefined) throw new Error(`not a compact journal record at ${at} (code ${String(rec[at])})`)
  return type
}

/** How many array slots the record at `at` takes. */
export function compactLength(rec: readonly CompactValue[], at: number): number {
  const mask = rec[at + 1] as number
  switch (rec[at]) {
    case ACK:
      return 4
    case FILL:
      return mask & FILL_VENUE_ID ? 12 : 11
    case INTENT: {
      let n = 2 + 6 + 1
      if (mask & INTENT_BRACKET) n += 2
      if (mask & INTENT_LIMIT) n++
      if (mask & INTENT_PARENT) n++
      if (mask & INTENT_REDUCE) n++
      if (mask & INTENT_STOP) n++
      return n
    }
    default:
      throw new Error(`not a compact journal record at ${at} (code ${String(rec[at])})`)
  }
}

// Strings are quoted by canonicalJson's own quote(); String(n) of a finite number is
// JSON.stringify's (and canonicalJson's) number form.
const q = quote

/** canonicalJson of the payload packed at `at`. */
export function compactJson(rec: readonly CompactValue[], at: number): string {
  const mask = rec[at + 1] as number
  let i = at + 2
  switch (rec[at]) {
    case ACK:
      return `{"clientOrderId":${q(rec[i] as string)},"venueOrderId":${q(rec[i + 1] as string)}}`
    case FILL: {
      const head = `{"fill":{"clientOrderId":${q(rec[i] as string)},"fee":${String(rec[i + 1])},"fillId":${q(rec[i + 2] as string)},"instrument":${q(rec[i + 3] as string)},"liquidity":${q(rec[i + 4] as string)},"price":${String(rec[i + 5])},"qty":${String(rec[i + 6])},"side":${q(rec[i + 7] as string)},"ts":${String(rec[i + 8])}`
      return mask & FILL_VENUE_ID ? `${head},"venueOrderId":${q(rec[i + 9] as string)}}}` : `${head}}}`
    }
    case INTENT: {
      let s = '{"order":{'
      if (mask & INTENT_BRACKET) {
        s += `"bracket":{"stopLoss":${String(rec[i])},"takeProfit":${String(rec[i + 1])}},`
        i += 2
      }
      s += `"clientOrderId":${q(rec[i] as string)},"instrument":${q(rec[i + 1] as string)}`
      i += 2
      if (mask & INTENT_LIMIT) s += `,"limitPrice":${String(rec[i++])}`
      if (mask & INTENT_PARENT) s += `,"parentId":${q(rec[i++] as string)}`
      s += `,"qty":${String(rec[i++])}`
      if (mask & INTENT_REDUCE) s += `,"reduceOnly":${String(rec[i++])}`
      s += `,"side":${q(rec[i++] as string)}`
      if (mask & INTENT_STOP) s += `,"stopPrice":${String(rec[i++])}`
      return `${s},"tif":${q(rec[i] as string)},"type":${q(rec[i + 1] as string)}},"reason":${q(rec[i + 2] as string)}}`
    }
    default:
      throw new Error(`not a compact journal record at ${at} (code ${String(rec[at])})`)
  }
}
