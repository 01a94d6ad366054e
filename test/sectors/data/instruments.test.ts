import {describe, expect, it} from 'vitest'

import type {SectorConfig} from '../../../src/foundation/config/types.js'
import type {Instrument} from '../../../src/foundation/domain/instrument.js'
import {ConfigError} from '../../../src/foundation/errors.js'
import type {RegisteredSector, SectorDefinition} from '../../../src/sectors/definition.js'
import {builtinInstrument, resolveInstruments} from '../../../src/sectors/data/instruments.js'

function sector(venue: string, instruments: SectorConfig['instruments']): SectorConfig {
  return {name: 's1', venue, enabled: true, mode: 'paper', profile: 'Conservative', risk: {}, instruments, strategy: {name: 'x', params: {}}, connection: {}, secretsFiles: []}
}

function registry(venue: string, describeInstrument?: SectorDefinition['describeInstrument']) {
  const definition = {venue, describeInstrument} as unknown as SectorDefinition
  return {get: (v: string) => (v === venue ? ({definition} as RegisteredSector) : undefined)}
}

describe('resolveInstruments', () => {
  it("uses the plugin's describeInstrument", () => {
    const describe = (spec: unknown): Instrument => ({id: String(spec), venue: 'v', kind: 'fx', tickSize: 0.0001, lotSize: 1000, minNotional: 0, multiplier: 1, quoteCurrency: 'USD', referencePrice: 1})
    expect(resolveInstruments(sector('v', ['AAA_USD']), registry('v', describe))).toEqual([describe('AAA_USD')])
  })

  it('falls back to built-in defaults when the plugin has no describeInstrument', () => {
    const got = resolveInstruments(sector('other', ['EUR_USD', 'BTC-USD', {symbol: 'MES', secType: 'FUT', lastTradeDateOrContractMonth: '202612'}]), registry('other'))
    expect(got.map((i) => [i.id, i.tickSize, i.lotSize, i.multiplier, i.minNotional])).toEqual([
      ['EUR_USD', 0.00001, 1, 1, 0],
      ['BTC-USD', 0.01, 0.00000001, 1, 1],
      ['MES-202612', 0.25, 1, 5, 0],
    ])
  })

  it('lists every instrument it cannot use in one ConfigError', () => {
    const broken = (): Instrument => ({id: 'X', venue: 'v', kind: 'fx', tickSize: 0, lotSize: 1, minNotional: 0, multiplier: 1, quoteCurrency: 'USD', referencePrice: 1})
    let error: unknown
    try {
      resolveInstruments(sector('v', ['X']), registry('v', broken))
    } catch (e) {
      error = e
    }
    expect(error).toBeInstanceOf(ConfigError)
    expect((error as ConfigError).diagnostics).toEqual([expect.objectContaining({path: '/sectors/s1/instruments/0', code: 'instrument-invalid', message: expect.stringContaining('tickSize 0 (expected a positive number)')})])
    expect(() => resolveInstruments(sector('none', ['ZZZ_QQQ', 'EUR_USD']), registry('x'))).toThrow(/1 instrument\(s\) cannot be used/)
    const throwing = () => {
      throw new Error('unknown product')
    }
    expect(() => resolveInstruments(sector('v', ['Q']), registry('v', throwing))).toThrow(ConfigError)
  })

  it('has built-ins at realistic levels', () => {
    expect(builtinInstrument('oanda', 'USD_JPY')).toMatchObject({tickSize: 0.001, referencePrice: 150, quoteCurrency: 'JPY'})
    expect(builtinInstrument('ibkr', {symbol: 'SPY', secType: 'STK', exchange: 'SMART', currency: 'USD'})).toMatchObject({id: 'SPY', kind: 'etf', referencePrice: 500})
    expect(builtinInstrument('x', 'NOPE')).toBeUndefined()
  })
})
