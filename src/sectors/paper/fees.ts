// Fee schedules of the paper venue. One type expresses the three venues' styles: basis points
// of notional (Coinbase maker/taker), nothing but the spread (OANDA: modelled as slippage), and
// per-share / per-contract commissions with a minimum and a cap (IBKR).
import type {InstrumentKind} from '../../foundation/domain/instrument.js'
import {bpsOfMicro, MICRO_PER_UNIT, toMicro, type Micro} from '../../foundation/domain/money.js'

export interface FeeSchedule {
  /** Basis points of notional charged to a resting (maker) fill. */
  makerBps: number
  /** Basis points of notional charged to a taking fill (market, stop, marketable limit). */
  takerBps: number
  /** Commission per unit of quantity (per share, per contract), in account currency. */
  perUnit?: number
  /** Minimum commission per fill, in account currency. */
  minPerFill?: number
  /** Cap as basis points of notional (IBKR stocks: 1% = 100 bps). */
  maxBps?: number
}

export interface FeeModel extends FeeSchedule {
  /** Schedules that replace the default one for some kinds of instrument (IBKR futures vs stocks). */
  byKind?: Partial<Record<InstrumentKind, FeeSchedule>>
}

/**
 * The fee of one fill in Micro: bps of notional plus per-unit commission, at least the minimum,
 * at most the cap. Each part is rounded UP to a whole micro unit once (fees never round in the
 * account's favour), so fees are integers before they are added anywhere.
 */
export function feeFor(model: FeeModel, kind: InstrumentKind, notional: Micro, qty: number, liquidity: 'maker' | 'taker'): Micro {
  const s = model.byKind?.[kind] ?? model
  const bps = liquidity === 'maker' ? s.makerBps : s.takerBps
  let fee = bps > 0 ? bpsOfMicro(notional, bps) : 0
  if (s.perUnit !== undefined && s.perUnit > 0) fee += Math.ceil(Math.abs(qty) * s.perUnit * MICRO_PER_UNIT - 1e-6)
  if (s.minPerFill !== undefined && s.minPerFill > 0) fee = Math.max(fee, toMicro(s.minPerFill))
  if (s.maxBps !== undefined && s.maxBps > 0) fee = Math.min(fee, bpsOfMicro(notional, s.maxBps))
  return fee
}

/**
 * Default fees of the paper venue per venue, close to each broker's retail schedule:
 * - coinbase: Advanced Trade's lowest tier, taker 60 bps, maker 40 bps.
 * - oanda: no commission on standard accounts; the cost is the spread, modelled as slippage.
 * - ibkr: fixed pricing; stocks and ETFs USD 0.005 per share, min USD 1, max 1% of the trade value;
 *   micro futures about USD 0.62 per contract (commission 0.25 + exchange and regulatory fees).
 * Anything else: 10 bps both ways.
 */
export function defaultFees(venue: string): FeeModel {
  switch (venue) {
    case 'coinbase':
      return {makerBps: 40, takerBps: 60}
    case 'oanda':
      return {makerBps: 0, takerBps: 0}
    case 'ibkr':
      return {
        makerBps: 0,
        takerBps: 0,
        perUnit: 0.005,
        minPerFill: 1,
        maxBps: 100,
        byKind: {future: {makerBps: 0, takerBps: 0, perUnit: 0.62}, option: {makerBps: 0, takerBps: 0, perUnit: 0.65, minPerFill: 1}, fx: {makerBps: 0.2, takerBps: 0.2, minPerFill: 2}},
      }
    default:
      return {makerBps: 10, takerBps: 10}
  }
}

/**
 * Default adverse slippage (bps of price) on market and stop fills: about half the typical spread
 * of each venue's liquid instruments at one-minute bars (EUR_USD ~0.6 pip spread, BTC-USD a few
 * bps, SPY/MES a tick).
 */
export function defaultSlippageBps(venue: string): number {
  switch (venue) {
    case 'oanda':
      return 0.5
    case 'coinbase':
      return 2
    case 'ibkr':
      return 0.5
    default:
      return 1
  }
}

/** JSON Schema of a fee model as a sector config may give it (the `paper.fees` block). */
export {feeModelSchema} from '../../foundation/config/paper-schema.js'

/** The venue's default fees with a sector's overrides on top (an override's byKind replaces the default's). */
export function resolveFees(venue: string, override?: Partial<FeeModel>): FeeModel {
  return {...defaultFees(venue), ...(override ?? {})}
}
