import {describe, expect, it} from 'vitest'

import {toMicro} from '../../../src/foundation/domain/money.js'
import {defaultFees, defaultSlippageBps, feeFor, resolveFees} from '../../../src/sectors/paper/fees.js'

describe('feeFor', () => {
  it('Coinbase: 60 bps taker, 40 bps maker, rounded up to the micro unit', () => {
    const m = defaultFees('coinbase')
    expect(feeFor(m, 'crypto', toMicro(1000), 0.01, 'taker')).toBe(toMicro(6))
    expect(feeFor(m, 'crypto', toMicro(1000), 0.01, 'maker')).toBe(toMicro(4))
    // 0.333333 USD × 60 bps = 0.0019999998 → 0.002 (rounded up).
    expect(feeFor(m, 'crypto', 333_333, 0.00001, 'taker')).toBe(2_000)
  })

  it('OANDA: no commission (the spread is slippage)', () => {
    expect(feeFor(defaultFees('oanda'), 'fx', toMicro(108_000), 100_000, 'taker')).toBe(0)
    expect(defaultSlippageBps('oanda')).toBeGreaterThan(0)
  })

  it('IBKR stocks: 0.005 per share, at least 1, at most 1% of the trade value', () => {
    const m = defaultFees('ibkr')
    expect(feeFor(m, 'etf', toMicro(50_000), 100, 'taker')).toBe(toMicro(1)) // 0.50 → min 1
    expect(feeFor(m, 'stock', toMicro(100_000), 1000, 'taker')).toBe(toMicro(5)) // 1000 × 0.005
    expect(feeFor(m, 'stock', toMicro(50), 10, 'taker')).toBe(toMicro(0.5)) // min 1 capped at 1% of 50
  })

  it('IBKR futures: 0.62 per contract, no minimum', () => {
    expect(feeFor(defaultFees('ibkr'), 'future', toMicro(25_000), 1, 'maker')).toBe(toMicro(0.62))
    expect(feeFor(defaultFees('ibkr'), 'future', toMicro(250_000), 10, 'taker')).toBe(toMicro(6.2))
  })

  it('adds bps and per-unit parts of a custom model', () => {
    expect(feeFor({makerBps: 1, takerBps: 2, perUnit: 0.01}, 'stock', toMicro(10_000), 100, 'taker')).toBe(toMicro(2 + 1))
  })
})

describe('resolveFees', () => {
  it("puts a sector's overrides on top of the venue's defaults", () => {
    expect(resolveFees('coinbase', {takerBps: 25})).toEqual({makerBps: 40, takerBps: 25})
    expect(resolveFees('ibkr').byKind?.future).toEqual({makerBps: 0, takerBps: 0, perUnit: 0.62})
    expect(resolveFees('unknown-venue')).toEqual({makerBps: 10, takerBps: 10})
  })
})
