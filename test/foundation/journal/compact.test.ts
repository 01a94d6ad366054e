import fc from 'fast-check'
import {describe, expect, it} from 'vitest'

import {canonicalJson} from '../../../src/foundation/canonical.js'
import {compactJson, compactLength, compactType, packPayload, type CompactValue} from '../../../src/foundation/journal/compact.js'
import type {EventType} from '../../../src/foundation/journal/events.js'

// Strings with everything JSON has to escape (quotes, backslashes, control characters, lone
// surrogates) and plain ones; numbers across the double range, -0 included.
const text = fc.oneof(fc.string(), fc.string({unit: 'binary'}), fc.constantFrom('', '"', '\\', '\n', '\u2028', '\ud800', 'paper-1-1', 'BTC-USD'))
const number = fc.oneof(fc.double({noNaN: true, noDefaultInfinity: true}), fc.integer(), fc.constantFrom(-0, 0, 1e21, 1e-7, 20_013, 0.00033619))
const maybe = <T>(arb: fc.Arbitrary<T>) => fc.option(arb, {nil: undefined})

const fill = fc.record({
  clientOrderId: text,
  venueOrderId: maybe(text),
  fillId: text,
  instrument: text,
  side: fc.constantFrom('buy', 'sell'),
  qty: number,
  price: number,
  fee: number,
  liquidity: fc.constantFrom('maker', 'taker'),
  ts: number,
})

const order = fc.record({
  clientOrderId: text,
  instrument: text,
  side: fc.constantFrom('buy', 'sell'),
  type: fc.constantFrom('market', 'limit', 'stop', 'stop-limit'),
  qty: number,
  limitPrice: maybe(number),
  stopPrice: maybe(number),
  tif: fc.constantFrom('gtc', 'day', 'ioc'),
  bracket: maybe(fc.record({stopLoss: number, takeProfit: number})),
  reduceOnly: maybe(fc.boolean()),
  parentId: maybe(text),
})

const events = fc.oneof(
  fc.record({type: fc.constant<EventType>('FILL'), payload: fc.record({fill})}),
  fc.record({type: fc.constant<EventType>('ORDER_ACK'), payload: fc.record({clientOrderId: text, venueOrderId: text})}),
  fc.record({type: fc.constant<EventType>('ORDER_INTENT'), payload: fc.record({order, reason: text})}),
)

describe('compact journal records', () => {
  it('write exactly canonicalJson(payload), record after record', () => {
    fc.assert(
      fc.property(fc.array(events, {minLength: 1, maxLength: 8}), (list) => {
        const rec: CompactValue[] = [7, 'something before']
        for (const e of list) expect(packPayload(e.type, e.payload, rec)).toBe(true)
        let at = 2
        for (const e of list) {
          expect(compactType(rec, at)).toBe(e.type)
          expect(compactJson(rec, at)).toBe(canonicalJson(e.payload))
          at += compactLength(rec, at)
        }
        expect(at).toBe(rec.length)
      }),
      {numRuns: 3000},
    )
  })

  it('refuse what is not exactly the shape, and leave the record as it was', () => {
    const f = {clientOrderId: 'a-1', venueOrderId: 'paper-1', fillId: 'paper-1-1', instrument: 'X', side: 'buy', qty: 1, price: 2, fee: 0, liquidity: 'taker', ts: 3}
    const o = {clientOrderId: 'a-1', instrument: 'X', side: 'buy', type: 'market', qty: 1, tif: 'gtc'}
    class Fill {
      constructor(readonly clientOrderId: string) {}
    }
    const refused: Array<[EventType, unknown]> = [
      ['FILL', {fill: {...f, extra: 1}}],
      ['FILL', {fill: {...f, price: Number.NaN}}],
      ['FILL', {fill: {...f, qty: Number.POSITIVE_INFINITY}}],
      ['FILL', {fill: {...f, ts: '3'}}],
      ['FILL', {fill: f, note: 'x'}],
      ['FILL', {fill: new Fill('a-1')}],
      ['FILL', {fill: {...f, 0: 'index key'}}],
      ['FILL', {fill: [f]}],
      ['ORDER_ACK', {clientOrderId: 'a-1'}],
      ['ORDER_ACK', {clientOrderId: 'a-1', venueOrderId: 7}],
      ['ORDER_INTENT', {order: {...o, limitPrice: Number.NaN}, reason: 'r'}],
      ['ORDER_INTENT', {order: {...o, reduceOnly: 'yes'}, reason: 'r'}],
      ['ORDER_INTENT', {order: {...o, bracket: {stopLoss: 1, takeProfit: 2, trail: 3}}, reason: 'r'}],
      ['ORDER_INTENT', {order: {...o, venue: 'x'}, reason: 'r'}],
      ['ORDER_INTENT', {order: o, reason: 5}],
      ['ORDER_INTENT', [o, 'r']],
      ['ORDER_INTENT', null],
      ['STRATEGY_LOG', {message: 'not a compact type'}],
    ]
    for (const [type, payload] of refused) {
      const rec: CompactValue[] = ['kept']
      expect(packPayload(type, payload, rec), JSON.stringify(payload)).toBe(false)
      expect(rec).toEqual(['kept'])
    }
  })

  it('leave undefined members out, as canonicalJson does', () => {
    const rec: CompactValue[] = []
    const payload = {order: {clientOrderId: 'a-1', instrument: 'X', side: 'sell', type: 'limit', qty: 2, limitPrice: 5.25, stopPrice: undefined, tif: 'day', reduceOnly: undefined}, reason: 'r'}
    expect(packPayload('ORDER_INTENT', payload, rec)).toBe(true)
    expect(compactJson(rec, 0)).toBe(canonicalJson(payload))
    expect(compactJson(rec, 0)).toBe('{"order":{"clientOrderId":"a-1","instrument":"X","limitPrice":5.25,"qty":2,"side":"sell","tif":"day","type":"limit"},"reason":"r"}')
  })
})
