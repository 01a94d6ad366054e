// The real ccxt pro coinbase client against the simulator's websocket server, over TCP on
// 127.0.0.1. Only ccxt's coinbase exchange is loaded (its module file, found next to ccxt's entry:
// the package's `exports` hide the path). Markets are set by hand, as loadMarkets would from the
// REST side, which is another file's job. ccxt has no watchOHLCV for coinbase (has.watchOHLCV is
// false), so candles are covered by the raw-protocol tests.
import {createRequire} from 'node:module'
import {dirname, join} from 'node:path'
import {pathToFileURL} from 'node:url'
import {afterEach, beforeEach, describe, expect, it} from 'vitest'
import {startCoinbaseWs, type CoinbaseWsServer} from '../../../../plugins/coinbase/src/sim/ws-server.js'
import {ManualWall} from '../../../../src/sectors/sim/clock.js'
import {FakeFeed, KEY_NAME, makeKeyPair, order, quote} from './ws-fake-feed.js'

interface CcxtOrderBook {
  bids: Array<[number, number]>
  asks: Array<[number, number]>
}
interface CcxtCoinbase {
  urls: {api: {ws: string}}
  has: Record<string, unknown>
  setMarkets(markets: unknown[]): unknown
  watchTicker(symbol: string): Promise<{symbol: string; last: number; bid: number; ask: number; bidVolume: number; percentage: number}>
  watchTrades(symbol: string): Promise<Array<{id: string; price: number; amount: number; side: string; timestamp: number}>>
  watchOrders(symbol?: string): Promise<Array<{id: string; clientOrderId: string; status: string; filled: number; remaining: number; average: number; price: number; symbol: string}>>
  watchOrderBook(symbol: string): Promise<CcxtOrderBook>
  watchTickers(symbols: string[]): Promise<Record<string, {last: number; bid: number | undefined}>>
  unWatchTicker(symbol: string): Promise<unknown>
  loadHttpProxyAgent(): Promise<unknown>
  close(): Promise<void>
}
type CcxtCoinbaseClass = new (config: Record<string, unknown>) => CcxtCoinbase

async function loadCcxtCoinbase(): Promise<CcxtCoinbaseClass> {
  const entry = createRequire(import.meta.url).resolve('ccxt')
  const file = join(dirname(entry), '..', 'js', 'src', 'pro', 'coinbase.js')
  const mod = (await import(pathToFileURL(file).href)) as {default: CcxtCoinbaseClass}
  return mod.default
}

function market(id: string): Record<string, unknown> {
  const [base, quoteCcy] = id.split('-') as [string, string]
  return {
    id,
    symbol: `${base}/${quoteCcy}`,
    base,
    quote: quoteCcy,
    baseId: base,
    quoteId: quoteCcy,
    type: 'spot',
    spot: true,
    active: true,
    precision: {amount: 1e-8, price: 0.01},
    limits: {amount: {min: 1e-8}, price: {min: 0.01}, cost: {min: 1}},
  }
}

describe('coinbase sim websocket, ccxt pro coinbase', () => {
  const keys = makeKeyPair()
  let feed: FakeFeed
  let server: CoinbaseWsServer
  let wall: ManualWall
  const clients: CcxtCoinbase[] = []
  let Coinbase: CcxtCoinbaseClass

  async function client(secret = keys.privatePem): Promise<CcxtCoinbase> {
    Coinbase ??= await loadCcxtCoinbase()
    const ex = new Coinbase({apiKey: KEY_NAME, secret})
    ex.urls.api.ws = server.url
    // SOL-USD is a market ccxt knows and the simulator does not: the unknown-product case.
    ex.setMarkets([market('BTC-USD'), market('ETH-USD'), market('SOL-USD')])
    // ccxt refuses a plain ws:// url until its http agent is loaded (a trap for the connector too).
    await ex.loadHttpProxyAgent()
    clients.push(ex)
    return ex
  }

  beforeEach(async () => {
    feed = new FakeFeed(keys.publicKey)
    wall = new ManualWall(0)
    server = await startCoinbaseWs({feed, faults: {value: () => false, take: () => false}, wall})
  })

  afterEach(async () => {
    for (const c of clients.splice(0)) await c.close()
    await server.close()
  })

  it('watchTicker: the snapshot, then an update per market change', async () => {
    const ex = await client()
    const first = await ex.watchTicker('BTC/USD')
    expect(first).toMatchObject({symbol: 'BTC/USD', last: 60000, bid: 59999.99, ask: 60000.01, bidVolume: 0.25})
    const next = ex.watchTicker('BTC/USD')
    feed.move(quote('BTC-USD', '60100.00', feed.simNow + 1000))
    expect(await next).toMatchObject({last: 60100, bid: 60099.99, ask: 60100.01})
    expect(ex.has['watchOHLCV']).toBe(false)
    // Unwatching ends when the acknowledgement lists no subscription left ({subscriptions: {}}).
    await ex.unWatchTicker('BTC/USD')
  })

  it('watchTickers over ticker_batch: no best bid/ask, the changes every 5 wall seconds', async () => {
    const ex = await client()
    const first = await ex.watchTickers(['BTC/USD', 'ETH/USD'])
    expect(Object.keys(first).length).toBeGreaterThan(0)
    const next = ex.watchTickers(['BTC/USD', 'ETH/USD'])
    feed.move(quote('ETH-USD', '3050.00', feed.simNow + 1000))
    wall.advance(5_000)
    expect(await next).toMatchObject({'ETH/USD': {last: 3050, bid: undefined}})
  })

  it('watchTrades: the recent trades, then each new one (side is the maker side, as Coinbase sends it)', async () => {
    const ex = await client()
    const t0 = feed.simNow
    feed.move(quote('BTC-USD', '60010.00', t0), {productId: 'BTC-USD', tradeId: '9001', price: '60010.00', size: '0.01000000', side: 'BUY', ts: t0})
    const snapshot = await ex.watchTrades('BTC/USD')
    expect(snapshot.map((t) => [t.id, t.price, t.amount, t.side])).toEqual([['9001', 60010, 0.01, 'sell']])
    const next = ex.watchTrades('BTC/USD')
    feed.move(quote('BTC-USD', '60005.00', t0 + 500), {productId: 'BTC-USD', tradeId: '9002', price: '60005.00', size: '0.02000000', side: 'SELL', ts: t0 + 500})
    const trades = await next
    expect(trades.at(-1)).toMatchObject({id: '9002', price: 60005, amount: 0.02, side: 'buy', timestamp: t0 + 500})
  })

  it('watchOrderBook: the synthesised book, kept in step by level2 updates', async () => {
    const ex = await client()
    const book = await ex.watchOrderBook('ETH/USD')
    expect(book.bids[0]).toEqual([2999.99, 0.25])
    expect(book.asks[0]).toEqual([3000.01, 0.4])
    expect(book.bids.length).toBe(50)
    const next = ex.watchOrderBook('ETH/USD')
    feed.move(quote('ETH-USD', '3000.50', feed.simNow + 1000, {bestBidQuantity: '1.50000000'}))
    const moved = await next
    expect(moved.bids[0]).toEqual([3000.49, 1.5])
    expect(moved.asks[0]).toEqual([3000.51, 0.4])
    // The levels the bid side left behind are removed, not left stale above the new best ask.
    expect(moved.bids.every(([p]) => p < 3000.51)).toBe(true)
    expect(moved.asks.every(([p]) => p > 3000.49)).toBe(true)
    expect(moved.bids.length).toBe(50)
  })

  it('watchOrders with a CDP JWT: the open orders, then each change', async () => {
    const ex = await client()
    feed.change(order())
    const snapshot = await ex.watchOrders()
    expect(snapshot.map((o) => [o.id, o.clientOrderId, o.status, o.symbol, o.price])).toEqual([['11111111-2222-4333-8444-555555555555', 'rick-0001', 'open', 'BTC/USD', 60000]])
    const next = ex.watchOrders()
    feed.change(
      order({status: 'FILLED', filledSize: '0.01000000', filledValue: '600.00', averageFilledPrice: '60000.00', totalFees: '3.60', numberOfFills: 1, leavesQuantity: '0', outstandingHold: '0', endTs: feed.simNow}),
    )
    const orders = await next
    expect(orders.at(-1)).toMatchObject({id: '11111111-2222-4333-8444-555555555555', status: 'closed', filled: 0.01, remaining: 0, average: 60000})
  })

  it('refuses a JWT signed by another key, and an unknown product, with the errors Coinbase sends', async () => {
    const stranger = await client(makeKeyPair().privatePem)
    await expect(stranger.watchOrders()).rejects.toThrow('authentication failure')
    const ex = await client()
    await expect(ex.watchTicker('SOL/USD')).rejects.toThrow('failure to subscribe')
  })
})
