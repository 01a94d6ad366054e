import {describe, expect, it} from 'vitest'

import {describeInstrument} from '../../../plugins/coinbase/src/instruments.js'
import sectors from '../../../plugins/coinbase/src/hooks/sectors.js'
import {HOOK_OPTIONS} from '../../../src/sectors/registry.js'

describe('Coinbase describeInstrument', () => {
  it('BTC-USD and ETH-USD: tick 0.01, lot 1e-8, min notional 1 USD', () => {
    expect(describeInstrument('BTC-USD')).toEqual({id: 'BTC-USD', venue: 'coinbase', kind: 'crypto', tickSize: 0.01, lotSize: 0.00000001, minNotional: 1, multiplier: 1, quoteCurrency: 'USD', referencePrice: 60000})
    expect(describeInstrument('ETH-USD')).toMatchObject({tickSize: 0.01, lotSize: 0.00000001, minNotional: 1, referencePrice: 3000})
  })

  it('other quotes of a known base reuse its increments; unknown products get safe defaults', () => {
    expect(describeInstrument('BTC-USDC')).toMatchObject({tickSize: 0.01, lotSize: 0.00000001, quoteCurrency: 'USDC', minNotional: 1, referencePrice: 60000})
    expect(describeInstrument('ETH-BTC')).toMatchObject({tickSize: 0.00001, quoteCurrency: 'BTC', minNotional: 0.00001})
    expect(describeInstrument('FOO-USD')).toMatchObject({tickSize: 0.01, lotSize: 0.00000001, referencePrice: 100})
  })

  it('is exposed by the hook', async () => {
    const def = await sectors(HOOK_OPTIONS)
    expect(def.describeInstrument?.('BTC-USD')).toEqual(describeInstrument('BTC-USD'))
  })
})
