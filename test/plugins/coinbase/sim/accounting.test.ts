// The account checked from outside: after a run of orders (market by quote and by base, marketable
// and resting limits, a stop-limit, a cancel, a refusal), every balance equals its start plus and
// minus the fills the API lists, fees taken at the fee tier's rates — summed here in exact decimals,
// from the wire, not from the simulator's own figures. Also: the same seed gives the same simulator.
import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {dec, decMul, raw, signed, startSim, type Harness} from './harness.js'

const B = '/api/v3/brokerage'
const ONE = 10n ** 20n

describe('coinbase simulator, accounting', () => {
  let h: Harness
  const START = {USD: '25000', BTC: '0.3', ETH: '0'}
  beforeAll(async () => {
    h = await startSim({startingCash: 25_000, balances: {BTC: '0.3'}, fees: {maker: '0.004', taker: '0.006'}})
  })
  afterAll(async () => h.close())

  const create = (id: string, product: string, side: string, config: Record<string, unknown>) => signed(h, 'POST', `${B}/orders`, {client_order_id: id, product_id: product, side, order_configuration: config})
  async function top(product: string): Promise<{bid: string; ask: string}> {
    const r = await signed(h, 'GET', `${B}/best_bid_ask?product_ids=${product}`)
    return {bid: r.json.pricebooks[0].bids[0].price, ask: r.json.pricebooks[0].asks[0].price}
  }
  async function balances(): Promise<Record<string, {available: bigint; hold: bigint}>> {
    const r = await signed(h, 'GET', `${B}/accounts?limit=250`)
    return Object.fromEntries(r.json.accounts.map((a: any) => [a.currency, {available: dec(a.available_balance.value), hold: dec(a.hold.value)}]))
  }
  const cents = (v: bigint): string => `${v / ONE}.${((v % ONE) / 10n ** 18n).toString().padStart(2, '0')}`

  it('balances = start ± fills ∓ fees, holds = what open orders reserve', async () => {
    const ids: string[] = []
    const ok = async (p: Promise<{json: any}>) => {
      const r = await p
      expect(r.json.success).toBe(true)
      ids.push(r.json.success_response.order_id)
      return r.json.success_response.order_id as string
    }
    await ok(create('a-1', 'BTC-USD', 'BUY', {market_market_ioc: {quote_size: '1234.56'}}))
    await ok(create('a-2', 'BTC-USD', 'SELL', {market_market_ioc: {base_size: '0.05'}}))
    await ok(create('a-3', 'ETH-USD', 'BUY', {market_market_ioc: {base_size: '0.75'}}))
    const eth = await top('ETH-USD')
    // Marketable limit sell (taker, at the bid), and a resting buy at the bid that fills as maker.
    await ok(create('a-4', 'ETH-USD', 'SELL', {limit_limit_gtc: {base_size: '0.25', limit_price: (Number(eth.bid) - 20).toFixed(2), post_only: false}}))
    const resting = await ok(create('a-5', 'ETH-USD', 'BUY', {limit_limit_gtc: {base_size: '0.4', limit_price: eth.bid, post_only: false}}))
    const btc = await top('BTC-USD')
    const far = (Number(btc.bid) * 0.5).toFixed(2)
    const cancelled = await ok(create('a-6', 'BTC-USD', 'BUY', {limit_limit_gtc: {base_size: '0.02', limit_price: far, post_only: false}}))
    const stillOpen = await ok(create('a-7', 'BTC-USD', 'BUY', {limit_limit_gtc: {base_size: '0.01', limit_price: far, post_only: false}}))
    const refused = await create('a-8', 'BTC-USD', 'BUY', {market_market_ioc: {quote_size: '999999.00'}})
    expect(refused.json.success).toBe(false)
    expect((await signed(h, 'POST', `${B}/orders/batch_cancel`, {order_ids: [cancelled]})).json.results[0].success).toBe(true)
    for (let i = 0; i < 100; i++) {
      const o = await signed(h, 'GET', `${B}/orders/historical/${resting}`)
      if (o.json.order.status === 'FILLED') break
      h.wall.advance(200)
    }

    // Every fill, through the cursor, two at a time.
    const fills: any[] = []
    let cursor = ''
    for (let i = 0; i < 20; i++) {
      const page = await signed(h, 'GET', `${B}/orders/historical/fills?limit=2${cursor ? `&cursor=${cursor}` : ''}`)
      fills.push(...page.json.fills)
      cursor = page.json.cursor
      if (cursor === '') break
    }
    expect(new Set(fills.map((f) => f.trade_id)).size).toBe(fills.length)
    expect(fills.map((f) => f.liquidity_indicator).sort()).toEqual(['MAKER', 'TAKER', 'TAKER', 'TAKER', 'TAKER'])

    const expected: Record<string, bigint> = {USD: dec(START.USD), BTC: dec(START.BTC), ETH: dec(START.ETH)}
    const rate = {MAKER: dec('0.004'), TAKER: dec('0.006')}
    for (const f of fills) {
      const [base] = String(f.product_id).split('-') as [string]
      const price = dec(f.price)
      // A quote-sized order's fills give their size in quote.
      const size = f.size_in_quote ? (dec(f.size) * ONE) / price : dec(f.size)
      const value = decMul(size, price)
      const fee = dec(f.commission)
      expect(fee).toBe(decMul(value, rate[f.liquidity_indicator as 'MAKER' | 'TAKER']))
      if (f.side === 'BUY') {
        expected.USD = (expected.USD as bigint) - value - fee
        expected[base] = (expected[base] as bigint) + size
      } else {
        expected.USD = (expected.USD as bigint) + value - fee
        expected[base] = (expected[base] as bigint) - size
      }
    }
    const b = await balances()
    // The open buy holds limit × size × (1 + taker).
    const hold = decMul(decMul(dec('0.01'), dec(far)), dec('1.006'))
    expect(cents(b.USD!.hold)).toBe(cents(hold))
    expect(b.USD!.hold).toBe(hold)
    for (const ccy of ['USD', 'BTC', 'ETH']) expect(b[ccy]!.available + b[ccy]!.hold, ccy).toBe(expected[ccy])
    // The quote-sized buy spent at most its quote size, fees included.
    const a1 = await signed(h, 'GET', `${B}/orders/historical/${ids[0]}`)
    expect(dec(a1.json.order.total_value_after_fees) <= dec('1234.56')).toBe(true)
    // Each order's totals are the sum of its fills.
    for (const id of ids) {
      const o = (await signed(h, 'GET', `${B}/orders/historical/${id}`)).json.order
      const mine = fills.filter((f) => f.order_id === id)
      expect(dec(o.total_fees)).toBe(mine.reduce((s, f) => s + dec(f.commission), 0n))
      expect(Number(o.number_of_fills)).toBe(mine.length)
    }
    expect((await signed(h, 'GET', `${B}/orders/historical/${stillOpen}`)).json.order.status).toBe('OPEN')
    const summary = await signed(h, 'GET', `${B}/transaction_summary`)
    expect(summary.json.fee_tier).toMatchObject({maker_fee_rate: '0.004', taker_fee_rate: '0.006'})
  })
})

describe('coinbase simulator, determinism', () => {
  it('the same seed gives the same key and the same prices; another seed does not', async () => {
    const [a, b, c] = await Promise.all([startSim({seed: 11}), startSim({seed: 11}), startSim({seed: 12})])
    try {
      expect(a.apiKey).toMatch(/^organizations\/[0-9a-f-]{36}\/apiKeys\/[0-9a-f-]{36}$/)
      expect(a.apiSecret).toMatch(/^-----BEGIN EC PRIVATE KEY-----\n/)
      expect(b.apiKey).toBe(a.apiKey)
      expect(b.apiSecret).toBe(a.apiSecret)
      expect(c.apiKey).not.toBe(a.apiKey)
      // Step 0 is the reference price everywhere; a minute later the paths have gone their ways.
      for (const x of [a, b, c]) x.wall.advance(1000)
      const price = async (x: Harness) => (await raw(`${x.rest}${B}/market/products/BTC-USD`)).json.price as string
      expect(await price(b)).toBe(await price(a))
      expect(await price(c)).not.toBe(await price(a))
      expect(a.sim.connection).toMatchObject({apiKeyEnv: 'COINBASE_SIM_API_KEY', apiSecretEnv: 'COINBASE_SIM_API_SECRET', restUrl: a.rest, wsUrl: expect.stringMatching(/^ws:\/\/127\.0\.0\.1:\d+$/)})
      expect(a.sim.env({connection: {apiKeyEnv: 'MY_KEY', apiSecretEnv: 'MY_SECRET'}} as never)).toEqual({COINBASE_SIM_API_KEY: a.apiKey, COINBASE_SIM_API_SECRET: a.apiSecret, MY_KEY: a.apiKey, MY_SECRET: a.apiSecret})
    } finally {
      await Promise.all([a.close(), b.close(), c.close()])
    }
  })
})
