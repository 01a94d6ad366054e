// REST routes of the account's state and its order side (paths under /v3/accounts/{accountID}):
// the account (details, summary, instruments, changes), orders, trades and positions. Each answer
// carries lastTransactionID, as OANDA's do.
import {type OandaSimContext, type Route, badRequest, ok} from './context.js'
import {setDependentOrders} from './dependents.js'
import type {OrderState, SimTrade} from './model.js'
import {accountSummaryView, accountView, instrumentView, money, orderView, positionInstruments, positionView, tradeSummaryView, tradeView, type ViewContext} from './views.js'

const A = '^/v3/accounts/([^/]+)'
const SPEC = '([^/]+)'

export function accountRoutes(c: OandaSimContext): Route[] {
  const v = c.view
  const last = (): string => c.log.lastID
  return [
    {method: 'GET', pattern: /^\/v3\/accounts\/?$/, handler: () => ok({accounts: [{id: c.accountID, tags: []}]})},
    {method: 'GET', pattern: re(`${A}/?$`), handler: ({now}) => ok({account: accountView(v, now), lastTransactionID: last()})},
    {method: 'GET', pattern: re(`${A}/summary$`), handler: ({now}) => ok({account: accountSummaryView(v, now), lastTransactionID: last()})},
    {
      method: 'GET',
      pattern: re(`${A}/instruments$`),
      handler: ({query}) => {
        const asked = listParam(query, 'instruments')
        if (asked?.some((i) => !c.market.has(i))) return badRequest("Invalid value specified for 'instruments'")
        const names = asked ?? [...c.market.instruments.keys()]
        return ok({instruments: names.map((n) => instrumentView(v, n)), lastTransactionID: last()})
      },
    },
    {method: 'GET', pattern: re(`${A}/changes$`), handler: (call) => changes(c, call.query, call.now)},
    {method: 'POST', pattern: re(`${A}/orders$`), handler: ({body, now, requestID}) => c.broker.createOrder(body, now, requestID)},
    {
      method: 'GET',
      pattern: re(`${A}/orders$`),
      handler: ({query}) => {
        const state = query.get('state') ?? 'PENDING'
        if (!['PENDING', 'FILLED', 'TRIGGERED', 'CANCELLED', 'ALL'].includes(state)) return badRequest("Invalid value specified for 'state'")
        const page = paging(query)
        if (typeof page === 'string') return badRequest(page)
        const ids = listParam(query, 'ids')
        const instrument = query.get('instrument')
        const orders = [...c.orders.values()]
          .filter((o) => (state === 'ALL' || o.state === (state as OrderState)) && (ids === undefined || ids.includes(o.id)) && (instrument === null || o.instrument === instrument) && (page.beforeID === undefined || Number(o.id) < page.beforeID))
          .sort((a, b) => Number(b.id) - Number(a.id))
          .slice(0, page.count)
        return ok({orders: orders.map((o) => orderView(v, o)), lastTransactionID: last()})
      },
    },
    {method: 'GET', pattern: re(`${A}/pendingOrders$`), handler: () => ok({orders: c.broker.pendingOrders().map((o) => orderView(v, o)), lastTransactionID: last()})},
    {
      method: 'GET',
      pattern: re(`${A}/orders/${SPEC}$`),
      handler: ({params}) => {
        const o = c.broker.findOrder(params[1] as string)
        if (o === undefined) return {status: 404, body: {errorCode: 'NO_SUCH_ORDER', errorMessage: 'The order ID specified does not exist'}}
        return ok({order: orderView(v, o), lastTransactionID: last()})
      },
    },
    {method: 'PUT', pattern: re(`${A}/orders/${SPEC}/cancel$`), handler: ({params, now, requestID}) => c.broker.cancelOrder(params[1] as string, now, requestID)},
    {method: 'PUT', pattern: re(`${A}/orders/${SPEC}/clientExtensions$`), handler: ({params, body, now, requestID}) => c.broker.setOrderClientExtensions(params[1] as string, body, now, requestID)},
    {
      method: 'GET',
      pattern: re(`${A}/trades$`),
      handler: ({query, now}) => {
        const state = query.get('state') ?? 'OPEN'
        if (!['OPEN', 'CLOSED', 'CLOSE_WHEN_TRADEABLE', 'ALL'].includes(state)) return badRequest("Invalid value specified for 'state'")
        const page = paging(query)
        if (typeof page === 'string') return badRequest(page)
        const ids = listParam(query, 'ids')
        const instrument = query.get('instrument')
        const trades = [...c.ledger.trades.values()]
          .filter((t) => (state === 'ALL' || t.state === state) && (ids === undefined || ids.includes(t.id)) && (instrument === null || t.instrument === instrument) && (page.beforeID === undefined || Number(t.id) < page.beforeID))
          .sort((a, b) => Number(b.id) - Number(a.id))
          .slice(0, page.count)
        return ok({trades: trades.map((t) => tradeView(v, t, now)), lastTransactionID: last()})
      },
    },
    {method: 'GET', pattern: re(`${A}/openTrades$`), handler: ({now}) => ok({trades: openTradesNewestFirst(c).map((t) => tradeView(v, t, now)), lastTransactionID: last()})},
    {
      method: 'GET',
      pattern: re(`${A}/trades/${SPEC}$`),
      handler: ({params, now}) => {
        const t = c.broker.findTrade(params[1] as string)
        if (t === undefined) return {status: 404, body: {errorCode: 'NO_SUCH_TRADE', errorMessage: 'The Trade ID specified does not exist'}}
        return ok({trade: tradeView(v, t, now), lastTransactionID: last()})
      },
    },
    {method: 'PUT', pattern: re(`${A}/trades/${SPEC}/clientExtensions$`), handler: ({params, body, now, requestID}) => c.broker.setTradeClientExtensions(params[1] as string, body, now, requestID)},
    {method: 'PUT', pattern: re(`${A}/trades/${SPEC}/orders$`), handler: ({params, body, now, requestID}) => setDependentOrders(c, params[1] as string, body, now, requestID)},
    {method: 'PUT', pattern: re(`${A}/trades/${SPEC}/close$`), handler: ({params, body, now, requestID}) => c.closeouts.closeTrade(params[1] as string, body, now, requestID)},
    {method: 'GET', pattern: re(`${A}/positions$`), handler: ({now}) => ok({positions: positionInstruments(v, false).map((i) => positionView(v, i, now)), lastTransactionID: last()})},
    {method: 'GET', pattern: re(`${A}/openPositions$`), handler: ({now}) => ok({positions: positionInstruments(v, true).map((i) => positionView(v, i, now)), lastTransactionID: last()})},
    {
      method: 'GET',
      pattern: re(`${A}/positions/${SPEC}$`),
      handler: ({params, now}) => {
        const name = params[1] as string
        if (!c.market.has(name)) return badRequest("Invalid value specified for 'instrument'")
        return ok({position: positionView(v, name, now), lastTransactionID: last()})
      },
    },
    {
      method: 'PUT',
      pattern: re(`${A}/positions/${SPEC}/close$`),
      handler: ({params, body, now, requestID}) => {
        const name = params[1] as string
        if (!c.market.has(name)) return badRequest("Invalid value specified for 'instrument'")
        return c.closeouts.closePosition(name, body, now, requestID)
      },
    },
  ]
}

export function re(source: string): RegExp {
  return new RegExp(source)
}

/** A comma-separated list parameter (undefined when absent). */
export function listParam(query: URLSearchParams, key: string): string[] | undefined {
  const v = query.get(key)
  return v === null ? undefined : v.split(',').filter((s) => s !== '')
}

/** count (default 50, at most 500) and beforeID of a list request. */
function paging(query: URLSearchParams): {count: number; beforeID?: number} | string {
  const count = query.get('count') ?? '50'
  if (!/^\d+$/.test(count) || Number(count) < 1) return "Invalid value specified for 'count'"
  if (Number(count) > 500) return "Maximum value for 'count' exceeded"
  const before = query.get('beforeID')
  if (before !== null && !/^\d+$/.test(before)) return "Invalid value specified for 'beforeID'"
  return {count: Number(count), ...(before === null ? {} : {beforeID: Number(before)})}
}

function openTradesNewestFirst(c: OandaSimContext): SimTrade[] {
  return c.ledger.openTrades().reverse()
}

/** GET /changes?sinceTransactionID=N: what changed after transaction N, and the account's state now. */
function changes(c: OandaSimContext, query: URLSearchParams, now: number) {
  const since = query.get('sinceTransactionID')
  if (since === null || !/^\d+$/.test(since) || Number(since) > Number(c.log.lastID)) return badRequest("Invalid value specified for 'sinceTransactionID'")
  const after = Number(since)
  const v: ViewContext = c.view
  const newer = (id: string | undefined): boolean => id !== undefined && Number(id) > after
  const orders = [...c.orders.values()]
  const trades = [...c.ledger.trades.values()]
  const transactions = c.log.range(after + 1, Number(c.log.lastID))
  const touched = new Set(transactions.filter((t) => t.type === 'ORDER_FILL').map((t) => t.instrument as string))
  const summary = accountSummaryView(v, now)
  return ok({
    changes: {
      ordersCreated: orders.filter((o) => newer(o.id)).map((o) => orderView(v, o)),
      ordersCancelled: orders.filter((o) => newer(o.cancellingTransactionID)).map((o) => orderView(v, o)),
      ordersFilled: orders.filter((o) => newer(o.fillingTransactionID)).map((o) => orderView(v, o)),
      ordersTriggered: [],
      tradesOpened: trades.filter((t) => newer(t.id)).map((t) => tradeSummaryView(v, t, now)),
      tradesReduced: trades.filter((t) => t.state === 'OPEN' && !newer(t.id) && t.closingTransactionIDs.some(newer)).map((t) => tradeSummaryView(v, t, now)),
      tradesClosed: trades.filter((t) => t.state === 'CLOSED' && t.closingTransactionIDs.some(newer)).map((t) => tradeSummaryView(v, t, now)),
      positions: [...touched].sort().map((i) => positionView(v, i, now)),
      transactions,
    },
    state: {
      unrealizedPL: summary.unrealizedPL,
      NAV: summary.NAV,
      marginUsed: summary.marginUsed,
      marginAvailable: summary.marginAvailable,
      positionValue: summary.positionValue,
      marginCloseoutUnrealizedPL: summary.marginCloseoutUnrealizedPL,
      marginCloseoutNAV: summary.marginCloseoutNAV,
      marginCloseoutMarginUsed: summary.marginCloseoutMarginUsed,
      marginCloseoutPercent: summary.marginCloseoutPercent,
      marginCloseoutPositionValue: summary.marginCloseoutPositionValue,
      withdrawalLimit: summary.withdrawalLimit,
      marginCallMarginUsed: summary.marginCallMarginUsed,
      marginCallPercent: summary.marginCallPercent,
      orders: [],
      trades: c.ledger.openTrades().map((t) => ({id: t.id, unrealizedPL: money(v, c.ledger.unrealizedPL(t, now)), marginUsed: money(v, c.ledger.marginUsed(t, now))})),
      positions: positionInstruments(v, true).map((i) => {
        const p = positionView(v, i, now) as {unrealizedPL: string; marginUsed: string; long: {unrealizedPL: string}; short: {unrealizedPL: string}}
        return {instrument: i, netUnrealizedPL: p.unrealizedPL, longUnrealizedPL: p.long.unrealizedPL, shortUnrealizedPL: p.short.unrealizedPL, marginUsed: p.marginUsed}
      }),
    },
    lastTransactionID: c.log.lastID,
  })
}
