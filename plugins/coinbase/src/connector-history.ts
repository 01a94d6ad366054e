// What the connector reads from Coinbase's lists, page by page: candles (warm-up, `rick data
// download`; at most 350 per request), fills (of an order, of a period), and orders (the
// historical list, where an order whose create got no answer is found by its client order id:
// Coinbase has no lookup by client id).
import type {Bar} from '../../../src/foundation/domain/bars.js'
import type {HistoryRequest} from '../../../src/sectors/connector.js'
import type {ErrorClasses} from './errors.js'
import {arr, GRANULARITIES, obj, optStr, parseCandles, parseFill, parseOrder, type CoinbaseFill, type CoinbaseOrder, type FeeTier} from './parsing.js'
import type {CoinbaseRest} from './rest.js'

/** Coinbase's most candles per request. */
export const MAX_CANDLES = 350
/** Bars asked for when a request names neither `from` nor `count`. */
export const DEFAULT_HISTORY_COUNT = 300
/** Guards against a venue whose pages never end. */
const MAX_PAGES = 1_000
/** Page size of the orders and fills lists. */
const PAGE = 250

/**
 * Complete candles, oldest first: a bar is complete when its period ended at or before `now`.
 * With `from`: forward from it until `to`, `count` or now. Without: the `count` (default 300)
 * latest before `to` (or now), page by page back.
 */
export async function candleHistory(rest: CoinbaseRest, core: ErrorClasses, req: HistoryRequest, now: number): Promise<Bar[]> {
  const granularity = GRANULARITIES.get(req.periodMs)
  if (granularity === undefined) throw new core.BrokerError('Unsupported', `Coinbase has no candles of ${req.periodMs} ms (it has 1m, 5m, 15m, 30m, 1h, 2h, 6h and 1d)`)
  const p = req.periodMs
  const end = Math.min(req.to ?? Number.POSITIVE_INFINITY, Math.floor(now / p) * p)
  const want = req.count ?? (req.from === undefined ? DEFAULT_HISTORY_COUNT : Number.POSITIVE_INFINITY)
  if (!(want > 0)) return []
  // [start, stop) in ms, on period boundaries; Coinbase takes UNIX seconds, both ends inclusive.
  const page = async (start: number, stop: number): Promise<Bar[]> => {
    const body = await rest.read('brokerage/products/{product_id}/candles', {
      product_id: req.instrument,
      start: String(Math.floor(start / 1000)),
      end: String(Math.floor((stop - 1) / 1000)),
      granularity,
      limit: MAX_CANDLES,
    })
    return parseCandles(body, req.instrument).filter((b) => b.ts >= start && b.ts < stop && b.ts + p <= now)
  }
  const bars: Bar[] = []
  if (req.from !== undefined) {
    let from = Math.ceil(req.from / p) * p
    for (let n = 0; n < MAX_PAGES && bars.length < want && from < end; n++) {
      const stop = Math.min(end, from + p * Math.min(MAX_CANDLES, want - bars.length))
      bars.push(...(await page(from, stop)))
      from = stop
    }
    return dedupe(bars).slice(0, Number.isFinite(want) ? want : undefined)
  }
  let stop = end
  for (let n = 0; n < MAX_PAGES && bars.length < want; n++) {
    const span = Math.min(MAX_CANDLES, want - bars.length)
    const start = stop - span * p
    const got = await page(start, stop)
    bars.unshift(...got)
    // An empty page before anything was found: the product had no trades then (or did not exist).
    if (got.length === 0 && n > 0) break
    stop = start
  }
  const out = dedupe(bars)
  return out.slice(Math.max(0, out.length - want))
}

function dedupe(bars: Bar[]): Bar[] {
  const seen = new Set<number>()
  return bars.sort((a, b) => a.ts - b.ts).filter((b) => (seen.has(b.ts) ? false : (seen.add(b.ts), true)))
}

/** Pages of a cursor-paged list: calls `fetch(cursor)` until has_next is false (bounded). */
async function pages(what: string, fetch: (cursor: string | undefined) => Promise<Record<string, unknown>>, take: (body: Record<string, unknown>) => boolean | void, maxPages = MAX_PAGES): Promise<void> {
  let cursor: string | undefined
  for (let n = 0; n < maxPages; n++) {
    const body = await fetch(cursor)
    if (take(body) === true) return
    const next = body.has_next === true || (body.has_next === undefined && optStr(body.cursor) !== undefined) ? optStr(body.cursor) : undefined
    if (next === undefined || next === cursor) return
    cursor = next
  }
  throw new Error(`${what}: more than ${maxPages} pages`)
}

/** Every fill of one order. */
export async function orderFills(rest: CoinbaseRest, orderId: string, tier?: FeeTier): Promise<CoinbaseFill[]> {
  const out: CoinbaseFill[] = []
  await pages(
    `fills of order ${orderId}`,
    (cursor) => rest.read('brokerage/orders/historical/fills', {order_ids: [orderId], limit: PAGE, ...(cursor === undefined ? {} : {cursor})}),
    (body) => {
      for (const raw of arr(body.fills, 'fills answer.fills')) out.push(parseFill(raw, tier))
    },
    100,
  )
  return out
}

/** Fills of the products since `sinceTs` (trade time), oldest first. */
export async function fillsSince(rest: CoinbaseRest, products: readonly string[], sinceTs: number, tier?: FeeTier): Promise<CoinbaseFill[]> {
  const out: CoinbaseFill[] = []
  await pages(
    'fills since',
    (cursor) => rest.read('brokerage/orders/historical/fills', {product_ids: [...products], start_sequence_timestamp: new Date(sinceTs).toISOString(), limit: PAGE, ...(cursor === undefined ? {} : {cursor})}),
    (body) => {
      for (const raw of arr(body.fills, 'fills answer.fills')) out.push(parseFill(raw, tier))
    },
  )
  return out.filter((f) => f.fill.ts >= sinceTs).sort((a, b) => a.fill.ts - b.fill.ts || a.seq - b.seq)
}

/** The most recent fills of a product, newest first, until `enough` says stop (at most `maxPages` pages). */
export async function latestFills(rest: CoinbaseRest, product: string, enough: (f: CoinbaseFill) => boolean, maxPages = 20): Promise<void> {
  let cursor: string | undefined
  for (let n = 0; n < maxPages; n++) {
    const body = await rest.read('brokerage/orders/historical/fills', {product_ids: [product], limit: PAGE, ...(cursor === undefined ? {} : {cursor})})
    const got = arr(body.fills, 'fills answer.fills').map((raw) => parseFill(raw)).sort((a, b) => b.fill.ts - a.fill.ts || b.seq - a.seq)
    for (const f of got) if (enough(f)) return
    const next = body.has_next === false ? undefined : optStr(body.cursor)
    if (next === undefined || next === cursor || got.length === 0) return
    cursor = next
  }
}

export interface OrderQuery {
  products: readonly string[]
  /** Only orders created at or after this (epoch ms). */
  since?: number
  statuses?: readonly string[]
  orderIds?: readonly string[]
  /** Stop at the first order this accepts. */
  stopAt?(o: CoinbaseOrder): boolean
  maxPages?: number
}

/** Orders of the historical list (newest first), parsed; malformed ones reported and skipped. */
export async function listOrders(rest: CoinbaseRest, q: OrderQuery, problem: (m: string) => void): Promise<CoinbaseOrder[]> {
  const out: CoinbaseOrder[] = []
  let found = false
  await pages(
    'orders',
    (cursor) =>
      rest.read('brokerage/orders/historical/batch', {
        ...(q.products.length > 0 ? {product_ids: [...q.products]} : {}),
        ...(q.statuses !== undefined ? {order_status: [...q.statuses]} : {}),
        ...(q.orderIds !== undefined ? {order_ids: [...q.orderIds]} : {}),
        ...(q.since !== undefined ? {start_date: new Date(q.since).toISOString()} : {}),
        limit: PAGE,
        ...(cursor === undefined ? {} : {cursor}),
      }),
    (body) => {
      for (const raw of arr(body.orders, 'orders answer.orders')) {
        try {
          const order = parseOrder(raw)
          out.push(order)
          if (q.stopAt?.(order)) found = true
        } catch (error) {
          problem(`an order of the list skipped: ${(error as Error).message}`)
        }
      }
      return found
    },
    q.maxPages ?? MAX_PAGES,
  )
  return out
}

/** GET …/orders/historical/{id}: the order, or undefined for a 404. */
export async function getOrder(rest: CoinbaseRest, orderId: string): Promise<CoinbaseOrder | undefined> {
  try {
    return parseOrder(obj((await rest.read('brokerage/orders/historical/{order_id}', {order_id: orderId})).order, 'order answer.order'))
  } catch (error) {
    if ((error as {kind?: unknown}).kind === 'OrderNotFound') return undefined
    throw error
  }
}
