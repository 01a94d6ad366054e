// rick's OANDA connector (the real @oanda/v20 SDK for REST, rick's own stream reader) against the
// OANDA simulator over TCP on 127.0.0.1. The simulator is built from OANDA's reference by other
// hands; nothing here knows how it works inside, only its public switches (RunningSimulator.faults).
// Each test starts its own simulator on port 0 and waits for conditions with a bounded poll.
import {afterEach, describe, expect, it} from 'vitest'

import {createConnector} from '../../plugins/oanda/src/factory.js'
import {describeInstrument} from '../../plugins/oanda/src/instruments.js'
import {startOandaSimulator} from '../../plugins/oanda/src/sim/index.js'
import type {SectorConfig} from '../../src/foundation/config/types.js'
import {BrokerError, NetworkError} from '../../src/foundation/domain/broker-errors.js'
import type {Fill, OrderRequest, VenueEvent} from '../../src/foundation/domain/orders.js'
import type {Connector, ConnectorStatus, Tick} from '../../src/sectors/connector.js'
import {coreRuntime} from '../../src/sectors/core-runtime.js'
import type {RunningSimulator} from '../../src/sectors/definition.js'

const TOKEN_ENV = 'OANDA_TEST_TOKEN'
const cleanups: Array<() => Promise<void>> = []

afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c()
})

/** Polls `cond` every 10 ms until it holds; fails after `ms`. */
async function until(what: string, cond: () => boolean, ms = 5000): Promise<void> {
  const end = Date.now() + ms
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 10))
  }
}

interface Harness {
  sim: RunningSimulator
  c: Connector
  events: VenueEvent[]
  statuses: ConnectorStatus[]
  logs: string[]
}

async function simulator(startingCash = 100_000): Promise<RunningSimulator> {
  const sim = await startOandaSimulator({core: coreRuntime, seed: 11, startingCash, instruments: ['EUR_USD', 'USD_JPY']})
  cleanups.push(() => sim.close())
  return sim
}

async function connector(sim: RunningSimulator, o: {token?: string; timeoutMs?: number; connect?: boolean} = {}): Promise<Harness> {
  const sector: SectorConfig = {
    name: 'fx', venue: 'oanda', enabled: true, mode: 'practice', profile: 'Balanced', risk: {}, instruments: ['EUR_USD', 'USD_JPY'], strategy: {name: 'sma', params: {}}, secretsFiles: [],
    connection: {accountId: sim.accountId, tokenEnv: TOKEN_ENV, restUrl: sim.endpoints.rest, streamUrl: sim.endpoints.stream, timeoutMs: o.timeoutMs ?? 5000},
  }
  const logs: string[] = []
  const c = await createConnector({
    sector, mode: 'practice', secrets: {[TOKEN_ENV]: o.token ?? String(sim.credentials.token)}, instruments: ['EUR_USD', 'USD_JPY'].map((i) => describeInstrument(i)),
    clock: {now: () => Date.now()}, log: (m) => void logs.push(m), core: coreRuntime,
  })
  cleanups.push(() => c.close())
  const events: VenueEvent[] = []
  const statuses: ConnectorStatus[] = []
  c.onEvent((e) => void events.push(e))
  c.onStatus?.((s) => void statuses.push(s))
  if (o.connect !== false) {
    await c.connect()
    await until('the events stream', () => statuses.some((s) => s.kind === 'connected' && s.stream === 'events'))
  }
  return {sim, c, events, statuses, logs}
}

const order = (o: Partial<OrderRequest>): OrderRequest => ({clientOrderId: 'x', instrument: 'EUR_USD', side: 'buy', type: 'market', qty: 1000, tif: 'gtc', ...o})
const of = (h: Harness, id: string, kind?: VenueEvent['kind']): VenueEvent[] => h.events.filter((e) => (e.kind === 'fill' ? e.fill.clientOrderId : e.clientOrderId) === id && (kind === undefined || e.kind === kind))
const fillsOf = (h: Harness, id: string): Fill[] => of(h, id, 'fill').map((e) => (e as {fill: Fill}).fill)
const connectedCount = (h: Harness): number => h.statuses.filter((s) => s.kind === 'connected' && s.stream === 'events').length

describe('OANDA connector against the simulator', () => {
  it('a market order with a bracket: ack and fill once (fillId = the fill transaction id), then the exits acked from the stream', async () => {
    const h = await connector(await simulator())
    const before = Date.now() - 60_000
    await h.c.submit(order({clientOrderId: 'm-1', bracket: {stopLoss: 1.0, takeProfit: 1.3}}))
    // The exits' acks come only from the stream, after the fill: once they are here, the stream's copy of the fill has been seen.
    await until('the bracket acks', () => of(h, 'm-1-tp', 'ack').length === 1 && of(h, 'm-1-sl', 'ack').length === 1)
    expect(of(h, 'm-1').map((e) => e.kind)).toEqual(['ack', 'fill'])
    const [fill] = fillsOf(h, 'm-1')
    expect(fill).toMatchObject({instrument: 'EUR_USD', side: 'buy', qty: 1000, liquidity: 'taker'})
    const venueFills = await h.c.recentFills?.(before)
    expect(venueFills?.map((f) => f.fillId)).toEqual([fill?.fillId])
    expect(venueFills?.[0]).toEqual(fill)
    expect(h.events.map((e) => e.kind)).toEqual(['ack', 'fill', 'ack', 'ack'])
    expect(await h.c.orderByClientId('m-1')).toMatchObject({status: 'filled', filledQty: 1000, avgFillPrice: fill?.price, venueOrderId: (of(h, 'm-1', 'ack')[0] as {venueOrderId: string}).venueOrderId})
    expect(await h.c.orderByClientId('never-sent')).toBeUndefined()
    const exits = await h.c.openOrders()
    expect(exits.map((o) => [o.clientOrderId, o.type, o.side, o.qty, o.parentId])).toEqual([['m-1-tp', 'limit', 'sell', 1000, 'm-1'], ['m-1-sl', 'stop', 'sell', 1000, 'm-1']])
  })

  it('a resting limit order, then its cancel: one ack, one cancel, gone from openOrders', async () => {
    const h = await connector(await simulator())
    await h.c.submit(order({clientOrderId: 'l-1', type: 'limit', limitPrice: 0.9, qty: 2000}))
    expect(of(h, 'l-1').map((e) => e.kind)).toEqual(['ack'])
    expect(await h.c.openOrders()).toEqual([expect.objectContaining({clientOrderId: 'l-1', status: 'working', type: 'limit', limitPrice: 0.9, qty: 2000, side: 'buy'})])
    await h.c.cancel('l-1')
    expect(of(h, 'l-1').map((e) => e.kind)).toEqual(['ack', 'cancel'])
    expect(of(h, 'l-1', 'cancel')[0]).toMatchObject({reason: 'CLIENT_REQUEST'})
    expect(await h.c.openOrders()).toEqual([])
    expect(await h.c.orderByClientId('l-1')).toMatchObject({status: 'cancelled'})
    await expect(h.c.cancel('l-1')).rejects.toMatchObject({kind: 'OrderNotFound'})
    // A later stream round (a new order's ack from the stream side) has not repeated the cancel.
    await h.c.submit(order({clientOrderId: 'l-2', type: 'limit', limitPrice: 0.9}))
    await h.c.submit(order({clientOrderId: 'm-2', bracket: {stopLoss: 1.0, takeProfit: 1.3}}))
    await until('m-2 exits', () => of(h, 'm-2-sl', 'ack').length === 1)
    expect(of(h, 'l-1').length).toBe(2)
  })

  it('OANDA\'s rejects are BrokerErrors with its reason, and no event; insufficient margin is a cancel with its reason', async () => {
    const h = await connector(await simulator(1000))
    await h.c.submit(order({clientOrderId: 'ok-1', qty: 10}))
    const dup = await h.c.submit(order({clientOrderId: 'ok-1', qty: 10})).catch((e: unknown) => e)
    expect(dup).toBeInstanceOf(BrokerError)
    expect(dup).toMatchObject({kind: 'InvalidOrder', venueCode: 'CLIENT_ORDER_ID_ALREADY_EXISTS'})
    const huge = await h.c.submit(order({clientOrderId: 'huge', qty: 500_000_000})).catch((e: unknown) => e)
    expect(huge).toMatchObject({kind: 'InvalidOrder', venueCode: 'UNITS_LIMIT_EXCEEDED'})
    await h.c.submit(order({clientOrderId: 'big', qty: 10_000_000}))
    expect(of(h, 'big')).toEqual([expect.objectContaining({kind: 'ack'}), expect.objectContaining({kind: 'cancel', reason: 'INSUFFICIENT_MARGIN'})])
    await h.c.submit(order({clientOrderId: 'ok-2', qty: 10, bracket: {stopLoss: 1.0, takeProfit: 1.3}}))
    await until('ok-2 exits', () => of(h, 'ok-2-sl', 'ack').length === 1)
    expect(of(h, 'huge')).toEqual([])
    expect(of(h, 'ok-1').map((e) => e.kind)).toEqual(['ack', 'fill'])
    expect(await h.c.positions()).toEqual([expect.objectContaining({instrument: 'EUR_USD', qty: 20})])
  })

  it('positions and account agree with the sum of the fill events', async () => {
    const h = await connector(await simulator())
    const start = await h.c.account()
    const sides: Array<[string, 'buy' | 'sell', number]> = [['p-1', 'buy', 1000], ['p-2', 'buy', 500], ['p-3', 'sell', 300], ['p-4', 'sell', 2000]]
    for (const [id, side, qty] of sides) await h.c.submit(order({clientOrderId: id, side, qty}))
    const fills = sides.flatMap(([id]) => fillsOf(h, id))
    expect(fills.length).toBe(4)
    // FIFO lots, as OANDA closes trades: net position, average open price, realized P&L (USD quote = USD account).
    const lots: Array<{qty: number; price: number}> = []
    let realized = 0
    for (const f of fills) {
      let q = f.side === 'buy' ? f.qty : -f.qty
      while (q !== 0 && lots.length > 0 && Math.sign(lots[0]!.qty) !== Math.sign(q)) {
        const lot = lots[0]!
        const n = Math.min(Math.abs(q), Math.abs(lot.qty)) * Math.sign(lot.qty)
        realized += n * (f.price - lot.price)
        lot.qty -= n
        q += n
        if (lot.qty === 0) lots.shift()
      }
      if (q !== 0) lots.push({qty: q, price: f.price})
    }
    const net = lots.reduce((s, l) => s + l.qty, 0)
    const avg = lots.reduce((s, l) => s + l.qty * l.price, 0) / net
    expect(net).toBe(-800)
    const [position] = await h.c.positions()
    expect(position?.instrument).toBe('EUR_USD')
    expect(position?.qty).toBe(net)
    expect(position?.avgPrice).toBeCloseTo(avg, 5)
    const fees = fills.reduce((s, f) => s + f.fee, 0)
    const account = await h.c.account()
    // OANDA keeps money to 1e-4: the balance is within one hundred micro units per fill of ours.
    expect(Math.abs(account.cash - (start.cash + Math.round(realized * 1e6) - fees))).toBeLessThanOrEqual(400)
    expect(account.currency).toBe('USD')
    expect(account.buyingPower).toBeLessThan(account.equity)
  })

  it('candles: complete mid bars, oldest first, paged', async () => {
    const h = await connector(await simulator())
    const latest = await h.c.history?.({instrument: 'EUR_USD', periodMs: 60_000, count: 120})
    expect(latest?.length).toBe(120)
    latest?.forEach((b, i) => {
      expect(b.low).toBeLessThanOrEqual(Math.min(b.open, b.close))
      expect(b.high).toBeGreaterThanOrEqual(Math.max(b.open, b.close))
      if (i > 0) expect(b.ts - (latest[i - 1] as {ts: number}).ts).toBe(60_000)
    })
    const from = (latest?.[0]?.ts ?? 0) + 60_000
    const range = await h.c.history?.({instrument: 'EUR_USD', periodMs: 60_000, from, to: from + 30 * 60_000})
    expect(range?.map((b) => b.ts)).toEqual(latest?.slice(1, 31).map((b) => b.ts))
    expect(range?.[0]).toEqual(latest?.[1])
    const s5 = await h.c.history?.({instrument: 'USD_JPY', periodMs: 5_000, count: 10})
    expect(s5?.length).toBe(10)
    const days = await h.c.history?.({instrument: 'EUR_USD', periodMs: 86_400_000, count: 3})
    expect(days?.length).toBe(3)
    expect(days?.every((b) => b.ts % 86_400_000 === 0)).toBe(true)
    await expect(h.c.history?.({instrument: 'EUR_USD', periodMs: 7_000})).rejects.toMatchObject({kind: 'Unsupported'})
  })

  it('ticks flow from the price stream, with heartbeats of the venue\'s time', async () => {
    const h = await connector(await simulator())
    const ticks: Tick[] = []
    const sub = h.c.subscribeTicks?.(['EUR_USD', 'USD_JPY'], (t) => void ticks.push(t))
    await until('ticks of both instruments', () => ticks.some((t) => t.instrument === 'EUR_USD') && ticks.some((t) => t.instrument === 'USD_JPY'))
    for (const t of ticks) {
      expect(t.bid).toBeLessThan(t.ask)
      expect(t.price).toBeCloseTo((t.bid + t.ask) / 2, 10)
    }
    expect(h.statuses.some((s) => s.kind === 'connected' && s.stream === 'prices')).toBe(true)
    sub?.close()
  })

  it('a dropped stream: disconnected, reconnected, and what happened meanwhile is caught up, once', async () => {
    const sim = await simulator()
    const a = await connector(sim)
    const b = await connector(sim)
    await a.sim.faults.act('dropStreams')
    await until('b disconnected', () => b.statuses.some((s) => s.kind === 'disconnected' && s.stream === 'events'))
    // While b is away, a trades: b learns it only from its catch-up at reconnect.
    await a.c.submit(order({clientOrderId: 'c-1', bracket: {stopLoss: 1.0, takeProfit: 1.3}}))
    const traded = Date.now()
    await until('b reconnected', () => connectedCount(b) >= 2)
    // b came back (its first wait is at least 250 ms) after the trade: it had them from the catch-up.
    expect((b.statuses.filter((s) => s.kind === 'connected' && s.stream === 'events')[1] as {ts: number}).ts).toBeGreaterThanOrEqual(traded)
    await until('b caught up', () => of(b, 'c-1-sl', 'ack').length === 1)
    expect(b.events.map((e) => `${e.kind}:${e.kind === 'fill' ? e.fill.clientOrderId : e.clientOrderId}`)).toEqual(['ack:c-1', 'fill:c-1', 'ack:c-1-tp', 'ack:c-1-sl'])
    expect(fillsOf(b, 'c-1')).toEqual(fillsOf(a, 'c-1'))
    const lost = b.statuses.find((s) => s.kind === 'disconnected') as {retryInMs?: number}
    expect(lost.retryInMs).toBeGreaterThan(0)
    expect(b.logs.some((l) => l.includes('events stream disconnected'))).toBe(true)
  })

  it('a fill the stream never sends is fetched (the id gap), once', async () => {
    const sim = await simulator()
    const a = await connector(sim)
    const b = await connector(sim)
    sim.faults.set({missFill: 1})
    await a.c.submit(order({clientOrderId: 'g-1', bracket: {stopLoss: 1.0, takeProfit: 1.3}}))
    await until('b has the exits', () => of(b, 'g-1-sl', 'ack').length === 1)
    expect(b.events.map((e) => e.kind)).toEqual(['ack', 'fill', 'ack', 'ack'])
  })

  it('a submit without an answer is a NetworkError (unknown), never resent; the order\'s events still come', async () => {
    const sim = await simulator()
    const h = await connector(sim, {timeoutMs: 1000})
    sim.faults.set({submitTimeout: 1, submitTimeoutHoldMs: 4000})
    const started = Date.now()
    const e = await h.c.submit(order({clientOrderId: 't-1', bracket: {stopLoss: 1.0, takeProfit: 1.3}})).catch((x: unknown) => x)
    expect(e).toBeInstanceOf(NetworkError)
    expect(e).toMatchObject({kind: 'Timeout'})
    expect(Date.now() - started).toBeLessThan(3000)
    await until('t-1 events from the stream', () => of(h, 't-1-sl', 'ack').length === 1)
    expect(of(h, 't-1').map((x) => x.kind)).toEqual(['ack', 'fill'])
    expect(await h.c.orderByClientId('t-1')).toMatchObject({status: 'filled', filledQty: 1000})
    expect(await h.c.positions()).toEqual([expect.objectContaining({qty: 1000})])
  })

  it('a 503 on submit is a NetworkError; the venue never saw the order', async () => {
    const sim = await simulator()
    const h = await connector(sim)
    sim.faults.set({http5xx: 1})
    await expect(h.c.submit(order({clientOrderId: 'u-1'}))).rejects.toMatchObject({kind: 'Disconnected'})
    expect(await h.c.orderByClientId('u-1')).toBeUndefined()
    sim.faults.set({http429: 1})
    expect(await h.c.positions()).toEqual([])
  })

  it('401: a fatal status naming the token variable, no retry loop', async () => {
    const sim = await simulator()
    const h = await connector(sim)
    sim.faults.set({revokeToken: true})
    const e = await h.c.account().catch((x: unknown) => x)
    expect(e).toMatchObject({kind: 'AuthFailed', message: expect.stringContaining(TOKEN_ENV)})
    const fatal = h.statuses.filter((s) => s.kind === 'fatal')
    expect(fatal).toEqual([expect.objectContaining({code: 'AuthFailed', message: expect.stringContaining(TOKEN_ENV)})])
    await expect(h.c.submit(order({clientOrderId: 'z'}))).rejects.toMatchObject({kind: 'AuthFailed'})
    expect(h.statuses.filter((s) => s.kind === 'fatal').length).toBe(1)
  })

  it('a wrong token at connect: AuthFailed thrown, fatal, nothing left running', async () => {
    const sim = await simulator()
    const h = await connector(sim, {token: 'wrong-token', connect: false})
    await expect(h.c.connect()).rejects.toMatchObject({kind: 'AuthFailed', message: expect.stringContaining(TOKEN_ENV)})
    expect(h.statuses.map((s) => s.kind)).toEqual(['fatal'])
    expect(JSON.stringify(h.statuses) + h.logs.join('\n')).not.toContain(String(sim.credentials.token))
  })
})
