// Contract fields as requests carry them. Every version we negotiate is >= 100, so the fields
// EClient adds at lower versions (conId at 46/47, multiplier at 15, primaryExchange at 14,
// tradingClass at 68…) are always there; only later additions are conditional.
import type {SimContract} from '../seam.js'
import {type FieldReader, MalformedMessage} from './fields.js'

/** conId, symbol, secType, lastTradeDateOrContractMonth, strike, right, multiplier, exchange, primaryExch, currency, localSymbol, tradingClass. */
export function readContract(r: FieldReader): SimContract {
  return {
    conId: r.int(),
    symbol: r.str(),
    secType: r.str(),
    lastTradeDateOrContractMonth: r.str(),
    strike: r.double(),
    right: r.str(),
    multiplier: r.str(),
    exchange: r.str(),
    primaryExchange: r.str(),
    currency: r.str(),
    localSymbol: r.str(),
    tradingClass: r.str(),
  }
}

/** A count that precedes repeated groups; bounded so a hostile count cannot make us spin. */
export function readCount(r: FieldReader, what: string): number {
  const n = r.int()
  if (n < 0 || n > r.remaining) throw new MalformedMessage(`${what} count ${n} does not fit the message`)
  return n
}

/** The combo legs of a BAG contract as reqMktData/reqHistoricalData send them (conId, ratio, action, exchange). */
export function skipShortComboLegs(r: FieldReader, contract: SimContract): void {
  if (contract.secType.toUpperCase() !== 'BAG') return
  const n = readCount(r, 'combo legs')
  for (let i = 0; i < n; i++) {
    r.int()
    r.int()
    r.str()
    r.str()
  }
}

/** A TagValue list sent as one `tag=value;…` field (chartOptions, mktDataOptions…): read and ignored. */
export function skipTagValueText(r: FieldReader): void {
  r.str()
}
