// How one order meets one bar. Pure functions, so each rule is tested on its own:
// - market: the bar's open, moved against the order by the slippage (taker);
// - limit: the open when the bar gaps through the limit in the order's favour, else the limit when
//   the bar trades THROUGH it (a mere touch does not fill: pessimistic; `touch` relaxes this);
// - stop: triggers on the bar's range; fills at the stop, or at the open when the bar gaps past the
//   stop (pessimistic), plus slippage (taker);
// - stop-limit: triggers like a stop; on the trigger bar it fills only if the trigger price is within
//   the limit, otherwise it rests as a limit from the next bar.
// A bar carries no order of events inside it, so whenever the outcome depends on it, the rule that
// is worse for the account wins (see the bracket rule in connector.ts).
import type {Bar} from '../../foundation/domain/bars.js'
import {stepsToValue} from '../../foundation/domain/instrument.js'
import type {Side} from '../../foundation/domain/orders.js'

export type LimitFillRule = 'through' | 'touch'

export interface MatchResult {
  price: number
  /** Whether the order crossed the market (taker) or rested and was hit (maker). */
  liquidity: 'maker' | 'taker'
  /** Filled at the bar's open (the whole bar then happened after the fill). */
  atOpen: boolean
}

/** Rounding to tick in the direction that hurts the order (buy up, sell down). */
export function adversePrice(price: number, side: Side, slippageBps: number, tick: number): number {
  const moved = slippageBps > 0 ? price * (side === 'buy' ? 1 + slippageBps / 10_000 : 1 - slippageBps / 10_000) : price
  const steps = side === 'buy' ? Math.ceil(moved / tick - 1e-9) : Math.floor(moved / tick + 1e-9)
  return stepsToValue(steps, tick)
}

export function matchMarket(side: Side, bar: Bar, slippageBps: number, tick: number): MatchResult {
  return {price: adversePrice(bar.open, side, slippageBps, tick), liquidity: 'taker', atOpen: true}
}

/**
 * A limit order on a bar. `firstBar`: the order meets its first bar since it was sent, so a fill at
 * the open means it was marketable when it arrived (taker); otherwise it rested (maker).
 */
export function matchLimit(side: Side, limit: number, bar: Bar, firstBar: boolean, rule: LimitFillRule): MatchResult | undefined {
  const touch = rule === 'touch'
  if (side === 'buy') {
    if (bar.open < limit || (touch && bar.open === limit)) return {price: bar.open, liquidity: firstBar ? 'taker' : 'maker', atOpen: true}
    if (bar.low < limit || (touch && bar.low === limit)) return {price: limit, liquidity: 'maker', atOpen: false}
  } else {
    if (bar.open > limit || (touch && bar.open === limit)) return {price: bar.open, liquidity: firstBar ? 'taker' : 'maker', atOpen: true}
    if (bar.high > limit || (touch && bar.high === limit)) return {price: limit, liquidity: 'maker', atOpen: false}
  }
  return undefined
}

/** The price at which a stop triggers on this bar (the open when the bar gaps past it), or undefined. */
export function stopTrigger(side: Side, stop: number, bar: Bar): {price: number; atOpen: boolean} | undefined {
  if (side === 'buy') {
    if (bar.open >= stop) return {price: bar.open, atOpen: true}
    if (bar.high >= stop) return {price: stop, atOpen: false}
  } else {
    if (bar.open <= stop) return {price: bar.open, atOpen: true}
    if (bar.low <= stop) return {price: stop, atOpen: false}
  }
  return undefined
}

export function matchStop(side: Side, stop: number, bar: Bar, slippageBps: number, tick: number): MatchResult | undefined {
  const t = stopTrigger(side, stop, bar)
  return t && {price: adversePrice(t.price, side, slippageBps, tick), liquidity: 'taker', atOpen: t.atOpen}
}

/**
 * A stop-limit that has not triggered yet: `fill` when it triggers and the trigger price is within
 * the limit (slippage capped at the limit); `triggered` when it triggers beyond the limit (it then
 * rests as a limit order from the next bar); undefined when the stop is not reached.
 */
export function matchStopLimit(side: Side, stop: number, limit: number, bar: Bar, slippageBps: number, tick: number): {fill?: MatchResult; triggered: boolean} | undefined {
  const t = stopTrigger(side, stop, bar)
  if (!t) return undefined
  const within = side === 'buy' ? t.price <= limit : t.price >= limit
  if (!within) return {triggered: true}
  const slipped = adversePrice(t.price, side, slippageBps, tick)
  const price = side === 'buy' ? Math.min(slipped, limit) : Math.max(slipped, limit)
  return {triggered: true, fill: {price, liquidity: 'taker', atOpen: t.atOpen}}
}
