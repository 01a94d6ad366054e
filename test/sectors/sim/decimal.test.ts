import {describe, expect, it} from 'vitest'

import {formatScaled, multiplyScaled, parseDecimal, toScaled} from '../../../src/sectors/sim/decimal.js'

describe('sim decimal strings', () => {
  it('parses plain decimals only', () => {
    expect(parseDecimal('-12.3400')).toEqual({negative: true, whole: '12', fraction: '3400'})
    for (const bad of ['', '1e5', ' 1', '1.2.3', '.5', 'abc']) expect(parseDecimal(bad), bad).toBeUndefined()
  })

  it('toScaled: whole steps, refusing extra precision but not trailing zeros', () => {
    expect(toScaled('1.105', 5)).toBe(110_500)
    expect(toScaled('-100', 0)).toBe(-100)
    expect(toScaled('1.100000', 5)).toBe(110_000)
    expect(toScaled('1.123456', 5)).toBeUndefined()
    expect(toScaled('-0', 0)).toBe(0)
    expect(toScaled('99999999999999999999', 0)).toBeUndefined()
  })

  it('formatScaled writes whole steps back', () => {
    expect(formatScaled(110_500, 5)).toBe('1.10500')
    expect(formatScaled(-5, 4)).toBe('-0.0005')
    expect(formatScaled(42, 0)).toBe('42')
    expect(formatScaled(-14_000_000n, 6)).toBe('-14.000000')
  })

  it('multiplyScaled is exact and rounds ties away from zero', () => {
    // 0.00005 × 1 → 0.0001 (a tie at 4 decimals), and the negative one away from zero too.
    expect(multiplyScaled(5, 5, ['1'], 4)).toBe(1n)
    expect(multiplyScaled(-5, 5, ['1'], 4)).toBe(-1n)
    expect(multiplyScaled(4, 5, ['1'], 4)).toBe(0n)
    // 14 000 JPY-ticks (0.001) × 1/149.998 = 0.0933342… USD.
    expect(multiplyScaled(-14_000, 3, ['0.006666755557'], 4)).toBe(-933n)
    // A product that float arithmetic misrounds: 1.0005 × 0.5 × 1 = 0.50025 → 0.5003.
    expect(multiplyScaled(10_005, 4, ['0.5'], 4)).toBe(5_003n)
    expect(multiplyScaled(3, 0, [], 2)).toBe(300n)
  })
})
