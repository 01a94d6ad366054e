// The engine's per-day risk counters and how a restart rebuilds them from the journal. The engine
// counts live (one trade per ORDER_INTENT, a loss streak moved by fills that close or reduce a
// position); recovery records the same events as a trail and riskDayAt() folds the trail of the
// restart's session day with the same definitions, so a restart does not hand out a fresh day.
import type {Micro} from '../../foundation/domain/money.js'
import type {SessionClock} from '../../foundation/risk/session.js'
import type {FillEffect} from '../portfolio/ledger.js'

/** The order-rate window of the gate (orders in the last minute). */
export const ORDER_RATE_WINDOW_MS = 60_000

/**
 * The loss streak after a fill, or undefined when the fill is not a trade (it only opened or added).
 * A trade's net result (realized − fee) extends the streak when negative and ends it when positive.
 */
export function streakAfterFill(streak: number, effect: Pick<FillEffect, 'realized' | 'closed'>, fee: Micro): number | undefined {
  if (!effect.closed && effect.realized === 0) return undefined
  const net = effect.realized - fee
  if (net < 0) return streak + 1
  if (net > 0) return 0
  return streak
}

/** One account event that moves a counter, with the books' equity around it. */
export interface RiskTrailEntry {
  ts: number
  /** Equity of the books just before the event (marked at the last prices seen). */
  before: Micro
  /** Equity just after it. */
  after: Micro
  /** An ORDER_INTENT: one trade today and one order in the rate window. */
  intent?: true
  /** A FILL: what it did to the books. */
  fill?: {realized: Micro; closed: boolean; fee: Micro}
}

/** The counters of a session day already under way. */
export interface RiskDay {
  /** When this session day ends (the engine resets the counters at its first bar from then). */
  dayEnd: number
  tradesToday: number
  consecutiveLosses: number
  dayStartEquity: Micro
  dayPeakEquity: Micro
}

/** What the engine starts from instead of zero. */
export interface RiskDayCounters {
  /** Undefined when nothing of `now`'s session day is in the journal (the day starts at the first bar). */
  day?: RiskDay
  /** Order times inside the rate window ending at `now`, oldest first (the window spans days). */
  recentOrderTimes: number[]
}

/**
 * The counters of the session day `now` belongs to, folded from the trail (oldest first). Undefined
 * when nothing of that day or of the rate window is in the trail: the engine then starts as if fresh.
 */
export function riskDayAt(trail: readonly RiskTrailEntry[], session: SessionClock, now: number): RiskDayCounters | undefined {
  const dayStart = session.sessionDayStart(now)
  const cutoff = now - ORDER_RATE_WINDOW_MS
  let first = trail.length
  while (first > 0 && (trail[first - 1] as RiskTrailEntry).ts >= Math.min(dayStart, cutoff + 1)) first--
  if (first === trail.length) return undefined
  const recentOrderTimes: number[] = []
  let tradesToday = 0
  let consecutiveLosses = 0
  let dayStartEquity: Micro | undefined
  let dayPeakEquity: Micro = -Infinity
  for (let i = first; i < trail.length; i++) {
    const e = trail[i] as RiskTrailEntry
    if (e.ts > now) break
    if (e.intent && e.ts > cutoff) recentOrderTimes.push(e.ts)
    if (e.ts < dayStart) continue
    if (dayStartEquity === undefined) {
      dayStartEquity = e.before
      dayPeakEquity = e.before
    }
    if (e.after > dayPeakEquity) dayPeakEquity = e.after
    if (e.intent) tradesToday++
    if (e.fill) consecutiveLosses = streakAfterFill(consecutiveLosses, e.fill, e.fill.fee) ?? consecutiveLosses
  }
  if (dayStartEquity === undefined) return recentOrderTimes.length === 0 ? undefined : {recentOrderTimes}
  return {day: {dayEnd: session.nextSessionDayStart(now), tradesToday, consecutiveLosses, dayStartEquity, dayPeakEquity}, recentOrderTimes}
}
