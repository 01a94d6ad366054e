import fc from 'fast-check'
import {describe, expect, it} from 'vitest'

import {canonicalJson, hashCanonical} from '../../src/foundation/canonical.js'

/** The definition, as canonical.ts had it before its fast path: every hash in a journal rests on it. */
function referenceCanonicalJson(value: unknown): string {
  return JSON.stringify(sortDeep(value))
}

function sortDeep(value: unknown): unknown {
  if (Array.isArray(value)) return value.map((v) => (v === undefined ? null : sortDeep(v)))
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {}
    for (const key of Object.keys(value).sort()) {
      const v = (value as Record<string, unknown>)[key]
      if (v !== undefined) out[key] = sortDeep(v)
    }
    return out
  }
  if (typeof value === 'number' && !Number.isFinite(value)) {
    throw new TypeError(`canonicalJson: non-finite number ${value}`)
  }
  return value
}

type Outcome = {text: string | undefined} | {error: string}

function outcome(f: (v: unknown) => string, value: unknown): Outcome {
  try {
    return {text: f(value)}
  } catch (error) {
    return {error: `${(error as Error).name}: ${(error as Error).message}`}
  }
}

function sameAsReference(value: unknown): void {
  expect(outcome(canonicalJson, value)).toEqual(outcome(referenceCanonicalJson, value))
}

describe('canonicalJson', () => {
  it('is byte for byte the definition (JSON.stringify of a key-sorted copy) on JSON values', () => {
    fc.assert(fc.property(fc.jsonValue(), sameAsReference), {numRuns: 2000})
  })

  it('is byte for byte the definition on anything: undefined members, NaN, -0, Dates, Maps, class instances, null prototypes, sparse arrays, index-like keys, bigints', () => {
    const anything = fc.anything({
      key: fc.oneof(fc.string(), fc.constantFrom('0', '1', '10', '2', '01', '-1', '1.5', '4294967295', 'toJSON', '__proto__', 'a', 'B', 'é', '\u{1F600}')),
      withBoxedValues: true,
      withMap: true,
      withSet: true,
      withObjectString: true,
      withNullPrototype: true,
      withBigInt: true,
      withDate: true,
      withTypedArray: true,
      withSparseArray: true,
      withUnicodeString: true,
    })
    fc.assert(fc.property(anything, sameAsReference), {numRuns: 3000})
  })

  it('matches the definition on the shapes the engine journals and on the corner cases by hand', () => {
    class Point {
      constructor(
        readonly x: number,
        readonly y: number,
      ) {}
    }
    const cases: unknown[] = [
      {order: {clientOrderId: 'r-1', instrument: 'BENCH', side: 'buy', type: 'market', qty: 1, tif: 'gtc', limitPrice: undefined}, reason: 'SMA(10) crossed above SMA(50)'},
      {fill: {clientOrderId: 'r-1', venueOrderId: 'paper-1', fillId: 'paper-1-1', instrument: 'BENCH', side: 'buy', qty: 0.1, price: 19881.25, fee: 0, liquidity: 'taker', ts: 1704078000000}},
      {state: {ring: [1, 2, undefined, 3], nested: {b: 1, a: [{z: 1, y: null}]}}, barsProcessed: 100000},
      {'10': 'ten', '2': 'two', b: 1, a: 2},
      {a: -0, b: [-0], c: 1e21, d: 1e-7, e: 5e-324, f: Number.MAX_VALUE},
      {s: 'quote " backslash \\ newline \n tab \t nul \u0000 lone \ud800 pair \ud83d\ude00'},
      {when: new Date(0), map: new Map([[1, 2]]), point: new Point(1, 2)},
      {fn: () => 1, sym: Symbol('s'), list: [() => 1, Symbol('t'), undefined]},
      {toJSON: () => 'replaced'},
      {toJSON: 'just a key'},
      Object.assign(Object.create(null) as object, {b: 2, a: 1}),
      [1, , 3], // eslint-disable-line no-sparse-arrays
      {nan: Number.NaN},
      {deep: [{inf: Number.POSITIVE_INFINITY}]},
      {neg: Number.NEGATIVE_INFINITY, fn: () => 1},
      undefined,
      () => 1,
      1n,
      {big: 1n},
      'text',
      42,
      null,
      true,
      [],
      {},
    ]
    for (const value of cases) sameAsReference(value)
  })

  it('keeps the pinned hash of a config-like object', () => {
    expect(canonicalJson({b: [2, {d: 1, c: undefined}], a: 'x'})).toBe('{"a":"x","b":[2,{"d":1}]}')
    expect(hashCanonical({b: 1, a: 2})).toBe(hashCanonical({a: 2, b: 1}))
  })
})
