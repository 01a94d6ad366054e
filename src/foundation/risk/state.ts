// A sector's trading state: ACTIVE, REDUCING (only orders that reduce a position) or HALTED (only
// cancels). The machine decides transitions and hands back RISK_STATE records; the engine journals
// them, and fold() rebuilds the state from those records after a restart, so a halt survives it.
//
// Loss rules put a sector in REDUCING, not HALTED: a sector stopped by a loss must still be able to
// close what it holds (its exits and protective orders pass, nothing adds exposure). HALTED, where
// even an exit is denied, is for a person's halt, the kill switch and faults.
//
// | trigger                                  | to        | until                        | code               |
// |------------------------------------------|-----------|------------------------------|--------------------|
// | day's P&L ≤ −dailyLossCap                | REDUCING  | next session day begins      | DAILY_LOSS_CAP     |
// | canary: day's P&L ≤ −canary.dailyLossCap | REDUCING  | next session day begins      | CANARY_DAILY_LOSS  |
// | losing trades in a row ≥ limit           | REDUCING  | next session day begins      | CONSECUTIVE_LOSSES |
// | drawdown from the day's peak ≥ limit %   | REDUCING  | a person resumes             | MAX_DRAWDOWN       |
// | strategy threw or returned garbage       | HALTED    | a person resumes             | STRATEGY_ERROR     |
// | `rick halt <sector>`                     | HALTED    | a person resumes             | MANUAL_HALT        |
// | `rick reduce <sector>` (from any state)  | REDUCING  | a person resumes             | MANUAL_REDUCE      |
// | `rick resume <sector>`                   | ACTIVE    | —                            | MANUAL_RESUME      |
// | no price or heartbeat for too long       | REDUCING  | data flows again             | DATA_STALE         |
// | data flows again after DATA_STALE        | the state before it         | —          | DATA_RESUMED       |
// | reconciliation finds what it cannot explain | REDUCING | a person resumes            | RECONCILE_MISMATCH |
// | a timed state's `until` has passed       | the state before it (ACTIVE or REDUCING) | — | HALT_EXPIRED |
//
// - A state never gets weaker by an automatic trip: HALTED is stricter than REDUCING, and a state
//   that needs a person is never shortened by a timed one; a timed state tripped again by one that
//   needs a person becomes untimed (a REDUCING → REDUCING record says so).
// - After a person resumes or reduces, the automatic trips (loss caps, drawdown, losing streak)
//   are not re-armed until the next session day: otherwise the same loss would trip the sector
//   again at once and a person could never unwind it. The gate still denies every order that
//   adds risk past those limits (its checks do not depend on the state), so a resumed sector can
//   close positions but not add to them. Strategy errors and manual halts always halt.
// - The engine resets the day's P&L, its peak equity and the losing streak when a session day
//   begins; the machine only compares what it is given.
import {formatMicro as fmt, type Micro} from '../domain/money.js'
import type {EventPayloads, JournalEvent} from '../journal/events.js'
import {sessionClock, type SessionClock} from './session.js'
import type {EffectiveLimits, TradingState} from './types.js'

export const RISK_STATE_CODES = [
  'DAILY_LOSS_CAP',
  'CANARY_DAILY_LOSS',
  'CONSECUTIVE_LOSSES',
  'MAX_DRAWDOWN',
  'STRATEGY_ERROR',
  'MANUAL_HALT',
  'MANUAL_REDUCE',
  'MANUAL_RESUME',
  'HALT_EXPIRED',
  'DATA_STALE',
  'DATA_RESUMED',
  'RECONCILE_MISMATCH',
] as const
export type RiskStateCode = (typeof RISK_STATE_CODES)[number]

/** A transition, shaped as the RISK_STATE journal payload. */
export type RiskTransition = EventPayloads['RISK_STATE']

/** Discrete things that change the state (limits are judged by evaluate()). */
export type RiskTrigger =
  | {kind: 'halt'; reason?: string}
  | {kind: 'reduce'; reason?: string}
  | {kind: 'resume'; reason?: string}
  | {kind: 'strategy-error'; message: string}
  /** The market data stopped (no price or heartbeat for too long): only cancels and reductions. */
  | {kind: 'data-stale'; reason: string}
  /** Data flows again: back to where DATA_STALE found the sector (only if it is still what holds it). */
  | {kind: 'data-fresh'; reason: string}
  /** The venue and the journal differ in a way reconciliation cannot explain. */
  | {kind: 'reconcile-mismatch'; reason: string}

/** What evaluate() compares with the limits; the same figures the gate sees in its snapshot. */
export interface RiskMetrics {
  dailyPnl: Micro
  equity: Micro
  dayPeakEquity: Micro
  consecutiveLosses: number
}

export interface TradingStateOptions {
  limits: EffectiveLimits
  /** Decides when a session day begins (default: UTC days). */
  session?: SessionClock
}

export class TradingStateMachine {
  private readonly limits: EffectiveLimits
  private readonly session: SessionClock
  private current: TradingState = 'ACTIVE'
  /** When a timed HALTED or REDUCING ends. */
  private haltUntil: number | undefined
  private lastCode: string | undefined
  private lastReason: string | undefined
  /** Where a timed halt returns to. */
  private resumeTo: TradingState = 'ACTIVE'
  /** Session day on which a person last resumed or reduced: automatic trips wait for the next day. */
  private overrideDay: string | undefined

  constructor(options: TradingStateOptions) {
    this.limits = options.limits
    this.session = options.session ?? sessionClock()
  }

  get state(): TradingState {
    return this.current
  }

  /** When a timed HALTED or REDUCING ends (epoch ms); undefined when ACTIVE or a person must resume. */
  get until(): number | undefined {
    return this.haltUntil
  }

  /** The code and reason of the transition that led to the current state. */
  get code(): string | undefined {
    return this.lastCode
  }

  get reason(): string | undefined {
    return this.lastReason
  }

  /** A manual command or a strategy fault; returns the transition, or undefined when nothing changes. */
  onEvent(trigger: RiskTrigger, now: number): RiskTransition | undefined {
    switch (trigger.kind) {
      case 'halt':
        return this.halt('MANUAL_HALT', trigger.reason ?? 'halted by hand', undefined)
      case 'strategy-error':
        return this.halt('STRATEGY_ERROR', `strategy error: ${trigger.message}`, undefined)
      case 'reduce': {
        // A timed REDUCING (a loss rule) asked for by hand becomes one that waits for a person.
        if (this.current === 'REDUCING' && this.haltUntil === undefined) return undefined
        this.overrideDay = this.session.sessionDay(now)
        return this.move('REDUCING', 'MANUAL_REDUCE', trigger.reason ?? 'reduce-only by hand', undefined)
      }
      case 'resume': {
        if (this.current === 'ACTIVE') return undefined
        this.overrideDay = this.session.sessionDay(now)
        return this.move('ACTIVE', 'MANUAL_RESUME', trigger.reason ?? 'resumed by hand', undefined)
      }
      case 'data-stale':
        // Only from ACTIVE: a sector already reduced or halted is held as strictly or more.
        if (this.current !== 'ACTIVE') return undefined
        this.resumeTo = 'ACTIVE'
        return this.move('REDUCING', 'DATA_STALE', trigger.reason, undefined)
      case 'data-fresh':
        if (this.current !== 'REDUCING' || this.lastCode !== 'DATA_STALE') return undefined
        return this.move(this.resumeTo, 'DATA_RESUMED', trigger.reason, undefined)
      case 'reconcile-mismatch': {
        if (this.current === 'HALTED' || (this.current === 'REDUCING' && this.haltUntil === undefined && this.lastCode !== 'DATA_STALE')) return undefined
        if (this.current === 'ACTIVE') this.resumeTo = 'ACTIVE'
        return this.move('REDUCING', 'RECONCILE_MISMATCH', trigger.reason, undefined)
      }
      default: {
        const unknown: never = trigger
        throw new Error(`unknown risk trigger ${JSON.stringify(unknown)}`)
      }
    }
  }

  /**
   * Trips the loss rules (to REDUCING) when a limit is reached; call after every fill and mark (once
   * per bar is enough). Returns the transition, or undefined.
   */
  evaluate(metrics: RiskMetrics, now: number): RiskTransition | undefined {
    if (this.overrideDay !== undefined && this.overrideDay === this.session.sessionDay(now)) return undefined
    const L = this.limits
    const drop = metrics.dayPeakEquity - metrics.equity
    if (metrics.dayPeakEquity > 0 && drop * 100 >= L.maxDrawdownPct * metrics.dayPeakEquity) {
      return this.reduce('MAX_DRAWDOWN', `equity ${fmt(metrics.equity)} is ${fmt(drop)} below the day's peak ${fmt(metrics.dayPeakEquity)} (limit ${L.maxDrawdownPct}%)`, undefined)
    }
    if (metrics.dailyPnl <= -L.dailyLossCap) {
      return this.reduce('DAILY_LOSS_CAP', `day's P&L ${fmt(metrics.dailyPnl)} reached the daily loss cap ${fmt(L.dailyLossCap)}`, this.session.nextSessionDayStart(now))
    }
    if (L.canary !== undefined && metrics.dailyPnl <= -L.canary.dailyLossCap) {
      return this.reduce('CANARY_DAILY_LOSS', `day's P&L ${fmt(metrics.dailyPnl)} reached the canary daily loss cap ${fmt(L.canary.dailyLossCap)}`, this.session.nextSessionDayStart(now))
    }
    if (metrics.consecutiveLosses >= L.consecutiveLossHalt) {
      return this.reduce('CONSECUTIVE_LOSSES', `${metrics.consecutiveLosses} losing trades in a row (limit ${L.consecutiveLossHalt})`, this.session.nextSessionDayStart(now))
    }
    return undefined
  }

  /** Ends a timed state whose `until` has passed; call once per bar and at start-up. */
  tick(now: number): RiskTransition | undefined {
    if (this.current === 'ACTIVE' || this.haltUntil === undefined || now < this.haltUntil) return undefined
    const code = this.lastCode
    return this.move(this.resumeTo, 'HALT_EXPIRED', `${code ?? 'halt'} ended: a new session day began`, undefined)
  }

  /**
   * Rebuilds the state from journal events (RISK_STATE records, in journal order; other events are
   * ignored), then applies tick(now). Returns the expiry transition to journal, if any.
   */
  fold(events: Iterable<JournalEvent>, now: number): RiskTransition | undefined {
    this.current = 'ACTIVE'
    this.haltUntil = undefined
    this.lastCode = undefined
    this.lastReason = undefined
    this.resumeTo = 'ACTIVE'
    this.overrideDay = undefined
    for (const event of events) {
      if (event.type !== 'RISK_STATE') continue
      const t = (event as JournalEvent<'RISK_STATE'>).payload
      if (t.to !== 'ACTIVE' && t.from !== t.to && t.code !== 'MANUAL_REDUCE' && t.code !== 'HALT_EXPIRED') this.resumeTo = t.from
      this.current = t.to
      this.haltUntil = t.to === 'ACTIVE' ? undefined : t.until
      this.lastCode = t.code
      this.lastReason = t.reason
      if (t.code === 'MANUAL_RESUME' || t.code === 'MANUAL_REDUCE') this.overrideDay = this.session.sessionDay(event.ts)
    }
    return this.tick(now)
  }

  private halt(code: RiskStateCode, reason: string, until: number | undefined): RiskTransition | undefined {
    if (this.current === 'HALTED') {
      // Already halted: only a stricter halt (untimed, or longer) is recorded.
      if (this.haltUntil === undefined) return undefined
      if (until !== undefined && until <= this.haltUntil) return undefined
    } else {
      this.resumeTo = this.current
    }
    return this.move('HALTED', code, reason, until)
  }

  /** An automatic loss trip: REDUCING, unless the sector is already held as strictly or more. */
  private reduce(code: RiskStateCode, reason: string, until: number | undefined): RiskTransition | undefined {
    if (this.current === 'HALTED') return undefined
    if (this.current === 'REDUCING') {
      if (this.haltUntil === undefined) return undefined
      if (until !== undefined && until <= this.haltUntil) return undefined
    } else {
      this.resumeTo = this.current
    }
    return this.move('REDUCING', code, reason, until)
  }

  private move(to: TradingState, code: RiskStateCode, reason: string, until: number | undefined): RiskTransition {
    const from = this.current
    this.current = to
    this.haltUntil = to === 'ACTIVE' ? undefined : until
    this.lastCode = code
    this.lastReason = reason
    return until === undefined ? {from, to, reason, code} : {from, to, reason, code, until}
  }
}
