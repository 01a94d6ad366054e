import {describe, expect, it} from 'vitest'

import {builtinInstrument} from '../../../src/sectors/data/instruments.js'
import {currencyNotices} from '../../../src/sectors/engine/setup.js'

describe('currencyNotices', () => {
  const instrument = (id: string) => builtinInstrument('oanda', id)!
  const EUR_GBP = {...instrument('EUR_USD'), id: 'EUR_GBP', quoteCurrency: 'GBP', referencePrice: 0.85}

  it('names every instrument quoted in another currency than the account, once', () => {
    expect(currencyNotices([instrument('EUR_USD')])).toEqual([])
    expect(currencyNotices([instrument('EUR_USD'), instrument('USD_JPY')])).toEqual([
      "USD_JPY (JPY) is quoted in another currency than the account's USD: rick does not convert currencies yet, so its notional, fees and P&L count 1 unit of the quote currency as 1 USD (risk limits and P&L figures for it are not in USD)",
    ])
    const [both] = currencyNotices([instrument('USD_JPY'), EUR_GBP])
    expect(both).toMatch(/^USD_JPY \(JPY\), EUR_GBP \(GBP\) are quoted in another currency than the account's USD: .* their notional, fees and P&L .* for them are not in USD\)$/)
  })
})
