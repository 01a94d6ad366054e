// The conformance cases: what every Connector must do, whatever the venue. Each case is plain data
// (a name and a function of a fixture) so the suite can run it per venue and the self-test can run
// it against deliberately broken connectors (selftest.test.ts: every case can fail).
//
// Choices the contract leaves open, decided here:
// - A refused order is EITHER a thrown BrokerError OR one `reject` event before submit() resolves,
//   never both (the engine handles both; a venue that works asynchronously may only have the event).
//   A reused client order id is always a thrown BrokerError with no `reject` event: such an event
//   would carry the id of the FIRST order and close it in the engine's books.
// - "No timers left" is checked with process.getActiveResourcesInfo() (ref'd timers and sockets back
//   to what they were before the connector existed): fake timers cannot drive a real socket.
// - connect() after close(): per fixture (`afterClose`): refused, or a clean reconnect.
import {expect} from 'vitest'

import {BrokerError, NetworkError} from '../../src/foundation/domain/broker-errors.js'
import {roundToTick, type Instrument} from '../../src/foundation/domain/instrument.js'
import {notionalMicro} from '../../src/foundation/domain/money.js'
import type {Fill, OrderRequest, OrderState, OrderType} from '../../src/foundation/domain/orders.js'
import type {ConnectorCapabilities} from '../../src/sectors/connector.js'
import {expectFilledOnce, expectNoTrace, expectRefused, farLimit, idOf, lots, order, outcome, positionOf, Recorder, signedQty, vwap, type Ctx} from './checks.js'
import {liveResources, until, type VenueFaults, type VenueFixture, type VenueSession} from './fixture.js'

/** How a case gets its venue: `begin` opens a connector on a fresh venue; `start` only starts the venue. */
export interface CaseRun {
  begin(): Promise<Ctx>
  start(): Promise<VenueSession>
}

export interface ConformanceCase {
  name: string
  /** False when the venue does not have what the case tests (no brackets, no fault injection…). */
  applies(f: VenueFixture): boolean
  run(f: VenueFixture, t: CaseRun): Promise<void>
}

/** Every key of ConnectorCapabilities (the Record makes the compiler insist on a complete list). */
const CAPABILITY_KEYS = Object.keys({brackets: true, stopOrders: true, stopLimitOrders: true, streaming: true, fractionalQty: true, shortSelling: true} satisfies Record<keyof ConnectorCapabilities, true>).sort()
const ALL_TYPES: readonly OrderType[] = ['market', 'limit', 'stop', 'stop-limit']
const always = (): boolean => true

const fees = (xs: readonly Fill[]): number => xs.reduce((t, x) => t + x.fee, 0)
const notional = (xs: readonly Fill[], spec: Instrument): number => xs.reduce((t, x) => t + notionalMicro(x.price, x.qty, spec.multiplier), 0)

/** Submits a market order and waits (moving the market) until its fills cover the qty. */
async function fillMarket(t: Ctx, id: string, side: 'buy' | 'sell', extra: Partial<OrderRequest> = {}): Promise<void> {
  await t.c.submit(order(t.f, {clientOrderId: id, side, ...extra}))
  await until(`${id} to fill`, () => lots(Math.abs(signedQty(t.rec.fills(id))), t.spec) >= lots(t.f.qty, t.spec), {venue: t.s})
  await t.s.settle()
}

const identity: ConformanceCase = {
  name: 'identity: venue, environment, a complete map of boolean capabilities, info without secrets',
  applies: always,
  async run(f, r) {
    const {s, c} = await r.begin()
    expect(c.venue).toBe(f.venue)
    expect(c.environment).toBe(f.environment)
    expect(Object.keys(c.capabilities).sort()).toEqual(CAPABILITY_KEYS)
    for (const k of CAPABILITY_KEYS) expect(typeof (c.capabilities as unknown as Record<string, unknown>)[k], k).toBe('boolean')
    expect(c.capabilities).toEqual(f.capabilities)
    if (c.info !== undefined) {
      expect(c.info.name).toMatch(/\S/)
      for (const e of c.info.endpoints) expect(e, 'an endpoint is a host, never a URL with credentials').not.toMatch(/@|^[a-z]+:\/\//i)
      const text = JSON.stringify(c.info)
      for (const secret of s.secrets) expect(text.includes(secret), 'a secret in info').toBe(false)
    }
  },
}

const instruments: ConformanceCase = {
  name: 'instruments(): the configured ones, positive tick and lot, copies the caller cannot corrupt',
  applies: always,
  async run(f, r) {
    const {c} = await r.begin()
    const list = await c.instruments()
    expect(list.map((i) => i.id).sort()).toEqual([...f.instruments].sort())
    for (const i of list) {
      expect(i.tickSize, i.id).toBeGreaterThan(0)
      expect(i.lotSize, i.id).toBeGreaterThan(0)
      expect(i.multiplier, i.id).toBeGreaterThan(0)
      expect(i.venue, i.id).toBe(c.venue)
    }
    const first = list[0] as Instrument
    const tick = first.tickSize
    first.tickSize = 12345
    expect((await c.instruments()).find((i) => i.id === first.id)?.tickSize).toBe(tick)
  },
}

const market: ConformanceCase = {
  name: 'a market order: ack, fills summing to the qty once each; orderByClientId, positions and account agree with the fills',
  applies: always,
  async run(f, r) {
    const t = await r.begin()
    const {s, c, spec} = t
    const start = await c.account()
    expect(positionOf(await c.positions(), f.instrument)).toBe(0)
    await fillMarket(t, 'cf-mkt-buy', 'buy')
    await s.step()
    const buys = expectFilledOnce(t, 'cf-mkt-buy', 'buy', f.qty)
    const state = await c.orderByClientId('cf-mkt-buy')
    expect(state).toMatchObject({clientOrderId: 'cf-mkt-buy', instrument: f.instrument, side: 'buy', status: 'filled'})
    expect(lots((state as OrderState).filledQty, spec)).toBe(lots(f.qty, spec))
    expect((state as OrderState).avgFillPrice).toBeCloseTo(vwap(buys), 8)
    const held = await c.positions()
    expect(lots(positionOf(held, f.instrument), spec)).toBe(lots(signedQty(buys), spec))
    expect(held.find((p) => p.instrument === f.instrument)?.avgPrice).toBeCloseTo(vwap(buys), 8)
    const afterBuy = await c.account()
    const buyDelta = f.accounting === 'spot' ? -notional(buys, spec) - fees(buys) : -fees(buys)
    expect(Math.abs(afterBuy.cash - start.cash - buyDelta), `cash after the buy (${f.accounting})`).toBeLessThanOrEqual(f.moneyTolerancePerFill * buys.length)
    expect(afterBuy.currency).toBe(start.currency)

    // The round trip: whatever the accounting, cash moved by what the sells got minus what the buys paid, minus fees.
    await fillMarket(t, 'cf-mkt-sell', 'sell')
    const sells = expectFilledOnce(t, 'cf-mkt-sell', 'sell', f.qty)
    expect(positionOf(await c.positions(), f.instrument)).toBe(0)
    const end = await c.account()
    const all = [...buys, ...sells]
    const roundTrip = notional(sells, spec) - notional(buys, spec) - fees(all)
    expect(Math.abs(end.cash - start.cash - roundTrip), 'cash after the round trip').toBeLessThanOrEqual(f.moneyTolerancePerFill * all.length)
  },
}

const limit: ConformanceCase = {
  name: 'a limit order far from the market rests; cancel: one cancel event, gone from openOrders, cancelled; a second cancel is not a NetworkError',
  applies: always,
  async run(f, r) {
    const t = await r.begin()
    const {s, c, rec, spec} = t
    const price = await farLimit(t)
    await c.submit(order(f, {clientOrderId: 'cf-lmt', type: 'limit', limitPrice: price}))
    for (let i = 0; i < 3; i++) await s.step()
    await s.settle()
    expect(rec.of('cf-lmt').map((e) => e.kind)).toEqual(['ack'])
    const open = (await c.openOrders()).filter((o) => o.clientOrderId === 'cf-lmt')
    expect(open).toEqual([expect.objectContaining({clientOrderId: 'cf-lmt', instrument: f.instrument, side: 'buy', type: 'limit', status: 'working', filledQty: 0})])
    expect(lots((open[0] as OrderState).qty, spec)).toBe(lots(f.qty, spec))
    expect((open[0] as OrderState).limitPrice).toBeCloseTo(price, 10)

    await c.cancel('cf-lmt')
    await s.step()
    await s.settle()
    expect(rec.of('cf-lmt').map((e) => e.kind)).toEqual(['ack', 'cancel'])
    expect((await c.openOrders()).map((o) => o.clientOrderId)).not.toContain('cf-lmt')
    expect(await c.orderByClientId('cf-lmt')).toMatchObject({status: 'cancelled', filledQty: 0})

    for (const id of ['cf-lmt', 'cf-never-sent']) {
      const again = await outcome(c.cancel(id))
      expect(again, `cancel ${id}`).not.toBeInstanceOf(NetworkError)
      if (f.cancelFinished === 'no-op') expect(again, `cancel ${id}`).toBeUndefined()
      else expect(again instanceof BrokerError && again.kind === 'OrderNotFound', `cancel ${id}: ${String(again)}`).toBe(true)
    }
    await s.settle()
    expect(rec.of('cf-lmt').map((e) => e.kind)).toEqual(['ack', 'cancel'])
    expect(rec.of('cf-never-sent')).toEqual([])
  },
}

const REFUSALS: ReadonlyArray<[string, (f: VenueFixture, spec: Instrument, far: number) => Partial<OrderRequest>]> = [
  ['a qty off the lot size', (f, spec) => ({qty: f.qty + spec.lotSize / 2})],
  ['a zero qty', () => ({qty: 0})],
  ['an unknown instrument', () => ({instrument: 'ZZZ_QQQ'})],
  ['a limit order without a price', () => ({type: 'limit'})],
  ['a limit price off the tick', (_f, spec, far) => ({type: 'limit', limitPrice: far + spec.tickSize / 2})],
]

const refusals: ConformanceCase[] = REFUSALS.map(([what, make]) => ({
  name: `a refused order (${what}): BrokerError InvalidOrder, no fill, never open`,
  applies: always,
  async run(f, r) {
    const t = await r.begin()
    await expectRefused(t, order(f, {clientOrderId: 'cf-bad', ...make(f, t.spec, await farLimit(t))}), 'InvalidOrder')
    await expectNoTrace(t, 'cf-bad')
    expect(positionOf(await t.c.positions(), f.instrument)).toBe(0)
  },
}))

const lacking = (f: VenueFixture): OrderType[] => ALL_TYPES.filter((type) => !f.orderTypes.includes(type))

const unsupported: ConformanceCase = {
  name: 'an order type the venue lacks: BrokerError Unsupported, nothing sent',
  applies: (f) => lacking(f).length > 0,
  async run(f, r) {
    const t = await r.begin()
    const far = await farLimit(t)
    for (const type of lacking(f)) {
      const id = `cf-type-${type}`
      await expectRefused(t, order(f, {clientOrderId: id, type, limitPrice: far, stopPrice: far}), 'Unsupported')
      await expectNoTrace(t, id)
      if (t.s.faults) expect(await t.s.faults.ordersAtVenue(id)).toEqual({accepted: 0, refused: 0})
    }
  },
}

const reusedId: ConformanceCase = {
  name: 'a client order id reused: a thrown BrokerError, no reject event, never a second order at the venue',
  applies: always,
  async run(f, r) {
    const t = await r.begin()
    const {s, c, rec, spec} = t
    await fillMarket(t, 'cf-dup', 'buy')
    expect(await outcome(c.submit(order(f, {clientOrderId: 'cf-dup', qty: f.qty * 2}))), 'reusing a filled order id').toBeInstanceOf(BrokerError)
    // A resting order's id, reused by a market order: refused too, and the resting order is untouched.
    await c.submit(order(f, {clientOrderId: 'cf-dup-rest', type: 'limit', limitPrice: await farLimit(t)}))
    expect(await outcome(c.submit(order(f, {clientOrderId: 'cf-dup-rest'}))), 'reusing a working order id').toBeInstanceOf(BrokerError)
    for (let i = 0; i < 3; i++) await s.step()
    await s.settle()
    expect(rec.of('cf-dup').filter((e) => e.kind !== 'fill' && e.kind !== 'ack')).toEqual([])
    expect(rec.of('cf-dup', 'ack').length).toBeLessThanOrEqual(1)
    expect(lots(signedQty(rec.fills('cf-dup')), spec)).toBe(lots(f.qty, spec))
    expect(rec.of('cf-dup-rest').map((e) => e.kind)).toEqual(['ack'])
    expect(lots(positionOf(await c.positions(), f.instrument), spec)).toBe(lots(f.qty, spec))
    const first = await c.orderByClientId('cf-dup')
    expect(first).toMatchObject({status: 'filled', side: 'buy', type: 'market'})
    expect(lots((first as OrderState).qty, spec)).toBe(lots(f.qty, spec))
    expect(await c.orderByClientId('cf-dup-rest')).toMatchObject({status: 'working', type: 'limit'})
    if (s.faults) {
      expect((await s.faults.ordersAtVenue('cf-dup')).accepted).toBe(1)
      expect((await s.faults.ordersAtVenue('cf-dup-rest')).accepted).toBe(1)
    }
  },
}

const neverSent: ConformanceCase = {
  name: 'orderByClientId of an id never sent (or one no venue could hold): undefined',
  applies: always,
  async run(_f, r) {
    const {c} = await r.begin()
    for (const id of ['cf-never-sent', '../../summary', '']) expect(await c.orderByClientId(id), JSON.stringify(id)).toBeUndefined()
  },
}

const bracket: ConformanceCase = {
  name: 'a bracket: the entry fills, <id>-sl and <id>-tp are acked and work; one filling cancels the other',
  applies: (f) => f.capabilities.brackets,
  async run(f, r) {
    const t = await r.begin()
    const {s, c, rec, spec} = t
    const q = await s.quote(f.instrument)
    const stopLoss = roundToTick(q.bid * (1 - f.nearMove), spec.tickSize)
    const takeProfit = roundToTick(q.ask * (1 + f.nearMove), spec.tickSize)
    await c.submit(order(f, {clientOrderId: 'cf-br', bracket: {stopLoss, takeProfit}}))
    await until('the entry to fill and its exits to be acked', () => rec.fills('cf-br').length > 0 && rec.of('cf-br-sl', 'ack').length > 0 && rec.of('cf-br-tp', 'ack').length > 0, {venue: s})
    const entry = expectFilledOnce(t, 'cf-br', 'buy', f.qty)
    const exits = (await c.openOrders()).filter((o) => o.parentId === 'cf-br')
    const sl = exits.find((o) => o.clientOrderId === 'cf-br-sl')
    const tp = exits.find((o) => o.clientOrderId === 'cf-br-tp')
    expect(exits.length, 'exits working with parentId').toBe(2)
    expect(sl).toMatchObject({type: 'stop', side: 'sell', status: 'working'})
    expect(tp).toMatchObject({type: 'limit', side: 'sell', status: 'working'})
    expect(sl?.stopPrice).toBeCloseTo(stopLoss, 10)
    expect(tp?.limitPrice).toBeCloseTo(takeProfit, 10)
    for (const x of [sl, tp]) expect(lots(x?.qty ?? 0, spec)).toBe(lots(signedQty(entry), spec))

    const exitFills = (): Fill[] => [...rec.fills('cf-br-sl'), ...rec.fills('cf-br-tp')]
    await until('an exit to fill', () => lots(-signedQty(exitFills()), spec) >= lots(f.qty, spec), {venue: s})
    await s.step()
    const [won, lost] = rec.fills('cf-br-tp').length > 0 ? ['cf-br-tp', 'cf-br-sl'] : ['cf-br-sl', 'cf-br-tp']
    expect(rec.fills(lost), `${lost} filled too`).toEqual([])
    expect(rec.of(lost).map((e) => e.kind), `${lost}: acked, then cancelled once`).toEqual(['ack', 'cancel'])
    expectFilledOnce(t, won, 'sell', f.qty)
    if (won === 'cf-br-tp') for (const x of rec.fills(won)) expect(x.price, 'a take-profit fills at its price or better').toBeGreaterThanOrEqual(takeProfit - spec.tickSize / 2)
    expect(positionOf(await c.positions(), f.instrument)).toBe(0)
    expect((await c.openOrders()).filter((o) => o.clientOrderId.startsWith('cf-br'))).toEqual([])
    expect(await c.orderByClientId(won)).toMatchObject({status: 'filled'})
    expect(await c.orderByClientId(lost)).toMatchObject({status: 'cancelled', filledQty: 0})
  },
}

const reduceOnly: ConformanceCase = {
  name: 'reduceOnly on a flat position: refused or cancelled, never opens a position',
  applies: always,
  async run(f, r) {
    const t = await r.begin()
    const {s, c, rec, spec} = t
    const thrown = await outcome(c.submit(order(f, {clientOrderId: 'cf-ro', side: 'sell', reduceOnly: true})))
    if (thrown !== undefined) expect(thrown).toBeInstanceOf(BrokerError)
    else await until('the reduce-only order to end', () => rec.of('cf-ro').some((e) => e.kind !== 'ack'), {venue: s})
    for (let i = 0; i < 3; i++) await s.step()
    await s.settle()
    expect(rec.fills('cf-ro')).toEqual([])
    expect(lots(positionOf(await c.positions(), f.instrument), spec)).toBe(0)
    expect((await c.openOrders()).map((o) => o.clientOrderId)).not.toContain('cf-ro')
  },
}

const unsubscribe: ConformanceCase = {
  name: 'unsubscribe: a listener that left hears nothing more, the others still do (twice is harmless)',
  applies: always,
  async run(f, r) {
    const t = await r.begin()
    const {s, c, rec} = t
    const left = new Recorder(c)
    await c.submit(order(f, {clientOrderId: 'cf-sub-1', type: 'limit', limitPrice: await farLimit(t)}))
    await s.settle()
    expect(left.of('cf-sub-1').map((e) => e.kind)).toEqual(['ack'])
    left.off()
    left.off()
    const heard = left.events.length
    await c.cancel('cf-sub-1')
    await fillMarket(t, 'cf-sub-2', 'buy')
    expect(rec.of('cf-sub-1').map((e) => e.kind)).toEqual(['ack', 'cancel'])
    expect(left.events.length, 'events heard after unsubscribing').toBe(heard)
  },
}

const close: ConformanceCase = {
  name: 'close(): no timer or socket left, nothing heard after it, twice is harmless; connect() after close per the fixture',
  applies: always,
  async run(f, r) {
    const s = await r.start()
    const baseline = liveResources()
    const c = await s.open()
    const rec = new Recorder(c)
    await c.account()
    await c.close()
    await c.close()
    const released = (): boolean => {
      const now = liveResources()
      return now.timers <= baseline.timers && now.sockets <= baseline.sockets
    }
    await until('timers and sockets released', released, {ms: 1_500})
    for (let i = 0; i < 3; i++) await s.step()
    if (f.afterClose === 'refused') {
      await expect(c.connect(), 'connect after close').rejects.toThrow()
      expect(await outcome(c.submit(order(f, {clientOrderId: 'cf-closed'}))), 'a submit after close').toBeInstanceOf(Error)
      if (s.faults) expect(await s.faults.ordersAtVenue('cf-closed')).toEqual({accepted: 0, refused: 0})
    } else {
      await c.connect()
      expect((await c.account()).currency).toMatch(/\S/)
      await c.close()
    }
    await until('timers and sockets released after the second close', released, {ms: 1_500})
    expect(rec.events.map(idOf), 'events heard after close').toEqual([])
  },
}

/** A fault case's venue: one whose session can inject faults. */
async function faulty(f: VenueFixture, r: CaseRun): Promise<Ctx & {faults: VenueFaults}> {
  const t = await r.begin()
  if (t.s.faults === undefined) throw new Error(`${f.name}: faultInjection is set but the session has no faults`)
  return {...t, faults: t.s.faults}
}
const injects = (f: VenueFixture): boolean => f.faultInjection

const faultCases: ConformanceCase[] = [
  {
    name: 'faults: a submit with no answer: NetworkError; the venue has the order once, orderByClientId finds it, its events come once',
    applies: injects,
    async run(f, r) {
      const t = await faulty(f, r)
      t.faults.submitUnanswered()
      expect(await outcome(t.c.submit(order(f, {clientOrderId: 'cf-lost'})))).toBeInstanceOf(NetworkError)
      await until('orderByClientId to find it', async () => (await t.c.orderByClientId('cf-lost')) !== undefined)
      await t.s.settle()
      expect(await t.c.orderByClientId('cf-lost')).toMatchObject({status: 'filled'})
      expectFilledOnce(t, 'cf-lost', 'buy', f.qty)
      expect(lots(positionOf(await t.c.positions(), f.instrument), t.spec)).toBe(lots(f.qty, t.spec))
      expect(await t.faults.ordersAtVenue('cf-lost'), 'never sent twice').toEqual({accepted: 1, refused: 0})
    },
  },
  {
    name: 'faults: a 5xx on submit: NetworkError, and the venue never had the order',
    applies: injects,
    async run(f, r) {
      const t = await faulty(f, r)
      t.faults.serverError()
      expect(await outcome(t.c.submit(order(f, {clientOrderId: 'cf-5xx'})))).toBeInstanceOf(NetworkError)
      await expectNoTrace(t, 'cf-5xx')
      expect(await t.c.orderByClientId('cf-5xx')).toBeUndefined()
      expect(await t.faults.ordersAtVenue('cf-5xx')).toEqual({accepted: 0, refused: 0})
    },
  },
  {
    name: 'faults: a 401: BrokerError AuthFailed (never a NetworkError), nothing sent',
    applies: injects,
    async run(f, r) {
      const t = await faulty(f, r)
      const restore = t.faults.revokeAuth()
      const e = await outcome(t.c.submit(order(f, {clientOrderId: 'cf-401'})))
      restore()
      expect(e).toBeInstanceOf(BrokerError)
      expect(e).toMatchObject({kind: 'AuthFailed'})
      expect(await t.faults.ordersAtVenue('cf-401')).toEqual({accepted: 0, refused: 0})
      expect(t.rec.of('cf-401')).toEqual([])
    },
  },
]

export const CASES: readonly ConformanceCase[] = [identity, instruments, market, limit, ...refusals, unsupported, reusedId, neverSent, bracket, reduceOnly, unsubscribe, close, ...faultCases]
