// IBKR contracts as rick's domain model. Ids: STK/IND the symbol (`SPY`), FUT `<symbol>-<expiry>`
// (`MES-202612`), CASH `<symbol>.<currency>` (`EUR.USD`), OPT `<symbol>-<expiry>-<right><strike>`.
// Shares and contracts trade in whole units; futures carry their multiplier (MES: USD 5 per
// index point, tick 0.25 = USD 1.25).
import type {InstrumentSpec} from '../../../src/foundation/config/types.js'
import type {Instrument, InstrumentKind} from '../../../src/foundation/domain/instrument.js'
import {VENUE} from './config.js'

interface Future {
  tick: number
  multiplier: number
  reference: number
}

/** CME/CBOT/NYMEX/COMEX contract specs of the common index, energy and metal futures. */
const FUTURES: Record<string, Future> = {
  MES: {tick: 0.25, multiplier: 5, reference: 5000},
  ES: {tick: 0.25, multiplier: 50, reference: 5000},
  MNQ: {tick: 0.25, multiplier: 2, reference: 18000},
  NQ: {tick: 0.25, multiplier: 20, reference: 18000},
  M2K: {tick: 0.1, multiplier: 5, reference: 2000},
  RTY: {tick: 0.1, multiplier: 50, reference: 2000},
  MYM: {tick: 1, multiplier: 0.5, reference: 39000},
  YM: {tick: 1, multiplier: 5, reference: 39000},
  MCL: {tick: 0.01, multiplier: 100, reference: 80},
  CL: {tick: 0.01, multiplier: 1000, reference: 80},
  MGC: {tick: 0.1, multiplier: 10, reference: 2300},
  GC: {tick: 0.1, multiplier: 100, reference: 2300},
}

/** Typical prices of common stocks and ETFs (mid 2024). */
const STOCKS: Record<string, number> = {SPY: 500, QQQ: 440, IWM: 200, DIA: 390, AAPL: 190, MSFT: 420, NVDA: 900, AMZN: 180, TSLA: 180, GOOGL: 160, META: 480}
const ETFS = new Set(['SPY', 'QQQ', 'IWM', 'DIA', 'GLD', 'TLT', 'VOO', 'VTI'])
const FX_REFERENCE: Record<string, number> = {'EUR.USD': 1.08, 'GBP.USD': 1.27, 'USD.JPY': 150, 'AUD.USD': 0.66, 'USD.CHF': 0.88, 'USD.CAD': 1.36}

export function instrumentId(c: Record<string, unknown>): string {
  const symbol = String(c.symbol ?? '')
  switch (c.secType) {
    case 'FUT':
      return `${symbol}-${String(c.lastTradeDateOrContractMonth ?? '')}`
    case 'CASH':
      return `${symbol}.${String(c.currency ?? '')}`
    case 'OPT':
      return `${symbol}-${String(c.lastTradeDateOrContractMonth ?? '')}-${String(c.right ?? '')}${String(c.strike ?? '')}`
    default:
      return symbol
  }
}

export function describeInstrument(spec: InstrumentSpec): Instrument {
  if (typeof spec !== 'object' || spec === null) throw new Error(`IBKR instruments are contracts like {symbol: SPY, secType: STK, exchange: SMART, currency: USD}, found ${JSON.stringify(spec)}`)
  const symbol = String(spec.symbol ?? '')
  const currency = String(spec.currency ?? 'USD')
  const configured = typeof spec.multiplier === 'string' ? Number(spec.multiplier) : undefined
  const base = {id: instrumentId(spec), venue: VENUE, quoteCurrency: currency, minNotional: 0}
  switch (spec.secType) {
    case 'FUT': {
      const f = FUTURES[symbol]
      return {...base, kind: 'future', tickSize: f?.tick ?? 0.01, lotSize: 1, multiplier: configured ?? f?.multiplier ?? 1, referencePrice: f?.reference ?? 100}
    }
    case 'OPT':
      return {...base, kind: 'option', tickSize: 0.01, lotSize: 1, multiplier: configured ?? 100, referencePrice: 5}
    case 'CASH': {
      const id = base.id
      return {...base, kind: 'fx', tickSize: currency === 'JPY' ? 0.005 : 0.00005, lotSize: 1, multiplier: 1, referencePrice: FX_REFERENCE[id] ?? (currency === 'JPY' ? 100 : 1)}
    }
    case 'IND':
      return {...base, kind: 'index', tickSize: 0.01, lotSize: 1, multiplier: 1, referencePrice: symbol === 'SPX' ? 5000 : 1000}
    default: {
      const kind: InstrumentKind = ETFS.has(symbol) ? 'etf' : 'stock'
      return {...base, kind, tickSize: 0.01, lotSize: 1, multiplier: 1, referencePrice: STOCKS[symbol] ?? 100}
    }
  }
}
