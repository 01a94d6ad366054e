// The connector's own logic over a scripted REST layer (each test says what OANDA answers, in the
// layouts of OANDA's reference) and streams the test drives. What this proves: which calls are
// made, that events go out once and in order whichever way a transaction arrives, that a 400 is a
// thrown BrokerError and no event, that an unknown outcome is never resent, that 401 is fatal.
// The connector against an independent simulator over TCP is test/integration/oanda-connector.
import {afterEach, beforeEach, describe, expect, it, vi} from 'vitest'

import {parseEndpoint} from '../../../plugins/oanda/src/config.js'
import {OandaConnector} from '../../../plugins/oanda/src/connector.js'
import {httpError} from '../../../plugins/oanda/src/errors.js'
import {describeInstrument} from '../../../plugins/oanda/src/instruments.js'
import type {OandaRest, RestReply} from '../../../plugins/oanda/src/rest.js'
import type {StreamHandlers, StreamOpener} from '../../../plugins/oanda/src/streams.js'
import {BrokerError, NetworkError} from '../../../src/foundation/domain/broker-errors.js'
import type {OrderRequest, VenueEvent} from '../../../src/foundation/domain/orders.js'
import {seededRandom} from '../../../src/foundation/random.js'
import type {ConnectorStatus, Tick} from '../../../src/sectors/connector.js'

const core = {BrokerError, NetworkError, seededRandom}
const ACCOUNT = '101-001-1234567-001'
const T = '2024-03-04T10:00:00.000000000Z'
const TS = Date.parse(T)

interface Call {
  name: string
  args: unknown[]
}
type Answer = RestReply | Error | Promise<RestReply>

const reply = (status: number, body: Record<string, unknown>, headers: Record<string, string> = {}): RestReply => ({status, body, headers})

/** The REST layer as the connector uses it, answering from `answer` (per SDK call) and recording the calls. */
class ScriptedRest {
  readonly host = 'api-fxpractice.oanda.com'
  calls: Call[] = []
  closed = false
  constructor(public answer: (c: Call) => Answer) {}
  async send(_context: string, invoke: (ctx: never, done: never) => void): Promise<RestReply> {
    let call: Call | undefined
    const ctx = new Proxy({}, {get: (_t, group) => new Proxy({}, {get: (_u, method) => (...args: unknown[]) => void (call = {name: `${String(group)}.${String(method)}`, args: args.slice(0, -1)})})})
    invoke(ctx as never, (() => {}) as never)
    if (call === undefined) throw new Error('no SDK call')
    this.calls.push(call)
    const a = await this.answer(call)
    if (a instanceof Error) throw a
    return a
  }
  async get(context: string, invoke: (ctx: never, done: never) => void): Promise<Record<string, unknown>> {
    const r = await this.send(context, invoke)
    if (r.status >= 200 && r.status < 300) return r.body
    throw this.failure(r, context)
  }
  failure(r: RestReply, context: string) {
    const reject = Object.values(r.body).find((v) => typeof (v as {rejectReason?: unknown})?.rejectReason === 'string') as {rejectReason: string} | undefined
    return httpError(core, {status: r.status, context, errorCode: r.body.errorCode as string | undefined, errorMessage: r.body.errorMessage as string | undefined, rejectReason: reject?.rejectReason, now: 0})
  }
  close(): void {
    this.closed = true
  }
  named(name: string): Call[] {
    return this.calls.filter((c) => c.name === name)
  }
}

class Streams {
  conns: Array<{path: string; headers: Record<string, string>; h: StreamHandlers; closed: boolean}> = []
  readonly open: StreamOpener = (target, h) => {
    const c = {path: target.path, headers: target.headers, h, closed: false}
    this.conns.push(c)
    return {close: () => void (c.closed = true)}
  }
  find(part: string) {
    const c = [...this.conns].reverse().find((x) => x.path.includes(part))
    if (!c) throw new Error(`no stream ${part}`)
    return c
  }
}

const line = (...values: unknown[]): string => values.map((v) => `${JSON.stringify(v)}\n`).join('')
const settle = async (): Promise<void> => {
  for (let i = 0; i < 10; i++) await Promise.resolve()
}

const instrumentsBody = {
  instruments: [
    {name: 'EUR_USD', type: 'CURRENCY', displayName: 'EUR/USD', pipLocation: -4, displayPrecision: 5, tradeUnitsPrecision: 0, minimumTradeSize: '1', maximumOrderUnits: '100000000', marginRate: '0.0333'},
    {name: 'SPX500_USD', type: 'CFD', displayName: 'US SPX 500', pipLocation: 0, displayPrecision: 1, tradeUnitsPrecision: 1, minimumTradeSize: '0.1', maximumOrderUnits: '3000', marginRate: '0.05'},
  ],
  lastTransactionID: '100',
}
const summaryBody = {account: {id: ACCOUNT, currency: 'USD', balance: '100000.0000', NAV: '100000.0000', marginAvailable: '100000.0000', lastTransactionID: '100'}, lastTransactionID: '100'}

// Transactions of one market order with a bracket, as OANDA records them.
const create = (id: number, cid = 'r-1', extra: Record<string, unknown> = {}) => ({id: String(id), time: T, type: 'MARKET_ORDER', accountID: ACCOUNT, batchID: String(id), instrument: 'EUR_USD', units: '1000', timeInForce: 'FOK', positionFill: 'DEFAULT', reason: 'CLIENT_ORDER', clientExtensions: {id: cid, tag: 'rick'}, ...extra})
const fill = (id: number, orderId: number, cid = 'r-1', units = '1000') => ({id: String(id), time: T, type: 'ORDER_FILL', accountID: ACCOUNT, batchID: String(orderId), orderID: String(orderId), clientOrderID: cid, instrument: 'EUR_USD', units, price: '1.10010', reason: 'MARKET_ORDER', pl: '0.0000', financing: '0.0000', commission: '0.0000', accountBalance: '100000.0000', tradeOpened: {tradeID: String(id), units, price: '1.10010'}})
const exit = (id: number, type: 'TAKE_PROFIT_ORDER' | 'STOP_LOSS_ORDER', cid: string) => ({id: String(id), time: T, type, accountID: ACCOUNT, tradeID: '102', price: type === 'TAKE_PROFIT_ORDER' ? '1.11000' : '1.09000', timeInForce: 'GTC', reason: 'ON_FILL', clientExtensions: {id: cid, tag: 'rick'}})

function setup(answers: Record<string, (c: Call) => Answer> = {}, instruments = ['EUR_USD', 'SPX500_USD']) {
  const defaults: Record<string, (c: Call) => Answer> = {
    'account.summary': () => reply(200, summaryBody),
    'account.instruments': () => reply(200, instrumentsBody),
    'transaction.since': () => reply(200, {transactions: [], lastTransactionID: '100'}),
  }
  const table = {...defaults, ...answers}
  const rest = new ScriptedRest((c) => {
    const f = table[c.name]
    if (!f) throw new Error(`unscripted call ${c.name}`)
    return f(c)
  })
  const streams = new Streams()
  const events: VenueEvent[] = []
  const statuses: ConnectorStatus[] = []
  const logs: string[] = []
  const connector = new OandaConnector({
    venue: 'oanda',
    accountId: ACCOUNT,
    environment: 'practice',
    rest: rest as unknown as OandaRest,
    stream: parseEndpoint('https://stream-fxpractice.oanda.com'),
    token: 'secret-token-value',
    tokenEnv: 'OANDA_API_TOKEN',
    instruments: instruments.map((i) => describeInstrument(i)),
    clock: {now: () => 42},
    core,
    log: (m) => void logs.push(m),
    sdk: {package: '@oanda/v20', version: '3.0.25-0'},
    opener: streams.open,
    heartbeatTimeoutMs: 15_000,
  })
  connector.onEvent((e) => void events.push(e))
  connector.onStatus((s) => void statuses.push(s))
  const events$ = () => streams.find('/transactions/stream')
  const connect = async () => {
    await connector.connect()
    events$().h.open()
    await settle()
  }
  return {rest, streams, events, statuses, logs, connector, connect, txStream: events$, table}
}

const market = (o: Partial<OrderRequest> = {}): OrderRequest => ({clientOrderId: 'r-1', instrument: 'EUR_USD', side: 'buy', type: 'market', qty: 1000, tif: 'gtc', ...o})

beforeEach(() => {
  vi.useFakeTimers({toFake: ['setTimeout', 'clearTimeout']})
})
afterEach(() => {
  vi.useRealTimers()
})

describe('connect', () => {
  it('reads the summary and the account\'s instruments, then opens the transaction stream caught up from lastTransactionID', async () => {
    const s = setup()
    await s.connect()
    expect(s.rest.calls.map((c) => c.name)).toEqual(['account.summary', 'account.instruments', 'transaction.since'])
    expect(s.rest.calls[1]?.args).toEqual([ACCOUNT, {instruments: 'EUR_USD,SPX500_USD'}])
    expect(s.rest.named('transaction.since')[0]?.args).toEqual([ACCOUNT, {id: '100'}])
    expect(s.txStream().path).toBe(`/v3/accounts/${ACCOUNT}/transactions/stream`)
    expect(s.txStream().headers).toEqual({Authorization: 'Bearer secret-token-value'})
    expect(s.statuses).toEqual([{kind: 'connected', stream: 'events', ts: 42}])
    const spx = (await s.connector.instruments()).find((i) => i.id === 'SPX500_USD')
    expect(spx).toMatchObject({tickSize: 0.1, lotSize: 0.1, referencePrice: 5000})
    expect(s.connector.capabilities).toMatchObject({brackets: true, stopOrders: true, stopLimitOrders: false, streaming: true, fractionalQty: true})
    expect(s.connector.info).toEqual({name: 'oanda-v20', sdk: {package: '@oanda/v20', version: '3.0.25-0'}, endpoints: ['api-fxpractice.oanda.com', 'stream-fxpractice.oanda.com'], account: ACCOUNT})
    expect(JSON.stringify(s.connector.info)).not.toContain('secret')
  })

  it('refuses an instrument the account does not trade', async () => {
    const s = setup({}, ['EUR_USD', 'XAU_USD'])
    await expect(s.connector.connect()).rejects.toThrow(/does not trade XAU_USD/)
  })
})

describe('submit', () => {
  it('a filled market order: ack and fill from the answer, the stream\'s copies dropped, the bracket exits acked from the stream', async () => {
    const s = setup({'order.create': () => reply(201, {orderCreateTransaction: create(101), orderFillTransaction: fill(102, 101), relatedTransactionIDs: ['101', '102', '103', '104'], lastTransactionID: '104'})})
    await s.connect()
    await s.connector.submit(market({bracket: {stopLoss: 1.09, takeProfit: 1.11}}))
    expect(s.rest.named('order.create')[0]?.args[1]).toMatchObject({order: {type: 'MARKET', units: '1000', takeProfitOnFill: {price: '1.11000', clientExtensions: {id: 'r-1-tp'}}, stopLossOnFill: {price: '1.09000', clientExtensions: {id: 'r-1-sl'}}}})
    expect(s.events.map((e) => e.kind)).toEqual(['ack', 'fill'])
    s.txStream().h.data(line(create(101), fill(102, 101), exit(103, 'TAKE_PROFIT_ORDER', 'r-1-tp'), exit(104, 'STOP_LOSS_ORDER', 'r-1-sl')))
    expect(s.events).toEqual([
      {kind: 'ack', clientOrderId: 'r-1', venueOrderId: '101', ts: TS},
      {kind: 'fill', fill: {clientOrderId: 'r-1', venueOrderId: '101', fillId: '102', instrument: 'EUR_USD', side: 'buy', qty: 1000, price: 1.1001, fee: 0, liquidity: 'taker', ts: TS}},
      {kind: 'ack', clientOrderId: 'r-1-tp', venueOrderId: '103', ts: TS},
      {kind: 'ack', clientOrderId: 'r-1-sl', venueOrderId: '104', ts: TS},
    ])
  })

  it('stream copies that arrive before the answer wait for it: each event once, the ack before the fill', async () => {
    let answer!: (r: RestReply) => void
    const s = setup({'order.create': () => new Promise<RestReply>((r) => (answer = r))})
    await s.connect()
    const sent = s.connector.submit(market())
    await settle()
    s.txStream().h.data(line(fill(102, 101), exit(103, 'TAKE_PROFIT_ORDER', 'r-1-tp')))
    s.txStream().h.data(line({id: '105', time: T, type: 'ORDER_FILL', orderID: '90', clientOrderID: 'other', instrument: 'EUR_USD', units: '-5', price: '1.1'}))
    await settle()
    // Another order's fill is not held back.
    expect(s.events.map((e) => (e.kind === 'fill' ? e.fill.clientOrderId : e.kind))).toEqual(['other'])
    answer(reply(201, {orderCreateTransaction: create(101), orderFillTransaction: fill(102, 101), lastTransactionID: '102'}))
    await sent
    expect(s.events.map((e) => `${e.kind}:${'clientOrderId' in e ? e.clientOrderId : e.kind === 'fill' ? e.fill.clientOrderId : ''}`)).toEqual(['fill:other', 'ack:r-1', 'fill:r-1', 'ack:r-1-tp'])
    s.txStream().h.data(line(create(101), fill(102, 101)))
    expect(s.events.length).toBe(4)
  })

  it('a 400 reject throws OANDA\'s reason as a BrokerError and emits no event, not even from the stream', async () => {
    const reject = {...create(101), type: 'MARKET_ORDER_REJECT', rejectReason: 'INSUFFICIENT_MARGIN'}
    const s = setup({'order.create': () => reply(400, {orderRejectTransaction: reject, relatedTransactionIDs: ['101'], lastTransactionID: '101', errorCode: 'INSUFFICIENT_MARGIN', errorMessage: 'Insufficient margin'})})
    await s.connect()
    const e = await s.connector.submit(market()).catch((x: unknown) => x)
    expect(e).toBeInstanceOf(BrokerError)
    expect(e).toMatchObject({kind: 'InsufficientFunds', venueCode: 'INSUFFICIENT_MARGIN'})
    s.txStream().h.data(line(reject))
    expect(s.events).toEqual([])
  })

  it('an immediately cancelled order (201 with orderCancelTransaction) is an ack then a cancel with OANDA\'s reason', async () => {
    const s = setup({'order.create': () => reply(201, {orderCreateTransaction: create(101), orderCancelTransaction: {id: '102', time: T, type: 'ORDER_CANCEL', orderID: '101', clientOrderID: 'r-1', reason: 'MARKET_HALTED'}, lastTransactionID: '102'})})
    await s.connect()
    await s.connector.submit(market())
    expect(s.events).toEqual([{kind: 'ack', clientOrderId: 'r-1', venueOrderId: '101', ts: TS}, {kind: 'cancel', clientOrderId: 'r-1', reason: 'MARKET_HALTED', ts: TS}])
  })

  it('no answer: NetworkError (outcome unknown), never resent; the stream then tells what happened', async () => {
    const s = setup({'order.create': () => new NetworkError('Timeout', 'OANDA orders: no answer within 10000 ms (outcome unknown)')})
    await s.connect()
    await expect(s.connector.submit(market())).rejects.toMatchObject({kind: 'Timeout'})
    expect(s.rest.named('order.create').length).toBe(1)
    s.txStream().h.data(line(create(101), fill(102, 101)))
    expect(s.events.map((e) => e.kind)).toEqual(['ack', 'fill'])
    await vi.advanceTimersByTimeAsync(60_000)
    expect(s.rest.named('order.create').length).toBe(1)
  })

  it('a 201 it cannot read is an unknown outcome, not a rejection', async () => {
    const s = setup({'order.create': () => reply(201, {lastTransactionID: '101'})})
    await s.connect()
    await expect(s.connector.submit(market())).rejects.toSatisfy((e: unknown) => e instanceof NetworkError && /outcome unknown/.test(e.message))
    const s2 = setup({'order.create': () => reply(201, {orderCreateTransaction: {id: 'x', type: 'MARKET_ORDER'}})})
    await s2.connect()
    await expect(s2.connector.submit(market())).rejects.toBeInstanceOf(NetworkError)
  })

  it('5xx is an unknown outcome (NetworkError)', async () => {
    const s = setup({'order.create': () => reply(503, {errorMessage: 'Service unavailable'})})
    await s.connect()
    await expect(s.connector.submit(market())).rejects.toMatchObject({kind: 'Disconnected'})
  })

  it('refuses before any request what OANDA cannot take; refuses before connect', async () => {
    const s = setup()
    await expect(s.connector.submit(market())).rejects.toBeInstanceOf(NetworkError)
    await s.connect()
    await expect(s.connector.submit(market({instrument: 'GBP_USD'}))).rejects.toMatchObject({kind: 'InvalidOrder'})
    await expect(s.connector.submit(market({type: 'stop-limit', stopPrice: 1.1, limitPrice: 1.1}))).rejects.toMatchObject({kind: 'Unsupported'})
    await expect(s.connector.submit(market({qty: 10.5}))).rejects.toMatchObject({kind: 'InvalidOrder', message: expect.stringContaining('rick never rounds')})
    expect(s.rest.named('order.create')).toEqual([])
    expect(() => s.connector.subscribe()).toThrow(/subscribeTicks/)
  })
})

describe('cancel and order lookups', () => {
  const limit = {id: '110', createTime: T, state: 'PENDING', type: 'LIMIT', instrument: 'EUR_USD', units: '1000', price: '1.09000', timeInForce: 'GTC', positionFill: 'DEFAULT', clientExtensions: {id: 'r-2', tag: 'rick'}}
  it('cancel: PUT …/orders/@id/cancel, one cancel event even when the stream repeats it; 404 is OrderNotFound', async () => {
    const cancelTx = {id: '111', time: T, type: 'ORDER_CANCEL', orderID: '110', clientOrderID: 'r-2', reason: 'CLIENT_REQUEST'}
    let n = 0
    const s = setup({
      'order.cancel': () =>
        ++n === 1
          ? reply(200, {orderCancelTransaction: cancelTx, relatedTransactionIDs: ['111'], lastTransactionID: '111'})
          : reply(404, {orderCancelRejectTransaction: {id: '112', time: T, type: 'ORDER_CANCEL_REJECT', rejectReason: 'ORDER_DOESNT_EXIST'}, errorCode: 'ORDER_DOESNT_EXIST', errorMessage: 'The Order specified does not exist'}),
    })
    await s.connect()
    await s.connector.cancel('r-2')
    expect(s.rest.named('order.cancel')[0]?.args).toEqual([ACCOUNT, '@r-2'])
    s.txStream().h.data(line(cancelTx))
    expect(s.events).toEqual([{kind: 'cancel', clientOrderId: 'r-2', reason: 'CLIENT_REQUEST', ts: TS}])
    await expect(s.connector.cancel('r-2')).rejects.toMatchObject({kind: 'OrderNotFound'})
  })

  it('orderByClientId: 404 is undefined; a filled order takes size and price from its fill; an exit from its trade', async () => {
    const s = setup({
      'order.get': (c) => {
        if (c.args[1] === '@nope') return reply(404, {errorCode: 'ORDER_DOESNT_EXIST', errorMessage: 'The Order specified does not exist', lastTransactionID: '120'})
        if (c.args[1] === '@r-1') return reply(200, {order: {...create(101), id: '101', createTime: T, state: 'FILLED', type: 'MARKET', fillingTransactionID: '102', filledTime: T}, lastTransactionID: '120'})
        return reply(200, {order: {id: '103', createTime: T, state: 'PENDING', type: 'TAKE_PROFIT', tradeID: '102', price: '1.11000', timeInForce: 'GTC', clientExtensions: {id: 'r-1-tp', tag: 'rick'}}})
      },
      'transaction.get': () => reply(200, {transaction: fill(102, 101), lastTransactionID: '120'}),
      'trade.get': () => reply(200, {trade: {id: '102', instrument: 'EUR_USD', price: '1.10010', openTime: T, initialUnits: '1000', currentUnits: '1000', state: 'OPEN'}}),
    })
    await s.connect()
    expect(await s.connector.orderByClientId('nope')).toBeUndefined()
    expect(await s.connector.orderByClientId('r-1')).toMatchObject({status: 'filled', filledQty: 1000, avgFillPrice: 1.1001, venueOrderId: '101', side: 'buy'})
    expect(await s.connector.orderByClientId('r-1-tp')).toMatchObject({status: 'working', side: 'sell', qty: 1000, limitPrice: 1.11, parentId: 'r-1'})
    expect(await s.connector.orderByClientId('bad/id')).toBeUndefined()
    expect(s.rest.named('order.get').map((c) => c.args[1])).toEqual(['@nope', '@r-1', '@r-1-tp'])
  })

  it('openOrders lists rick\'s pending orders by their client ids, and orders placed by hand as external:<id>', async () => {
    const s = setup({'order.listPending': () => reply(200, {orders: [limit, {...limit, id: '115', clientExtensions: {id: 'by-hand', tag: 'manual'}}, {...limit, id: '116', clientExtensions: undefined}], lastTransactionID: '120'})})
    await s.connect()
    expect(await s.connector.openOrders()).toEqual([
      expect.objectContaining({clientOrderId: 'r-2', status: 'working', limitPrice: 1.09, venueOrderId: '110'}),
      expect.objectContaining({clientOrderId: 'external:115', status: 'working', venueOrderId: '115'}),
      expect.objectContaining({clientOrderId: 'external:116', status: 'working', venueOrderId: '116'}),
    ])
  })
})

describe('401 is fatal', () => {
  it('a REST 401 stops everything, says which variable holds the token, and nothing retries', async () => {
    let fail = false
    const s = setup({'position.listOpen': () => (fail ? reply(401, {errorMessage: 'Insufficient authorization to perform request.'}) : reply(200, {positions: []}))})
    await s.connect()
    fail = true
    const e = await s.connector.positions().catch((x: unknown) => x)
    expect(e).toMatchObject({kind: 'AuthFailed', message: expect.stringContaining('OANDA_API_TOKEN')})
    expect(s.statuses.filter((x) => x.kind === 'fatal')).toEqual([{kind: 'fatal', code: 'AuthFailed', message: expect.stringContaining('OANDA_API_TOKEN'), ts: 42}])
    expect(s.txStream().closed).toBe(true)
    await expect(s.connector.submit(market())).rejects.toMatchObject({kind: 'AuthFailed'})
    await expect(s.connector.positions()).rejects.toMatchObject({kind: 'AuthFailed'})
    expect(s.statuses.filter((x) => x.kind === 'fatal').length).toBe(1)
    expect(vi.getTimerCount()).toBe(0)
    expect(s.logs.join('\n')).not.toContain('secret-token-value')
  })

  it('a 401 on the stream is fatal too', async () => {
    const s = setup()
    await s.connector.connect()
    s.txStream().h.closed('HTTP 401', {status: 401, body: '{"errorMessage":"Insufficient authorization to perform request."}'})
    expect(s.statuses).toEqual([{kind: 'fatal', code: 'AuthFailed', message: expect.stringMatching(/OANDA refused the API token .*OANDA_API_TOKEN/), ts: 42}])
    expect(vi.getTimerCount()).toBe(0)
    expect(s.streams.conns.length).toBe(1)
  })

  it('a 401 at connect is thrown (and fatal)', async () => {
    const s = setup({'account.summary': () => reply(401, {errorMessage: 'Insufficient authorization to perform request.'})})
    await expect(s.connector.connect()).rejects.toMatchObject({kind: 'AuthFailed', message: expect.stringContaining('OANDA_API_TOKEN')})
    expect(s.statuses.map((x) => x.kind)).toEqual(['fatal'])
    expect(s.streams.conns).toEqual([])
  })
})

describe('prices', () => {
  const price = (instrument: string, bid: string, ask: string) => ({type: 'PRICE', instrument, time: T, tradeable: true, bids: [{price: bid, liquidity: 1000000}], asks: [{price: ask, liquidity: 1000000}], closeoutBid: bid, closeoutAsk: ask})
  it('streams the union of the subscribed instruments; ticks go to the subscribers of their instrument; heartbeats are statuses', async () => {
    const s = setup()
    await s.connect()
    const a: Tick[] = []
    const b: Tick[] = []
    const subA = s.connector.subscribeTicks(['EUR_USD'], (t) => void a.push(t))
    expect(s.streams.find('pricing').path).toBe(`/v3/accounts/${ACCOUNT}/pricing/stream?instruments=EUR_USD&snapshot=true`)
    const subB = s.connector.subscribeTicks(['SPX500_USD', 'EUR_USD'], (t) => void b.push(t))
    const stream = s.streams.find('pricing')
    expect(stream.path).toContain('instruments=EUR_USD,SPX500_USD')
    expect(s.streams.conns.filter((c) => c.path.includes('pricing'))[0]?.closed).toBe(true)
    stream.h.open()
    stream.h.data(line(price('EUR_USD', '1.10000', '1.10010'), {type: 'HEARTBEAT', time: T}, price('SPX500_USD', '5000.1', '5000.5')))
    expect(a).toEqual([{instrument: 'EUR_USD', ts: TS, bid: 1.1, ask: 1.1001, price: (1.1 + 1.1001) / 2, volume: 0}])
    expect(b.map((t) => t.instrument)).toEqual(['EUR_USD', 'SPX500_USD'])
    expect(s.statuses.filter((x) => x.kind === 'heartbeat')).toEqual([{kind: 'heartbeat', stream: 'prices', ts: TS}])
    subA.close()
    subB.close()
    expect(stream.closed).toBe(true)
  })
})

describe('history and recent fills', () => {
  const M1 = 60_000
  const start = Date.UTC(2024, 0, 1)
  const candlesFor = (from: number, count: number) => ({instrument: 'EUR_USD', granularity: 'M1', candles: Array.from({length: count}, (_, i) => ({complete: true, volume: 5, time: new Date(from + i * M1).toISOString(), mid: {o: '1.10000', h: '1.10020', l: '1.09990', c: '1.10010'}}))})
  it('pages forward through OANDA\'s 5000-candle limit up to `to`', async () => {
    const s = setup({'instrument.candles': (c) => {
      const q = c.args[1] as {from: string; count: number; price: string; granularity: string}
      const from = Date.parse(q.from)
      const n = Math.max(0, Math.min(q.count, (start + 12_000 * M1 - from) / M1))
      return reply(200, candlesFor(from, n))
    }})
    await s.connect()
    const bars = await s.connector.history({instrument: 'EUR_USD', periodMs: M1, from: start, to: start + 12_000 * M1})
    expect(bars.length).toBe(12_000)
    expect(bars[0]).toEqual({instrument: 'EUR_USD', ts: start, open: 1.1, high: 1.1002, low: 1.0999, close: 1.1001, volume: 5})
    expect(bars.every((b, i) => b.ts === start + i * M1)).toBe(true)
    const asked = s.rest.named('instrument.candles').map((c) => c.args[1])
    expect(asked).toEqual([
      {price: 'M', granularity: 'M1', from: new Date(start).toISOString(), count: 5000},
      {price: 'M', granularity: 'M1', from: new Date(start + 5000 * M1).toISOString(), count: 5000},
      {price: 'M', granularity: 'M1', from: new Date(start + 10_000 * M1).toISOString(), count: 5000},
    ])
  })

  it('without `from`: the latest `count` before `to`, paging back, oldest first', async () => {
    const s = setup({'instrument.candles': (c) => {
      const q = c.args[1] as {to: string; count: number}
      const to = Date.parse(q.to)
      return reply(200, candlesFor(to - q.count * M1, q.count))
    }})
    await s.connect()
    const to = start + 20_000 * M1
    const bars = await s.connector.history({instrument: 'EUR_USD', periodMs: M1, to, count: 7000})
    expect(bars.length).toBe(7000)
    expect(bars[0]?.ts).toBe(to - 7000 * M1)
    expect(bars[6999]?.ts).toBe(to - M1)
    expect(s.rest.named('instrument.candles').map((c) => (c.args[1] as {count: number}).count)).toEqual([5000, 2000])
    await expect(s.connector.history({instrument: 'EUR_USD', periodMs: 7_000})).rejects.toMatchObject({kind: 'Unsupported'})
  })

  it('recentFills: the ORDER_FILL pages since then; a fill of an order placed by hand as external:<order id>', async () => {
    const s = setup({
      'transaction.list': () => reply(200, {from: T, to: T, pageSize: 1000, type: ['ORDER_FILL'], count: 3, pages: [`https://api-fxpractice.oanda.com/v3/accounts/${ACCOUNT}/transactions/idrange?from=1&to=200&type=ORDER_FILL`], lastTransactionID: '200'}),
      'transaction.range': () => reply(200, {transactions: [fill(102, 101), {...fill(150, 149), clientOrderID: undefined}, fill(160, 159, 'r-9', '-500')], lastTransactionID: '200'}),
    })
    await s.connect()
    const fills = await s.connector.recentFills(TS)
    expect(fills.map((f) => [f.fillId, f.clientOrderId, f.side, f.qty])).toEqual([['102', 'r-1', 'buy', 1000], ['150', 'external:149', 'buy', 1000], ['160', 'r-9', 'sell', 500]])
    expect(s.rest.named('transaction.list')[0]?.args).toEqual([ACCOUNT, {from: new Date(TS).toISOString(), type: 'ORDER_FILL', pageSize: 1000}])
    expect(s.rest.named('transaction.range')[0]?.args).toEqual([ACCOUNT, {from: '1', to: '200', type: 'ORDER_FILL'}])
  })
})

describe('close', () => {
  it('stops both streams and the REST client; no timer left', async () => {
    const s = setup()
    await s.connect()
    s.connector.subscribeTicks(['EUR_USD'], () => {})
    s.streams.find('pricing').h.open()
    expect(vi.getTimerCount()).toBeGreaterThan(0)
    await s.connector.close()
    expect(vi.getTimerCount()).toBe(0)
    expect(s.streams.conns.every((c) => c.closed)).toBe(true)
    expect(s.rest.closed).toBe(true)
    await expect(s.connector.connect()).rejects.toThrow(/closed/)
  })
})
