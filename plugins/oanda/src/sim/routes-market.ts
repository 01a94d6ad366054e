// REST routes of prices, candles and transactions:
//   GET /v3/accounts/{id}/pricing?instruments=…[&since][&includeUnitsAvailable][&includeHomeConversions]
//   GET /v3/instruments/{instrument}/candles, GET /v3/accounts/{id}/instruments/{instrument}/candles
//   GET /v3/accounts/{id}/transactions[?from&to&pageSize&type]   (pages of idrange links)
//   GET /v3/accounts/{id}/transactions/idrange?from&to[&type], /sinceid?id[&type], /{transactionID}
import {buildCandles, readCandleQuery} from './candles.js'
import {type OandaSimContext, type Route, badRequest, ok} from './context.js'
import {listParam, re} from './routes-account.js'
import type {WireTransaction} from './transactions.js'
import {parseDateTime, SimTime} from './wire.js'

const A = '^/v3/accounts/([^/]+)'

export function marketRoutes(c: OandaSimContext): Route[] {
  const candles = (instrument: string, query: URLSearchParams, now: number) => {
    if (!c.market.has(instrument)) return badRequest("Invalid value specified for 'instrument'")
    const q = readCandleQuery(query)
    if (typeof q === 'string') return badRequest(q)
    const i = c.market.instrument(instrument)
    const format = (value: number, half: boolean): string => (half ? (value % 2 === 0 ? c.core.sim.formatScaled(value / 2, i.displayPrecision) : c.core.sim.formatScaled(value * 5, i.displayPrecision + 1)) : c.core.sim.formatScaled(value, i.displayPrecision))
    return ok({instrument, granularity: q.granularity, candles: buildCandles(c.market.path(instrument), i, q, now, format)})
  }
  return [
    {method: 'GET', pattern: /^\/v3\/instruments\/([^/]+)\/candles$/, handler: ({params, query, now}) => candles(params[0] as string, query, now)},
    {method: 'GET', pattern: re(`${A}/instruments/([^/]+)/candles$`), handler: ({params, query, now}) => candles(params[1] as string, query, now)},
    {method: 'GET', pattern: re(`${A}/pricing$`), handler: ({query, now}) => pricing(c, query, now)},
    {method: 'GET', pattern: re(`${A}/transactions$`), handler: ({query, now}) => transactionPages(c, query, now)},
    {
      method: 'GET',
      pattern: re(`${A}/transactions/idrange$`),
      handler: ({query}) => {
        const from = query.get('from')
        const to = query.get('to')
        if (from === null || !/^\d+$/.test(from)) return badRequest("Invalid value specified for 'from'")
        if (to === null || !/^\d+$/.test(to)) return badRequest("Invalid value specified for 'to'")
        if (Number(to) < Number(from)) return {status: 416, body: {errorMessage: "The 'to' transaction ID is before the 'from' transaction ID"}}
        const types = typeFilter(query)
        return ok({transactions: c.log.range(Number(from), Number(to)).filter(types), lastTransactionID: c.log.lastID})
      },
    },
    {
      method: 'GET',
      pattern: re(`${A}/transactions/sinceid$`),
      handler: ({query}) => {
        const id = query.get('id')
        if (id === null || !/^\d+$/.test(id)) return badRequest("Invalid value specified for 'id'")
        const types = typeFilter(query)
        return ok({transactions: c.log.range(Number(id) + 1, Number(c.log.lastID)).filter(types), lastTransactionID: c.log.lastID})
      },
    },
    {
      method: 'GET',
      pattern: re(`${A}/transactions/(\\d+)$`),
      handler: ({params}) => {
        const tx = c.log.get(params[1] as string)
        if (tx === undefined) return {status: 404, body: {errorCode: 'NO_SUCH_TRANSACTION', errorMessage: 'The transaction ID specified does not exist'}}
        return ok({transaction: tx, lastTransactionID: c.log.lastID})
      },
    },
  ]
}

function pricing(c: OandaSimContext, query: URLSearchParams, now: number) {
  const names = listParam(query, 'instruments')
  if (names === undefined || names.length === 0 || names.some((n) => !c.market.has(n))) return badRequest("Invalid value specified for 'instruments'")
  let since: number | undefined
  const sinceText = query.get('since')
  if (sinceText !== null) {
    since = parseDateTime(sinceText)
    if (since === undefined) return badRequest("Invalid value specified for 'since'")
  }
  const withUnits = query.get('includeUnitsAvailable') !== 'false'
  const state = withUnits ? c.ledger.state(now) : undefined
  const prices = names
    .filter((n) => since === undefined || c.market.quote(n, now).ts > since)
    .map((n) => c.market.clientPrice(n, now, state === undefined ? {} : {unitsAvailable: unitsAvailable(c, n, now, state.marginAvailable)}))
  const out: Record<string, unknown> = {prices, time: new SimTime(now)}
  if (query.get('includeHomeConversions') === 'true') {
    const currencies = new Set(names.flatMap((n) => [c.market.instrument(n).base, c.market.instrument(n).quote]))
    out.homeConversions = [...currencies].flatMap((ccy) => {
      try {
        const f = c.market.toHome(ccy, now)
        return [{currency: ccy, accountGain: f.gainText, accountLoss: f.lossText, positionValue: f.midText}]
      } catch {
        return [] // an index "currency" (SPX500) converts to nothing
      }
    })
  }
  return ok(out)
}

/** Units a new order could trade now, by positionFill (OANDA's deprecated unitsAvailable). */
function unitsAvailable(c: OandaSimContext, name: string, now: number, marginAvailable: number): Record<string, unknown> {
  const perUnit = c.ledger.marginFor(name, 1_000_000, now) / 1_000_000
  const open = perUnit > 0 ? Math.floor(marginAvailable / perUnit) : 0
  const net = c.ledger.netUnits(name)
  const longReduce = Math.max(0, -net)
  const shortReduce = Math.max(0, net)
  const side = (long: number, short: number) => ({long: String(long), short: String(short)})
  return {
    default: side(open + longReduce, open + shortReduce),
    reduceFirst: side(open + longReduce, open + shortReduce),
    reduceOnly: side(longReduce, shortReduce),
    openOnly: side(longReduce > 0 ? 0 : open, shortReduce > 0 ? 0 : open),
  }
}

/** A `type` filter: exact transaction types, or the groups ORDER, FUNDING, ADMIN. */
function typeFilter(query: URLSearchParams): (t: WireTransaction) => boolean {
  const types = listParam(query, 'type')
  if (types === undefined) return () => true
  const set = new Set(types)
  return (t) =>
    set.has(t.type) ||
    (set.has('ORDER') && t.type.includes('ORDER')) ||
    (set.has('FUNDING') && (t.type.startsWith('TRANSFER_FUNDS') || t.type === 'DAILY_FINANCING')) ||
    (set.has('ADMIN') && ['CREATE', 'CLOSE', 'REOPEN', 'CLIENT_CONFIGURE', 'CLIENT_CONFIGURE_REJECT'].includes(t.type))
}

/** GET /transactions: which transactions fall in [from, to], as links to pages of idrange. */
function transactionPages(c: OandaSimContext, query: URLSearchParams, now: number) {
  const range: Record<'from' | 'to', number> = {from: c.view.createdTime, to: now}
  for (const key of ['from', 'to'] as const) {
    const v = query.get(key)
    if (v === null) continue
    const t = parseDateTime(v)
    if (t === undefined) return badRequest(`Invalid value specified for '${key}'`)
    range[key] = t
  }
  const pageSizeText = query.get('pageSize') ?? '100'
  if (!/^\d+$/.test(pageSizeText) || Number(pageSizeText) < 1 || Number(pageSizeText) > 1000) return badRequest("Invalid value specified for 'pageSize'")
  const pageSize = Number(pageSizeText)
  const types = listParam(query, 'type')
  const matching = c.log.between(range.from, range.to).filter(typeFilter(query))
  const pages: string[] = []
  const typeSuffix = types === undefined ? '' : `&type=${types.join(',')}`
  for (let i = 0; i < matching.length; i += pageSize) {
    const page = matching.slice(i, i + pageSize)
    pages.push(`${c.restUrl()}/v3/accounts/${c.accountID}/transactions/idrange?from=${page[0]?.id}&to=${page[page.length - 1]?.id}${typeSuffix}`)
  }
  return ok({from: new SimTime(range.from), to: new SimTime(range.to), pageSize, ...(types === undefined ? {} : {type: types}), count: matching.length, pages, lastTransactionID: c.log.lastID})
}
