// The connector over a scripted REST and websocket: answers the simulator does not give (a success
// without an order id, an answer without `success`, each cancel failure reason, a fills list that
// lags behind its order), checked against what the connector emits and throws.
import {EventEmitter} from 'node:events'

import {describe, expect, it} from 'vitest'

import {CoinbaseConnector} from '../../../plugins/coinbase/src/connector.js'
import {describeInstrument} from '../../../plugins/coinbase/src/instruments.js'
import type {CoinbaseRest} from '../../../plugins/coinbase/src/rest.js'
import type {SocketLike} from '../../../plugins/coinbase/src/ws-stream.js'
import {BrokerError, NetworkError} from '../../../src/foundation/domain/broker-errors.js'
import type {OrderRequest, VenueEvent} from '../../../src/foundation/domain/orders.js'
import {coreRuntime} from '../../../src/sectors/core-runtime.js'

const PRODUCT = {product_id: 'BTC-USD', price: '60000', base_increment: '0.00000001', quote_increment: '0.01', price_increment: '0.01', quote_min_size: '1', base_min_size: '0.00000001', base_max_size: '3400', status: 'online', base_currency_id: 'BTC', quote_currency_id: 'USD'}
const T = '2024-05-01T10:00:00Z'
const order = (status: string, filled: string, more: Record<string, unknown> = {}) => ({
  order_id: 'o-1', product_id: 'BTC-USD', side: 'BUY', client_order_id: 'cb-1', status, created_time: T, filled_size: filled, average_filled_price: '60000', number_of_fills: '1', total_fees: '0',
  order_type: 'MARKET', order_configuration: {market_market_ioc: {base_size: '0.01'}}, last_fill_time: null, ...more,
})
const fill = (id: string, size: string) => ({entry_id: id, trade_id: id, order_id: 'o-1', trade_time: T, trade_type: 'FILL', price: '60000', size, commission: '1.5', product_id: 'BTC-USD', sequence_timestamp: T, liquidity_indicator: 'TAKER', size_in_quote: false, side: 'BUY'})

class AckingSocket extends EventEmitter implements SocketLike {
  readyState = 0
  constructor() {
    super()
    setImmediate(() => {
      this.readyState = 1
      this.emit('open')
    })
  }
  send(data: string): void {
    const m = JSON.parse(data) as {channel: string}
    if (m.channel !== 'heartbeats') this.emit('message', Buffer.from(JSON.stringify({channel: 'subscriptions', timestamp: T, sequence_num: 0, events: [{subscriptions: {[m.channel]: ['BTC-USD']}}]})))
  }
  terminate(): void {
    this.readyState = 3
  }
}

type Answer = Record<string, unknown> | (() => Record<string, unknown>)

async function setup(script: Record<string, Answer>) {
  const calls: string[] = []
  const answer = (path: string): Record<string, unknown> => {
    calls.push(path)
    const a = script[path]
    if (a === undefined) throw new Error(`unscripted ${path}`)
    return typeof a === 'function' ? a() : a
  }
  const rest = {
    host: 'api.example',
    call: async (_m: string, path: string) => answer(path),
    read: async (path: string) => answer(path),
    wsJwt: () => 'jwt',
    close: async () => {},
  } as unknown as CoinbaseRest
  const events: VenueEvent[] = []
  const c = new CoinbaseConnector({
    venue: 'coinbase', environment: 'simulator', rest, wsUrl: 'ws://127.0.0.1:1', userWsUrl: 'ws://127.0.0.1:1', socket: () => new AckingSocket(),
    keyEnv: 'K', secretEnv: 'S', instruments: [describeInstrument('BTC-USD')], isOurs: (id) => id.startsWith('cb-'), clock: {now: () => Date.parse(T)}, core: coreRuntime, log: () => {},
    sdk: {package: 'ccxt', version: 'test'}, poll: {pollEveryMs: 60_000},
  })
  c.onEvent((e) => void events.push(e))
  await c.connect()
  return {c, events, calls, script}
}

const BASE = {
  'brokerage/products': {products: [PRODUCT]},
  'brokerage/transaction_summary': {fee_tier: {pricing_tier: 'Intro', taker_fee_rate: '0.009', maker_fee_rate: '0.005'}},
}
const buy: OrderRequest = {clientOrderId: 'cb-1', instrument: 'BTC-USD', side: 'buy', type: 'market', qty: 0.01, tif: 'gtc'}
const outcome = (p: Promise<unknown>): Promise<unknown> => p.then(() => undefined, (e: unknown) => e)

describe('CoinbaseConnector over scripted answers', () => {
  it('a success without an order id, an answer without success: NetworkError (unknown), no event, never resent', async () => {
    const x = await setup({...BASE, 'brokerage/orders': {success: true, success_response: {}}})
    expect(await outcome(x.c.submit(buy))).toMatchObject({kind: 'Disconnected', message: expect.stringMatching(/without an order_id/)})
    x.script['brokerage/orders'] = {order_id: 'o-2'}
    expect(await outcome(x.c.submit({...buy, clientOrderId: 'cb-2'}))).toBeInstanceOf(NetworkError)
    expect(await outcome(x.c.submit(buy))).toBeInstanceOf(BrokerError)
    expect(x.calls.filter((p) => p === 'brokerage/orders')).toHaveLength(2)
    expect(x.events).toEqual([])
    await x.c.close()
  })

  it('cancel: each failure reason of batch_cancel', async () => {
    const x = await setup({...BASE, 'brokerage/orders': {success: true, success_response: {order_id: 'o-1'}}, 'brokerage/orders/historical/{order_id}': {order: order('OPEN', '0', {order_type: 'LIMIT', order_configuration: {limit_limit_gtc: {base_size: '0.01', limit_price: '50000', post_only: false}}})}})
    await x.c.submit({...buy, type: 'limit', limitPrice: 50000})
    const cases: Array<[string, unknown]> = [
      ['UNKNOWN_CANCEL_ORDER', 'OrderNotFound'],
      ['INVALID_CANCEL_REQUEST', 'OrderNotFound'],
      ['COMMANDER_REJECTED_CANCEL_ORDER', 'OrderNotFound'],
      ['DUPLICATE_CANCEL_REQUEST', undefined],
      ['UNKNOWN_CANCEL_FAILURE_REASON', 'InvalidOrder'],
    ]
    for (const [reason, kind] of cases) {
      x.script['brokerage/orders/batch_cancel'] = {results: [{success: false, failure_reason: reason, order_id: 'o-1'}]}
      const e = await outcome(x.c.cancel('cb-1'))
      if (kind === undefined) expect(e, reason).toBeUndefined()
      else expect(e, reason).toMatchObject({kind})
    }
    x.script['brokerage/orders/batch_cancel'] = {results: []}
    expect(await outcome(x.c.cancel('cb-1'))).toBeInstanceOf(NetworkError)
    await x.c.settled()
    expect(x.events.map((e) => e.kind)).toEqual(['ack'])
    await x.c.close()
  })

  it('a fills list that lags behind its order: the lookup says only what was emitted, and the rest comes as a real fill, never counted twice', async () => {
    const fills = [fill('f-1', '0.004')]
    const x = await setup({
      ...BASE,
      'brokerage/orders': {success: true, success_response: {order_id: 'o-1'}},
      'brokerage/orders/historical/{order_id}': {order: order('FILLED', '0.01')},
      'brokerage/orders/historical/fills': () => ({fills: [...fills], cursor: ''}),
    })
    await x.c.submit(buy)
    const state = await x.c.orderByClientId('cb-1')
    expect(state).toMatchObject({status: 'partially-filled', filledQty: 0.004})
    expect(x.events.map((e) => e.kind)).toEqual(['ack', 'fill'])
    fills.push(fill('f-2', '0.006'))
    expect(await x.c.orderByClientId('cb-1')).toMatchObject({status: 'filled', filledQty: 0.01})
    expect(x.events.map((e) => (e.kind === 'fill' ? e.fill.fillId : e.kind))).toEqual(['ack', 'f-1', 'f-2'])
    await x.c.close()
  })
})
