// Conformance cases about trading beyond a single market order: short selling, marketable limits,
// resting stops, an order beyond the account's means, and orders and cancels sent at once.
import {expect} from 'vitest'

import {BrokerError, NetworkError} from '../../src/foundation/domain/broker-errors.js'
import {roundToLot, roundToTick} from '../../src/foundation/domain/instrument.js'
import {fromMicro} from '../../src/foundation/domain/money.js'
import {always, expectFilledOnce, farLimit, fees, fillMarket, lots, notional, order, outcome, positionOf, signedQty, vwap, type ConformanceCase} from './checks.js'
import {until} from './fixture.js'

const short: ConformanceCase = {
  name: 'a short sale (shortSelling): the position goes negative at the fills\' price, buying back flattens it and cash moves by the difference',
  applies: (f) => f.capabilities.shortSelling,
  async run(f, r) {
    const t = await r.begin()
    const {c, spec} = t
    const start = await c.account()
    await fillMarket(t, 'cf-short', 'sell')
    const sells = expectFilledOnce(t, 'cf-short', 'sell', f.qty)
    const held = (await c.positions()).filter((p) => p.instrument === f.instrument)
    expect(held.length).toBe(1)
    expect(lots(held[0]?.qty ?? 0, spec)).toBe(-lots(f.qty, spec))
    expect(held[0]?.avgPrice).toBeCloseTo(vwap(sells), 8)
    await fillMarket(t, 'cf-cover', 'buy')
    const buys = expectFilledOnce(t, 'cf-cover', 'buy', f.qty)
    expect(positionOf(await c.positions(), f.instrument)).toBe(0)
    const all = [...sells, ...buys]
    const moved = (await c.account()).cash - start.cash
    expect(Math.abs(moved - (notional(sells, spec) - notional(buys, spec) - fees(all))), 'cash after the round trip').toBeLessThanOrEqual(f.moneyTolerancePerFill * all.length)
  },
}

const marketableLimit: ConformanceCase = {
  name: 'a marketable limit order fills at its price or better',
  applies: always,
  async run(f, r) {
    const t = await r.begin()
    const {s, c, spec} = t
    const limitPrice = roundToTick((await s.quote(f.instrument)).ask * (1 + f.nearMove), spec.tickSize)
    await fillMarket(t, 'cf-mlmt', 'buy', {type: 'limit', limitPrice})
    const fills = expectFilledOnce(t, 'cf-mlmt', 'buy', f.qty)
    for (const x of fills) expect(x.price, `a buy limit at ${limitPrice}`).toBeLessThanOrEqual(limitPrice + spec.tickSize / 2)
    expect(lots(positionOf(await c.positions(), f.instrument), spec)).toBe(lots(f.qty, spec))
    expect(await c.orderByClientId('cf-mlmt')).toMatchObject({status: 'filled', type: 'limit'})
  },
}

const restingStop: ConformanceCase = {
  name: 'a stop order far from the market (stopOrders) rests, is listed with its stop price, and cancels',
  applies: (f) => f.capabilities.stopOrders,
  async run(f, r) {
    const t = await r.begin()
    const {s, c, rec, spec} = t
    const stopPrice = roundToTick((await s.quote(f.instrument)).ask * 1.25, spec.tickSize)
    await c.submit(order(f, {clientOrderId: 'cf-stop', type: 'stop', stopPrice}))
    for (let i = 0; i < 3; i++) await s.step()
    await s.settle()
    expect(rec.of('cf-stop').map((e) => e.kind)).toEqual(['ack'])
    const listed = (await c.openOrders()).find((o) => o.clientOrderId === 'cf-stop')
    expect(listed).toMatchObject({type: 'stop', side: 'buy', status: 'working', filledQty: 0})
    expect(listed?.stopPrice).toBeCloseTo(stopPrice, 10)
    await c.cancel('cf-stop')
    await s.settle()
    expect(rec.of('cf-stop').map((e) => e.kind)).toEqual(['ack', 'cancel'])
    expect(await c.orderByClientId('cf-stop')).toMatchObject({status: 'cancelled'})
  },
}

const beyondMeans: ConformanceCase = {
  name: 'an order a hundred times the account: refused (InsufficientFunds) or cancelled, never filled, no money moved',
  applies: always,
  async run(f, r) {
    const t = await r.begin()
    const {s, c, rec, spec} = t
    const start = await c.account()
    const qty = roundToLot((100 * fromMicro(start.equity)) / ((await s.quote(f.instrument)).ask * spec.multiplier), spec.lotSize)
    const thrown = await outcome(c.submit(order(f, {clientOrderId: 'cf-huge', qty})))
    if (thrown !== undefined) {
      expect(thrown).toBeInstanceOf(BrokerError)
      expect(thrown).toMatchObject({kind: 'InsufficientFunds'})
    } else {
      await until('the order to end', () => rec.of('cf-huge').some((e) => e.kind !== 'ack'), {venue: s})
      const reject = rec.of('cf-huge', 'reject')[0]
      if (reject !== undefined) expect(reject).toMatchObject({code: 'InsufficientFunds'})
    }
    await s.step()
    await s.settle()
    expect(rec.fills('cf-huge')).toEqual([])
    expect(positionOf(await c.positions(), f.instrument)).toBe(0)
    expect((await c.account()).cash, 'cash after a refused order').toBe(start.cash)
  },
}

const concurrentSubmits: ConformanceCase = {
  name: 'four market orders sent at once: each fills once, fill ids unique, the position is their sum',
  applies: always,
  async run(f, r) {
    const t = await r.begin()
    const {s, c, rec, spec} = t
    const ids = ['cf-par-1', 'cf-par-2', 'cf-par-3', 'cf-par-4']
    await Promise.all(ids.map((id, i) => c.submit(order(f, {clientOrderId: id, side: i === 2 ? 'sell' : 'buy'}))))
    await until('all four to fill', () => ids.every((id) => lots(Math.abs(signedQty(rec.fills(id))), spec) >= lots(f.qty, spec)), {venue: s})
    await s.step()
    await s.settle()
    for (const [i, id] of ids.entries()) expectFilledOnce(t, id, i === 2 ? 'sell' : 'buy', f.qty)
    expect(lots(positionOf(await c.positions(), f.instrument), spec)).toBe(2 * lots(f.qty, spec))
    expect(lots(signedQty(rec.fills()), spec)).toBe(2 * lots(f.qty, spec))
    if (s.faults) for (const id of ids) expect(await s.faults.ordersAtVenue(id), id).toEqual({accepted: 1, refused: 0})
  },
}

const concurrentCancels: ConformanceCase = {
  name: 'two cancels of one order at once: one cancel event; each call resolves or says OrderNotFound, never a NetworkError',
  applies: always,
  async run(f, r) {
    const t = await r.begin()
    const {s, c, rec} = t
    await c.submit(order(f, {clientOrderId: 'cf-2x', type: 'limit', limitPrice: await farLimit(t)}))
    const results = await Promise.all([outcome(c.cancel('cf-2x')), outcome(c.cancel('cf-2x'))])
    await s.step()
    await s.settle()
    for (const e of results) {
      expect(e).not.toBeInstanceOf(NetworkError)
      if (e !== undefined) expect(e instanceof BrokerError && e.kind === 'OrderNotFound', String(e)).toBe(true)
    }
    expect(results.filter((e) => e === undefined).length, 'cancels that went through').toBeGreaterThanOrEqual(1)
    expect(rec.of('cf-2x').map((e) => e.kind)).toEqual(['ack', 'cancel'])
    expect(await c.orderByClientId('cf-2x')).toMatchObject({status: 'cancelled'})
  },
}

export const TRADING_CASES: readonly ConformanceCase[] = [short, marketableLimit, restingStop, beyondMeans, concurrentSubmits, concurrentCancels]
