import {describe, expect, it} from 'vitest'

import {toMicro} from '../../../src/foundation/domain/money.js'
import type {JournalEvent} from '../../../src/foundation/journal/events.js'
import {sessionClock} from '../../../src/foundation/risk/session.js'
import {TradingStateMachine, type RiskMetrics, type RiskTransition} from '../../../src/foundation/risk/state.js'
import type {EffectiveLimits} from '../../../src/foundation/risk/types.js'

const LIMITS: EffectiveLimits = {
  maxOrderNotional: toMicro(2000),
  maxPositionNotional: toMicro(5000),
  maxOpenOrders: 4,
  dailyLossCap: toMicro(200),
  maxDrawdownPct: 10,
  consecutiveLossHalt: 5,
  maxTradesPerDay: 30,
  maxOrdersPerMinute: 12,
  allowLeverage: false,
}
const US_STOCKS = sessionClock({
  timezone: 'America/New_York',
  windows: [{days: ['mon', 'tue', 'wed', 'thu', 'fri'], start: '09:30', end: '16:00'}],
  flattenAt: '15:55',
})
const at = (iso: string) => Date.parse(iso)
// Monday 2024-03-11 11:00 EDT; Tuesday opens at 13:30 UTC.
const MON = at('2024-03-11T15:00:00Z')
const TUE_OPEN = at('2024-03-12T13:30:00Z')

const calm: RiskMetrics = {dailyPnl: 0, equity: toMicro(10_000), dayPeakEquity: toMicro(10_000), consecutiveLosses: 0}
const machine = (limits: EffectiveLimits = LIMITS) => new TradingStateMachine({limits, session: US_STOCKS})

/** Wraps transitions as the journal would store them. */
function journal(items: Array<[number, RiskTransition]>): JournalEvent[] {
  return items.map(([ts, payload], i) => ({
    seq: i + 1,
    ts,
    runId: 'r1',
    sector: 'ibkr',
    type: 'RISK_STATE',
    payload,
    prevHash: '',
    hash: '',
  }))
}

describe('manual transitions', () => {
  it('halt, reduce and resume move between the three states with their codes', () => {
    const m = machine()
    expect(m.state).toBe('ACTIVE')
    expect(m.onEvent({kind: 'halt', reason: 'rick halt ibkr'}, MON)).toEqual({from: 'ACTIVE', to: 'HALTED', reason: 'rick halt ibkr', code: 'MANUAL_HALT'})
    expect(m.until).toBeUndefined()
    expect(m.onEvent({kind: 'halt'}, MON)).toBeUndefined() // already halted for good
    expect(m.onEvent({kind: 'reduce'}, MON)).toEqual({from: 'HALTED', to: 'REDUCING', reason: 'reduce-only by hand', code: 'MANUAL_REDUCE'})
    expect(m.onEvent({kind: 'reduce'}, MON)).toBeUndefined()
    expect(m.onEvent({kind: 'resume'}, MON)).toEqual({from: 'REDUCING', to: 'ACTIVE', reason: 'resumed by hand', code: 'MANUAL_RESUME'})
    expect(m.onEvent({kind: 'resume'}, MON)).toBeUndefined()
    expect(m.state).toBe('ACTIVE')
  })

  it('a strategy error halts until a person resumes', () => {
    const m = machine()
    expect(m.onEvent({kind: 'strategy-error', message: 'onBar threw TypeError'}, MON)).toEqual({
      from: 'ACTIVE',
      to: 'HALTED',
      reason: 'strategy error: onBar threw TypeError',
      code: 'STRATEGY_ERROR',
    })
    expect(m.tick(TUE_OPEN + 86_400_000)).toBeUndefined()
    expect(m.state).toBe('HALTED')
  })
})

describe('loss rules: REDUCING, so the sector can still close what it holds', () => {
  it('daily loss cap: one micro short does nothing; reaching it reduces until the next session day opens', () => {
    const m = machine()
    expect(m.evaluate({...calm, dailyPnl: -toMicro(200) + 1}, MON)).toBeUndefined()
    expect(m.evaluate({...calm, dailyPnl: -toMicro(200)}, MON)).toEqual({
      from: 'ACTIVE',
      to: 'REDUCING',
      reason: "day's P&L -200.00 reached the daily loss cap 200.00",
      code: 'DAILY_LOSS_CAP',
      until: TUE_OPEN,
    })
    expect(m.tick(TUE_OPEN - 1)).toBeUndefined()
    expect(m.tick(TUE_OPEN)).toEqual({from: 'REDUCING', to: 'ACTIVE', reason: 'DAILY_LOSS_CAP ended: a new session day began', code: 'HALT_EXPIRED'})
    expect(m.state).toBe('ACTIVE')
  })

  it("a Friday daily-loss trip lasts until Monday's open (in that day's DST offset)", () => {
    const m = machine()
    const t = m.evaluate({...calm, dailyPnl: -toMicro(250)}, at('2024-03-08T16:00:00Z'))
    expect(t?.until).toBe(at('2024-03-11T13:30:00Z')) // Friday was EST, Monday opens 09:30 EDT
  })

  it('consecutive losses reduce until the next session day', () => {
    const m = machine()
    expect(m.evaluate({...calm, consecutiveLosses: 4}, MON)).toBeUndefined()
    expect(m.evaluate({...calm, consecutiveLosses: 5}, MON)).toMatchObject({to: 'REDUCING', code: 'CONSECUTIVE_LOSSES', until: TUE_OPEN})
  })

  it('max drawdown from the day peak reduces until a person resumes', () => {
    const m = machine()
    const peak = toMicro(10_000)
    expect(m.evaluate({...calm, dayPeakEquity: peak, equity: toMicro(9_000) + 1}, MON)).toBeUndefined()
    const t = m.evaluate({...calm, dayPeakEquity: peak, equity: toMicro(9_000)}, MON)
    expect(t).toMatchObject({from: 'ACTIVE', to: 'REDUCING', code: 'MAX_DRAWDOWN'})
    expect(t).not.toHaveProperty('until')
    expect(m.tick(TUE_OPEN + 7 * 86_400_000)).toBeUndefined()
    expect(m.state).toBe('REDUCING')
  })

  it('canary mode has its own daily loss cap', () => {
    const m = machine({...LIMITS, canary: {maxOrderNotional: toMicro(100), maxPositions: 1, dailyLossCap: toMicro(50)}})
    expect(m.evaluate({...calm, dailyPnl: -toMicro(50) + 1}, MON)).toBeUndefined()
    expect(m.evaluate({...calm, dailyPnl: -toMicro(50)}, MON)).toMatchObject({to: 'REDUCING', code: 'CANARY_DAILY_LOSS', until: TUE_OPEN})
  })

  it('a timed REDUCING becomes untimed when a rule that needs a person trips; never the other way', () => {
    const m = machine()
    m.evaluate({...calm, dailyPnl: -toMicro(300)}, MON)
    const peak = toMicro(10_000)
    expect(m.evaluate({...calm, dailyPnl: -toMicro(300), dayPeakEquity: peak, equity: toMicro(8_000)}, MON)).toEqual({
      from: 'REDUCING',
      to: 'REDUCING',
      reason: "equity 8000.00 is 2000.00 below the day's peak 10000.00 (limit 10%)",
      code: 'MAX_DRAWDOWN',
    })
    expect(m.until).toBeUndefined()
    expect(m.evaluate({...calm, dailyPnl: -toMicro(300)}, MON)).toBeUndefined()
    expect(m.tick(TUE_OPEN)).toBeUndefined()
    expect(m.state).toBe('REDUCING')
  })

  it('a loss never weakens HALTED; a fault or a manual halt over a loss trip halts until a person resumes', () => {
    const halted = machine()
    halted.onEvent({kind: 'halt'}, MON)
    expect(halted.evaluate({...calm, dailyPnl: -toMicro(300)}, MON)).toBeUndefined()
    expect(halted.state).toBe('HALTED')
    const m = machine()
    m.evaluate({...calm, consecutiveLosses: 6}, MON)
    expect(m.onEvent({kind: 'strategy-error', message: 'boom'}, MON)).toEqual({from: 'REDUCING', to: 'HALTED', reason: 'strategy error: boom', code: 'STRATEGY_ERROR'})
    expect(m.tick(TUE_OPEN)).toBeUndefined()
    expect(m.state).toBe('HALTED')
  })

  it('reduced by hand: a loss trip changes nothing; reduce by hand over a timed trip waits for a person', () => {
    const m = machine()
    m.onEvent({kind: 'reduce'}, at('2024-03-08T15:00:00Z')) // Friday
    expect(m.evaluate({...calm, consecutiveLosses: 6}, MON)).toBeUndefined()
    expect(m.state).toBe('REDUCING')
    const t = machine()
    t.evaluate({...calm, consecutiveLosses: 6}, MON)
    expect(t.onEvent({kind: 'reduce'}, MON)).toMatchObject({from: 'REDUCING', to: 'REDUCING', code: 'MANUAL_REDUCE'})
    expect(t.until).toBeUndefined()
    expect(t.tick(TUE_OPEN)).toBeUndefined()
  })

  it('after a manual resume the same loss does not trip again that day, but does the next day', () => {
    const m = machine()
    const loss = {...calm, dailyPnl: -toMicro(300)}
    m.evaluate(loss, MON)
    m.onEvent({kind: 'resume'}, MON + 60_000)
    expect(m.evaluate(loss, MON + 120_000)).toBeUndefined()
    expect(m.state).toBe('ACTIVE')
    expect(m.onEvent({kind: 'strategy-error', message: 'x'}, MON + 180_000)?.to).toBe('HALTED') // errors still halt
    m.onEvent({kind: 'resume'}, MON + 240_000)
    expect(m.evaluate(loss, TUE_OPEN)).toMatchObject({to: 'REDUCING', code: 'DAILY_LOSS_CAP'})
  })
})

describe('data and reconciliation', () => {
  it('stale data reduces from ACTIVE and fresh data gives it back; never over a stricter state', () => {
    const m = machine()
    expect(m.onEvent({kind: 'data-stale', reason: 'no price for 15 s'}, MON)).toEqual({from: 'ACTIVE', to: 'REDUCING', reason: 'no price for 15 s', code: 'DATA_STALE'})
    expect(m.onEvent({kind: 'data-stale', reason: 'again'}, MON)).toBeUndefined()
    expect(m.onEvent({kind: 'data-fresh', reason: 'prices flow again'}, MON)).toEqual({from: 'REDUCING', to: 'ACTIVE', reason: 'prices flow again', code: 'DATA_RESUMED'})
    expect(m.onEvent({kind: 'data-fresh', reason: 'x'}, MON)).toBeUndefined()
    m.onEvent({kind: 'halt'}, MON)
    expect(m.onEvent({kind: 'data-stale', reason: 'x'}, MON)).toBeUndefined()
    const r = machine()
    r.evaluate({...calm, consecutiveLosses: 9}, MON)
    expect(r.onEvent({kind: 'data-stale', reason: 'x'}, MON)).toBeUndefined()
    // Fresh data never lifts a loss trip or a manual reduce.
    expect(r.onEvent({kind: 'data-fresh', reason: 'x'}, MON)).toBeUndefined()
    expect(r.state).toBe('REDUCING')
  })

  it('a reconciliation mismatch reduces until a person resumes, also over stale data or a timed loss trip', () => {
    const m = machine()
    m.onEvent({kind: 'data-stale', reason: 'x'}, MON)
    expect(m.onEvent({kind: 'reconcile-mismatch', reason: 'EUR_USD: venue 1000, journal 0'}, MON)).toMatchObject({from: 'REDUCING', to: 'REDUCING', code: 'RECONCILE_MISMATCH'})
    expect(m.onEvent({kind: 'data-fresh', reason: 'x'}, MON)).toBeUndefined()
    expect(m.tick(TUE_OPEN + 86_400_000)).toBeUndefined()
    expect(m.onEvent({kind: 'resume'}, MON)).toMatchObject({to: 'ACTIVE'})
    const t = machine()
    t.evaluate({...calm, dailyPnl: -toMicro(300)}, MON)
    expect(t.onEvent({kind: 'reconcile-mismatch', reason: 'x'}, MON)).toMatchObject({code: 'RECONCILE_MISMATCH'})
    expect(t.until).toBeUndefined()
  })
})

describe('fold: the state after a restart', () => {
  it('a manual halt survives a restart', () => {
    const m = machine()
    const events = journal([[MON, {from: 'ACTIVE', to: 'HALTED', reason: 'by hand', code: 'MANUAL_HALT'}]])
    expect(m.fold(events, TUE_OPEN + 30 * 86_400_000)).toBeUndefined()
    expect(m.state).toBe('HALTED')
    expect(m.code).toBe('MANUAL_HALT')
  })

  it('a daily-loss trip is still on before the next session day and expires after it', () => {
    const events = journal([[MON, {from: 'ACTIVE', to: 'REDUCING', reason: 'loss', code: 'DAILY_LOSS_CAP', until: TUE_OPEN}]])
    const early = machine()
    expect(early.fold(events, TUE_OPEN - 1)).toBeUndefined()
    expect(early.state).toBe('REDUCING')
    expect(early.until).toBe(TUE_OPEN)
    const late = machine()
    expect(late.fold(events, TUE_OPEN + 5)).toEqual({
      from: 'REDUCING',
      to: 'ACTIVE',
      reason: 'DAILY_LOSS_CAP ended: a new session day began',
      code: 'HALT_EXPIRED',
    })
    expect(late.state).toBe('ACTIVE')
  })

  it('a journal of the old timed halts (before loss rules reduced) still folds and expires', () => {
    const events = journal([[MON, {from: 'ACTIVE', to: 'HALTED', reason: 'loss', code: 'DAILY_LOSS_CAP', until: TUE_OPEN}]])
    const m = machine()
    expect(m.fold(events, TUE_OPEN + 5)).toMatchObject({from: 'HALTED', to: 'ACTIVE', code: 'HALT_EXPIRED'})
  })

  it('replays the machine’s own records to the same state, ignoring other events', () => {
    const live = machine()
    const records: Array<[number, RiskTransition]> = []
    const keep = (ts: number, t: RiskTransition | undefined) => t && records.push([ts, t])
    keep(MON, live.onEvent({kind: 'halt'}, MON))
    keep(MON + 1, live.onEvent({kind: 'resume'}, MON + 1))
    keep(MON + 2, live.evaluate({...calm, consecutiveLosses: 9}, MON + 2)) // suppressed: resumed by hand today
    keep(TUE_OPEN + 1, live.evaluate({...calm, consecutiveLosses: 9}, TUE_OPEN + 1))
    keep(TUE_OPEN + 2, live.onEvent({kind: 'halt'}, TUE_OPEN + 2))
    expect(records).toHaveLength(4)
    expect(live.state).toBe('HALTED')
    const events = journal(records)
    events.splice(1, 0, {...events[0]!, type: 'STRATEGY_LOG', payload: {message: 'not a risk event'}} as JournalEvent)
    const restarted = machine()
    expect(restarted.fold(events, TUE_OPEN + 3)).toBeUndefined()
    expect({state: restarted.state, until: restarted.until, code: restarted.code}).toEqual({state: live.state, until: live.until, code: live.code})
    // Resumed by hand, both are ACTIVE; without the halt the loss trip would have ended at Wednesday's open.
    expect(restarted.onEvent({kind: 'resume'}, TUE_OPEN + 4)).toMatchObject({to: 'ACTIVE'})
  })

  it('restores the manual-override day: no new trip the same day after a restart', () => {
    const events = journal([
      [MON, {from: 'ACTIVE', to: 'REDUCING', reason: 'loss', code: 'DAILY_LOSS_CAP', until: TUE_OPEN}],
      [MON + 60_000, {from: 'REDUCING', to: 'ACTIVE', reason: 'by hand', code: 'MANUAL_RESUME'}],
    ])
    const m = machine()
    m.fold(events, MON + 120_000)
    expect(m.state).toBe('ACTIVE')
    expect(m.evaluate({...calm, dailyPnl: -toMicro(300)}, MON + 180_000)).toBeUndefined()
  })

  it('an empty journal is ACTIVE', () => {
    const m = machine()
    m.onEvent({kind: 'halt'}, MON)
    expect(m.fold([], MON)).toBeUndefined()
    expect(m.state).toBe('ACTIVE')
  })
})
