// Conformance cases about orders: market, resting, refused, reused ids, brackets, reduce-only.
import {expect} from 'vitest'

import {BrokerError, NetworkError} from '../../src/foundation/domain/broker-errors.js'
import {roundToTick, type Instrument} from '../../src/foundation/domain/instrument.js'
import type {Fill, OrderRequest, OrderState, OrderType} from '../../src/foundation/domain/orders.js'
import {always, expectFilledOnce, expectNoTrace, expectRefused, farLimit, fees, fillMarket, lots, notional, order, outcome, positionOf, signedQty, vwap, type ConformanceCase} from './checks.js'
import {until, type VenueFixture} from './fixture.js'

const ALL_TYPES: readonly OrderType[] = ['market', 'limit', 'stop', 'stop-limit']

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

export const ORDER_CASES: readonly ConformanceCase[] = [market, limit, ...refusals, unsupported, reusedId, bracket, reduceOnly]
