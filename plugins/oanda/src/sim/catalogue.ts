// The instruments the OANDA simulator quotes, with the fields of OANDA's `Instrument` definition
// (GET /v3/accounts/{id}/instruments) and what the simulator needs to quote them: a typical
// spread in ticks and a volatility. Tick and reference price come from the plugin's
// describeInstrument, so the simulator and rick's domain model agree on precision.
import {describeInstrument} from '../instruments.js'

export type OandaInstrumentType = 'CURRENCY' | 'CFD' | 'METAL'

export interface SimInstrument {
  name: string
  type: OandaInstrumentType
  displayName: string
  base: string
  quote: string
  /** 10^pipLocation is one pip (-4 for EUR_USD, -2 for USD_JPY). */
  pipLocation: number
  /** Decimals of a price (= decimals of the tick). */
  displayPrecision: number
  /** Decimals of units (0: whole units). */
  tradeUnitsPrecision: number
  minimumTradeSize: number
  maximumOrderUnits: number
  /** Margin rate as OANDA writes it ("0.02" = 50:1). */
  marginRate: string
  tickSize: number
  referencePrice: number
  spreadTicks: number
  annualVol: number
}

interface Row {
  type: OandaInstrumentType
  pipLocation: number
  marginRate: string
  spreadTicks: number
  annualVol: number
}

// Spreads are OANDA's typical practice spreads (EUR_USD ~1.4 pips); margin rates its usual ones.
const ROWS: Record<string, Row> = {
  EUR_USD: {type: 'CURRENCY', pipLocation: -4, marginRate: '0.02', spreadTicks: 14, annualVol: 0.08},
  GBP_USD: {type: 'CURRENCY', pipLocation: -4, marginRate: '0.05', spreadTicks: 20, annualVol: 0.09},
  USD_JPY: {type: 'CURRENCY', pipLocation: -2, marginRate: '0.04', spreadTicks: 14, annualVol: 0.1},
  USD_CHF: {type: 'CURRENCY', pipLocation: -4, marginRate: '0.03', spreadTicks: 18, annualVol: 0.08},
  USD_CAD: {type: 'CURRENCY', pipLocation: -4, marginRate: '0.02', spreadTicks: 20, annualVol: 0.07},
  AUD_USD: {type: 'CURRENCY', pipLocation: -4, marginRate: '0.03', spreadTicks: 14, annualVol: 0.1},
  NZD_USD: {type: 'CURRENCY', pipLocation: -4, marginRate: '0.03', spreadTicks: 20, annualVol: 0.1},
  EUR_GBP: {type: 'CURRENCY', pipLocation: -4, marginRate: '0.05', spreadTicks: 16, annualVol: 0.06},
  EUR_JPY: {type: 'CURRENCY', pipLocation: -2, marginRate: '0.04', spreadTicks: 20, annualVol: 0.1},
  GBP_JPY: {type: 'CURRENCY', pipLocation: -2, marginRate: '0.05', spreadTicks: 30, annualVol: 0.11},
  AUD_JPY: {type: 'CURRENCY', pipLocation: -2, marginRate: '0.04', spreadTicks: 20, annualVol: 0.12},
  EUR_CHF: {type: 'CURRENCY', pipLocation: -4, marginRate: '0.03', spreadTicks: 20, annualVol: 0.06},
  XAU_USD: {type: 'METAL', pipLocation: -2, marginRate: '0.05', spreadTicks: 350, annualVol: 0.15},
  XAG_USD: {type: 'METAL', pipLocation: -4, marginRate: '0.1', spreadTicks: 250, annualVol: 0.25},
  SPX500_USD: {type: 'CFD', pipLocation: 0, marginRate: '0.05', spreadTicks: 5, annualVol: 0.16},
  NAS100_USD: {type: 'CFD', pipLocation: 0, marginRate: '0.05', spreadTicks: 15, annualVol: 0.2},
  US30_USD: {type: 'CFD', pipLocation: 0, marginRate: '0.05', spreadTicks: 30, annualVol: 0.15},
  DE30_EUR: {type: 'CFD', pipLocation: 0, marginRate: '0.05', spreadTicks: 15, annualVol: 0.17},
  UK100_GBP: {type: 'CFD', pipLocation: 0, marginRate: '0.05', spreadTicks: 10, annualVol: 0.14},
  JP225_USD: {type: 'CFD', pipLocation: 0, marginRate: '0.05', spreadTicks: 8, annualVol: 0.2},
}

/** Every instrument the simulator can quote. */
export const CATALOGUE_NAMES: readonly string[] = Object.keys(ROWS)

/** What `rick sim oanda` quotes when no instruments are given. */
export const DEFAULT_INSTRUMENTS: readonly string[] = CATALOGUE_NAMES

export function simInstrument(name: string): SimInstrument | undefined {
  const row = ROWS[name]
  if (row === undefined) return undefined
  const d = describeInstrument(name)
  const [base = '', quote = ''] = name.split('_')
  const displayPrecision = decimals(d.tickSize)
  return {
    name,
    type: row.type,
    displayName: row.type === 'CURRENCY' ? `${base}/${quote}` : name.replace('_', ' '),
    base,
    quote,
    pipLocation: row.pipLocation,
    displayPrecision,
    tradeUnitsPrecision: 0,
    minimumTradeSize: 1,
    maximumOrderUnits: 100_000_000,
    marginRate: row.marginRate,
    tickSize: d.tickSize,
    referencePrice: d.referencePrice,
    spreadTicks: row.spreadTicks,
    annualVol: row.annualVol,
  }
}

function decimals(step: number): number {
  return step >= 1 ? 0 : Math.round(-Math.log10(step))
}

/**
 * The instruments to quote: the asked ones plus those their P&L needs to reach USD (EUR_GBP's GBP
 * is converted with GBP_USD). Unknown names throw, listing what the simulator knows.
 */
export function resolveInstruments(asked: readonly string[] | undefined): SimInstrument[] {
  const names = new Set(asked && asked.length > 0 ? asked : DEFAULT_INSTRUMENTS)
  for (const name of names) {
    if (ROWS[name] === undefined) throw new Error(`the OANDA simulator does not quote ${name}; it quotes ${CATALOGUE_NAMES.join(', ')}`)
  }
  for (const name of [...names]) {
    for (const ccy of name.split('_')) {
      const pair = conversionPair(ccy)
      if (pair !== undefined) names.add(pair)
    }
  }
  return [...names].map((n) => simInstrument(n) as SimInstrument)
}

/** The catalogue pair that converts a currency to USD (undefined for USD itself or an index name). */
export function conversionPair(ccy: string): string | undefined {
  if (ccy === 'USD') return undefined
  if (ROWS[`${ccy}_USD`] !== undefined) return `${ccy}_USD`
  if (ROWS[`USD_${ccy}`] !== undefined) return `USD_${ccy}`
  return undefined
}
