// A deterministic CoinbaseWsFeed for the websocket server's tests: two products, quotes and orders
// pushed by hand, and a JWT check done with node:crypto against a P-256 key made by the test (the
// real exchange side is another file's job; this one only has to be honest about ES256).
import {createPublicKey, generateKeyPairSync, type KeyObject, verify} from 'node:crypto'
import type {CoinbaseWsFeed, FeedAuth, FeedOrder, FeedProduct, FeedQuote, FeedTrade} from '../../../../plugins/coinbase/src/sim/ws-feed.js'

/** The user and portfolio the fake's key belongs to (the user channel's acknowledgement lists the user). */
export const USER_ID = '3f1c2b4a-7d8e-4f60-9a1b-2c3d4e5f6a7b'
export const PORTFOLIO_ID = '9e8d7c6b-5a49-4382-b1c0-d9e8f7a6b5c4'
export const KEY_NAME = 'organizations/0b2f5b0a-1c1d-4e7b-9a51-3f0d2c9e7a11/apiKeys/6a4d8e2c-95b1-4f3a-8c7e-1d2b3c4d5e6f'

export function makeKeyPair(): {privatePem: string; publicKey: KeyObject} {
  const {privateKey, publicKey} = generateKeyPairSync('ec', {namedCurve: 'P-256'})
  return {privatePem: privateKey.export({type: 'sec1', format: 'pem'}).toString(), publicKey: createPublicKey(publicKey.export({type: 'spki', format: 'pem'}))}
}

function b64urlJson(part: string): Record<string, unknown> | undefined {
  try {
    const v: unknown = JSON.parse(Buffer.from(part, 'base64url').toString('utf8'))
    return typeof v === 'object' && v !== null ? (v as Record<string, unknown>) : undefined
  } catch {
    return undefined
  }
}

export function quote(productId: string, price: string, ts: number, over: Partial<FeedQuote> = {}): FeedQuote {
  const p = Number(price)
  const tick = productId === 'BTC-USD' ? 0.01 : 0.01
  return {
    productId,
    price,
    bestBid: (p - tick).toFixed(2),
    bestAsk: (p + tick).toFixed(2),
    bestBidQuantity: '0.25000000',
    bestAskQuantity: '0.40000000',
    volume24h: '1234.50000000',
    low24h: (p * 0.98).toFixed(2),
    high24h: (p * 1.02).toFixed(2),
    open24h: (p * 0.99).toFixed(2),
    ts,
    ...over,
  }
}

export function order(over: Partial<FeedOrder> = {}): FeedOrder {
  return {
    orderId: '11111111-2222-4333-8444-555555555555',
    clientOrderId: 'rick-0001',
    productId: 'BTC-USD',
    side: 'BUY',
    type: 'LIMIT',
    status: 'OPEN',
    timeInForce: 'GOOD_UNTIL_CANCELLED',
    postOnly: false,
    baseSize: '0.01000000',
    limitPrice: '60000.00',
    filledSize: '0',
    filledValue: '0',
    averageFilledPrice: '0',
    totalFees: '0',
    numberOfFills: 0,
    leavesQuantity: '0.01000000',
    outstandingHold: '606.00',
    createdTs: Date.UTC(2026, 0, 5, 12, 0, 0, 123),
    ...over,
  }
}

export class FakeFeed implements CoinbaseWsFeed {
  simNow = Date.UTC(2026, 0, 5, 12, 0, 0, 0)
  readonly quotes = new Map<string, FeedQuote>()
  readonly open = new Map<string, FeedOrder>()
  private readonly marketListeners = new Set<(q: FeedQuote, t?: FeedTrade) => void>()
  private readonly orderListeners = new Set<(o: FeedOrder) => void>()
  /** Seconds since the epoch the JWT's nbf/exp are checked against (ccxt signs with real time). */
  jwtNow = (): number => Math.floor(Date.now() / 1000)

  constructor(
    private readonly publicKey: KeyObject,
    private readonly keyName = KEY_NAME,
  ) {
    this.quotes.set('BTC-USD', quote('BTC-USD', '60000.00', this.simNow))
    this.quotes.set('ETH-USD', quote('ETH-USD', '3000.00', this.simNow))
  }

  /** How often the server asked for the product list (it does on every market-data subscription). */
  productsCalls = 0

  products(): readonly string[] {
    this.productsCalls++
    return ['BTC-USD', 'ETH-USD']
  }

  /** Increments unlike the quotes' decimals, so a server reading them off the quotes shows. */
  product(productId: string): FeedProduct | undefined {
    if (productId === 'BTC-USD') return {productId, baseIncrement: '0.00000001', quoteIncrement: '0.01', minMarketFunds: '1'}
    if (productId === 'ETH-USD') return {productId, baseIncrement: '0.0001', quoteIncrement: '0.1', minMarketFunds: '5'}
    return undefined
  }

  now(): number {
    return this.simNow
  }

  quote(productId: string): FeedQuote | undefined {
    return this.quotes.get(productId)
  }

  onMarket(listener: (quote: FeedQuote, trade?: FeedTrade) => void): () => void {
    this.marketListeners.add(listener)
    return () => this.marketListeners.delete(listener)
  }

  openOrders(): FeedOrder[] {
    return [...this.open.values()]
  }

  onOrder(listener: (order: FeedOrder) => void): () => void {
    this.orderListeners.add(listener)
    return () => this.orderListeners.delete(listener)
  }

  get listeners(): number {
    return this.marketListeners.size + this.orderListeners.size
  }

  /** A market change: the new quote, with the trade that made it. */
  move(q: FeedQuote, trade?: FeedTrade): void {
    this.quotes.set(q.productId, q)
    for (const l of this.marketListeners) l(q, trade)
  }

  change(o: FeedOrder): void {
    if (o.status === 'OPEN' || o.status === 'PENDING') this.open.set(o.orderId, o)
    else this.open.delete(o.orderId)
    for (const l of this.orderListeners) l(o)
  }

  verifyJwt(jwt: unknown): FeedAuth {
    if (typeof jwt !== 'string') return {ok: false, reason: 'not a string'}
    const [h, p, s, extra] = jwt.split('.')
    if (h === undefined || p === undefined || s === undefined || extra !== undefined) return {ok: false, reason: 'not a JWT'}
    const header = b64urlJson(h)
    const payload = b64urlJson(p)
    if (header?.['alg'] !== 'ES256' || payload === undefined) return {ok: false, reason: 'not ES256'}
    const good = verify('sha256', Buffer.from(`${h}.${p}`), {key: this.publicKey, dsaEncoding: 'ieee-p1363'}, Buffer.from(s, 'base64url'))
    if (!good) return {ok: false, reason: 'bad signature'}
    if (payload['sub'] !== this.keyName || header['kid'] !== this.keyName) return {ok: false, reason: 'unknown key'}
    const now = this.jwtNow()
    if (typeof payload['exp'] !== 'number' || payload['exp'] <= now) return {ok: false, reason: 'expired'}
    if (typeof payload['nbf'] === 'number' && payload['nbf'] > now + 5) return {ok: false, reason: 'not yet valid'}
    return {ok: true, keyName: this.keyName, userId: USER_ID, portfolioId: PORTFOLIO_ID}
  }
}

/** Waits (bounded, 2 s) until a condition holds: for server-side effects that send nothing. */
export async function until(condition: () => boolean): Promise<void> {
  const deadline = Date.now() + 2_000
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met within 2 s')
    await new Promise((resolve) => setTimeout(resolve, 5))
  }
}
