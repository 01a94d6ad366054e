// Market data routes: server time, products, candles, market trades, best bid/ask and the book, under
// /api/v3/brokerage/market/* (public) and their private twins; and the v2 public paths ccxt calls
// while loading markets (/v2/currencies, /v2/currencies/crypto, /v2/exchange-rates, /v2/time).
import {CURRENCIES, type SimProduct} from './catalogue.js'
import {type CoinbaseSimContext, invalid, notFound, ok, type Route, type RouteCall} from './context.js'
import type {Outcome} from './exchange.js'
import {div, fixedUnits, formatUnits, ONE} from './money.js'
import {seededUuid} from './credentials.js'
import {iso, productView} from './views.js'

const B = '/api/v3/brokerage'
const PRODUCT = '([A-Za-z0-9]+-[A-Za-z0-9]+)'

/** Candle granularities and their seconds. */
export const GRANULARITIES: Record<string, number> = {ONE_MINUTE: 60, FIVE_MINUTE: 300, FIFTEEN_MINUTE: 900, THIRTY_MINUTE: 1800, ONE_HOUR: 3600, TWO_HOUR: 7200, FOUR_HOUR: 14400, SIX_HOUR: 21600, ONE_DAY: 86400}
/** At most this many candles a request ("number of candles requested should be less than 350"). */
export const MAX_CANDLES = 350
/** Market trades a request returns at most (larger limits are capped). */
const MAX_TRADES = 100

export function marketRoutes(c: CoinbaseSimContext): Route[] {
  const both = (suffix: string, handler: Route['handler']): Route[] => [
    {method: 'GET', pattern: new RegExp(`^${B}/market${suffix}$`), auth: false, handler},
    {method: 'GET', pattern: new RegExp(`^${B}${suffix}$`), auth: true, handler},
  ]
  const v2Rates = currencyIds(c)
  return [
    {method: 'GET', pattern: new RegExp(`^${B}/time$`), auth: false, handler: ({now}) => ok({iso: iso(now), epochSeconds: String(Math.floor(now / 1000)), epochMillis: String(now)})},
    ...both('/products', (call) => listProducts(c, call)),
    ...both(`/products/${PRODUCT}`, ({params, now}) => withProduct(c, params[0], (p) => ok(productView(c.market, p, now)))),
    ...both(`/products/${PRODUCT}/candles`, (call) => withProduct(c, call.params[0], (p) => candles(c, p, call))),
    ...both(`/products/${PRODUCT}/ticker`, (call) => withProduct(c, call.params[0], (p) => marketTrades(c, p, call))),
    ...both('/product_book', (call) => productBook(c, call)),
    {method: 'GET', pattern: new RegExp(`^${B}/best_bid_ask$`), auth: true, handler: (call) => bestBidAsk(c, call)},
    {method: 'GET', pattern: /^\/v2\/time$/, auth: false, handler: ({now}) => ok({data: {iso: iso(now).replace(/\.\d{3}Z$/, 'Z'), epoch: Math.floor(now / 1000)}})},
    {method: 'GET', pattern: /^\/v2\/currencies$/, auth: false, handler: () => ok({data: Object.entries(CURRENCIES).filter(([, v]) => v.fiat).map(([id, v]) => ({id, name: v.name, min_size: '0.01'}))})},
    {method: 'GET', pattern: /^\/v2\/currencies\/crypto$/, auth: false, handler: () => ok({data: cryptoCurrencies(c)})},
    {method: 'GET', pattern: /^\/v2\/exchange-rates$/, auth: false, handler: ({query, now}) => exchangeRates(c, v2Rates, query.get('currency') ?? 'USD', now)},
  ]
}

function withProduct(c: CoinbaseSimContext, id: string | undefined, fn: (p: SimProduct) => Outcome): Outcome {
  if (id === undefined || !c.market.has(id)) return notFound(`Product ${id ?? ''} not supported`)
  return fn(c.market.product(id))
}

function listProducts(c: CoinbaseSimContext, {query, now}: RouteCall): Outcome {
  const type = query.get('product_type')
  if (type !== null && type !== 'SPOT' && type !== 'FUTURE' && type !== 'UNKNOWN_PRODUCT_TYPE') return invalid(`invalid product_type: ${type}`)
  const ids = query.getAll('product_ids')
  let products = type === 'FUTURE' ? [] : [...c.market.products.values()]
  if (ids.length > 0) products = products.filter((p) => ids.includes(p.id))
  const offset = Math.max(0, Number(query.get('offset') ?? 0) || 0)
  const limitRaw = query.get('limit')
  const limit = limitRaw === null ? products.length : Math.max(0, Number(limitRaw) || 0)
  const page = products.slice(offset, limitRaw === null ? undefined : offset + limit)
  return ok({products: page.map((p) => productView(c.market, p, now)), num_products: page.length})
}

function candles(c: CoinbaseSimContext, p: SimProduct, {query, now}: RouteCall): Outcome {
  const g = GRANULARITIES[query.get('granularity') ?? '']
  if (g === undefined) return invalid(`granularity argument is invalid - ${query.get('granularity') ?? 'missing'}`)
  const start = Number(query.get('start'))
  const end = Number(query.get('end'))
  if (!Number.isInteger(start) || !Number.isInteger(end) || query.get('start') === null || query.get('end') === null) return invalid('start and end arguments are required unix seconds')
  if (start >= end) return invalid('start and end argument is invalid - start must be before end')
  const count = Math.ceil((end - start) / g)
  if (count > MAX_CANDLES) return invalid(`start and end argument is invalid - number of candles requested should be less than ${MAX_CANDLES}`)
  const limitRaw = query.get('limit')
  const limit = limitRaw === null ? MAX_CANDLES : Number(limitRaw)
  if (!Number.isInteger(limit) || limit <= 0 || limit > MAX_CANDLES) return invalid(`limit argument is invalid - should be between 1 and ${MAX_CANDLES}`)
  const list = c.market.candles(p.id, start * 1000, Math.min(end * 1000, now + 1), g).slice(0, limit)
  return ok({
    candles: list.map((k) => ({start: String(k.start), low: c.market.priceText(p.id, k.low), high: c.market.priceText(p.id, k.high), open: c.market.priceText(p.id, k.open), close: c.market.priceText(p.id, k.close), volume: c.market.sizeText(p.id, k.volume)})),
  })
}

function marketTrades(c: CoinbaseSimContext, p: SimProduct, {query, now}: RouteCall): Outcome {
  const limitRaw = query.get('limit')
  const limit = limitRaw === null ? MAX_TRADES : Number(limitRaw)
  if (!Number.isInteger(limit) || limit < 0) return invalid('limit argument is invalid')
  const start = query.get('start')
  const end = query.get('end')
  const toTs = end === null ? now : Math.min(now, Number(end) * 1000)
  const fromTs = start === null ? toTs - 86_400_000 : Number(start) * 1000
  if (!Number.isFinite(toTs) || !Number.isFinite(fromTs)) return invalid('start and end arguments must be unix seconds')
  const tick = c.market.tick(p.id, now)
  const trades = c.market.trades(p.id, fromTs, toTs, Math.min(limit, MAX_TRADES))
  return ok({
    trades: trades.map((t) => ({
      trade_id: t.tradeId,
      product_id: p.id,
      price: c.market.priceText(p.id, t.price),
      size: c.market.sizeText(p.id, t.size),
      time: iso(t.ts),
      // Coinbase's public trades give the MAKER's side: a buyer lifting the ask prints SELL.
      side: t.takerSide === 'BUY' ? 'SELL' : 'BUY',
      bid: '',
      ask: '',
      exchange: 'coinbase',
    })),
    best_bid: c.market.priceText(p.id, tick.bid),
    best_ask: c.market.priceText(p.id, tick.ask),
  })
}

function pricebook(c: CoinbaseSimContext, p: SimProduct, now: number, levels: number): Record<string, unknown> {
  const tick = c.market.tick(p.id, now)
  const step = c.market.stepAt(p.id, c.market.frozenAt ?? now)
  const side = (s: 'bid' | 'ask'): Array<{price: string; size: string}> =>
    Array.from({length: levels}, (_, i) => ({
      price: c.market.priceText(p.id, s === 'bid' ? tick.bid - BigInt(i) * p.u.quoteIncrement : tick.ask + BigInt(i) * p.u.quoteIncrement),
      size: c.market.sizeText(p.id, c.market.bookSize(p.id, step, s, i)),
    })).filter((l) => !l.price.startsWith('-') && Number(l.price) > 0)
  return {product_id: p.id, bids: side('bid'), asks: side('ask'), time: iso(tick.ts)}
}

function productBook(c: CoinbaseSimContext, {query, now}: RouteCall): Outcome {
  const id = query.get('product_id')
  if (id === null) return invalid('product_id is required')
  return withProduct(c, id, (p) => {
    const limit = Math.min(1000, Math.max(1, Number(query.get('limit') ?? 50) || 50))
    const book = pricebook(c, p, now, limit)
    const tick = c.market.tick(p.id, now)
    const mid = (tick.bid + tick.ask) / 2n
    const spread = tick.ask - tick.bid
    return ok({pricebook: book, last: c.market.priceText(p.id, c.market.lastPrice(p.id, now)), mid_market: formatUnits(mid), spread_bps: formatUnits(div(spread * 10_000n, mid)), spread_absolute: formatUnits(spread)})
  })
}

function bestBidAsk(c: CoinbaseSimContext, {query, now}: RouteCall): Outcome {
  const ids = query.getAll('product_ids')
  const unknown = ids.find((id) => !c.market.has(id))
  if (unknown !== undefined) return notFound(`Product ${unknown} not supported`)
  const products = ids.length > 0 ? ids.map((id) => c.market.product(id)) : [...c.market.products.values()]
  return ok({pricebooks: products.map((p) => pricebook(c, p, now, 1))})
}

function currencyIds(c: CoinbaseSimContext): string[] {
  const set = new Set<string>(['USD'])
  for (const p of c.market.products.values()) set.add(p.base).add(p.quote)
  return [...set]
}

function cryptoCurrencies(c: CoinbaseSimContext): Array<Record<string, unknown>> {
  const ids = c.core.seededRandom(0xc0ffee)
  return Object.entries(CURRENCIES)
    .filter(([, v]) => !v.fiat)
    .map(([code, v], i) => ({asset_id: seededUuid(ids), code, name: v.name, color: v.color, sort_index: 100 + i, exponent: v.exponent, type: 'crypto', address_regex: '^.+$'}))
}

/**
 * Rates in `currency` units: how many of each currency one unit of `currency` buys, from the sim's
 * own last prices (a currency without a USD product gets none, as an unlisted coin would).
 */
function exchangeRates(c: CoinbaseSimContext, ids: string[], currency: string, now: number): Outcome {
  const usdPer = (code: string): bigint | undefined => {
    if (code === 'USD' || code === 'USDC') return ONE
    const id = `${code}-USD`
    return c.market.has(id) ? c.market.lastPrice(id, now) : undefined
  }
  const base = usdPer(currency)
  if (base === undefined) return {status: 400, body: {errors: [{id: 'invalid_request', message: `Invalid currency (${currency})`}]}}
  const rates: Record<string, string> = {}
  for (const code of ids) {
    const v = usdPer(code)
    if (v === undefined || v === 0n) continue
    rates[code] = fixedUnits(div(base, v), 16)
  }
  return ok({data: {currency, rates}})
}
