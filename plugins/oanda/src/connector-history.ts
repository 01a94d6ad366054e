// What the connector reads from OANDA's past: candles (warm-up, `rick data download`) and the fills
// of a period (reconciliation). Both page through OANDA's limits: 5000 candles per request, and
// the transaction list's pages (GET …/transactions gives page URLs, each read with …/idrange).
import type {Bar} from '../../../src/foundation/domain/bars.js'
import type {Fill} from '../../../src/foundation/domain/orders.js'
import type {HistoryRequest} from '../../../src/sectors/connector.js'
import type {ErrorClasses} from './errors.js'
import {formatTime, granularityFor, parseCandles, parseFill, parseTransaction} from './parsing.js'
import type {OandaRest} from './rest.js'

/** OANDA's most candles per request. */
export const MAX_CANDLES = 5000
/** Bars asked for when a request names neither `from` nor `count`. */
export const DEFAULT_HISTORY_COUNT = 500
/** A guard against a venue that never stops answering with new pages. */
const MAX_PAGES = 10_000

/**
 * Complete mid candles, oldest first. With `from`: forward from it, page by page, until `to`, `count`
 * or the present. Without: the `count` (default 500) latest before `to` (or now), page by page back.
 */
export async function candleHistory(rest: OandaRest, core: ErrorClasses, req: HistoryRequest): Promise<Bar[]> {
  const granularity = granularityFor(req.periodMs)
  if (granularity === undefined) throw new core.BrokerError('Unsupported', `OANDA has no candles of ${req.periodMs} ms (it has S5…S30, M1…M30, H1…H12 and D)`)
  const to = req.to ?? Number.POSITIVE_INFINITY
  const want = req.count ?? (req.from === undefined ? DEFAULT_HISTORY_COUNT : Number.POSITIVE_INFINITY)
  if (!(want > 0)) return []
  const page = async (query: Record<string, string | number>): Promise<Bar[]> => {
    const context = `GET /v3/instruments/${req.instrument}/candles`
    // Daily candles start at 17:00 New York by default; rick's bars start at UTC midnight.
    const daily: Record<string, string | number> = granularity === 'D' ? {dailyAlignment: 0, alignmentTimezone: 'UTC'} : {}
    const body = await rest.get(context, (ctx, done) => ctx.instrument.candles(req.instrument, {price: 'M', granularity, ...daily, ...query}, done))
    return parseCandles(body, req.instrument)
  }
  const bars: Bar[] = []
  if (req.from !== undefined) {
    let from = req.from
    for (let n = 0; n < MAX_PAGES && bars.length < want && from < to; n++) {
      const count = Math.min(MAX_CANDLES, want - bars.length)
      const got = (await page({from: formatTime(from), count})).filter((b) => b.ts >= from && b.ts < to)
      if (got.length === 0) break
      bars.push(...got.slice(0, want - bars.length))
      const next = (got[got.length - 1] as Bar).ts + req.periodMs
      if (!(next > from)) break
      from = next
      // Fewer complete candles than asked: the present is reached.
      if (got.length < count && req.to === undefined) break
    }
    return bars
  }
  let before = to
  for (let n = 0; n < MAX_PAGES && bars.length < want; n++) {
    const count = Math.min(MAX_CANDLES, want - bars.length)
    const query: Record<string, string | number> = {count}
    if (Number.isFinite(before)) query.to = formatTime(before)
    const got = (await page(query)).filter((b) => b.ts < before)
    if (got.length === 0) break
    bars.unshift(...got.slice(Math.max(0, got.length - (want - bars.length))))
    before = (got[0] as Bar).ts
  }
  return bars
}

/** The fills of rick's orders (those with a client id) recorded at or after `sinceTs`, oldest first. */
export async function fillsSince(rest: OandaRest, accountId: string, sinceTs: number): Promise<Fill[]> {
  const context = `GET /v3/accounts/${accountId}/transactions`
  const index = await rest.get(context, (ctx, done) => ctx.transaction.list(accountId, {from: formatTime(sinceTs), type: 'ORDER_FILL', pageSize: 1000}, done))
  if (!Array.isArray(index.pages)) throw new Error(`${context}: the answer has no pages list`)
  const pages: unknown[] = index.pages
  const fills: Fill[] = []
  for (const url of pages) {
    if (typeof url !== 'string') throw new Error(`${context}: a page that is not a URL: ${JSON.stringify(url)}`)
    // A page is …/transactions/idrange?from=A&to=B&type=…: read with the SDK's range call.
    const q = new URL(url, 'http://page.invalid').searchParams
    const from = q.get('from')
    const to = q.get('to')
    if (from === null || to === null) throw new Error(`${context}: page ${url} has no from/to`)
    const body = await rest.get(`GET /v3/accounts/${accountId}/transactions/idrange`, (ctx, done) => ctx.transaction.range(accountId, {from, to, type: 'ORDER_FILL'}, done))
    if (!Array.isArray(body.transactions)) throw new Error(`${context}/idrange: the answer has no transactions list`)
    for (const raw of body.transactions as unknown[]) {
      const tx = parseTransaction(raw)
      if (tx.type !== 'ORDER_FILL' || tx.ts < sinceTs) continue
      // A fill of an order placed outside rick (no client id) is reported too, under the venue's
      // order id: reconciliation explains a position made by hand with it (EXTERNAL, not a mismatch).
      const fill = parseFill(tx) ?? parseFill(withClientId(tx, `external:${String(tx.raw.orderID ?? tx.id)}`))
      if (fill !== undefined) fills.push(fill)
    }
  }
  return fills
}

/** The transaction as if its order carried this client id (for fills of orders placed by hand). */
function withClientId(tx: ReturnType<typeof parseTransaction>, id: string): ReturnType<typeof parseTransaction> {
  return {...tx, raw: {...tx.raw, clientOrderID: id}}
}
