// The real @stoqey/ib client (1.6, server version 193) against the wire over TCP, with a fake
// broker behind it. Every answer must arrive parsed into the client's own event objects with the
// values the broker gave — and the client's decoder must not complain: it reports any field left
// over ("unprocessed data left on queue") or missing ("Underrun error"), so a layout that is off
// by one field fails here.
import {BarSizeSetting, type Contract, EventName, IBApi, type Order, OrderAction, OrderType, SecType, type WhatToShow} from '@stoqey/ib'
import {afterEach, beforeEach, describe, expect, it} from 'vitest'

import type {TwsServerHandle} from '../../../../../plugins/ibkr/src/sim/seam.js'
import {startTwsServer} from '../../../../../plugins/ibkr/src/sim/wire/server.js'
import {ManualWall} from '../../../../../src/sectors/sim/clock.js'
import {FakeBroker, MES, SPY, T0} from './fake-broker.js'
import {until} from './raw-client.js'

type Ev = {name: string; args: unknown[]}

let broker: FakeBroker
let server: TwsServerHandle
const apis: IBApi[] = []

beforeEach(async () => {
  broker = new FakeBroker()
  server = await startTwsServer({broker, wall: new ManualWall(0), port: 0})
})
afterEach(async () => {
  for (const ib of apis.splice(0)) ib.disconnect()
  await server.close()
})

const WATCHED = [
  EventName.nextValidId, EventName.managedAccounts, EventName.error, EventName.info, EventName.contractDetails, EventName.contractDetailsEnd,
  EventName.openOrder, EventName.openOrderEnd, EventName.orderStatus, EventName.execDetails, EventName.execDetailsEnd, EventName.commissionReport,
  EventName.position, EventName.positionEnd, EventName.accountSummary, EventName.accountSummaryEnd, EventName.realtimeBar,
  EventName.historicalData, EventName.tickPrice, EventName.tickSize, EventName.tickReqParams, EventName.currentTime, EventName.disconnected,
  EventName.updateAccountValue, EventName.accountDownloadEnd, EventName.marketDataType,
]

class Client {
  readonly events: Ev[] = []
  constructor(readonly ib: IBApi) {
    const on = ib.on.bind(ib) as (event: string, listener: (...args: unknown[]) => void) => IBApi
    for (const name of WATCHED) on(name, (...args: unknown[]) => this.events.push({name, args}))
  }
  of(name: EventName): unknown[][] {
    return this.events.filter((e) => e.name === name).map((e) => e.args)
  }
  /** What the client's own decoder said about our bytes (none is the only right answer). */
  decodeProblems(): string[] {
    return this.of(EventName.error).map((a) => String((a[0] as Error).message)).filter((m) => /Decoding error|Underrun|unprocessed|Unsupported Version/i.test(m))
  }
  async wait(name: EventName, count = 1, what = name): Promise<unknown[][]> {
    await until(() => this.of(name).length >= count, what)
    return this.of(name)
  }
}

async function connect(clientId: number, maxReqPerSec = 40): Promise<Client> {
  const ib = new IBApi({host: '127.0.0.1', port: server.port, clientId, maxReqPerSec})
  apis.push(ib)
  const c = new Client(ib)
  ib.connect()
  await c.wait(EventName.managedAccounts)
  await until(() => c.of(EventName.info).length >= 3, 'farm messages')
  return c
}

const mesContract: Contract = {symbol: 'MES', secType: SecType.FUT, exchange: 'CME', currency: 'USD', lastTradeDateOrContractMonth: '202612'}

describe('@stoqey/ib against the wire', () => {
  it('connects at 193: nextValidId, managedAccounts, the farm messages as info', async () => {
    broker.nextId = 1001
    const c = await connect(1)
    expect(c.ib.serverVersion).toBe(193)
    expect(c.of(EventName.nextValidId)).toEqual([[1001]])
    expect(c.of(EventName.managedAccounts)).toEqual([['DU1234567']])
    expect(c.of(EventName.info).map((a) => a[1])).toEqual([2104, 2106, 2158])
    c.ib.reqCurrentTime()
    expect((await c.wait(EventName.currentTime))[0]).toEqual([T0 / 1000])
    expect(c.decodeProblems()).toEqual([])
  })

  it('answers contract details with every field the client reads', async () => {
    const c = await connect(1)
    c.ib.reqContractDetails(11, mesContract)
    await c.wait(EventName.contractDetailsEnd)
    const [[reqId, d]] = c.of(EventName.contractDetails) as [[number, Record<string, unknown> & {contract: Contract}]]
    expect(reqId).toBe(11)
    expect(d.contract).toMatchObject({conId: MES.conId, symbol: 'MES', secType: 'FUT', lastTradeDateOrContractMonth: '20261218', multiplier: 5, exchange: 'CME', currency: 'USD', localSymbol: 'MESZ6', tradingClass: 'MES', lastTradeDate: '20261218'})
    expect(d).toMatchObject({minTick: 0.25, timeZoneId: 'US/Central', contractMonth: '202612', realExpirationDate: '20261218', tradingHours: '20261207:1700-20261208:1600', longName: 'Micro E-Mini S&P 500 Stock Price Index', minSize: 1, sizeIncrement: 1, orderTypes: 'LMT,MKT,STP,STP LMT'})
    expect(broker.placed).toEqual([])
    c.ib.reqContractDetails(12, {symbol: 'NOPE', secType: SecType.STK, exchange: 'SMART', currency: 'USD'})
    await until(() => c.of(EventName.error).some((a) => a[1] === 200), 'error 200')
    expect(c.of(EventName.error).find((a) => a[1] === 200)?.[2]).toBe(12)
    expect(c.decodeProblems()).toEqual([])
  })

  it('places a market order: the broker gets the decoded order; openOrder, orderStatus, execDetails and commissionReport arrive parsed', async () => {
    broker.nextId = 5
    const c = await connect(3)
    const order: Order = {action: OrderAction.BUY, orderType: OrderType.MKT, totalQuantity: 2, orderRef: 'rick-abc-1', transmit: true, tif: 'DAY', account: 'DU1234567'}
    c.ib.placeOrder(5, {...mesContract, conId: MES.conId}, order)
    await c.wait(EventName.commissionReport)
    await c.wait(EventName.orderStatus, 2)
    const placed = broker.placed[0]
    expect(placed?.contract).toMatchObject({conId: MES.conId, symbol: 'MES', secType: 'FUT', lastTradeDateOrContractMonth: '202612', exchange: 'CME'})
    expect(placed?.order).toEqual({
      orderId: 5, clientId: 3, permId: 0, action: 'BUY', totalQuantity: '2', orderType: 'MKT', lmtPrice: null, auxPrice: null, tif: 'DAY',
      ocaGroup: '', ocaType: 0, orderRef: 'rick-abc-1', transmit: true, parentId: 0, outsideRth: false, account: 'DU1234567',
    })
    const [first] = c.of(EventName.openOrder) as Array<[number, Contract, Order, {status: string; commission?: number}]>
    expect(first?.[0]).toBe(5)
    expect(first?.[1]).toMatchObject({conId: MES.conId, symbol: 'MES', multiplier: 5, localSymbol: 'MESZ6'})
    expect(first?.[2]).toMatchObject({orderId: 5, action: 'BUY', totalQuantity: 2, orderType: 'MKT', orderRef: 'rick-abc-1', clientId: 3, permId: 900001, tif: 'DAY', account: 'DU1234567', parentId: 0, ocaType: 0})
    expect(first?.[2].lmtPrice).toBeUndefined()
    expect(first?.[3]).toMatchObject({status: 'Submitted'})
    expect(first?.[3].commission).toBeUndefined()
    const filledOpen = c.of(EventName.openOrder)[1] as [number, Contract, Order, {status: string; commission?: number; commissionCurrency: string}]
    expect(filledOpen[3]).toMatchObject({status: 'Filled', commission: 0.62, commissionCurrency: 'USD'})
    expect(c.of(EventName.orderStatus)).toEqual([
      [5, 'Submitted', 0, 2, 0, 900001, 0, 0, 3, '', 0],
      [5, 'Filled', 2, 0, 6000.25, 900001, 0, 6000.25, 3, '', 0],
    ])
    const [[reqId, exContract, exec]] = c.of(EventName.execDetails) as [[number, Contract, Record<string, unknown>]]
    expect(reqId).toBe(-1)
    expect(exContract).toMatchObject({conId: MES.conId, symbol: 'MES', multiplier: 5})
    expect(exec).toMatchObject({orderId: 5, execId: '0000e0d5.6576fd3a.01.01', time: '20261208-15:00:00', acctNumber: 'DU1234567', exchange: 'CME', side: 'BOT', shares: 2, price: 6000.25, permId: 900001, clientId: 3, cumQty: 2, avgPrice: 6000.25, orderRef: 'rick-abc-1', lastLiquidity: 2})
    expect(c.of(EventName.commissionReport)).toEqual([[expect.objectContaining({execId: '0000e0d5.6576fd3a.01.01', commission: 0.62, currency: 'USD', realizedPNL: undefined})]])
    expect(c.decodeProblems()).toEqual([])
  })

  it('places a bracket: limit prices, stop trigger, parentId, transmit flags and the OCA group reach the broker; cancels answer', async () => {
    const c = await connect(2)
    const contract = {...mesContract, conId: MES.conId}
    c.ib.placeOrder(10, contract, {action: OrderAction.BUY, orderType: OrderType.LMT, lmtPrice: 5990.5, totalQuantity: 1, transmit: false, orderRef: 'e'})
    c.ib.placeOrder(11, contract, {action: OrderAction.SELL, orderType: OrderType.STP, auxPrice: 5980.25, totalQuantity: 1, parentId: 10, transmit: false, ocaGroup: 'oca-10', ocaType: 1, orderRef: 'e-sl'})
    c.ib.placeOrder(12, contract, {action: OrderAction.SELL, orderType: OrderType.LMT, lmtPrice: 6010.75, totalQuantity: 1, parentId: 10, transmit: true, ocaGroup: 'oca-10', ocaType: 1, outsideRth: true, orderRef: 'e-tp'})
    await until(() => broker.placed.length === 3, 'three orders')
    expect(broker.placed.map((p) => [p.order.orderId, p.order.orderType, p.order.lmtPrice, p.order.auxPrice, p.order.parentId, p.order.transmit, p.order.ocaGroup, p.order.ocaType, p.order.outsideRth, p.order.orderRef])).toEqual([
      [10, 'LMT', 5990.5, null, 0, false, '', 0, false, 'e'],
      [11, 'STP', null, 5980.25, 10, false, 'oca-10', 1, false, 'e-sl'],
      [12, 'LMT', 6010.75, null, 10, true, 'oca-10', 1, true, 'e-tp'],
    ])
    await c.wait(EventName.openOrder, 3)
    const child = c.of(EventName.openOrder)[1] as [number, Contract, Order]
    expect(child[2]).toMatchObject({orderType: 'STP', auxPrice: 5980.25, parentId: 10, ocaGroup: 'oca-10', ocaType: 1})
    c.ib.reqOpenOrders()
    await c.wait(EventName.openOrderEnd)
    expect(c.of(EventName.openOrder)).toHaveLength(6)
    c.ib.cancelOrder(12)
    c.ib.cancelOrder(99)
    await until(() => c.of(EventName.error).filter((a) => a[1] === 202 || a[1] === 10147).length === 2, 'cancel answers')
    expect(broker.cancels).toEqual([{clientId: 2, orderId: 12}, {clientId: 2, orderId: 99}])
    expect(c.of(EventName.error).filter((a) => a[1] === 202 || a[1] === 10147).map((a) => [a[1], a[2]])).toEqual([[202, 12], [10147, 99]])
    expect(c.of(EventName.orderStatus).at(-1)?.slice(0, 2)).toEqual([12, 'Cancelled'])
    expect(c.decodeProblems()).toEqual([])
  })

  it('answers positions, the account summary, executions and account updates', async () => {
    const c = await connect(1)
    c.ib.placeOrder(1, {conId: SPY.conId, exchange: 'SMART', symbol: 'SPY', secType: SecType.STK, currency: 'USD'}, {action: OrderAction.SELL, orderType: OrderType.MKT, totalQuantity: 10, transmit: true, orderRef: 'r1'})
    await c.wait(EventName.commissionReport)
    c.ib.reqPositions()
    await c.wait(EventName.positionEnd)
    expect(c.of(EventName.position)).toEqual([['DU1234567', expect.objectContaining({conId: SPY.conId, symbol: 'SPY', secType: 'STK', currency: 'USD', tradingClass: 'SPY'}), -10, 6000.25]])
    c.ib.reqAccountSummary(7, 'All', 'NetLiquidation,TotalCashValue,AccountType')
    await c.wait(EventName.accountSummaryEnd)
    expect(c.of(EventName.accountSummary)).toEqual([
      [7, 'DU1234567', 'NetLiquidation', '100000.00', 'USD'],
      [7, 'DU1234567', 'TotalCashValue', '99000.50', 'USD'],
      [7, 'DU1234567', 'AccountType', 'INDIVIDUAL', ''],
    ])
    c.ib.reqExecutions(8, {})
    await c.wait(EventName.execDetailsEnd)
    const answered = c.of(EventName.execDetails).filter((a) => a[0] === 8) as Array<[number, Contract, {execId: string; side: string; shares: number}]>
    expect(answered.map((a) => [a[2].execId, a[2].side, a[2].shares])).toEqual([['0000e0d5.6576fd3a.01.01', 'SLD', 10]])
    expect(c.of(EventName.commissionReport)).toHaveLength(2)
    c.ib.reqExecutions(9, {time: '20261208-15:00:01'})
    await until(() => c.of(EventName.execDetailsEnd).length === 2, 'second end')
    expect(c.of(EventName.execDetails).filter((a) => a[0] === 9)).toEqual([])
    c.ib.reqAccountUpdates(true, 'DU1234567')
    await c.wait(EventName.accountDownloadEnd)
    expect(c.of(EventName.updateAccountValue)).toContainEqual(['NetLiquidation', '100000.00', 'USD', 'DU1234567'])
    expect(c.decodeProblems()).toEqual([])
  })

  it('streams real-time bars until cancelled, and answers historical bars with the request parsed', async () => {
    const c = await connect(1)
    c.ib.reqRealTimeBars(21, mesContract, 5, 'TRADES', false)
    await until(() => broker.listenerCount(broker.barListeners) === 1, 'bar subscription')
    broker.pushBar(MES.conId, {time: T0 / 1000, open: 6000, high: 6001.25, low: 5999.75, close: 6001, volume: '37', wap: 6000.5, count: 12})
    const [[reqId, time, o, h, l, cl, vol, wap, count]] = (await c.wait(EventName.realtimeBar)) as [unknown[]]
    expect([reqId, time, o, h, l, cl, vol, wap, count]).toEqual([21, T0 / 1000, 6000, 6001.25, 5999.75, 6001, 37, 6000.5, 12])
    c.ib.cancelRealTimeBars(21)
    await until(() => broker.listenerCount(broker.barListeners) === 0, 'unsubscribed')

    c.ib.reqHistoricalData(22, mesContract, '', '1800 S', BarSizeSetting.MINUTES_ONE, 'TRADES', 0, 2, false)
    await until(() => c.of(EventName.historicalData).some((a) => String(a[1]).startsWith('finished')), 'historical end')
    expect(broker.historyRequests[0]).toEqual({conId: MES.conId, endTs: T0, durationSec: 1800, barSizeSec: 60, whatToShow: 'TRADES', useRth: false})
    const rows = c.of(EventName.historicalData)
    expect(rows).toHaveLength(31)
    expect(rows[0]).toEqual([22, String(T0 / 1000 - 1800), 6007.5, 6008, 6007.25, 6007.75, 130, 40, 6007.625, undefined])
    expect(rows[30]?.[1]).toBe('finished-20261208 14:30:00 UTC-20261208 15:00:00 UTC')

    c.ib.reqHistoricalData(23, mesContract, '20261208 14:00:00 US/Eastern', '2 D', BarSizeSetting.HOURS_ONE, 'TRADES', 1, 1, false)
    await until(() => c.of(EventName.historicalData).filter((a) => String(a[1]).startsWith('finished')).length === 2, 'second end')
    expect(broker.historyRequests[1]).toMatchObject({endTs: Date.UTC(2026, 11, 8, 19, 0, 0), durationSec: 172_800, barSizeSec: 3600, useRth: true})
    expect(c.of(EventName.historicalData).find((a) => a[0] === 23)?.[1]).toBe('20261206 19:00:00 UTC')

    c.ib.reqHistoricalData(24, mesContract, '', '1800 S', '7 mins' as BarSizeSetting, 'TRADES', 0, 2, false)
    c.ib.reqHistoricalData(25, mesContract, '', '1800 S', BarSizeSetting.MINUTES_ONE, 'BOGUS' as WhatToShow, 0, 2, false)
    await until(() => c.of(EventName.error).filter((a) => a[2] === 24 || a[2] === 25).length === 2, 'historical errors')
    expect(c.of(EventName.error).filter((a) => a[2] === 24 || a[2] === 25).map((a) => a[1])).toEqual([321, 162])
    expect(c.decodeProblems()).toEqual([])
  })

  it('streams top-of-book ticks for reqMktData', async () => {
    const c = await connect(1)
    c.ib.reqMarketDataType(1)
    c.ib.reqMktData(31, {conId: SPY.conId, exchange: 'SMART'}, '', false, false)
    await until(() => broker.listenerCount(broker.quoteListeners) === 1, 'quote subscription')
    broker.pushQuote(SPY.conId, {bid: 601.25, ask: 601.27, last: 601.26, bidSize: '300', askSize: '200', lastSize: '100'})
    broker.pushQuote(SPY.conId, {bid: 601.25, ask: 601.28, last: 601.26, bidSize: '400', askSize: '200', lastSize: '100'})
    await until(() => c.of(EventName.tickPrice).length === 4, 'ticks')
    expect(c.of(EventName.marketDataType)).toEqual([[31, 1]])
    expect(c.of(EventName.tickPrice).map((a) => a.slice(0, 3))).toEqual([[31, 1, 601.25], [31, 2, 601.27], [31, 4, 601.26], [31, 2, 601.28]])
    // @stoqey/ib derives the size tick of each tickPrice itself, except BID_SIZE (tick type 0 is
    // falsy in its decoder); a size change at an unchanged price comes as tickSize.
    await until(() => c.of(EventName.tickSize).length === 4, 'sizes')
    expect(c.of(EventName.tickSize).map((a) => a.slice(0, 3))).toEqual([[31, 3, 200], [31, 5, 100], [31, 0, 400], [31, 3, 200]])
    c.ib.cancelMktData(31)
    await until(() => broker.listenerCount(broker.quoteListeners) === 0, 'unsubscribed')
    expect(c.decodeProblems()).toEqual([])
  })

  it('tells a second client with the same id 326 (as info: reqId -1) and closes its connection', async () => {
    await connect(5)
    const ib = new IBApi({host: '127.0.0.1', port: server.port, clientId: 5, maxReqPerSec: 40})
    apis.push(ib)
    const c = new Client(ib)
    ib.connect()
    await c.wait(EventName.disconnected)
    expect(c.of(EventName.info).map((a) => a[1])).toEqual([326])
    expect(c.of(EventName.nextValidId)).toEqual([])
    expect(server.clients()).toEqual([5])
  })

  it('answers a client past 50 messages a second with error 100 and disconnects it', async () => {
    const c = await connect(6, 1000)
    for (let i = 0; i < 80; i++) c.ib.reqCurrentTime()
    await c.wait(EventName.disconnected)
    expect(c.of(EventName.info).concat(c.of(EventName.error)).map((a) => a[1])).toContain(100)
    expect(c.of(EventName.currentTime).length).toBeLessThan(50)
    expect(server.clients()).toEqual([])
  })
})
