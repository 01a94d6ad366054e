import {describe, expect, it} from 'vitest'

import {describeInstrument, instrumentId} from '../../../plugins/ibkr/src/instruments.js'
import sectors from '../../../plugins/ibkr/src/hooks/sectors.js'
import {HOOK_OPTIONS} from '../../../src/sectors/registry.js'

const MES = {symbol: 'MES', secType: 'FUT', exchange: 'CME', currency: 'USD', lastTradeDateOrContractMonth: '202612'}
const SPY = {symbol: 'SPY', secType: 'STK', exchange: 'SMART', currency: 'USD'}

describe('IBKR describeInstrument', () => {
  it('MES: tick 0.25, multiplier 5, whole contracts', () => {
    expect(describeInstrument(MES)).toEqual({id: 'MES-202612', venue: 'ibkr', kind: 'future', tickSize: 0.25, lotSize: 1, minNotional: 0, multiplier: 5, quoteCurrency: 'USD', referencePrice: 5000})
  })

  it('takes the multiplier from the contract when given', () => {
    expect(describeInstrument({...MES, symbol: 'ES', multiplier: '50'})).toMatchObject({multiplier: 50, tickSize: 0.25})
    expect(describeInstrument({...MES, symbol: 'ZZ', multiplier: '10'})).toMatchObject({multiplier: 10})
  })

  it('SPY: tick 0.01, lot 1 share, an ETF', () => {
    expect(describeInstrument(SPY)).toEqual({id: 'SPY', venue: 'ibkr', kind: 'etf', tickSize: 0.01, lotSize: 1, minNotional: 0, multiplier: 1, quoteCurrency: 'USD', referencePrice: 500})
    expect(describeInstrument({...SPY, symbol: 'AAPL'})).toMatchObject({kind: 'stock', referencePrice: 190})
  })

  it('names FX, options and indices', () => {
    expect(describeInstrument({symbol: 'EUR', secType: 'CASH', exchange: 'IDEALPRO', currency: 'USD'})).toMatchObject({id: 'EUR.USD', kind: 'fx', tickSize: 0.00005, referencePrice: 1.08})
    expect(instrumentId({symbol: 'SPY', secType: 'OPT', lastTradeDateOrContractMonth: '20261218', right: 'C', strike: 500})).toBe('SPY-20261218-C500')
    expect(describeInstrument({symbol: 'SPY', secType: 'OPT', exchange: 'SMART', currency: 'USD', lastTradeDateOrContractMonth: '20261218', right: 'C', strike: 500})).toMatchObject({kind: 'option', multiplier: 100})
    expect(describeInstrument({symbol: 'SPX', secType: 'IND', exchange: 'CBOE', currency: 'USD'})).toMatchObject({id: 'SPX', kind: 'index'})
  })

  it('refuses a string spec, and is exposed by the hook', async () => {
    expect(() => describeInstrument('SPY')).toThrow(/contracts like/)
    const def = await sectors(HOOK_OPTIONS)
    expect(def.describeInstrument?.(SPY)).toEqual(describeInstrument(SPY))
  })
})
