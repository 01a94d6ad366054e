// Coinbase payloads as documented (docs.cdp.coinbase.com, Advanced Trade REST and websocket) into
// rick's model and rick's orders into Coinbase's bodies.
import {describe, expect, it} from 'vitest'

import {
  CoinbaseParseError,
  decimal,
  decimalToMicro,
  onGrid,
  parseAccounts,
  parseCandles,
  parseFeeTier,
  parseFill,
  parseOrder,
  parseProduct,
  parseTime,
  sumDecimals,
  tierFee,
  type CoinbaseProductDetails,
} from '../../../plugins/coinbase/src/parsing.js'
import {orderRequestBody, OrderSpecError} from '../../../plugins/coinbase/src/parsing-orders.js'
import {parseTicker, parseWsMessage} from '../../../plugins/coinbase/src/parsing-ws.js'
import type {OrderRequest} from '../../../src/foundation/domain/orders.js'

const PRODUCT = {
  product_id: 'BTC-USD', price: '60123.45', price_percentage_change_24h: '1.2', volume_24h: '100', base_increment: '0.00000001', quote_increment: '0.01', quote_min_size: '1',
  quote_max_size: '150000000', base_min_size: '0.00000001', base_max_size: '3400', base_name: 'Bitcoin', quote_name: 'US Dollar', status: 'online', cancel_only: false, limit_only: false,
  post_only: false, trading_disabled: false, is_disabled: false, product_type: 'SPOT', base_currency_id: 'BTC', quote_currency_id: 'USD', price_increment: '0.01',
}
const spec = (): CoinbaseProductDetails => parseProduct(PRODUCT, 'coinbase').coinbase
const order = (o: Partial<OrderRequest> & {quoteSize?: number; postOnly?: boolean} = {}): OrderRequest & {quoteSize?: number; postOnly?: boolean} => ({clientOrderId: 'cb-1', instrument: 'BTC-USD', side: 'buy', type: 'market', qty: 0.01, tif: 'gtc', ...o})
const refused = (o: Parameters<typeof order>[0], kind: 'InvalidOrder' | 'Unsupported', msg: RegExp): void => {
  let e: unknown
  try {
    orderRequestBody(order(o), spec())
  } catch (error) {
    e = error
  }
  expect(e, JSON.stringify(o)).toBeInstanceOf(OrderSpecError)
  expect((e as OrderSpecError).kind).toBe(kind)
  expect((e as Error).message).toMatch(msg)
}

describe('primitives', () => {
  it('decimals, money in micro units without a float, times with nanoseconds', () => {
    expect(decimal('21932.98', 'x')).toBe(21932.98)
    for (const bad of ['1e5', ' 1', '', '1.', 'NaN', 12]) expect(() => decimal(bad, 'x')).toThrow(CoinbaseParseError)
    expect(decimalToMicro('5.3989704', 'x')).toBe(5398970)
    expect(decimalToMicro('5.3989705', 'x')).toBe(5398971)
    expect(decimalToMicro('-0.0000004', 'x')).toBe(0)
    expect(decimalToMicro('100000.123456', 'x')).toBe(100000123456)
    expect(() => decimalToMicro('99999999999999.1', 'x')).toThrow(/too large/)
    expect(parseTime('2023-02-09T20:30:37.167359596Z', 't')).toBe(Date.UTC(2023, 1, 9, 20, 30, 37, 167))
    expect(parseTime('2024-03-01T00:00:00+01:00', 't')).toBe(Date.UTC(2024, 1, 29, 23, 0, 0))
    for (const bad of ['2023-02-30T00:00:00Z', '2023-02-09 20:30:37Z', '1700000000', '2023-02-09T24:00:00Z']) expect(() => parseTime(bad, 't')).toThrow(CoinbaseParseError)
  })

  it('onGrid writes a value on an increment exactly, and refuses one off it', () => {
    expect(onGrid(0.01, '0.00000001')).toBe('0.01000000')
    expect(onGrid(0.1 + 0.2, '0.01')).toBe('0.30')
    expect(onGrid(60123.45, '0.01')).toBe('60123.45')
    expect(onGrid(1.05, '0.05')).toBe('1.05')
    expect(onGrid(1.07, '0.05')).toBeUndefined()
    expect(onGrid(12, '1')).toBe('12')
    expect(onGrid(0.015, '0.01')).toBeUndefined()
    expect(onGrid(0.00000001, '0.00000001')).toBe('0.00000001')
    expect(onGrid(Number.NaN, '0.01')).toBeUndefined()
    expect(sumDecimals(['0.1', '0.2'])).toBe(0.3)
    expect(sumDecimals(['0.00000001', '1e-8'])).toBe(0.00000002)
  })
})

describe('products', () => {
  it('tick = price_increment, lot = base_increment, minNotional = quote_min_size; flags that stop trading', () => {
    const p = parseProduct(PRODUCT, 'coinbase')
    expect(p).toMatchObject({id: 'BTC-USD', venue: 'coinbase', kind: 'crypto', tickSize: 0.01, lotSize: 0.00000001, minNotional: 1, quoteCurrency: 'USD', referencePrice: 60123.45})
    expect(p.coinbase).toMatchObject({baseCurrency: 'BTC', baseMaxSize: 3400, tradingDisabled: false})
    expect(parseProduct({...PRODUCT, price_increment: undefined, quote_increment: '0.001'}, 'coinbase').tickSize).toBe(0.001)
    for (const flag of [{trading_disabled: true}, {cancel_only: true}, {status: 'delisted'}, {is_disabled: true}]) expect(parseProduct({...PRODUCT, ...flag}, 'coinbase').coinbase.tradingDisabled).toBe(true)
    expect(() => parseProduct({...PRODUCT, base_increment: '0'}, 'coinbase')).toThrow(/must be positive/)
    expect(() => parseProduct({...PRODUCT, base_increment: 1e-8}, 'coinbase')).toThrow(CoinbaseParseError)
  })
})

describe("rick's orders as Coinbase's create-order body", () => {
  it('market by base size, market by quote size, limit GTC (post-only), limit IOC, stop-limit by side', () => {
    expect(orderRequestBody(order(), spec())).toEqual({client_order_id: 'cb-1', product_id: 'BTC-USD', side: 'BUY', order_configuration: {market_market_ioc: {base_size: '0.01000000'}}})
    expect(orderRequestBody(order({quoteSize: 25.5}), spec()).order_configuration).toEqual({market_market_ioc: {quote_size: '25.50'}})
    expect(orderRequestBody(order({type: 'limit', limitPrice: 50000, postOnly: true}), spec()).order_configuration).toEqual({limit_limit_gtc: {base_size: '0.01000000', limit_price: '50000.00', post_only: true}})
    expect(orderRequestBody(order({type: 'limit', limitPrice: 50000, side: 'sell'}), spec())).toMatchObject({side: 'SELL', order_configuration: {limit_limit_gtc: {post_only: false}}})
    expect(orderRequestBody(order({type: 'limit', limitPrice: 50000, tif: 'ioc'}), spec()).order_configuration).toEqual({sor_limit_ioc: {base_size: '0.01000000', limit_price: '50000.00'}})
    expect(orderRequestBody(order({type: 'stop-limit', limitPrice: 70010, stopPrice: 70000}), spec()).order_configuration).toEqual({stop_limit_stop_limit_gtc: {base_size: '0.01000000', limit_price: '70010.00', stop_price: '70000.00', stop_direction: 'STOP_DIRECTION_STOP_UP'}})
    expect(orderRequestBody(order({type: 'stop-limit', side: 'sell', limitPrice: 49990, stopPrice: 50000}), spec()).order_configuration).toMatchObject({stop_limit_stop_limit_gtc: {stop_direction: 'STOP_DIRECTION_STOP_DOWN'}})
    // The client order id goes out raw (ccxt's createOrder would replace it with its own).
    expect(orderRequestBody(order({clientOrderId: 'sector-run1-000042'}), spec()).client_order_id).toBe('sector-run1-000042')
  })

  it('refuses what Coinbase spot cannot take as asked, and never rounds', () => {
    refused({type: 'stop', stopPrice: 70000}, 'Unsupported', /no stop-market/)
    refused({bracket: {stopLoss: 1, takeProfit: 2}}, 'Unsupported', /emulates/)
    refused({type: 'limit', limitPrice: 50000, tif: 'day'}, 'Unsupported', /gtc or ioc/)
    refused({qty: 0.000000015}, 'InvalidOrder', /not on BTC-USD's base increment/)
    refused({qty: 0}, 'InvalidOrder', /positive/)
    refused({qty: 3401}, 'InvalidOrder', /above/)
    refused({type: 'limit', limitPrice: 50000.005}, 'InvalidOrder', /price increment/)
    refused({type: 'limit'}, 'InvalidOrder', /needs a positive limitPrice/)
    refused({type: 'limit', limitPrice: 50, qty: 0.01}, 'InvalidOrder', /minimum order value/)
    refused({quoteSize: 0.5}, 'InvalidOrder', /below/)
    refused({quoteSize: 1.005}, 'InvalidOrder', /quote increment/)
    refused({reduceOnly: true}, 'InvalidOrder', /reduce-only buy/)
    refused({postOnly: true}, 'InvalidOrder', /market order cannot be post-only/)
    refused({clientOrderId: 'a b'}, 'InvalidOrder', /clientOrderId/)
    refused({clientOrderId: ''}, 'InvalidOrder', /clientOrderId/)
    expect(() => orderRequestBody(order(), {...spec(), tradingDisabled: true})).toThrow(/not trading/)
    expect(() => orderRequestBody(order(), {...spec(), limitOnly: true})).toThrow(/limit orders only/)
  })
})

describe('orders and fills from Coinbase', () => {
  const raw = {
    order_id: '0000-1', product_id: 'BTC-USD', user_id: 'u', side: 'BUY', client_order_id: 'cb-9', status: 'OPEN', time_in_force: 'GOOD_UNTIL_CANCELLED', created_time: '2024-05-01T10:00:00.123456Z',
    completion_percentage: '50', filled_size: '0.005', average_filled_price: '60000.5', fee: '', number_of_fills: '2', filled_value: '300.0025', pending_cancel: false, size_in_quote: false,
    total_fees: '2.7', last_fill_time: '2024-05-01T10:00:05Z', order_type: 'LIMIT', reject_reason: 'REJECT_REASON_UNSPECIFIED', cancel_message: '',
    order_configuration: {limit_limit_gtc: {base_size: '0.01', limit_price: '60001', post_only: false}},
  }

  it('an order: type, size and prices from order_configuration, status mapped, fills so far', () => {
    const o = parseOrder(raw)
    expect(o.state).toEqual({clientOrderId: 'cb-9', instrument: 'BTC-USD', side: 'buy', type: 'limit', qty: 0.01, limitPrice: 60001, tif: 'gtc', status: 'partially-filled', filledQty: 0.005, avgFillPrice: 60000.5, venueOrderId: '0000-1', updatedAt: Date.UTC(2024, 4, 1, 10, 0, 5)})
    expect(o.numberOfFills).toBe(2)
    expect(o.rejectReason).toBeUndefined()
    const statuses: Array<[string, string, string]> = [['OPEN', '0', 'working'], ['PENDING', '0', 'pending'], ['QUEUED', '0', 'pending'], ['FILLED', '0.01', 'filled'], ['CANCELLED', '0.005', 'cancelled'], ['EXPIRED', '0', 'expired'], ['FAILED', '0', 'rejected'], ['CANCEL_QUEUED', '0', 'working']]
    for (const [status, filled, want] of statuses) expect(parseOrder({...raw, status, filled_size: filled}).state?.status, status).toBe(want)
    expect(parseOrder({...raw, order_configuration: {stop_limit_stop_limit_gtc: {base_size: '0.01', limit_price: '1', stop_price: '2', stop_direction: 'STOP_DIRECTION_STOP_UP'}}}).state).toMatchObject({type: 'stop-limit', stopPrice: 2, limitPrice: 1})
    expect(parseOrder({...raw, order_configuration: {market_market_ioc: {quote_size: '100'}}, status: 'FILLED', filled_size: '0.00166'}).state).toMatchObject({type: 'market', tif: 'ioc', qty: 0.00166})
    expect(parseOrder({...raw, client_order_id: ''}).clientOrderId).toBe('external:0000-1')
    expect(() => parseOrder({...raw, side: 'buy'})).toThrow(/BUY or SELL/)
    expect(() => parseOrder({...raw, filled_size: 'x'})).toThrow(CoinbaseParseError)
  })

  const fill = {entry_id: 'e-1', trade_id: 't-1', order_id: '0000-1', trade_time: '2024-05-01T10:00:05.5Z', trade_type: 'FILL', price: '60000.5', size: '0.005', commission: '2.70002250', product_id: 'BTC-USD', sequence_timestamp: '2024-05-01T10:00:05.500001Z', liquidity_indicator: 'TAKER', size_in_quote: false, user_id: 'u', side: 'BUY'}

  it("a fill: Coinbase's entry id, its commission in micro units, maker or taker; size in quote divided by the price", () => {
    const f = parseFill(fill)
    expect(f.fill).toEqual({venueOrderId: '0000-1', fillId: 'e-1', instrument: 'BTC-USD', side: 'buy', qty: 0.005, price: 60000.5, fee: 2700023, liquidity: 'taker', ts: Date.UTC(2024, 4, 1, 10, 0, 5, 500)})
    expect(parseFill({...fill, entry_id: ''}).fill.fillId).toBe('t-1')
    expect(parseFill({...fill, liquidity_indicator: 'MAKER'}).fill.liquidity).toBe('maker')
    expect(parseFill({...fill, size_in_quote: true, size: '300.0025'}).fill.qty).toBeCloseTo(0.005, 12)
    const tier = parseFeeTier({fee_tier: {pricing_tier: 'Advanced 1', taker_fee_rate: '0.012', maker_fee_rate: '0.006'}})
    expect(parseFill({...fill, commission: undefined}, tier).fill.fee).toBe(tierFee(tier, 60000.5, 0.005, 'taker'))
    expect(tierFee(tier, 60000.5, 0.005, 'taker')).toBe(3600030)
    expect(() => parseFill({...fill, price: '0'})).toThrow(/positive/)
    expect(() => parseFeeTier({fee_tier: {taker_fee_rate: '12', maker_fee_rate: '0.006'}})).toThrow(/not fee rates/)
  })
})

describe('accounts and candles', () => {
  it('balances by currency: available + hold, exact; the next page cursor', () => {
    const acc = (currency: string, available: string, hold: string) => ({uuid: currency, name: `${currency} Wallet`, currency, available_balance: {value: available, currency}, default: true, active: true, type: 'ACCOUNT_TYPE_CRYPTO', ready: true, hold: {value: hold, currency}})
    const got = parseAccounts({accounts: [acc('USD', '100.10', '50.05'), acc('BTC', '0.1', '0.2'), acc('BTC', '0.00000001', '0')], has_next: true, cursor: 'c2', size: 3})
    expect(got.cursor).toBe('c2')
    expect(got.balances.find((b) => b.currency === 'USD')).toEqual({currency: 'USD', total: 150150000, available: 100100000, qty: 150.15})
    expect(got.balances.find((b) => b.currency === 'BTC')?.qty).toBe(0.30000001)
    expect(parseAccounts({accounts: [], has_next: false, cursor: 'x'}).cursor).toBeUndefined()
    expect(() => parseAccounts({accounts: [acc('USD', '1e3', '0')]})).toThrow(CoinbaseParseError)
  })

  it('candles newest first become bars oldest first; a candle whose high is below its close is refused', () => {
    const c = (start: number, close: string) => ({start: String(start), low: '1', high: '3', open: '2', close, volume: '5.5'})
    const bars = parseCandles({candles: [c(1_700_000_120, '2.5'), c(1_700_000_060, '2')]}, 'BTC-USD')
    expect(bars.map((b) => b.ts)).toEqual([1_700_000_060_000, 1_700_000_120_000])
    expect(bars[1]).toEqual({instrument: 'BTC-USD', ts: 1_700_000_120_000, open: 2, high: 3, low: 1, close: 2.5, volume: 5.5})
    expect(() => parseCandles({candles: [c(1, '4')]}, 'x')).toThrow(/do not contain/)
    expect(() => parseCandles({candles: [{...c(1, '2'), start: '2024-01-01'}]}, 'x')).toThrow(/UNIX seconds/)
  })
})

describe('websocket messages', () => {
  const env = (channel: string, events: unknown[]) => ({channel, client_id: '', timestamp: '2023-06-23T20:31:26.122969572Z', sequence_num: 0, events})
  const TS = Date.UTC(2023, 5, 23, 20, 31, 26, 122)

  it('heartbeats (counter as number or string), subscriptions, error, channels rick does not read', () => {
    expect(parseWsMessage(env('heartbeats', [{current_time: '2023-06-23 20:31:56.121961769 +0000 UTC m=+91717.525857105', heartbeat_counter: '3049'}]))).toEqual({kind: 'heartbeat', ts: TS, counter: 3049})
    expect(parseWsMessage(env('heartbeats', [{heartbeat_counter: 12}]))).toMatchObject({counter: 12})
    expect(parseWsMessage(env('subscriptions', [{subscriptions: {user: ['x']}}]))).toEqual({kind: 'subscriptions', ts: TS})
    expect(parseWsMessage({type: 'error', message: 'authentication failure'})).toEqual({kind: 'error', message: 'authentication failure'})
    expect(parseWsMessage(env('l2_data', []))).toEqual({kind: 'other', channel: 'l2_data'})
    expect(() => parseWsMessage({channel: 'ticker', events: []})).toThrow(CoinbaseParseError)
  })

  it('ticker: bid, ask and their mid; an empty ticker gives no tick; a crossed one is refused', () => {
    const t = {type: 'ticker', product_id: 'BTC-USD', price: '21932.98', volume_24_h: '16038.28770938', low_24_h: '21835.29', high_24_h: '23011.18', price_percent_chg_24_h: '-4.15', best_bid: '21932.97', best_bid_quantity: '0.02', best_ask: '21932.99', best_ask_quantity: '0.015'}
    const m = parseWsMessage(env('ticker', [{type: 'snapshot', tickers: [t, {type: 'ticker', product_id: '', price: '', best_bid: '', best_ask: ''}]}]))
    expect(m).toEqual({kind: 'ticks', ts: TS, ticks: [{instrument: 'BTC-USD', ts: TS, bid: 21932.97, ask: 21932.99, price: expect.closeTo(21932.98, 8), volume: 0}]})
    expect(parseTicker({product_id: 'BTC-USD', best_bid: '', best_ask: '1'}, TS)).toBeUndefined()
    expect(() => parseTicker({...t, best_bid: '21933', best_ask: '21932'}, TS)).toThrow(/above/)
  })

  it('user: snapshot and update orders, with cumulative quantity and status', () => {
    const o = {order_id: 'o-1', client_order_id: 'cb-1', cumulative_quantity: '0.005', leaves_quantity: '0.005', avg_price: '60000', total_fees: '2.7', status: 'OPEN', product_id: 'BTC-USD', creation_time: '2023-06-23T20:31:20Z', order_side: 'BUY', order_type: 'Limit', number_of_fills: '1', cancel_reason: '', reject_reason: ''}
    const m = parseWsMessage(env('user', [{type: 'snapshot', orders: [o]}, {type: 'update', orders: [{...o, status: 'CANCELLED', cancel_reason: 'User requested cancel'}]}]))
    expect(m.kind).toBe('user')
    if (m.kind !== 'user') return
    expect(m.snapshot).toBe(true)
    expect(m.orders[0]).toMatchObject({orderId: 'o-1', clientOrderId: 'cb-1', productId: 'BTC-USD', side: 'buy', status: 'OPEN', filledSize: 0.005, averageFilledPrice: 60000, numberOfFills: 1, createdTs: Date.UTC(2023, 5, 23, 20, 31, 20), updatedTs: TS})
    expect(m.orders[1]).toMatchObject({status: 'CANCELLED', cancelReason: 'User requested cancel'})
    expect(() => parseWsMessage(env('user', [{type: 'update', orders: [{...o, order_side: 'buy'}]}]))).toThrow(/orders\[0\]/)
  })
})
