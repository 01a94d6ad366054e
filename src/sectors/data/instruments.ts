// The instruments of a sector, described by the sector's plugin (tick, lot, min notional,
// multiplier, quote currency) through SectorDefinition.describeInstrument, with built-in defaults
// for the common instruments when the plugin cannot describe them (a user plugin without it).
import type {InstrumentSpec, SectorConfig} from '../../foundation/config/types.js'
import type {Instrument, InstrumentKind} from '../../foundation/domain/instrument.js'
import {ConfigError, type Diagnostic} from '../../foundation/errors.js'
import type {SectorRegistry} from '../definition.js'

type Builtin = Omit<Instrument, 'id' | 'venue'>

const fx = (quote: string, referencePrice: number): Builtin => ({kind: 'fx', tickSize: quote === 'JPY' ? 0.001 : 0.00001, lotSize: 1, minNotional: 0, multiplier: 1, quoteCurrency: quote, referencePrice})
const coin = (referencePrice: number): Builtin => ({kind: 'crypto', tickSize: 0.01, lotSize: 0.00000001, minNotional: 1, multiplier: 1, quoteCurrency: 'USD', referencePrice})

/** Defaults by instrument id (or IBKR symbol), used when the venue's plugin has no describeInstrument. */
export const BUILTIN_INSTRUMENTS: Readonly<Record<string, Builtin>> = {
  EUR_USD: fx('USD', 1.08),
  GBP_USD: fx('USD', 1.27),
  USD_JPY: fx('JPY', 150),
  AUD_USD: fx('USD', 0.66),
  USD_CHF: fx('CHF', 0.88),
  USD_CAD: fx('CAD', 1.36),
  EUR_JPY: fx('JPY', 162),
  'BTC-USD': coin(60000),
  'ETH-USD': coin(3000),
  'SOL-USD': coin(150),
  MES: {kind: 'future', tickSize: 0.25, lotSize: 1, minNotional: 0, multiplier: 5, quoteCurrency: 'USD', referencePrice: 5000},
  ES: {kind: 'future', tickSize: 0.25, lotSize: 1, minNotional: 0, multiplier: 50, quoteCurrency: 'USD', referencePrice: 5000},
  MNQ: {kind: 'future', tickSize: 0.25, lotSize: 1, minNotional: 0, multiplier: 2, quoteCurrency: 'USD', referencePrice: 18000},
  SPY: {kind: 'etf', tickSize: 0.01, lotSize: 1, minNotional: 0, multiplier: 1, quoteCurrency: 'USD', referencePrice: 500},
  QQQ: {kind: 'etf', tickSize: 0.01, lotSize: 1, minNotional: 0, multiplier: 1, quoteCurrency: 'USD', referencePrice: 440},
  AAPL: {kind: 'stock', tickSize: 0.01, lotSize: 1, minNotional: 0, multiplier: 1, quoteCurrency: 'USD', referencePrice: 190},
}

const KINDS: readonly InstrumentKind[] = ['fx', 'crypto', 'stock', 'etf', 'future', 'option', 'index', 'cfd']

/**
 * The sector's instruments, in config order. Throws ConfigError (exit 2) naming each instrument
 * that neither the plugin nor the built-in table can describe, or that the plugin describes badly.
 */
export function resolveInstruments(sector: SectorConfig, registry: Pick<SectorRegistry, 'get'>): Instrument[] {
  const definition = registry.get(sector.venue)?.definition
  const out: Instrument[] = []
  const problems: Diagnostic[] = []
  sector.instruments.forEach((spec, index) => {
    const path = `/sectors/${sector.name}/instruments/${index}`
    let instrument: Instrument | undefined
    let why: string | undefined
    if (typeof definition?.describeInstrument === 'function') {
      try {
        instrument = definition.describeInstrument(spec)
      } catch (error) {
        why = `the ${sector.venue} plugin cannot describe it: ${error instanceof Error ? error.message : String(error)}`
      }
    }
    if (!instrument && !why) instrument = builtinInstrument(sector.venue, spec)
    if (!instrument) {
      problems.push({path, code: 'instrument-unknown', message: `${label(spec)}: ${why ?? `the ${sector.venue} plugin does not describe instruments and rick has no built-in defaults for it`}`, expected: `one of ${Object.keys(BUILTIN_INSTRUMENTS).join(', ')}, or a plugin with describeInstrument`, severity: 'error'})
      return
    }
    const bad = instrumentProblems(instrument)
    if (bad.length > 0) {
      problems.push({path, code: 'instrument-invalid', message: `${label(spec)}: the ${sector.venue} plugin described it with ${bad.join('; ')}`, severity: 'error'})
      return
    }
    out.push(instrument)
  })
  if (problems.length > 0) throw new ConfigError(`sector ${sector.name}: ${problems.length} instrument(s) cannot be used`, problems)
  return out
}

/** The built-in description of a common instrument (string id or IBKR contract symbol), or undefined. */
export function builtinInstrument(venue: string, spec: InstrumentSpec): Instrument | undefined {
  if (typeof spec === 'string') {
    const b = BUILTIN_INSTRUMENTS[spec]
    return b && {id: spec, venue, ...b}
  }
  const symbol = typeof spec.symbol === 'string' ? spec.symbol : undefined
  const b = symbol === undefined ? undefined : BUILTIN_INSTRUMENTS[symbol]
  if (!b) return undefined
  const expiry = spec.lastTradeDateOrContractMonth
  const id = spec.secType === 'FUT' && typeof expiry === 'string' ? `${symbol}-${expiry}` : (symbol as string)
  const multiplier = typeof spec.multiplier === 'string' ? Number(spec.multiplier) : b.multiplier
  return {id, venue, ...b, multiplier}
}

/** What is wrong with an Instrument a plugin returned (plugins are third-party code). */
export function instrumentProblems(i: Instrument): string[] {
  const problems: string[] = []
  if (typeof i !== 'object' || i === null) return [`${JSON.stringify(i)} instead of an object`]
  if (typeof i.id !== 'string' || i.id === '') problems.push(`id ${JSON.stringify(i.id)} (expected a non-empty string)`)
  if (!KINDS.includes(i.kind)) problems.push(`kind ${JSON.stringify(i.kind)} (expected ${KINDS.join('|')})`)
  for (const key of ['tickSize', 'lotSize', 'multiplier', 'referencePrice'] as const) {
    if (!(typeof i[key] === 'number' && i[key] > 0 && Number.isFinite(i[key]))) problems.push(`${key} ${JSON.stringify(i[key])} (expected a positive number)`)
  }
  if (!(typeof i.minNotional === 'number' && i.minNotional >= 0)) problems.push(`minNotional ${JSON.stringify(i.minNotional)} (expected a number ≥ 0)`)
  if (typeof i.quoteCurrency !== 'string' || i.quoteCurrency === '') problems.push(`quoteCurrency ${JSON.stringify(i.quoteCurrency)} (expected a currency code)`)
  return problems
}

function label(spec: InstrumentSpec): string {
  return typeof spec === 'string' ? spec : JSON.stringify(spec)
}

/**
 * The instruments with their money counted in the account's currency, for the paper venue and
 * backtests: an instrument quoted in another currency gets a fixed conversion from reference prices
 * (USD_JPY at ~150: 1 JPY = 1/150 USD) folded into its multiplier, so its notional, fees, P&L and
 * risk limits are in the account's currency. The rate is the venue plugin's reference price of the
 * pair that links the two currencies (the instrument itself when it is one): a simulation's rate,
 * fixed; a run at the venue uses the venue's own (live-run.ts). Without such a pair, nothing is
 * converted and a note says so.
 */
export function inAccountCurrency(instruments: readonly Instrument[], venue: string, registry: SectorRegistry, account: string): {instruments: Instrument[]; notes: string[]} {
  const notes: string[] = []
  const reference = registry.get(venue)?.definition.referenceRate
  const rate = (quote: string): number | undefined => {
    const r = reference?.(quote, account)
    if (r !== undefined && Number.isFinite(r) && r > 0) return r
    // A configured pair of the two currencies has a reference price of its own.
    const direct = instruments.find((i) => i.id === `${quote}_${account}`)?.referencePrice
    if (direct !== undefined && direct > 0) return direct
    const inverse = instruments.find((i) => i.id === `${account}_${quote}`)?.referencePrice
    return inverse !== undefined && inverse > 0 ? 1 / inverse : undefined
  }
  const out = instruments.map((i) => {
    if (i.quoteCurrency === account) return i
    const f = rate(i.quoteCurrency)
    if (f === undefined) return i
    notes.push(`${i.id} is quoted in ${i.quoteCurrency}: on the paper venue and in backtests its money is counted in ${account} at a fixed ${Number(f.toPrecision(6))} ${account} per ${i.quoteCurrency} (from reference prices; a run at the venue uses the venue's rate)`)
    return {...i, multiplier: i.multiplier * f, quoteCurrency: account}
  })
  return {instruments: out, notes}
}
