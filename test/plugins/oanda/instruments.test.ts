import {describe, expect, it} from 'vitest'

import {describeInstrument} from '../../../plugins/oanda/src/instruments.js'
import sectors from '../../../plugins/oanda/src/hooks/sectors.js'
import {HOOK_OPTIONS} from '../../../src/sectors/registry.js'

describe('OANDA describeInstrument', () => {
  it('FX: pipette tick 0.00001, JPY pairs 0.001, lot 1 unit, no minimum', () => {
    expect(describeInstrument('EUR_USD')).toEqual({id: 'EUR_USD', venue: 'oanda', kind: 'fx', tickSize: 0.00001, lotSize: 1, minNotional: 0, multiplier: 1, quoteCurrency: 'USD', referencePrice: 1.08})
    expect(describeInstrument('USD_JPY')).toMatchObject({tickSize: 0.001, quoteCurrency: 'JPY', referencePrice: 150})
    expect(describeInstrument('GBP_JPY')).toMatchObject({tickSize: 0.001, referencePrice: 190})
    expect(describeInstrument('NOK_SEK')).toMatchObject({kind: 'fx', tickSize: 0.00001, referencePrice: 1})
  })

  it('CFDs: metals and indices', () => {
    expect(describeInstrument('XAU_USD')).toMatchObject({kind: 'cfd', tickSize: 0.001, referencePrice: 2300})
    expect(describeInstrument('SPX500_USD')).toMatchObject({kind: 'cfd', tickSize: 0.1, referencePrice: 5000})
  })

  it('refuses an object spec, and is exposed by the hook', async () => {
    expect(() => describeInstrument({symbol: 'EUR'})).toThrow(/strings like EUR_USD/)
    const def = await sectors(HOOK_OPTIONS)
    expect(def.describeInstrument?.('EUR_USD')).toEqual(describeInstrument('EUR_USD'))
  })
})
