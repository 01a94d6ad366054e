// Coinbase spot products as rick's domain model: fractional quantities in coins (base increment
// 1e-8 for the large coins), prices to the product's quote increment, and Coinbase's minimum
// order size of 1 unit of the quote currency (quote_min_size) for fiat and stablecoin quotes.
import type {InstrumentSpec} from '../../../src/foundation/config/types.js'
import type {Instrument} from '../../../src/foundation/domain/instrument.js'
import {VENUE} from './config.js'

interface Product {
  tick: number
  lot: number
  reference: number
}

/** Increments of the products rick users trade most (Coinbase's product book, mid 2024). */
const PRODUCTS: Record<string, Product> = {
  'BTC-USD': {tick: 0.01, lot: 0.00000001, reference: 60000},
  'ETH-USD': {tick: 0.01, lot: 0.00000001, reference: 3000},
  'SOL-USD': {tick: 0.01, lot: 0.00000001, reference: 150},
  'LTC-USD': {tick: 0.01, lot: 0.00000001, reference: 80},
  'AVAX-USD': {tick: 0.01, lot: 0.00000001, reference: 30},
  'LINK-USD': {tick: 0.001, lot: 0.01, reference: 15},
  'DOGE-USD': {tick: 0.00001, lot: 0.1, reference: 0.15},
  'XRP-USD': {tick: 0.0001, lot: 0.000001, reference: 0.5},
  'ADA-USD': {tick: 0.0001, lot: 0.00000001, reference: 0.45},
  'ETH-BTC': {tick: 0.00001, lot: 0.00000001, reference: 0.05},
}

const FIAT_LIKE = new Set(['USD', 'USDC', 'USDT', 'EUR', 'GBP', 'DAI'])

export function describeInstrument(spec: InstrumentSpec): Instrument {
  if (typeof spec !== 'string') throw new Error(`Coinbase instruments are product ids like BTC-USD, found ${JSON.stringify(spec)}`)
  const [base = '', quote = ''] = spec.split('-')
  // Same product on another fiat/stable quote (BTC-USDC, BTC-EUR): same increments.
  const known = PRODUCTS[spec] ?? (FIAT_LIKE.has(quote) ? PRODUCTS[`${base}-USD`] : undefined)
  return {
    id: spec,
    venue: VENUE,
    kind: 'crypto',
    tickSize: known?.tick ?? (FIAT_LIKE.has(quote) ? 0.01 : 0.00001),
    lotSize: known?.lot ?? 0.00000001,
    minNotional: FIAT_LIKE.has(quote) ? 1 : 0.00001,
    multiplier: 1,
    quoteCurrency: quote,
    referencePrice: known?.reference ?? (FIAT_LIKE.has(quote) ? 100 : 0.01),
  }
}
