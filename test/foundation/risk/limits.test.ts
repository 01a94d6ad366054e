import {readFileSync} from 'node:fs'
import {describe, expect, it} from 'vitest'

import {packagedCharterPath, parseCharterLimits, type CharterLimits} from '../../../src/foundation/charter/limits.js'
import {profileLimits} from '../../../src/foundation/config/profiles.js'
import type {SectorConfig} from '../../../src/foundation/config/types.js'
import {createRiskGate} from '../../../src/foundation/risk/gate.js'
import {
  assertValidLimits,
  effectiveRiskLimits,
  limitsForJournal,
  sectorRiskLimits,
} from '../../../src/foundation/risk/limits.js'

const charter = parseCharterLimits(readFileSync(packagedCharterPath(), 'utf8'), 'config/charter.yaml').limits as CharterLimits

/** The shipped charter with some caps lowered, to see the tighter value win. */
function tightCharter(): CharterLimits {
  return {
    ...charter,
    risk: {...charter.risk, maxOrderNotional: 1500, dailyLossCap: 120.5, maxOrdersPerMinute: 7},
    canary: {maxOrderNotional: 40, maxPositions: 1, dailyLossCap: 20},
  }
}

describe('effectiveRiskLimits', () => {
  it('converts the Balanced profile to Micro under the shipped charter (nothing clipped)', () => {
    const limits = effectiveRiskLimits(profileLimits('Balanced'), charter, 'paper')
    expect(limits).toEqual({
      maxOrderNotional: 2_000_000_000,
      maxPositionNotional: 5_000_000_000,
      maxOpenOrders: 4,
      dailyLossCap: 200_000_000,
      maxDrawdownPct: 10,
      consecutiveLossHalt: 5,
      maxTradesPerDay: 30,
      maxOrdersPerMinute: 12,
      allowLeverage: false,
    })
  })

  it('lets the tighter of overrides and charter win, key by key', () => {
    const limits = effectiveRiskLimits(
      profileLimits('Balanced', {maxOrderNotional: 3000, maxOpenOrders: 2, maxOrdersPerMinute: 50}),
      tightCharter(),
      'paper',
    )
    expect(limits.maxOrderNotional).toBe(1_500_000_000) // charter 1500 < override 3000
    expect(limits.maxOpenOrders).toBe(2) // override 2 < charter 20
    expect(limits.maxOrdersPerMinute).toBe(7) // charter 7 < override 50
    expect(limits.dailyLossCap).toBe(120_500_000) // decimals become exact micro units
  })

  it('sets canary caps only in canary mode, the tighter of sector block and charter', () => {
    expect(effectiveRiskLimits(profileLimits('Balanced'), tightCharter(), 'live', {maxOrderNotional: 10, maxPositions: 1, dailyLossCap: 5}).canary).toBeUndefined()
    const withBlock = effectiveRiskLimits(profileLimits('Balanced'), tightCharter(), 'canary', {
      maxOrderNotional: 25,
      maxPositions: 1,
      dailyLossCap: 30,
    })
    expect(withBlock.canary).toEqual({maxOrderNotional: 25_000_000, maxPositions: 1, dailyLossCap: 20_000_000})
    const withoutBlock = effectiveRiskLimits(profileLimits('Balanced'), tightCharter(), 'canary')
    expect(withoutBlock.canary).toEqual({maxOrderNotional: 40_000_000, maxPositions: 1, dailyLossCap: 20_000_000})
  })

  it('reads allowLeverage from the charter', () => {
    expect(effectiveRiskLimits(profileLimits('Aggressive'), charter, 'paper').allowLeverage).toBe(false)
  })

  it('sectorRiskLimits uses the sector profile, overrides and canary block, in the mode given', () => {
    const sector = {
      name: 'coinbase',
      venue: 'coinbase',
      enabled: true,
      mode: 'canary',
      profile: 'Conservative',
      risk: {maxOpenOrders: 1},
      instruments: ['BTC-USD'],
      strategy: {name: 'sma-crossover', params: {}},
      canary: {maxOrderNotional: 25, maxPositions: 1, dailyLossCap: 10},
      connection: {},
      secretsFiles: [],
    } satisfies SectorConfig
    const canary = sectorRiskLimits(sector, charter)
    expect(canary.maxOrderNotional).toBe(500_000_000)
    expect(canary.maxOpenOrders).toBe(1)
    expect(canary.canary).toEqual({maxOrderNotional: 25_000_000, maxPositions: 1, dailyLossCap: 10_000_000})
    // A canary sector that fell back to the paper venue runs in paper: no canary caps.
    expect(sectorRiskLimits(sector, charter, 'paper').canary).toBeUndefined()
  })
})

describe('limitsForJournal', () => {
  it('flattens to account-currency numbers with canary keys prefixed', () => {
    const limits = effectiveRiskLimits(profileLimits('Balanced'), tightCharter(), 'canary')
    expect(limitsForJournal(limits)).toEqual({
      maxOrderNotional: 1500,
      maxPositionNotional: 5000,
      maxOpenOrders: 4,
      dailyLossCap: 120.5,
      maxDrawdownPct: 10,
      consecutiveLossHalt: 5,
      maxTradesPerDay: 30,
      maxOrdersPerMinute: 7,
      allowLeverage: 0,
      'canary.maxOrderNotional': 40,
      'canary.maxPositions': 1,
      'canary.dailyLossCap': 20,
    })
  })
})

describe('invalid limits fail closed', () => {
  const good = effectiveRiskLimits(profileLimits('Balanced'), charter, 'paper')

  it('assertValidLimits names every bad value', () => {
    expect(() => assertValidLimits({...good, maxOrderNotional: Number.NaN, maxOpenOrders: -1})).toThrow(
      /maxOrderNotional=NaN.*maxOpenOrders=-1/,
    )
    expect(() => assertValidLimits({...good, maxDrawdownPct: 101})).toThrow(/maxDrawdownPct=101/)
    expect(() => assertValidLimits({...good, dailyLossCap: 1.5})).toThrow(/dailyLossCap=1.5 \(expected a non-negative integer of micro units\)/)
    expect(() => assertValidLimits(good)).not.toThrow()
  })

  it('a gate is never built on a NaN limit (it would let everything through)', () => {
    expect(() => createRiskGate({...good, dailyLossCap: Number.NaN})).toThrow(/invalid risk limits: dailyLossCap=NaN/)
    expect(() => createRiskGate({...good, canary: {maxOrderNotional: Number.NaN, maxPositions: 1, dailyLossCap: 1}})).toThrow(
      /canary.maxOrderNotional=NaN/,
    )
  })
})
