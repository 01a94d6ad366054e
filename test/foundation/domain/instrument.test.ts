import fc from 'fast-check'
import {describe, expect, it} from 'vitest'

import {decimalsOf, roundToLot, roundToTick, stepsToValue} from '../../../src/foundation/domain/instrument.js'

/** The definition stepsToValue must match: the decimal product, parsed back. */
const byString = (steps: number, step: number) => Number((steps * step).toFixed(decimalsOf(step)))

const STEPS = [1, 5, 25, 100, 0.5, 0.25, 0.1, 0.01, 0.05, 0.0001, 0.00001, 0.001, 1e-6, 1e-8, 0.3, 2.5, 0.125, 0.2]

describe('stepsToValue', () => {
  it('equals the toFixed definition for every step rick meets, over a wide range of counts', () => {
    fc.assert(
      fc.property(fc.constantFrom(...STEPS), fc.integer({min: -1e12, max: 1e12}), (step, steps) => {
        expect(stepsToValue(steps, step)).toBe(byString(steps, step))
      }),
      {numRuns: 20_000},
    )
  })

  it('gives exact decimals where a float product would not', () => {
    expect(3 * 0.1).not.toBe(0.3)
    expect(stepsToValue(3, 0.1)).toBe(0.3)
    expect(stepsToValue(30_000_000, 1e-8)).toBe(0.3)
    expect(stepsToValue(7, 0.3)).toBe(2.1)
  })
})

describe('roundToLot and roundToTick', () => {
  it('rounds quantities toward zero to whole lots and prices to the nearest tick', () => {
    expect(roundToLot(0.123456789, 1e-8)).toBe(0.12345678)
    expect(roundToLot(-0.123456789, 1e-8)).toBe(-0.12345678)
    expect(roundToLot(1234.9, 1)).toBe(1234)
    expect(roundToLot(0.29999999999, 0.1)).toBe(0.3)
    expect(roundToTick(1.234567, 0.0001)).toBe(1.2346)
    expect(roundToTick(5012.13, 0.25)).toBe(5012.25)
    expect(roundToTick(20013.4, 1)).toBe(20013)
  })
})
