// Account routes (all need a JWT): accounts, orders (create, batch cancel, one, list), fills, the
// fee tier (transaction_summary), portfolios and the key's permissions. Lists are newest first and
// paginate with an opaque `cursor` that stays valid while new orders and fills arrive.
import {CURRENCIES} from './catalogue.js'
import {type CoinbaseSimContext, invalid, notFound, ok, type Route, type RouteCall} from './context.js'
import type {Outcome} from './exchange.js'
import {formatUnits, mul, toNumber} from './money.js'
import type {SimFill, SimOrder} from './model.js'
import {REFUSALS} from './refusals.js'
import {isObject} from './requests.js'
import {accountView, fillView, iso, orderView} from './views.js'

const B = '/api/v3/brokerage'
const ORDER_STATUSES = ['PENDING', 'OPEN', 'FILLED', 'CANCELLED', 'EXPIRED', 'FAILED', 'UNKNOWN_ORDER_STATUS', 'QUEUED', 'CANCEL_QUEUED']
const MAX_CANCEL = 100
const DAY_MS = 86_400_000

export function accountRoutes(c: CoinbaseSimContext): Route[] {
  return [
    {method: 'GET', pattern: new RegExp(`^${B}/accounts$`), auth: true, handler: (call) => listAccounts(c, call)},
    {method: 'GET', pattern: new RegExp(`^${B}/accounts/([^/]+)$`), auth: true, handler: ({params, now}) => oneAccount(c, params[0] ?? '', now)},
    {method: 'POST', pattern: new RegExp(`^${B}/orders$`), auth: true, handler: ({body, now}) => c.exchange.create(body, now, {refuse: () => (c.faults.take('refuse') ? REFUSALS[c.refuseReason] : undefined)})},
    {method: 'POST', pattern: new RegExp(`^${B}/orders/batch_cancel$`), auth: true, handler: ({body, now}) => batchCancel(c, body, now)},
    {method: 'GET', pattern: new RegExp(`^${B}/orders/historical/batch$`), auth: true, handler: (call) => listOrders(c, call)},
    {method: 'GET', pattern: new RegExp(`^${B}/orders/historical/fills$`), auth: true, handler: (call) => listFills(c, call)},
    {method: 'GET', pattern: new RegExp(`^${B}/orders/historical/([^/]+)$`), auth: true, handler: ({params}) => oneOrder(c, params[0] ?? '')},
    {method: 'GET', pattern: new RegExp(`^${B}/transaction_summary$`), auth: true, handler: (call) => transactionSummary(c, call)},
    {method: 'GET', pattern: new RegExp(`^${B}/portfolios$`), auth: true, handler: () => ok({portfolios: [{name: 'Default', uuid: c.portfolioId, type: 'DEFAULT', deleted: false}]})},
    {method: 'GET', pattern: /^\/v2\/accounts$/, auth: true, handler: (call) => v2Accounts(c, call)},
    {method: 'GET', pattern: new RegExp(`^${B}/key_permissions$`), auth: true, handler: () => ok({can_view: true, can_trade: true, can_transfer: false, portfolio_uuid: c.portfolioId, portfolio_type: 'DEFAULT'})},
  ]
}

function accountRow(c: CoinbaseSimContext, a: CoinbaseSimContext['accounts'][number], now: number): Record<string, unknown> {
  return accountView({uuid: a.uuid, currency: a.currency, available: c.ledger.available(a.currency), hold: c.ledger.held(a.currency), createdTs: a.createdTs}, CURRENCIES[a.currency]?.fiat ?? false, c.portfolioId, now)
}

function listAccounts(c: CoinbaseSimContext, {query, now}: RouteCall): Outcome {
  const limit = readLimit(query.get('limit'), 49, 250)
  if (limit === undefined) return invalid('limit argument is invalid')
  const from = cursorIndex(query.get('cursor'))
  if (from === undefined) return invalid('cursor argument is invalid')
  const page = c.accounts.slice(from, from + limit)
  const next = from + page.length
  const hasNext = next < c.accounts.length
  return ok({accounts: page.map((a) => accountRow(c, a, now)), has_next: hasNext, cursor: hasNext ? String(next) : '', size: page.length})
}

/**
 * The Coinbase App's v2 account list, which ccxt's fetchBalance reads unless asked for v3: one
 * wallet per currency with its whole balance (available and held together).
 */
function v2Accounts(c: CoinbaseSimContext, {query, now}: RouteCall): Outcome {
  const limit = readLimit(query.get('limit'), 25, 300)
  if (limit === undefined) return {status: 400, body: {errors: [{id: 'invalid_request', message: 'limit is invalid'}]}}
  const page = c.accounts.slice(0, limit)
  return ok({
    pagination: {ending_before: null, starting_after: null, previous_ending_before: null, next_starting_after: null, limit, order: 'desc', previous_uri: null, next_uri: null},
    data: page.map((a) => {
      const info = CURRENCIES[a.currency]
      const fiat = info?.fiat ?? false
      return {
        id: a.uuid,
        name: `${a.currency} Wallet`,
        primary: a.currency === 'USD',
        type: fiat ? 'fiat' : 'wallet',
        currency: {code: a.currency, name: info?.name ?? a.currency, color: info?.color ?? '#000000', exponent: info?.exponent ?? 8, type: fiat ? 'fiat' : 'crypto'},
        balance: {amount: formatUnits(c.ledger.balance(a.currency)), currency: a.currency},
        created_at: iso(a.createdTs).replace(/\.\d{3}Z$/, 'Z'),
        updated_at: iso(now).replace(/\.\d{3}Z$/, 'Z'),
        resource: 'account',
        resource_path: `/v2/accounts/${a.uuid}`,
        allow_deposits: true,
        allow_withdrawals: true,
      }
    }),
  })
}

function oneAccount(c: CoinbaseSimContext, uuid: string, now: number): Outcome {
  const a = c.accounts.find((x) => x.uuid === uuid)
  return a === undefined ? notFound('account not found') : ok({account: accountRow(c, a, now)})
}

function batchCancel(c: CoinbaseSimContext, body: unknown, now: number): Outcome {
  const ids = isObject(body) ? body.order_ids : undefined
  if (!Array.isArray(ids) || ids.length === 0 || !ids.every((id) => typeof id === 'string')) return invalid('order_ids is required')
  if (ids.length > MAX_CANCEL) return invalid(`order_ids: at most ${MAX_CANCEL} orders can be cancelled at once`)
  return ok({results: c.exchange.cancel(ids as string[], now)})
}

function oneOrder(c: CoinbaseSimContext, id: string): Outcome {
  const o = c.exchange.orders.get(id)
  return o === undefined ? notFound('order with this orderID was not found') : ok({order: orderView(c.market, o, c.userId, c.portfolioId)})
}

function listOrders(c: CoinbaseSimContext, {query}: RouteCall): Outcome {
  const statuses = query.getAll('order_status')
  const bad = statuses.find((s) => !ORDER_STATUSES.includes(s))
  if (bad !== undefined) return invalid(`order_status: invalid value ${bad}`)
  if (statuses.includes('OPEN') && statuses.length > 1) return invalid('OPEN is not a valid order status when combined with other statuses')
  const range = readRange(query.get('start_date'), query.get('end_date'))
  if (range === undefined) return invalid('start_date and end_date must be RFC 3339 times')
  const limit = readLimit(query.get('limit'), 100, 1000)
  if (limit === undefined) return invalid('limit argument is invalid')
  const cursor = readCursor(query.get('cursor'))
  if (cursor === undefined) return invalid('cursor argument is invalid')
  const products = [...query.getAll('product_ids'), ...query.getAll('product_id')]
  const ids = query.getAll('order_ids')
  const side = query.get('order_side')
  const types = query.getAll('order_type')
  const matches = (o: SimOrder): boolean =>
    o.seq < cursor &&
    (statuses.length === 0 || statuses.includes(o.status)) &&
    (products.length === 0 || products.includes(o.productId)) &&
    (ids.length === 0 || ids.includes(o.orderId)) &&
    (side === null || o.side === side) &&
    (types.length === 0 || types.includes(o.kind === 'market_market_ioc' ? 'MARKET' : o.stopPrice !== undefined ? 'STOP_LIMIT' : 'LIMIT')) &&
    o.createdTs >= range.from &&
    o.createdTs < range.to
  const all = [...c.exchange.orders.values()].filter(matches).sort((a, b) => b.seq - a.seq)
  const page = all.slice(0, limit)
  const hasNext = all.length > page.length
  return ok({orders: page.map((o) => orderView(c.market, o, c.userId, c.portfolioId)), sequence: '0', has_next: hasNext, cursor: hasNext ? String(page[page.length - 1]?.seq ?? '') : ''})
}

function listFills(c: CoinbaseSimContext, {query}: RouteCall): Outcome {
  const range = readRange(query.get('start_sequence_timestamp'), query.get('end_sequence_timestamp'))
  if (range === undefined) return invalid('start_sequence_timestamp and end_sequence_timestamp must be RFC 3339 times')
  const limit = readLimit(query.get('limit'), 100, 1000)
  if (limit === undefined) return invalid('limit argument is invalid')
  const cursor = readCursor(query.get('cursor'))
  if (cursor === undefined) return invalid('cursor argument is invalid')
  const orders = [...query.getAll('order_ids'), ...query.getAll('order_id')]
  const trades = query.getAll('trade_ids')
  const products = [...query.getAll('product_ids'), ...query.getAll('product_id')]
  const matches = (f: SimFill): boolean =>
    f.seq < cursor && (orders.length === 0 || orders.includes(f.orderId)) && (trades.length === 0 || trades.includes(f.tradeId)) && (products.length === 0 || products.includes(f.productId)) && f.ts >= range.from && f.ts < range.to
  const all = c.exchange.fills.filter(matches).sort((a, b) => b.seq - a.seq)
  const page = all.slice(0, limit)
  const hasNext = all.length > page.length
  return ok({fills: page.map((f) => fillView(c.market, f, c.userId, c.portfolioId)), cursor: hasNext ? String(page[page.length - 1]?.seq ?? '') : ''})
}

/** The fee tier and the 30-day volume and fees (Advanced Trade's transaction_summary). */
function transactionSummary(c: CoinbaseSimContext, {query, now}: RouteCall): Outcome {
  const type = query.get('product_type')
  if (type !== null && type !== 'SPOT' && type !== 'FUTURE' && type !== 'UNKNOWN_PRODUCT_TYPE') return invalid(`invalid product_type: ${type}`)
  let volume = 0n
  let fees = 0n
  for (const f of c.exchange.fills) {
    if (f.ts < now - 30 * DAY_MS) continue
    volume += mul(f.size, f.price)
    fees += f.commission
  }
  return ok({
    total_volume: toNumber(volume),
    total_fees: toNumber(fees),
    fee_tier: {pricing_tier: 'Intro', usd_from: '0', usd_to: '10000', taker_fee_rate: formatUnits(c.fees.taker), maker_fee_rate: formatUnits(c.fees.maker), aop_from: '', aop_to: ''},
    margin_rate: null,
    goods_and_services_tax: null,
    advanced_trade_only_volume: toNumber(volume),
    advanced_trade_only_fees: toNumber(fees),
    coinbase_pro_volume: 0,
    coinbase_pro_fees: 0,
    total_balance: '',
    has_promo_fee: false,
  })
}

function readLimit(raw: string | null, fallback: number, max: number): number | undefined {
  if (raw === null || raw === '') return fallback
  const n = Number(raw)
  if (!Number.isInteger(n) || n < 0) return undefined
  return n === 0 ? fallback : Math.min(n, max)
}

/** Orders and fills carry a creation sequence; a cursor is the last one a page returned. */
function readCursor(raw: string | null): number | undefined {
  if (raw === null || raw === '') return Number.POSITIVE_INFINITY
  return /^\d{1,15}$/.test(raw) ? Number(raw) : undefined
}

function cursorIndex(raw: string | null): number | undefined {
  if (raw === null || raw === '') return 0
  return /^\d{1,9}$/.test(raw) ? Number(raw) : undefined
}

function readRange(start: string | null, end: string | null): {from: number; to: number} | undefined {
  const from = start === null || start === '' ? Number.NEGATIVE_INFINITY : Date.parse(start)
  const to = end === null || end === '' ? Number.POSITIVE_INFINITY : Date.parse(end)
  return Number.isNaN(from) || Number.isNaN(to) ? undefined : {from, to}
}
