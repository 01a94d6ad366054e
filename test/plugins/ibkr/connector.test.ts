// The IBKR connector against a scripted TWS (a fake of @stoqey/ib's client): what the simulator
// cannot be made to do on purpose — a TWS that stops answering, a placeOrder never answered, status
// messages repeated, a commission that never comes or comes first, a cancel TWS cannot find.
import {describe, expect, it} from 'vitest'

import type {IbkrConnector} from '../../../plugins/ibkr/src/connector.js'
import {Requests} from '../../../plugins/ibkr/src/connector-requests.js'
import {createConnector} from '../../../plugins/ibkr/src/factory.js'
import {describeInstrument} from '../../../plugins/ibkr/src/instruments.js'
import type {TwsClient, TwsClientOptions} from '../../../plugins/ibkr/src/tws-client.js'
import type {SectorConfig} from '../../../src/foundation/config/types.js'
import {NetworkError} from '../../../src/foundation/domain/broker-errors.js'
import type {VenueEvent} from '../../../src/foundation/domain/orders.js'
import type {ConnectorStatus} from '../../../src/sectors/connector.js'
import {coreRuntime} from '../../../src/sectors/core-runtime.js'
import {until} from '../../conformance/fixture.js'

const SPEC = {symbol: 'MES', secType: 'FUT', exchange: 'CME', currency: 'USD', lastTradeDateOrContractMonth: '202612'}
const MES = 'MES-202612'
const CONTRACT = {conId: 77, symbol: 'MES', secType: 'FUT', lastTradeDateOrContractMonth: '20261218', multiplier: '5', exchange: 'CME', currency: 'USD'}

/** A TWS that answers as scripted. One instance per connection (the factory makes one each time). */
class FakeTws implements TwsClient {
  readonly isConnected = true
  get serverVersion(): number {
    return this.world.serverVersion
  }
  private readonly listeners = new Map<string, Array<(...a: unknown[]) => void>>()
  constructor(readonly world: World) {}
  on(event: string, l: (...a: unknown[]) => void): this {
    this.listeners.set(event, [...(this.listeners.get(event) ?? []), l])
    return this
  }
  removeAllListeners(): this {
    this.listeners.clear()
    return this
  }
  emit(event: string, ...args: unknown[]): void {
    for (const l of this.listeners.get(event) ?? []) l(...args)
  }
  later(fn: () => void): void {
    setImmediate(fn)
  }
  connect(): this {
    if (this.world.silentConnect) return this
    this.later(() => {
      this.emit('nextValidId', this.world.nextValidId)
      this.emit('managedAccounts', 'DU1')
    })
    return this
  }
  disconnect(): this {
    this.world.disconnects++
    return this
  }
  placeOrder(id: number, _c: unknown, order: {orderRef: string}): this {
    this.world.placed.push({id, ref: order.orderRef})
    const refusal = this.world.refuseOrders
    if (refusal !== undefined) this.later(() => this.emit('error', new Error(refusal[1]), refusal[0], id))
    else if (this.world.answerOrders) this.later(() => this.world.ack(this, id, order))
    return this
  }
  cancelOrder(orderId: number): this {
    this.world.cancels.push(orderId)
    const refusal = this.world.refuseOrders
    this.later(() => {
      if (refusal !== undefined) this.emit('error', new Error(refusal[1]), refusal[0], orderId)
      else if (this.world.cancelAnswer === 'not-found') this.emit('error', new Error(`OrderId ${orderId} that needs to be cancelled is not found.`), 10147, orderId)
      else {
        this.world.open = this.world.open.filter((o) => o.id !== orderId)
        this.emit('orderStatus', orderId, 'Cancelled', 0, 1, 0, 9, 0, 0, 1, '', 0)
      }
    })
    return this
  }
  reqOpenOrders(): this {
    if (this.world.holdOpenOrders) {
      this.world.held.push(() => this.answerOpenOrders())
      return this
    }
    this.answerOpenOrders()
    return this
  }
  private answerOpenOrders(): void {
    this.later(() => {
      for (const o of this.world.open) this.emit('openOrder', o.id, CONTRACT, {orderId: o.id, clientId: 1, orderRef: o.ref, action: 'BUY', totalQuantity: 1, orderType: 'MKT', tif: 'DAY'}, {status: 'Submitted'})
      this.emit('openOrderEnd')
    })
  }
  reqCompletedOrders(apiOnly: boolean): this {
    this.world.completedAsked.push(apiOnly)
    this.later(() => {
      for (const o of this.world.completed) {
        const order = {orderRef: o.ref, action: 'BUY', totalQuantity: o.qty, orderType: 'LMT', lmtPrice: 4000, tif: 'GTC', account: 'DU1', permId: 9_000 + o.qty, filledQuantity: o.filled}
        this.emit('completedOrder', CONTRACT, order, {status: o.status, completedTime: '20261208 14:00:00 UTC', completedStatus: o.status})
      }
      this.emit('completedOrdersEnd')
    })
    return this
  }
  reqAllOpenOrders(): this {
    return this.reqOpenOrders()
  }
  reqPositions(): this {
    this.later(() => this.emit('positionEnd'))
    return this
  }
  cancelPositions(): this {
    return this
  }
  reqAccountSummary(reqId: number): this {
    this.later(() => {
      this.emit('accountSummary', reqId, 'DU1', 'TotalCashValue', '1000.00', 'USD')
      this.emit('accountSummary', reqId, 'DU1', 'NetLiquidation', '1000.00', 'USD')
      this.emit('accountSummaryEnd', reqId)
    })
    return this
  }
  cancelAccountSummary(): this {
    return this
  }
  reqExecutions(reqId: number): this {
    this.later(() => {
      for (const e of this.world.executions) {
        this.emit('execDetails', reqId, CONTRACT, e)
        this.emit('commissionReport', {execId: e.execId, commission: 0.62, currency: 'USD'})
      }
      this.emit('execDetailsEnd', reqId)
    })
    return this
  }
  reqContractDetails(reqId: number): this {
    this.later(() => {
      this.emit('contractDetails', reqId, {contract: CONTRACT, minTick: 0.25, sizeIncrement: 1, timeZoneId: 'US/Central', tradingHours: ''})
      this.emit('contractDetailsEnd', reqId)
    })
    return this
  }
  reqCurrentTime(): this {
    if (this.world.answerTime) this.later(() => this.emit('currentTime', 1_796_745_000))
    return this
  }
  reqManagedAccts(): this {
    return this
  }
  reqRealTimeBars(): this {
    return this
  }
  cancelRealTimeBars(): this {
    return this
  }
  reqMktData(): this {
    return this
  }
  cancelMktData(): this {
    return this
  }
  reqHistoricalData(): this {
    return this
  }
}

interface Exec {
  execId: string
  orderId: number
  clientId: number
  orderRef: string
  side: string
  shares: number
  price: number
  time: string
  acctNumber: string
  cumQty?: number
}

class World {
  nextValidId = 100
  silentConnect = false
  answerOrders = true
  answerTime = true
  cancelAnswer: 'cancel' | 'not-found' = 'cancel'
  /** TWS refuses placeOrder and cancelOrder with this [code, message] on the order id. */
  refuseOrders: [number, string] | undefined
  placed: Array<{id: number; ref: string}> = []
  cancels: number[] = []
  open: Array<{id: number; ref: string}> = []
  serverVersion = 193
  /** TWS's completed orders (reqCompletedOrders), and the apiOnly of each request. */
  completed: Array<{ref: string; status: string; qty: number; filled: number}> = []
  completedAsked: boolean[] = []
  /** reqOpenOrders answered only when `held` is run. */
  holdOpenOrders = false
  held: Array<() => void> = []
  executions: Exec[] = []
  clients: FakeTws[] = []
  disconnects = 0
  /** TWS takes the order: it is open (listed by reqOpenOrders) until cancelled. */
  ack(t: FakeTws, id: number, order: {orderRef: string}): void {
    if (!this.open.some((o) => o.id === id)) this.open.push({id, ref: order.orderRef})
    t.emit('openOrder', id, CONTRACT, {orderId: id, clientId: 1, orderRef: order.orderRef}, {status: 'Submitted'})
    t.emit('orderStatus', id, 'Submitted', 0, 1, 0, 9, 0, 0, 1, '', 0)
  }
  get last(): FakeTws {
    return this.clients.at(-1) as FakeTws
  }
}

async function open(world: World, tuning: Record<string, unknown> = {}, connect = true): Promise<{c: IbkrConnector; events: VenueEvent[]; statuses: ConnectorStatus[]; logs: string[]}> {
  const sector: SectorConfig = {name: 'fake', venue: 'ibkr', enabled: true, mode: 'paper', profile: 'Balanced', risk: {}, instruments: [SPEC], strategy: {name: 'sma', params: {}}, secretsFiles: [], connection: {clientId: 1, port: 4002}}
  const logs: string[] = []
  const c = (await createConnector(
    {sector, mode: 'paper', secrets: {}, instruments: [describeInstrument(SPEC)], clock: {now: () => 1_796_745_000_000}, log: (m) => void logs.push(m), core: coreRuntime},
    {
      factory: (_o: TwsClientOptions) => {
        const t = new FakeTws(world)
        world.clients.push(t)
        return t
      },
      requestTimeoutMs: 500,
      submitTimeoutMs: 200,
      commissionWaitMs: 100,
      heartbeat: {everyMs: 60_000, timeoutMs: 60_000},
      backoff: {baseMs: 20, maxMs: 40},
      ...tuning,
    },
  )) as IbkrConnector
  const events: VenueEvent[] = []
  const statuses: ConnectorStatus[] = []
  c.onEvent((e) => void events.push(e))
  c.onStatus((s) => void statuses.push(s))
  if (connect) await c.connect()
  return {c, events, statuses, logs}
}

const exec = (o: Partial<Exec> = {}): Exec => ({execId: 'e1', orderId: 100, clientId: 1, orderRef: 'fake-1', side: 'BOT', shares: 1, price: 5000.25, time: '20261208-14:00:00', acctNumber: 'DU1', ...o})
const mkt = {clientOrderId: 'fake-1', instrument: MES, side: 'buy' as const, type: 'market' as const, qty: 1, tif: 'day' as const}

describe('IBKR connector against a scripted TWS', () => {
  it('a TWS that stops answering reqCurrentTime is dead: disconnected within every + timeout, then a new connection', async () => {
    const world = new World()
    const {c, statuses} = await open(world, {heartbeat: {everyMs: 40, timeoutMs: 80}})
    world.answerTime = false
    const start = performance.now()
    await until('disconnected', () => statuses.some((s) => s.kind === 'disconnected'), {ms: 1_000})
    expect(performance.now() - start).toBeLessThan(400)
    expect(statuses.find((s) => s.kind === 'disconnected')).toMatchObject({reason: expect.stringMatching(/reqCurrentTime/)})
    world.answerTime = true
    await until('connected again', () => statuses.filter((s) => s.kind === 'connected' && s.stream === 'events').length >= 2, {ms: 1_000})
    expect(world.clients.length).toBe(2)
    await c.close()
  })

  it('a placeOrder never answered: NetworkError (unknown), never sent again; TWS speaking of it later gives one ack', async () => {
    const world = new World()
    const {c, events} = await open(world)
    world.answerOrders = false
    const e = await c.submit(mkt).then(() => undefined, (x: unknown) => x)
    expect(e).toBeInstanceOf(NetworkError)
    expect(world.placed).toEqual([{id: 100, ref: 'fake-1'}])
    expect(events).toEqual([])
    // The order is at TWS after all: a lookup finds it by its id, the ack goes out once.
    world.open = [{id: 100, ref: 'fake-1'}]
    expect(await c.orderByClientId('fake-1')).toMatchObject({status: 'working', venueOrderId: '100'})
    world.ack(world.last, 100, {orderRef: 'fake-1'})
    world.ack(world.last, 100, {orderRef: 'fake-1'})
    await c.settled()
    expect(events.map((x) => x.kind)).toEqual(['ack'])
    expect(world.placed.length).toBe(1)
    await expect(c.submit(mkt)).rejects.toMatchObject({kind: 'InvalidOrder'})
    await c.close()
  })

  it('TWS refusing orders: 1100 on the id → NetworkError and never placed; "Read-Only API" (321) → AuthFailed for the submit and a cancel at once, naming the setting', async () => {
    const world = new World()
    const {c, events} = await open(world, {submitTimeoutMs: 5_000})
    world.refuseOrders = [1100, 'Connectivity between IB and Trader Workstation has been lost.']
    const lost = await c.submit(mkt).then(() => undefined, (x: unknown) => x)
    expect(lost).toBeInstanceOf(NetworkError)
    expect(lost).toMatchObject({kind: 'Disconnected', message: expect.stringMatching(/did not place it/)})
    expect(await c.orderByClientId('fake-1')).toBeUndefined()

    world.refuseOrders = undefined
    await c.submit({...mkt, clientOrderId: 'fake-2', type: 'limit', limitPrice: 4000})
    const readOnly = "Error validating request.-'bY' : cause - The API interface is currently in Read-Only mode."
    world.refuseOrders = [321, readOnly]
    const started = performance.now()
    await expect(c.submit({...mkt, clientOrderId: 'fake-3'})).rejects.toMatchObject({kind: 'AuthFailed', message: expect.stringMatching(/"Read-Only API"/)})
    await expect(c.cancel('fake-2')).rejects.toMatchObject({kind: 'AuthFailed'})
    expect(performance.now() - started).toBeLessThan(1_000)
    expect(await c.orderByClientId('fake-3')).toBeUndefined()
    expect(await c.orderByClientId('fake-2')).toMatchObject({status: 'working'})
    expect(events.map((e) => [e.kind, 'clientOrderId' in e ? e.clientOrderId : ''])).toEqual([['ack', 'fake-2']])
    await c.close()
  })

  it('logs carry no "ibkr:" of their own (core prefixes the venue); the memory-only ids note comes at the first submit, not at connect', async () => {
    const world = new World()
    const {c, logs} = await open(world)
    expect(logs.filter((l) => /state directory/.test(l))).toEqual([])
    await c.submit(mkt)
    await c.submit({...mkt, clientOrderId: 'fake-2'})
    expect(logs.filter((l) => /state directory/.test(l))).toEqual(["no state directory: order ids used are kept in memory only (a restart relies on TWS's nextValidId)"])
    world.last.emit('info', 'Market data farm connection is OK:usfarm', 2104)
    world.last.emit('error', new Error('Order Canceled - reason:'), 202, 999)
    await c.close()
    expect(logs.length).toBeGreaterThan(1)
    expect(logs.filter((l) => /^ibkr:/i.test(l))).toEqual([])
  })

  it('statuses repeated and a 202 with the Cancelled status: one ack, one cancel', async () => {
    const world = new World()
    const {c, events} = await open(world)
    await c.submit(mkt)
    const t = world.last
    t.emit('orderStatus', 100, 'Submitted', 0, 1, 0, 9, 0, 0, 1, '', 0)
    t.emit('orderStatus', 100, 'PreSubmitted', 0, 1, 0, 9, 0, 0, 1, '', 0)
    t.emit('error', new Error('Order Canceled - reason:'), 202, 100)
    t.emit('orderStatus', 100, 'Cancelled', 0, 1, 0, 9, 0, 0, 1, '', 0)
    t.emit('orderStatus', 100, 'Cancelled', 0, 1, 0, 9, 0, 0, 1, '', 0)
    expect(events.map((x) => x.kind)).toEqual(['ack', 'cancel'])
    await c.close()
  })

  it('execution and commission joined into one fill; a repeat of both (reqExecutions) emits nothing more; a commission first works too', async () => {
    const world = new World()
    const {c, events} = await open(world)
    await c.submit(mkt)
    const t = world.last
    t.emit('execDetails', -1, CONTRACT, exec())
    expect(events.filter((x) => x.kind === 'fill')).toEqual([])
    t.emit('commissionReport', {execId: 'e1', commission: 0.62, currency: 'USD'})
    t.emit('execDetails', 5, CONTRACT, exec())
    t.emit('commissionReport', {execId: 'e1', commission: 0.62, currency: 'USD'})
    t.emit('commissionReport', {execId: 'e2', commission: 1.24, currency: 'USD'})
    t.emit('execDetails', -1, CONTRACT, exec({execId: 'e2', shares: 2}))
    // A correction of a booked execution (TWS's id with its last part incremented) is not booked again.
    t.emit('execDetails', -1, CONTRACT, exec({execId: '0000e0d5.6576fd3a.01.01'}))
    t.emit('commissionReport', {execId: '0000e0d5.6576fd3a.01.01', commission: 0.62, currency: 'USD'})
    t.emit('execDetails', -1, CONTRACT, exec({execId: '0000e0d5.6576fd3a.01.02'}))
    t.emit('commissionReport', {execId: '0000e0d5.6576fd3a.01.02', commission: 0.62, currency: 'USD'})
    const fills = events.flatMap((x) => (x.kind === 'fill' ? [x.fill] : []))
    expect(fills.map((f) => [f.fillId, f.qty, f.fee, f.clientOrderId, f.side])).toEqual([['e1', 1, 620_000, 'fake-1', 'buy'], ['e2', 2, 1_240_000, 'fake-1', 'buy'], ['0000e0d5.6576fd3a.01.01', 1, 620_000, 'fake-1', 'buy']])
    expect(events[0]?.kind).toBe('ack')
    await c.close()
  })

  it('a commission that never comes: the fill goes out after the bounded wait with fee 0, and says so', async () => {
    const world = new World()
    const {c, events, logs} = await open(world)
    await c.submit(mkt)
    world.last.emit('execDetails', -1, CONTRACT, exec({execId: 'lonely'}))
    await until('the fill', () => events.some((x) => x.kind === 'fill'), {ms: 1_000})
    expect(events.find((x) => x.kind === 'fill')).toMatchObject({fill: {fillId: 'lonely', fee: 0}})
    expect(logs.some((l) => /no commission report for execution lonely/.test(l))).toBe(true)
    await c.close()
  })

  it('a cancel TWS cannot find (10147): TWS is asked, the order turns out filled → OrderNotFound; no cancel event', async () => {
    const world = new World()
    const {c, events} = await open(world)
    await c.submit(mkt)
    world.cancelAnswer = 'not-found'
    world.executions = [exec({execId: 'done'})]
    const e = await c.cancel('fake-1').then(() => undefined, (x: unknown) => x)
    expect(e).toMatchObject({kind: 'OrderNotFound'})
    expect((e as Error).message).toMatch(/filled/)
    expect(events.map((x) => x.kind)).toEqual(['ack', 'fill'])
    await c.close()
  })
  it('the same client order id submitted twice at once: one placeOrder, the other refused', async () => {
    const world = new World()
    const {c} = await open(world)
    const both = await Promise.all([c.submit(mkt), c.submit(mkt)].map((p) => p.then(() => 'ok', (e: unknown) => (e as {kind?: string}).kind)))
    expect(both.sort()).toEqual(['InvalidOrder', 'ok'])
    expect(world.placed.length).toBe(1)
    await c.close()
  })
  it('close() while connecting settles connect() with a NetworkError; close() with a commission awaited leaves no timer and emits nothing', async () => {
    const world = new World()
    world.silentConnect = true
    const {c} = await open(world, {connectTimeoutMs: 60_000}, false)
    const connecting = c.connect().then(() => undefined, (e: unknown) => e)
    await new Promise((r) => setImmediate(r))
    await c.close()
    expect(await connecting).toBeInstanceOf(NetworkError)

    const other = new World()
    const {c: d, events} = await open(other, {commissionWaitMs: 60_000})
    await d.submit(mkt)
    const before = process.getActiveResourcesInfo().filter((x) => x === 'Timeout').length
    other.last.emit('execDetails', -1, CONTRACT, exec({execId: 'waiting'}))
    expect(process.getActiveResourcesInfo().filter((x) => x === 'Timeout').length).toBe(before + 1)
    await d.close()
    expect(process.getActiveResourcesInfo().filter((x) => x === 'Timeout').length).toBeLessThanOrEqual(before)
    expect(events.map((x) => x.kind)).toEqual(['ack'])
  })
  it('reqOpenOrders and reqAllOpenOrders share one end marker: the second is sent only once the first has ended', async () => {
    const r = new Requests(coreRuntime, 1_000)
    const sent: string[] = []
    const first = r.single('openOrders', () => void sent.push('open'), 'allOpenOrders')
    const second = r.single('allOpenOrders', () => void sent.push('all'), 'openOrders')
    await new Promise((res) => setImmediate(res))
    expect(sent).toEqual(['open'])
    r.itemOf('openOrders', ['a'])
    r.itemOf('allOpenOrders', ['a'])
    r.endOf('openOrders')
    r.endOf('allOpenOrders')
    expect(await first).toEqual([['a']])
    await new Promise((res) => setImmediate(res))
    expect(sent).toEqual(['open', 'all'])
    r.itemOf('allOpenOrders', ['b'])
    r.endOf('allOpenOrders')
    expect(await second).toEqual([['b']])
  })

  it('an order of an earlier run that filled (not open at TWS, only its executions tell): answered filled by orderRef with the executions\' quantity and average price, its fills listed once', async () => {
    const world = new World()
    world.nextValidId = 120
    world.executions = [exec({execId: 'old.1', orderId: 90, orderRef: 'fake-old', shares: 1, cumQty: 1, price: 5000}), exec({execId: 'old.2', orderId: 90, orderRef: 'fake-old', shares: 2, cumQty: 3, price: 5001.5})]
    const {c, events} = await open(world)
    await c.settled()
    const state = await c.orderByClientId('fake-old')
    expect(state).toMatchObject({clientOrderId: 'fake-old', status: 'filled', filledQty: 3, avgFillPrice: 5001, venueOrderId: '90', side: 'buy', instrument: MES})
    const fills = await c.orderFills(state!)
    expect(fills.map((f) => [f.fillId, f.qty, f.price, f.clientOrderId])).toEqual([['old.1', 1, 5000, 'fake-old'], ['old.2', 2, 5001.5, 'fake-old']])
    // Asked again (every reconcile): the same answer, no event twice, nothing placed or cancelled.
    expect(await c.orderByClientId('fake-old')).toMatchObject({status: 'filled', filledQty: 3})
    expect(events.map((e) => e.kind)).toEqual(['ack', 'fill', 'fill'])
    expect(world.placed).toEqual([])
    expect(world.cancels).toEqual([])
    await expect(c.cancel('fake-old')).rejects.toMatchObject({kind: 'OrderNotFound'})
    // An earlier order with neither an open order nor an execution stays unknown (the engine decides).
    expect(await c.orderByClientId('fake-never')).toBeUndefined()
    await c.close()
  })

  it('1100, an order ended at TWS unheard of (its events lost), then 1102: the open-order list lacks it, no execution fills it → cancelled once; one its executions fill is not cancelled', async () => {
    const world = new World()
    const {c, events, statuses} = await open(world)
    await c.submit(mkt)
    await c.submit({...mkt, clientOrderId: 'fake-2', type: 'limit', limitPrice: 4000})
    await c.submit({...mkt, clientOrderId: 'fake-3', type: 'limit', limitPrice: 4000})
    // TWS lists only fake-3 from here.
    world.open = [{id: 102, ref: 'fake-3'}]
    world.last.emit('error', new Error('Connectivity between IB and Trader Workstation has been lost.'), 1100, -1)
    // fake-1 filled while away (its execution is listed), fake-2 was cancelled by the venue, fake-3 works.
    world.executions = [exec({execId: 'away', orderId: 100, orderRef: 'fake-1', cumQty: 1})]
    const seen = statuses.length
    world.last.emit('error', new Error('Connectivity between IB and Trader Workstation has been restored - data maintained.'), 1102, -1)
    await until('connected again', () => statuses.slice(seen).some((s) => s.kind === 'connected' && s.stream === 'events'), {ms: 1_000})
    await c.settled()
    const byId = (id: string) => events.filter((e) => (e.kind === 'fill' ? e.fill.clientOrderId : e.clientOrderId) === id).map((e) => e.kind)
    expect(byId('fake-1')).toEqual(['ack', 'fill'])
    expect(byId('fake-2')).toEqual(['ack', 'cancel'])
    expect(byId('fake-3')).toEqual(['ack'])
    expect(await c.orderByClientId('fake-2')).toMatchObject({status: 'cancelled'})
    expect(await c.orderByClientId('fake-3')).toMatchObject({status: 'working'})
    // Read again (a lookup, another 1102): nothing more.
    world.last.emit('error', new Error('restored - data maintained.'), 1102, -1)
    await c.settled()
    await c.orderByClientId('fake-3')
    expect(byId('fake-2')).toEqual(['ack', 'cancel'])
    expect(byId('fake-3')).toEqual(['ack'])
    expect(world.cancels).toEqual([])
    await c.close()
  })

  it('an order sent while the open-order list is in flight is not judged by that list', async () => {
    const world = new World()
    const {c, events} = await open(world)
    await c.submit(mkt)
    world.holdOpenOrders = true
    const asking = c.orderByClientId('fake-1')
    await until('the list asked', () => world.held.length === 1, {ms: 1_000})
    await c.submit({...mkt, clientOrderId: 'fake-late'})
    // The list answers as TWS had it when asked (fake-1 only); fake-late then ends unheard of.
    world.open = [{id: 100, ref: 'fake-1'}]
    for (const answer of world.held.splice(0)) answer()
    expect(await asking).toMatchObject({status: 'working'})
    await c.settled()
    expect(events.filter((e) => e.kind === 'cancel')).toEqual([])
    // The next list, asked after it was sent, does judge it.
    world.holdOpenOrders = false
    expect(await c.orderByClientId('fake-late')).toMatchObject({status: 'cancelled'})
    expect(events.filter((e) => e.kind === 'cancel').map((e) => (e as {clientOrderId: string}).clientOrderId)).toEqual(['fake-late'])
    await c.close()
  })

  it("an earlier run's order that ended without an execution: TWS's completed orders answer it (cancelled, as sent); one that filled with no execution left is unknown, never guessed; a TWS below version 150 is not asked", async () => {
    const world = new World()
    world.completed = [{ref: 'fake-cxl', status: 'Cancelled', qty: 2, filled: 0}, {ref: 'fake-old', status: 'Filled', qty: 5, filled: 5}]
    const {c, events} = await open(world)
    expect(await c.orderByClientId('fake-cxl')).toMatchObject({clientOrderId: 'fake-cxl', status: 'cancelled', filledQty: 0, qty: 2, type: 'limit', limitPrice: 4000, tif: 'gtc', side: 'buy', instrument: MES})
    expect(world.completedAsked).toEqual([true])
    await expect(c.orderByClientId('fake-old')).rejects.toBeInstanceOf(NetworkError)
    expect(await c.orderByClientId('fake-none')).toBeUndefined()
    expect(events).toEqual([])
    expect(world.placed).toEqual([])
    await c.close()

    const old = new World()
    old.serverVersion = 149
    old.completed = world.completed
    const {c: d} = await open(old)
    expect(await d.orderByClientId('fake-cxl')).toBeUndefined()
    expect(old.completedAsked).toEqual([])
    await d.close()
  })

  it("an earlier run's order partly filled, then cancelled: its executions give the fills, the completed order its end (cancelled, with the quantity sent)", async () => {
    const world = new World()
    world.executions = [exec({execId: 'part.1', orderId: 90, orderRef: 'fake-part', shares: 1, cumQty: 1, price: 5000})]
    world.completed = [{ref: 'fake-part', status: 'Cancelled', qty: 3, filled: 1}]
    const {c, events} = await open(world)
    await c.settled()
    const state = await c.orderByClientId('fake-part')
    expect(state).toMatchObject({status: 'cancelled', filledQty: 1, qty: 3, avgFillPrice: 5000, type: 'limit', venueOrderId: '90'})
    expect((await c.orderFills(state!)).map((f) => f.fillId)).toEqual(['part.1'])
    expect(await c.orderByClientId('fake-part')).toMatchObject({status: 'cancelled', filledQty: 1})
    expect(world.completedAsked).toEqual([true])
    expect(events.map((e) => e.kind)).toEqual(['ack', 'fill'])
    await c.close()
  })
})
