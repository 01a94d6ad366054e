import {describe, expect, it} from 'vitest'

import type {Bar} from '../../../src/foundation/domain/bars.js'
import type {Instrument} from '../../../src/foundation/domain/instrument.js'
import {seriesFeed, syntheticFeed, type BarFeed} from '../../../src/sectors/data/feed.js'
import {builtinInstrument} from '../../../src/sectors/data/instruments.js'
import {syntheticSeries} from '../../../src/sectors/data/synthetic.js'

const BTC = builtinInstrument('coinbase', 'BTC-USD') as Instrument
const ETH = builtinInstrument('coinbase', 'ETH-USD') as Instrument
const start = 1_717_200_000_000

function drain(feed: BarFeed, max = Infinity): Bar[] {
  const out: Bar[] = []
  for (let b = feed.next(); b !== undefined && out.length < max; b = out.length < max ? feed.next() : undefined) out.push({...b})
  return out
}

describe('feeds', () => {
  it('interleaves instruments by ts, ties in the order given, reusing one bar object', () => {
    const feed = syntheticFeed({instruments: [BTC, ETH], seed: 1, startTs: start, periodMs: 60_000, bars: 3})
    const first = feed.next()
    const second = feed.next()
    expect(first).toBe(second) // the same object, refilled
    const rest = drain(feed)
    expect(rest.map((b) => `${b.instrument}@${(b.ts - start) / 60_000}`)).toEqual(['BTC-USD@1', 'ETH-USD@1', 'BTC-USD@2', 'ETH-USD@2'])
    expect(feed.next()).toBeUndefined()
    expect(feed.instruments).toEqual(['BTC-USD', 'ETH-USD'])
    expect(feed.source).toEqual({kind: 'synthetic', seed: 1, instruments: ['BTC-USD', 'ETH-USD'], startTs: start, periodMs: 60_000})
  })

  it('gives the same bars unbounded (live pace) as bounded (backtest)', () => {
    const bounded = drain(syntheticFeed({instruments: [BTC, ETH], seed: 9, startTs: start, periodMs: 60_000, bars: 200}))
    const unbounded = drain(syntheticFeed({instruments: [BTC, ETH], seed: 9, startTs: start, periodMs: 60_000}), 400)
    expect(unbounded).toEqual(bounded)
  })

  it('merges series with different timestamps', () => {
    const a = syntheticSeries(BTC, {seed: 1, startTs: start, periodMs: 120_000, length: 3})
    const b = syntheticSeries(ETH, {seed: 1, startTs: start + 60_000, periodMs: 120_000, length: 3})
    expect(drain(seriesFeed([a, b])).map((x) => (x.ts - start) / 60_000)).toEqual([0, 1, 2, 3, 4, 5])
  })
})
