// OANDA instruments as rick's domain model. Quantities are units of the base currency (lot 1);
// prices have OANDA's display precision: 5 decimals for FX (pipette 0.00001), 3 for JPY-quoted
// pairs; CFDs (metals, indices) their own. No minimum notional: OANDA accepts a single unit.
import type {InstrumentSpec} from '../../../src/foundation/config/types.js'
import type {Instrument, InstrumentKind} from '../../../src/foundation/domain/instrument.js'
import {VENUE} from './config.js'

/** Typical prices (mid 2024), to start the synthetic feed at a realistic level. */
const REFERENCE_PRICES: Record<string, number> = {
  EUR_USD: 1.08,
  GBP_USD: 1.27,
  USD_JPY: 150,
  USD_CHF: 0.88,
  USD_CAD: 1.36,
  AUD_USD: 0.66,
  NZD_USD: 0.61,
  EUR_GBP: 0.85,
  EUR_JPY: 162,
  GBP_JPY: 190,
  AUD_JPY: 99,
  EUR_CHF: 0.95,
  XAU_USD: 2300,
  XAG_USD: 28,
  SPX500_USD: 5000,
  NAS100_USD: 18000,
  US30_USD: 39000,
  DE30_EUR: 18000,
  UK100_GBP: 8000,
  JP225_USD: 38000,
}

/** CFDs: tick and kind (everything else with a 3-letter base is an FX pair). */
const CFDS: Record<string, {tick: number}> = {
  XAU_USD: {tick: 0.001},
  XAG_USD: {tick: 0.0001},
  SPX500_USD: {tick: 0.1},
  NAS100_USD: {tick: 0.1},
  US30_USD: {tick: 0.1},
  DE30_EUR: {tick: 0.1},
  UK100_GBP: {tick: 0.1},
  JP225_USD: {tick: 1},
}

export function describeInstrument(spec: InstrumentSpec): Instrument {
  if (typeof spec !== 'string') throw new Error(`OANDA instruments are strings like EUR_USD, found ${JSON.stringify(spec)}`)
  const [base = '', quote = ''] = spec.split('_')
  const cfd = CFDS[spec]
  const kind: InstrumentKind = cfd || base.length !== 3 ? 'cfd' : 'fx'
  const jpy = quote === 'JPY'
  return {
    id: spec,
    venue: VENUE,
    kind,
    tickSize: cfd?.tick ?? (jpy ? 0.001 : kind === 'fx' ? 0.00001 : 0.1),
    lotSize: 1,
    minNotional: 0,
    multiplier: 1,
    quoteCurrency: quote,
    referencePrice: REFERENCE_PRICES[spec] ?? (jpy ? 100 : kind === 'fx' ? 1 : 1000),
  }
}

/** How many `to` one `from` is worth at the reference prices above (undefined without a pair of the two). */
export function referenceRate(from: string, to: string): number | undefined {
  if (from === to) return 1
  const direct = REFERENCE_PRICES[`${from}_${to}`]
  if (direct !== undefined) return direct
  const inverse = REFERENCE_PRICES[`${to}_${from}`]
  return inverse === undefined ? undefined : 1 / inverse
}
