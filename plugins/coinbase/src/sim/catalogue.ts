// The products the Coinbase simulator lists: Coinbase's increments and size limits (values from the
// live Advanced Trade product list, 2026), and what the price paths need (a reference price, a
// volatility, a spread). Currencies are the ones those products use, with the names and exponents
// Coinbase's v2 currency lists give them.
import {units, type Units} from './money.js'

export interface SimProduct {
  id: string
  base: string
  quote: string
  /** Size step (base_increment). */
  baseIncrement: string
  /** Price step (quote_increment = price_increment on spot products). */
  quoteIncrement: string
  baseMinSize: string
  baseMaxSize: string
  quoteMinSize: string
  quoteMaxSize: string
  referencePrice: number
  annualVol: number
  spreadTicks: number
  /** The same, as units. */
  u: {baseIncrement: Units; quoteIncrement: Units; baseMinSize: Units; baseMaxSize: Units; quoteMinSize: Units; quoteMaxSize: Units}
}

type Spec = Omit<SimProduct, 'id' | 'base' | 'quote' | 'u'>

const SPECS: Record<string, Spec> = {
  'BTC-USD': {baseIncrement: '0.00000001', quoteIncrement: '0.01', baseMinSize: '0.00000001', baseMaxSize: '3400', quoteMinSize: '1', quoteMaxSize: '150000000', referencePrice: 60000, annualVol: 0.6, spreadTicks: 1},
  'ETH-USD': {baseIncrement: '0.00000001', quoteIncrement: '0.01', baseMinSize: '0.00000001', baseMaxSize: '42000', quoteMinSize: '1', quoteMaxSize: '150000000', referencePrice: 3000, annualVol: 0.7, spreadTicks: 1},
  'SOL-USD': {baseIncrement: '0.00000001', quoteIncrement: '0.01', baseMinSize: '0.00000001', baseMaxSize: '1274000', quoteMinSize: '1', quoteMaxSize: '25000000', referencePrice: 150, annualVol: 0.9, spreadTicks: 1},
  'XRP-USD': {baseIncrement: '0.000001', quoteIncrement: '0.0001', baseMinSize: '0.000001', baseMaxSize: '50000000', quoteMinSize: '1', quoteMaxSize: '25000000', referencePrice: 0.5, annualVol: 0.9, spreadTicks: 1},
  'DOGE-USD': {baseIncrement: '0.1', quoteIncrement: '0.00001', baseMinSize: '0.1', baseMaxSize: '141800000', quoteMinSize: '1', quoteMaxSize: '10000000', referencePrice: 0.15, annualVol: 1.0, spreadTicks: 1},
  'LTC-USD': {baseIncrement: '0.00000001', quoteIncrement: '0.001', baseMinSize: '0.00000001', baseMaxSize: '90000', quoteMinSize: '1', quoteMaxSize: '10000000', referencePrice: 80, annualVol: 0.8, spreadTicks: 2},
  'LINK-USD': {baseIncrement: '0.01', quoteIncrement: '0.001', baseMinSize: '0.01', baseMaxSize: '1100000', quoteMinSize: '1', quoteMaxSize: '10000000', referencePrice: 15, annualVol: 0.9, spreadTicks: 2},
  'AVAX-USD': {baseIncrement: '0.00000001', quoteIncrement: '0.001', baseMinSize: '0.00000001', baseMaxSize: '500000', quoteMinSize: '1', quoteMaxSize: '10000000', referencePrice: 30, annualVol: 0.9, spreadTicks: 2},
  'ADA-USD': {baseIncrement: '0.00000001', quoteIncrement: '0.00001', baseMinSize: '0.00000001', baseMaxSize: '50000000', quoteMinSize: '1', quoteMaxSize: '10000000', referencePrice: 0.45, annualVol: 0.9, spreadTicks: 2},
  'ETH-BTC': {baseIncrement: '0.00000001', quoteIncrement: '0.00001', baseMinSize: '0.00000001', baseMaxSize: '4000', quoteMinSize: '0.00001', quoteMaxSize: '300', referencePrice: 0.05, annualVol: 0.5, spreadTicks: 1},
}

export const DEFAULT_PRODUCTS = ['BTC-USD', 'ETH-USD', 'SOL-USD'] as const

/** Names and exponents of the currencies the products use (v2 /currencies and /currencies/crypto). */
export const CURRENCIES: Record<string, {name: string; exponent: number; fiat: boolean; color: string}> = {
  USD: {name: 'US Dollar', exponent: 2, fiat: true, color: '#0066CF'},
  EUR: {name: 'Euro', exponent: 2, fiat: true, color: '#0066CF'},
  GBP: {name: 'British Pound', exponent: 2, fiat: true, color: '#0066CF'},
  USDC: {name: 'USDC', exponent: 6, fiat: false, color: '#2775CA'},
  USDT: {name: 'Tether', exponent: 6, fiat: false, color: '#26A17B'},
  BTC: {name: 'Bitcoin', exponent: 8, fiat: false, color: '#F7931A'},
  ETH: {name: 'Ethereum', exponent: 8, fiat: false, color: '#627EEA'},
  SOL: {name: 'Solana', exponent: 9, fiat: false, color: '#9945FF'},
  XRP: {name: 'XRP', exponent: 6, fiat: false, color: '#23292F'},
  DOGE: {name: 'Dogecoin', exponent: 8, fiat: false, color: '#BA9F33'},
  LTC: {name: 'Litecoin', exponent: 8, fiat: false, color: '#BFBBBB'},
  LINK: {name: 'Chainlink', exponent: 8, fiat: false, color: '#2A5ADA'},
  AVAX: {name: 'Avalanche', exponent: 8, fiat: false, color: '#E84142'},
  ADA: {name: 'Cardano', exponent: 6, fiat: false, color: '#0033AD'},
}

const PRODUCT_ID = /^([A-Z0-9]{2,10})-([A-Z]{3,4})$/

const FIAT_LIKE = new Set(['USD', 'USDC', 'USDT', 'EUR', 'GBP', 'DAI'])
/** A product Coinbase lists that this table does not know: the usual increments of its quote. */
const GENERIC_FIAT: Spec = {baseIncrement: '0.00000001', quoteIncrement: '0.01', baseMinSize: '0.00000001', baseMaxSize: '1000000', quoteMinSize: '1', quoteMaxSize: '10000000', referencePrice: 100, annualVol: 0.9, spreadTicks: 2}
const GENERIC_CRYPTO: Spec = {baseIncrement: '0.00000001', quoteIncrement: '0.00001', baseMinSize: '0.00000001', baseMaxSize: '1000000', quoteMinSize: '0.00001', quoteMaxSize: '1000', referencePrice: 0.01, annualVol: 0.9, spreadTicks: 2}

/**
 * The products to list: the default three, or the ones asked for. A product of another fiat or
 * stablecoin quote (BTC-USDC, ETH-EUR) takes its USD twin's increments; one this table does not
 * know at all takes the usual increments of its quote (a made-up market, still a valid one).
 */
export function resolveProducts(ids: readonly string[] | undefined): SimProduct[] {
  const wanted = ids === undefined || ids.length === 0 ? [...DEFAULT_PRODUCTS] : [...new Set(ids)]
  return wanted.map((id) => {
    const m = PRODUCT_ID.exec(id)
    if (!m || m[1] === m[2]) throw new Error(`the Coinbase simulator lists products BASE-QUOTE (e.g. BTC-USD), found ${id}`)
    const [, base, quote] = m as unknown as [string, string, string]
    const fiatLike = FIAT_LIKE.has(quote)
    const spec = SPECS[id] ?? (fiatLike ? (SPECS[`${base}-USD`] ?? GENERIC_FIAT) : GENERIC_CRYPTO)
    return {
      id,
      base,
      quote,
      ...spec,
      u: {
        baseIncrement: units(spec.baseIncrement),
        quoteIncrement: units(spec.quoteIncrement),
        baseMinSize: units(spec.baseMinSize),
        baseMaxSize: units(spec.baseMaxSize),
        quoteMinSize: units(spec.quoteMinSize),
        quoteMaxSize: units(spec.quoteMaxSize),
      },
    }
  })
}

export function currencyName(code: string): string {
  return CURRENCIES[code]?.name ?? code
}
