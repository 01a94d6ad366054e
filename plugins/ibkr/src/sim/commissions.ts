// What IBKR charges a fill, in integer micro-dollars (1e-6 USD), from IBKR Pro's published schedules:
//   futures (tiered, up to 1,000 contracts a month): IBKR's USD 0.25 a contract for the micro
//     e-minis, USD 0.85 for the others, plus the exchange's fee (catalogue.ts: CME MES 0.35,
//     ES 1.38…) and the NFA's regulatory fee USD 0.02 — MES comes to USD 0.62 a contract all-in;
//   US stocks and ETFs (fixed): USD 0.005 a share, at least USD 1.00, at most 1 % of the trade value;
//   FX on IDEALPRO (fixed): 0.20 basis point of the trade value, at least USD 2.00.
import type {Product} from './catalogue.js'

export const MICRO = 1_000_000
const MICRO_FUTURES = new Set(['MES', 'MNQ', 'M2K', 'MYM'])
const NFA_FEE = 0.02

/** USD as micro-dollars (rounded half away from zero, once). */
export function toMicro(usd: number): number {
  return usd < 0 ? -Math.round(-usd * MICRO) : Math.round(usd * MICRO)
}

/** Commission of one fill of `qty` (whole units, positive) at `price`, in micro-dollars. */
export function commissionMicro(p: Product, qty: number, price: number): number {
  switch (p.contract.secType) {
    case 'FUT': {
      const ibkr = MICRO_FUTURES.has(p.contract.symbol) ? 0.25 : 0.85
      return qty * toMicro(ibkr + p.exchangeFee + NFA_FEE)
    }
    case 'CASH':
      return Math.max(toMicro(2), toMicro(qty * price * 0.00002))
    default: {
      const value = qty * price
      return Math.min(Math.max(toMicro(qty * 0.005), toMicro(1)), toMicro(value * 0.01))
    }
  }
}
