import fc from 'fast-check'
import {describe, expect, it} from 'vitest'

import {canonicalJson} from '../../../src/foundation/canonical.js'
import type {EventType} from '../../../src/foundation/journal/events.js'
import {writeHotPayload} from '../../../src/foundation/journal/hot-payloads.js'
import {JsonBytes} from '../../../src/foundation/journal/json-bytes.js'

// Strings with everything JSON has to escape (quotes, backslashes, control characters, lone
// surrogates) and plain ones; numbers across the double range, -0 included.
const text = fc.oneof(fc.string(), fc.string({unit: 'binary'}), fc.constantFrom('', '"', '\\', '\n', '\u2028', '\ud800', 'paper-1-1', 'BTC-USD'))
// Whole numbers below 1e15 are written digit by digit (epoch ms among them): their edges too.
const number = fc.oneof(
  fc.double({noNaN: true, noDefaultInfinity: true}),
  fc.integer(),
  fc.integer({min: 0, max: 1e15 + 10}),
  fc.constantFrom(-0, 0, 1e21, 1e-7, 20_013, 0.00033619, 99_999_999, 1e8, 100_000_001, 1_704_067_200_000, 1e15 - 1, 1e15, -7),
)
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
  fc.record({type: fc.constant<EventType>('ORDER_DENIED'), payload: fc.record({code: text, detail: text, order})}),
)

/** What `out` holds from byte `from` on, decoded as UTF-8. */
function written(out: JsonBytes, from = 0): string {
  return Buffer.from(out.copy(from)).toString('utf8')
}

describe('hot journal payloads', () => {
  it('are written as exactly canonicalJson(payload) in UTF-8, one after the other', () => {
    fc.assert(
      fc.property(fc.array(events, {minLength: 1, maxLength: 8}), (list) => {
        // A small buffer that has to grow, after something already written.
        const out = new JsonBytes(16)
        out.text('before')
        let expected = 'before'
        for (const e of list) {
          const at = out.pos
          expect(writeHotPayload(e.type, e.payload, out)).toBe(true)
          expect(written(out, at)).toBe(canonicalJson(e.payload))
          expect(Buffer.from(out.copy(at)).equals(Buffer.from(canonicalJson(e.payload), 'utf8'))).toBe(true)
          expected += canonicalJson(e.payload)
        }
        expect(written(out)).toBe(expected)
      }),
      {numRuns: 3000},
    )
  })

  it('refuse what is not exactly the shape, and write nothing', () => {
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
      ['ORDER_DENIED', {order: o, code: 'HALTED'}],
      ['ORDER_DENIED', {order: {...o, qty: '1'}, code: 'HALTED', detail: 'd'}],
      ['ORDER_DENIED', {order: o, code: 'HALTED', detail: 'd', extra: true}],
      ['STRATEGY_LOG', {message: 'not a hot type'}],
    ]
    for (const [type, payload] of refused) {
      const out = new JsonBytes()
      out.text('kept')
      expect(writeHotPayload(type, payload, out), JSON.stringify(payload)).toBe(false)
      expect(written(out)).toBe('kept')
    }
  })

  it('leave undefined members out, as canonicalJson does', () => {
    const out = new JsonBytes()
    const payload = {order: {clientOrderId: 'a-1', instrument: 'X', side: 'sell', type: 'limit', qty: 2, limitPrice: 5.25, stopPrice: undefined, tif: 'day', reduceOnly: undefined}, reason: 'r'}
    expect(writeHotPayload('ORDER_INTENT', payload, out)).toBe(true)
    expect(written(out)).toBe(canonicalJson(payload))
    expect(written(out)).toBe('{"order":{"clientOrderId":"a-1","instrument":"X","limitPrice":5.25,"qty":2,"side":"sell","tif":"day","type":"limit"},"reason":"r"}')
  })
})
