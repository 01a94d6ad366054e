import {describe, expect, it} from 'vitest'

import type {Bar} from '../../../src/foundation/domain/bars.js'
import {adversePrice, matchLimit, matchMarket, matchStop, matchStopLimit} from '../../../src/sectors/paper/matching.js'

const bar = (open: number, high: number, low: number, close: number): Bar => ({instrument: 'X', ts: 0, open, high, low, close, volume: 0})

describe('matching rules', () => {
  it('rounds slipped prices to the tick against the order', () => {
    expect(adversePrice(1.08123, 'buy', 1, 0.00001)).toBe(1.08134) // 1.081338… → up
    expect(adversePrice(1.08123, 'sell', 1, 0.00001)).toBe(1.08112) // 1.081121… → down
    expect(adversePrice(5000, 'buy', 0, 0.25)).toBe(5000)
    expect(adversePrice(5000.1, 'sell', 0, 0.25)).toBe(5000) // an off-tick price goes to the worse tick
  })

  it('market: the open, taker', () => {
    expect(matchMarket('sell', bar(100, 101, 99, 100), 0, 0.01)).toEqual({price: 100, liquidity: 'taker', atOpen: true})
  })

  it('limit sell: through the limit fills at the limit; a gap up fills at the open', () => {
    expect(matchLimit('sell', 101, bar(100, 101, 99, 100), false, 'through')).toBeUndefined()
    expect(matchLimit('sell', 101, bar(100, 101.01, 99, 100), false, 'through')).toEqual({price: 101, liquidity: 'maker', atOpen: false})
    expect(matchLimit('sell', 101, bar(102, 103, 101.5, 102), false, 'through')).toEqual({price: 102, liquidity: 'maker', atOpen: true})
    expect(matchLimit('sell', 101, bar(102, 103, 101.5, 102), true, 'through')).toEqual({price: 102, liquidity: 'taker', atOpen: true})
    expect(matchLimit('sell', 101, bar(101, 101, 99, 100), false, 'touch')).toEqual({price: 101, liquidity: 'maker', atOpen: true})
  })

  it('stop sell: triggers on the low, gaps fill at the open', () => {
    expect(matchStop('sell', 99, bar(100, 101, 99.01, 100), 0, 0.01)).toBeUndefined()
    expect(matchStop('sell', 99, bar(100, 101, 99, 100), 10, 0.01)).toEqual({price: 98.9, liquidity: 'taker', atOpen: false})
    expect(matchStop('sell', 99, bar(97, 98, 96, 97), 0, 0.01)).toEqual({price: 97, liquidity: 'taker', atOpen: true})
  })

  it('stop-limit sell: fills within the limit (slippage capped), rests when it gaps past the limit', () => {
    expect(matchStopLimit('sell', 99, 98.95, bar(100, 101, 98, 99), 10, 0.01)).toEqual({triggered: true, fill: {price: 98.95, liquidity: 'taker', atOpen: false}})
    expect(matchStopLimit('sell', 99, 98.5, bar(98, 98.2, 97, 98), 0, 0.01)).toEqual({triggered: true})
    expect(matchStopLimit('sell', 99, 98.5, bar(100, 101, 99.5, 100), 0, 0.01)).toBeUndefined()
  })
})
