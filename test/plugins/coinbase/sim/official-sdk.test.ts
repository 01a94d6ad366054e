// Coinbase's own TypeScript client (@coinbase-sample/advanced-trade-sdk-ts 0.3.0, over
// @coinbase-sample/core-ts and axios) against the simulator over TCP, unchanged. It is pointed here
// by its documented constructor argument `apiBasePath` (CoinbaseAdvTradeClient(credentials,
// apiBasePath); the default is https://api.coinbase.com/api/v3/brokerage/); nothing else is set.
// It signs ES256 JWTs with iss `cdp` and a `uri` from the full URL less its scheme and query, and —
// unlike ccxt — writes every request in lowerCamelCase: query parameters (`productIds`,
// `orderStatus`) and JSON bodies (`clientOrderId`, `orderConfiguration.marketMarketIoc.quoteSize`),
// which Coinbase's gateway takes as it takes snake_case (proto JSON names). Answers come back
// snake_case and the client turns them into camelCase itself.
import {
  AccountsService,
  CoinbaseAdvTradeClient,
  CoinbaseAdvTradeCredentials,
  FeesService,
  OrdersService,
  ProductsService,
  PublicService,
} from '@coinbase-sample/advanced-trade-sdk-ts/dist/index.js'
import type {CancelOrdersResponse} from '@coinbase-sample/advanced-trade-sdk-ts/dist/model/CancelOrdersResponse.js'
import type {GetHistoricalOrderResponse} from '@coinbase-sample/advanced-trade-sdk-ts/dist/model/GetHistoricalOrderResponse.js'
import type {Product} from '@coinbase-sample/advanced-trade-sdk-ts/dist/model/Product.js'
import {OrderSide} from '@coinbase-sample/advanced-trade-sdk-ts/dist/model/enums/OrderSide.js'
import {ProductType} from '@coinbase-sample/advanced-trade-sdk-ts/dist/model/enums/ProductType.js'
import {ContractExpiryType} from '@coinbase-sample/advanced-trade-sdk-ts/dist/model/enums/ContractExpiryType.js'
import {ProductVenue} from '@coinbase-sample/advanced-trade-sdk-ts/dist/model/enums/ProductVenue.js'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {dec, decMul, type Harness, otherKey, startSim, T0} from './harness.js'

describe('coinbase simulator, Coinbase official TypeScript SDK', () => {
  let h: Harness
  let client: CoinbaseAdvTradeClient
  let products: ProductsService
  let orders: OrdersService
  let accounts: AccountsService

  beforeAll(async () => {
    h = await startSim({balances: {BTC: '0.5'}})
    client = new CoinbaseAdvTradeClient(new CoinbaseAdvTradeCredentials(h.apiKey, h.apiSecret), `${h.rest}/api/v3/brokerage/`)
    products = new ProductsService(client)
    orders = new OrdersService(client)
    accounts = new AccountsService(client)
  })
  afterAll(async () => h.close())

  it('lists products, filtered by productIds and paged by limit', async () => {
    const all = await answer(products.listProducts({}))
    expect(all.products.map((p) => p.productId).sort()).toEqual(['BTC-USD', 'ETH-USD', 'SOL-USD'])
    const two = await answer(products.listProducts({productIds: ['BTC-USD', 'SOL-USD']}))
    expect(two.products.map((p) => p.productId).sort()).toEqual(['BTC-USD', 'SOL-USD'])
    const one = await answer(products.listProducts({limit: 1}))
    expect(one.products).toHaveLength(1)
    const spot = await answer(products.listProducts({productType: ProductType.Spot}))
    expect(spot.products).toHaveLength(3)
    const futures = await answer(products.listProducts({productType: ProductType.Future}))
    expect(futures.products).toHaveLength(0)
  })

  it('gets one product, private and public alike, with its increments and minimums', async () => {
    const p = await getProduct({productId: 'BTC-USD'})
    expect(p).toMatchObject({productId: 'BTC-USD', baseIncrement: '0.00000001', quoteIncrement: '0.01', quoteMinSize: '1', baseCurrencyId: 'BTC', quoteCurrencyId: 'USD', productType: 'SPOT'})
    expect(Number(p.price)).toBeGreaterThan(0)
    const pub = await answer(new PublicService(client).getProduct({productId: 'BTC-USD'}))
    expect(pub.baseIncrement).toBe(p.baseIncrement)
    expect(pub.quoteMinSize).toBe(p.quoteMinSize)
    await expect(products.getProduct({productId: 'NOPE-USD'})).rejects.toMatchObject({statusCode: 404})
  })

  it('reads candles newest first, one per bucket, each inside its own range', async () => {
    const end = Math.floor(T0 / 1000)
    const {candles} = await answer(products.getProductCandles({productId: 'ETH-USD', start: String(end - 3600), end: String(end), granularity: 'FIVE_MINUTE'}))
    expect(candles).toHaveLength(12)
    const starts = (candles ?? []).map((c) => Number(c.start))
    expect(starts).toEqual(Array.from({length: 12}, (_, i) => end - 300 * (i + 1)))
    for (const c of candles ?? []) {
      const [o, hi, lo, cl] = [Number(c.open), Number(c.high), Number(c.low), Number(c.close)]
      expect(lo).toBeLessThanOrEqual(Math.min(o, cl))
      expect(hi).toBeGreaterThanOrEqual(Math.max(o, cl))
      expect(Number(c.volume)).toBeGreaterThan(0)
    }
    const pub = await answer(new PublicService(client).getProductCandles({productId: 'ETH-USD', start: String(end - 3600), end: String(end), granularity: 'FIVE_MINUTE', limit: 3}))
    expect(pub.candles).toEqual((candles ?? []).slice(0, 3))
  })

  it('reads the server time, the book, best bid/ask and market trades', async () => {
    const time = await answer(new PublicService(client).getServerTime({}))
    expect(Number(time.epochMillis)).toBeGreaterThanOrEqual(T0)
    const book = await answer(products.getProductBook({productId: 'SOL-USD', limit: 5}))
    expect(book.pricebook.productId).toBe('SOL-USD')
    expect(book.pricebook.bids).toHaveLength(5)
    expect(Number(book.pricebook.bids[0]?.price)).toBeLessThan(Number(book.pricebook.asks[0]?.price))
    const best = await answer(products.getBestBidAsk({productIds: ['SOL-USD', 'ETH-USD']}))
    expect((best.pricebooks ?? []).map((b) => b.productId)).toEqual(['SOL-USD', 'ETH-USD'])
    expect(best.pricebooks?.[0]?.bids[0]?.price).toBe(book.pricebook.bids[0]?.price)
    const trades = await answer(products.getProductMarketTrades({productId: 'SOL-USD', limit: 7}))
    expect(trades.trades).toHaveLength(7)
    expect(trades.trades?.every((t) => t.productId === 'SOL-USD' && (t.side === 'BUY' || t.side === 'SELL'))).toBe(true)
  })

  it('lists accounts and gets one by uuid', async () => {
    const list = await answer(accounts.listAccounts({}))
    const byCurrency = new Map((list.accounts ?? []).map((a) => [a.currency, a]))
    expect(byCurrency.get('USD')?.availableBalance).toEqual({value: '100000.00', currency: 'USD'})
    expect(byCurrency.get('BTC')?.availableBalance?.value).toBe('0.5')
    const uuid = byCurrency.get('BTC')?.uuid as string
    const one = await answer(accounts.getAccount({accountUuid: uuid}))
    expect(one.account?.currency).toBe('BTC')
    const page = await answer(accounts.listAccounts({limit: 2}))
    expect(page.accounts).toHaveLength(2)
    expect(page.hasNext).toBe(true)
  })

  it('trades: market and limit orders with client ids, lookups, lists, fills, cancel, duplicates and the fee summary', async () => {
    const usdBefore = await usd()
    // A market buy sized in quote, written exactly as the SDK's README writes it.
    const buy = await answer(orders.createOrder({clientOrderId: 'sdk-mkt-1', productId: 'ETH-USD', side: OrderSide.Buy, orderConfiguration: {marketMarketIoc: {quoteSize: '100'}}}))
    expect(buy.success).toBe(true)
    expect(buy.successResponse).toMatchObject({productId: 'ETH-USD', side: 'BUY', clientOrderId: 'sdk-mkt-1'})
    const buyId = buy.successResponse?.orderId as string
    expect(buyId).toMatch(/^[0-9a-f-]{36}$/)
    // A market sell by base size on another product: a second order with its own fill.
    const sell = await answer(orders.createOrder({clientOrderId: 'sdk-mkt-2', productId: 'BTC-USD', side: OrderSide.Sell, orderConfiguration: {marketMarketIoc: {baseSize: '0.001'}}}))
    expect(sell.success).toBe(true)
    const sellId = sell.successResponse?.orderId as string

    const got = await getOrder({orderId: buyId})
    expect(got.order).toMatchObject({orderId: buyId, clientOrderId: 'sdk-mkt-1', status: 'FILLED', side: 'BUY', productId: 'ETH-USD', sizeInQuote: true})
    expect(got.order?.orderConfiguration).toEqual({marketMarketIoc: {quoteSize: '100'}})
    expect(Number(got.order?.totalValueAfterFees)).toBeLessThanOrEqual(100)

    // A post-only limit buy far below the market rests.
    const bid = Number((await getProduct({productId: 'BTC-USD'})).price)
    const limitPrice = (Math.floor(bid * 0.8 * 100) / 100).toFixed(2)
    const lim = await answer(orders.createOrder({clientOrderId: 'sdk-lmt-1', productId: 'BTC-USD', side: OrderSide.Buy, orderConfiguration: {limitLimitGtc: {baseSize: '0.01', limitPrice, postOnly: true}}}))
    expect(lim.success).toBe(true)
    const limId = lim.successResponse?.orderId as string
    const limOrder = (await getOrder({orderId: limId})).order
    expect(limOrder).toMatchObject({status: 'OPEN', clientOrderId: 'sdk-lmt-1', orderType: 'LIMIT', timeInForce: 'GOOD_UNTIL_CANCELLED'})
    expect(limOrder?.orderConfiguration).toEqual({limitLimitGtc: {baseSize: '0.01', limitPrice, postOnly: true}})

    // The same client id again creates nothing: the answer names the order that has it.
    const again = await answer(orders.createOrder({clientOrderId: 'sdk-lmt-1', productId: 'BTC-USD', side: OrderSide.Buy, orderConfiguration: {limitLimitGtc: {baseSize: '0.01', limitPrice, postOnly: true}}}))
    expect(again.successResponse?.orderId).toBe(limId)

    // Lists, filtered by the SDK's camelCase query parameters.
    const open = await answer(orders.listOrders({orderStatus: ['OPEN']}))
    expect((open.orders ?? []).map((o) => o.orderId)).toEqual([limId])
    const filled = await answer(orders.listOrders({orderStatus: ['FILLED'], productIds: ['ETH-USD']}))
    expect((filled.orders ?? []).map((o) => o.orderId)).toEqual([buyId])
    const byIds = await answer(orders.listOrders({orderIds: [sellId, limId]}))
    expect((byIds.orders ?? []).map((o) => o.orderId).sort()).toEqual([sellId, limId].sort())
    const sells = await answer(orders.listOrders({orderSide: OrderSide.Sell}))
    expect((sells.orders ?? []).map((o) => o.orderId)).toEqual([sellId])

    const allFills = (await answer(orders.listFills({}))).fills ?? []
    expect(new Set(allFills.map((f) => f.orderId))).toEqual(new Set([buyId, sellId]))
    const buyFills = (await answer(orders.listFills({orderIds: [buyId]}))).fills ?? []
    expect(buyFills.length).toBeGreaterThan(0)
    expect(buyFills.every((f) => f.orderId === buyId && f.productId === 'ETH-USD' && f.side === 'BUY' && f.liquidityIndicator === 'TAKER')).toBe(true)
    const btcFills = (await answer(orders.listFills({productIds: ['BTC-USD']}))).fills ?? []
    expect(btcFills.map((f) => f.orderId)).toEqual([sellId])

    // Cancel, then cancel again.
    const cancelled = await cancel({orderIds: [limId]})
    expect(cancelled.results).toEqual([{success: true, failureReason: 'UNKNOWN_CANCEL_FAILURE_REASON', orderId: limId}])
    expect((await getOrder({orderId: limId})).order?.status).toBe('CANCELLED')
    const twice = await cancel({orderIds: [limId]})
    expect(twice.results?.[0]).toMatchObject({success: false, failureReason: 'DUPLICATE_CANCEL_REQUEST'})

    // Cash: start − the buy's value and fee + the sell's value − its fee, in exact decimals.
    const buyOrder = got.order
    const sellOrder = (await getOrder({orderId: sellId})).order
    const expected = dec(usdBefore) - dec(buyOrder?.totalValueAfterFees as string) + dec(sellOrder?.totalValueAfterFees as string)
    expect(dec(await usd())).toBe(expected)

    // The fee tier and the 30-day volume summed from the fills.
    const summary = await answer(new FeesService(client).getTransactionSummary({productType: ProductType.Spot, contractExpiryType: ContractExpiryType.UnknownContractExpiryType, productVenue: ProductVenue.UnknownVenueType}))
    expect(summary.feeTier).toMatchObject({takerFeeRate: '0.009', makerFeeRate: '0.005'})
    const volume = allFills.reduce((sum, f) => sum + decMul(dec(f.price as string), dec(baseSize(f))), 0n)
    expect(summary.totalVolume).toBeCloseTo(Number(volume) / 1e20, 6)
  })

  it('a refused order is success:false with its error_response, and moves no money', async () => {
    const before = await usd()
    const r = await answer(orders.createOrder({clientOrderId: 'sdk-refused', productId: 'BTC-USD', side: OrderSide.Buy, orderConfiguration: {marketMarketIoc: {quoteSize: '5000000'}}}))
    expect(r.success).toBe(false)
    expect(r.errorResponse).toMatchObject({error: 'INSUFFICIENT_FUND', previewFailureReason: 'PREVIEW_INSUFFICIENT_FUND', newOrderFailureReason: 'INSUFFICIENT_FUND'})
    expect(r.orderConfiguration).toEqual({marketMarketIoc: {quoteSize: '5000000'}})
    expect(await usd()).toBe(before)
    expect((await answer(orders.listOrders({}))).orders?.some((o) => o.clientOrderId === 'sdk-refused')).toBe(false)
    // Too many decimals is refused, not rounded.
    const p = await answer(orders.createOrder({clientOrderId: 'sdk-precision', productId: 'BTC-USD', side: OrderSide.Buy, orderConfiguration: {limitLimitGtc: {baseSize: '0.000000001', limitPrice: '1000.00'}}}))
    expect(p.errorResponse?.previewFailureReason).toBe('PREVIEW_INVALID_SIZE_PRECISION')
  })

  it('a client with another key gets 401 and creates nothing', async () => {
    const pem = otherKey().export({type: 'sec1', format: 'pem'}).toString()
    const stranger = new OrdersService(new CoinbaseAdvTradeClient(new CoinbaseAdvTradeCredentials(h.apiKey, pem), `${h.rest}/api/v3/brokerage/`))
    await expect(stranger.createOrder({clientOrderId: 'sdk-stranger', productId: 'BTC-USD', side: OrderSide.Buy, orderConfiguration: {marketMarketIoc: {quoteSize: '10'}}})).rejects.toMatchObject({statusCode: 401})
    expect((await answer(orders.listOrders({}))).orders?.some((o) => o.clientOrderId === 'sdk-stranger')).toBe(false)
  })

  // The SDK declares some answers in shapes its own models (and Coinbase's reference) contradict:
  // getOrder as a bare Order (the answer is GetHistoricalOrderResponse, {order}), cancelOrders as
  // one CancelOrderResponse (it is CancelOrdersResponse, {results}), getProduct as {body: Product}
  // (the product's fields are at the top). These read the answer as the models say.
  async function getOrder(req: {orderId: string}): Promise<GetHistoricalOrderResponse> {
    return (await answer(orders.getOrder(req))) as unknown as GetHistoricalOrderResponse
  }
  async function cancel(req: {orderIds: string[]}): Promise<CancelOrdersResponse> {
    return (await answer(orders.cancelOrders(req))) as unknown as CancelOrdersResponse
  }
  async function getProduct(req: {productId: string}): Promise<Product> {
    return (await answer(products.getProduct(req))) as unknown as Product
  }

  async function usd(): Promise<string> {
    const list = await answer(accounts.listAccounts({}))
    const a = (list.accounts ?? []).find((x) => x.currency === 'USD')
    return a?.availableBalance?.value as string
  }
})

/** The SDK's methods are typed as answering with an exception too; they throw it instead. */
async function answer<T>(p: Promise<T>): Promise<Exclude<T, Error>> {
  const v = await p
  if (v instanceof Error) throw v
  return v as Exclude<T, Error>
}

/** A fill's base size (a quote-sized order reports its fills in quote: size / price). */
function baseSize(f: {size?: string; price?: string; sizeInQuote?: boolean}): string {
  if (!f.sizeInQuote) return f.size as string
  const q = dec(f.size as string)
  const p = dec(f.price as string)
  const base = (q * 10n ** 20n) / p
  const s = base.toString().padStart(21, '0')
  return `${s.slice(0, -20)}.${s.slice(-20)}`
}
