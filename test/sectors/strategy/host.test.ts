import {describe, expect, it} from 'vitest'

import type {Bar} from '../../../src/foundation/domain/bars.js'
import type {Fill} from '../../../src/foundation/domain/orders.js'
import type {Signal, Strategy} from '../../../src/sectors/strategy/contract.js'
import {StrategyHost, isStrategyFault, type StrategyFault} from '../../../src/sectors/strategy/host.js'
import smaCrossover from '../../../strategies/sma-crossover.js'
import {testContext} from '../../strategies/helpers.js'

const BAR: Bar = {instrument: 'EUR_USD', ts: 0, open: 1.1, high: 1.1, low: 1.1, close: 1.1, volume: 0}
const FILL: Fill = {clientOrderId: 'c1', fillId: 'f1', instrument: 'EUR_USD', side: 'buy', qty: 1, price: 1.1, fee: 0, liquidity: 'taker', ts: 0}

/** A strategy whose every method can be replaced. */
function fake(overrides: Partial<Strategy> = {}): Strategy {
  return {init() {}, onBar: () => [], onFill() {}, state: () => ({n: 1}), restore() {}, ...overrides}
}

function host(overrides: Partial<Strategy> = {}, instruments = ['EUR_USD', 'GBP_USD']) {
  const h = new StrategyHost(fake(overrides), testContext(instruments))
  expect(h.init()).toBeUndefined()
  return h
}

function outputFault(signals: unknown): StrategyFault {
  const h = host({onBar: () => signals as Signal[]})
  const r = h.onBar(BAR)
  expect(isStrategyFault(r)).toBe(true)
  expect(h.dead).toBe(true)
  return r as StrategyFault
}

describe('StrategyHost', () => {
  it('passes valid signals through, and the same empty array when there are none', () => {
    const none: Signal[] = []
    const h = host({onBar: (b) => (b.close > 2 ? [{instrument: 'GBP_USD', target: -1000, reason: 'r', type: 'limit', limitPrice: 1.2, bracket: {stopLoss: 1.3, takeProfit: 1.1}}] : none)})
    expect(h.onBar(BAR)).toBe(none)
    expect(h.onBar({...BAR, close: 3})).toEqual([{instrument: 'GBP_USD', target: -1000, reason: 'r', type: 'limit', limitPrice: 1.2, bracket: {stopLoss: 1.3, takeProfit: 1.1}}])
    expect(h.onFill(FILL)).toBeUndefined()
    expect(h.dead).toBe(false)
  })

  it('turns a throw in each phase into a fault with the phase, message and stack', () => {
    const boom = (where: string) => () => {
      throw new Error(`boom in ${where}`)
    }
    const i = new StrategyHost(fake({init: boom('init')}), testContext(['EUR_USD']))
    expect(i.init()).toMatchObject({fault: true, phase: 'init', message: 'boom in init'})
    expect(i.fault?.stack).toContain('boom in init')

    expect(host({onBar: boom('onBar')}).onBar(BAR)).toMatchObject({phase: 'onBar', message: 'boom in onBar'})
    expect(host({onFill: boom('onFill')}).onFill(FILL)).toMatchObject({phase: 'onFill', message: 'boom in onFill'})
    expect(host({restore: boom('restore')}).restore({})).toMatchObject({phase: 'restore', message: 'boom in restore'})
    expect(host({state: boom('state')}).checkpoint()).toMatchObject({phase: 'output', message: 'state() threw: boom in state'})
  })

  it('reports a thrown non-Error value too', () => {
    expect(
      host({
        onBar: () => {
          throw 'just a string' // eslint-disable-line no-throw-literal
        },
      }).onBar(BAR),
    ).toMatchObject({phase: 'onBar', message: 'just a string'})
    expect(
      host({
        onBar: () => {
          throw {code: 42} // eslint-disable-line no-throw-literal
        },
      }).onBar(BAR),
    ).toMatchObject({phase: 'onBar', message: 'threw an object {code}'})
  })

  it('turns a throwing factory into an init fault', () => {
    const h = new StrategyHost(() => {
      throw new RangeError('bad params')
    }, testContext(['EUR_USD']))
    expect(h.init()).toMatchObject({phase: 'init', message: 'bad params'})
    const g = new StrategyHost(() => 42 as unknown as Strategy, testContext(['EUR_USD']))
    expect(g.init()?.message).toMatch(/create\(\) returned 42/)
  })

  it('rejects garbage output', () => {
    expect(outputFault(undefined).message).toBe('onBar returned undefined, expected an array of signals')
    expect(outputFault({instrument: 'EUR_USD'}).message).toMatch(/returned an object \{instrument\}, expected an array/)
    expect(outputFault([null]).message).toBe('onBar signal #1: null is not a signal object')
    expect(outputFault([{instrument: 'USD_CHF', target: 1, reason: 'x'}]).message).toBe('onBar signal #1: unknown instrument "USD_CHF" (the sector trades EUR_USD, GBP_USD)')
    expect(outputFault([{instrument: 'EUR_USD', target: Number.NaN, reason: 'x'}]).message).toMatch(/target must be a finite number of units, found NaN/)
    expect(outputFault([{instrument: 'EUR_USD', target: Infinity, reason: 'x'}]).message).toMatch(/found Infinity/)
    expect(outputFault([{instrument: 'EUR_USD', target: '5', reason: 'x'}]).message).toMatch(/target must be a finite number of units, found "5"/)
    expect(outputFault([{instrument: 'EUR_USD', target: 1, reason: 3}]).message).toMatch(/reason must be a string, found 3/)
    expect(outputFault([{instrument: 'EUR_USD', target: 1, reason: 'x', type: 'iceberg'}]).message).toMatch(/type must be market, limit or stop/)
    expect(outputFault([{instrument: 'EUR_USD', target: 1, reason: 'x', type: 'limit'}]).message).toMatch(/limit signal needs a finite positive limitPrice/)
    expect(outputFault([{instrument: 'EUR_USD', target: 1, reason: 'x', type: 'stop', stopPrice: -1}]).message).toMatch(/stop signal needs/)
    expect(outputFault([{instrument: 'EUR_USD', target: 1, reason: 'x', bracket: {stopLoss: 1}}]).message).toMatch(/bracket must be/)
    expect(outputFault([{instrument: 'EUR_USD', target: 1, reason: 'x', type: 'limit', limitPrice: 1.1, postOnly: 'yes'}]).message).toMatch(/postOnly must be true or false, found "yes"/)
    expect(outputFault([{instrument: 'EUR_USD', target: 1, reason: 'x', postOnly: true}]).message).toMatch(/postOnly is for limit signals only, found type "market"/)
    const ok = {instrument: 'EUR_USD', target: 1, reason: 'x'}
    expect(outputFault([ok, ok, {...ok, target: null}]).message).toMatch(/^onBar signal #3:/)
    expect(outputFault(Array.from({length: 17}, () => ok)).message).toBe('onBar returned 17 signals for one bar, more than the limit of 16')
  })

  it('is dead after a fault: every later call returns the same fault and the strategy is not called again', () => {
    let calls = 0
    const h = host({
      onBar: () => {
        calls++
        throw new Error('once')
      },
    })
    const first = h.onBar(BAR)
    expect(h.onBar(BAR)).toBe(first)
    expect(h.onFill(FILL)).toBe(first)
    expect(h.checkpoint()).toBe(first)
    expect(h.restore({})).toBe(first)
    expect(h.init()).toBe(first)
    expect(calls).toBe(1)
    expect(h.fault).toBe(first)
  })

  it('checkpoints plain JSON only', () => {
    expect(host({state: () => ({a: [1, 'b', null, {c: true}]})}).checkpoint()).toEqual({state: {a: [1, 'b', null, {c: true}]}})
    expect(host({state: () => ({a: [1, Number.NaN]})}).checkpoint()).toMatchObject({phase: 'output', message: expect.stringContaining('state.a[1] is NaN')})
    expect(host({state: () => ({m: new Map()})}).checkpoint()).toMatchObject({phase: 'output', message: expect.stringContaining('state.m is a Map')})
    expect(host({state: () => ({f: () => 1})}).checkpoint()).toMatchObject({phase: 'output', message: expect.stringContaining('state.f is a function')})
    const cyclic: Record<string, unknown> = {}
    cyclic.self = cyclic
    expect(host({state: () => cyclic}).checkpoint()).toMatchObject({phase: 'output', message: expect.stringContaining('a cycle?')})
  })

  it('hosts a real strategy, checkpoint and restore included', () => {
    const ctx = testContext(['SPY'])
    const h = new StrategyHost(() => smaCrossover.create({fast: 2, slow: 3, size: 1, allowShort: false}), ctx)
    expect(h.init()).toBeUndefined()
    const closes = [1, 1, 1, 2, 3]
    const out = closes.map((c, i) => h.onBar({...BAR, instrument: 'SPY', ts: i, close: c}))
    expect(out[3]).toEqual([{instrument: 'SPY', target: 1, reason: 'SMA(2) crossed above SMA(3)'}])
    const cp = h.checkpoint()
    expect(isStrategyFault(cp)).toBe(false)
    const h2 = new StrategyHost(() => smaCrossover.create({fast: 2, slow: 3, size: 1, allowShort: false}), ctx)
    h2.init()
    expect(h2.restore(JSON.parse(JSON.stringify((cp as {state: unknown}).state)))).toBeUndefined()
    expect(h2.checkpoint()).toEqual(cp)
    // A checkpoint of other params is a restore fault, not a crash.
    const h3 = new StrategyHost(() => smaCrossover.create({fast: 2, slow: 4, size: 1, allowShort: false}), ctx)
    h3.init()
    expect(h3.restore((cp as {state: unknown}).state)).toMatchObject({phase: 'restore', message: expect.stringContaining('checkpoint was taken with')})
  })
})
