import {describe, expect, it} from 'vitest'

import {SimulatedClock} from '../../../src/foundation/clock.js'
import {toMicro} from '../../../src/foundation/domain/money.js'
import type {Fill, OrderRequest} from '../../../src/foundation/domain/orders.js'
import type {EventPayloads, EventType, JournalEvent, NewEvent} from '../../../src/foundation/journal/events.js'
import type {Journal} from '../../../src/foundation/journal/types.js'
import {createRiskGate, sessionClock, TradingStateMachine} from '../../../src/foundation/risk/index.js'
import type {EffectiveLimits} from '../../../src/foundation/risk/types.js'
import {syntheticFeed} from '../../../src/sectors/data/feed.js'
import {recoverAccount} from '../../../src/sectors/engine/recovery.js'
import {riskDayAt} from '../../../src/sectors/engine/risk-day.js'
import {runSession} from '../../../src/sectors/engine/session.js'
import {limits, ScriptedStrategy, STARTED, T0, target, TEST, tempJournals} from './harness.js'

const open = tempJournals('rick-risk-day-')

const key = {sector: 'test', venue: 'fake', environment: 'paper'}
const opts = {instruments: [TEST], currency: 'USD', startingCash: toMicro(10_000)}
const order = (id: string, side: 'buy' | 'sell'): OrderRequest => ({clientOrderId: id, instrument: 'TEST', side, type: 'market', qty: 1, tif: 'gtc'})
const fill = (id: string, side: 'buy' | 'sell', price: number): Fill => ({clientOrderId: id, fillId: `${id}-f`, instrument: 'TEST', side, qty: 1, price, fee: toMicro(1), liquidity: 'taker', ts: T0})

/** An interrupted run on T0's day: three losing round trips (six orders), one event a minute. */
function losingDay(j: Journal): number {
  let ts = T0
  const w = <T extends EventType>(type: T, payload: EventPayloads[T]) => j.append({ts: (ts += 60_000), runId: 'run-a', sector: 'test', type, payload} as NewEvent<T>)
  w('RUN_STARTED', STARTED)
  w('RECONCILED', {positions: [], cash: toMicro(10_000), notes: ['fresh paper account']})
  for (let k = 0; k < 3; k++) {
    w('ORDER_INTENT', {order: order(`run-a-${2 * k + 1}`, 'buy'), reason: 'in'})
    w('FILL', {fill: fill(`run-a-${2 * k + 1}`, 'buy', 100)})
    w('ORDER_INTENT', {order: order(`run-a-${2 * k + 2}`, 'sell'), reason: 'out'})
    w('FILL', {fill: fill(`run-a-${2 * k + 2}`, 'sell', 99)})
  }
  return ts
}

async function restart(j: Journal, startTs: number, L: EffectiveLimits): Promise<JournalEvent[]> {
  const recovered = recoverAccount(j, key, opts)
  const session = sessionClock()
  const strategy = new ScriptedStrategy((i) => [target(i % 2 === 0 ? 1 : 0)])
  await runSession({
    runId: 'run-b',
    sector: 'test',
    venue: 'fake',
    instruments: [TEST],
    strategy: {name: 'scripted', codeHash: 'test', params: {}, create: () => strategy},
    risk: {limits: L, gate: createRiskGate(L), states: new TradingStateMachine({limits: L, session}), session},
    journal: j,
    durability: 'durable',
    sendOrders: true,
    feed: syntheticFeed({instruments: [TEST], seed: 1, startTs, periodMs: 60_000, bars: 4}),
    clock: new SimulatedClock(startTs),
    seed: 1,
    startingCash: toMicro(10_000),
    recovered,
    started: {...STARTED, resumedFrom: 'run-a'},
    checkpointEvery: 0,
  })
  return [...j.events({runId: 'run-b'})]
}

describe('the risk day after a restart', () => {
  it('folds the day counters of the session day the restart falls in', () => {
    const j = open()
    const last = losingDay(j)
    const r = recoverAccount(j, key, opts)
    const day = riskDayAt(r.riskTrail, sessionClock(), last + 30_000)
    expect(day?.day).toEqual({
      dayEnd: T0 + 86_400_000,
      tradesToday: 6,
      consecutiveLosses: 3,
      dayStartEquity: toMicro(10_000),
      // Each round trip loses 1 + 2 fees; the peak is the start.
      dayPeakEquity: toMicro(10_000),
    })
    // Orders of the last minute only (the last intent was 90 s before).
    expect(day?.recentOrderTimes).toEqual([])
    expect(riskDayAt(r.riskTrail, sessionClock(), last - 60_000)?.recentOrderTimes).toEqual([last - 60_000])
    expect(r.ledger.equity).toBe(toMicro(10_000 - 9))
    // The next session day starts from zero.
    expect(riskDayAt(r.riskTrail, sessionClock(), T0 + 86_400_000 + 3_600_000)).toBeUndefined()
  })

  it('does not hand out a fresh trade budget: the (maxTradesPerDay+1)-th order of the day is denied', async () => {
    const j = open()
    const last = losingDay(j)
    const events = await restart(j, last + 60_000, limits({maxTradesPerDay: 7}))
    const intents = events.filter((e) => e.type === 'ORDER_INTENT')
    const denied = events.filter((e) => e.type === 'ORDER_DENIED').map((e) => (e.payload as EventPayloads['ORDER_DENIED']).code)
    // The 7th order opens; its exit reduces (always allowed); the next opening order is the 8th.
    expect(intents.map((e) => (e.payload as EventPayloads['ORDER_INTENT']).order.side)).toEqual(['buy', 'sell'])
    expect(denied.length).toBeGreaterThan(0)
    expect(new Set(denied)).toEqual(new Set(['TRADES_PER_DAY']))
    const reconciled = events.find((e) => e.type === 'RECONCILED')!.payload as EventPayloads['RECONCILED']
    expect(reconciled.notes).toContain('session day continued: 6 trade(s) today, 3 consecutive loss(es)')
  })

  it('continues the losing streak across the restart', async () => {
    const j = open()
    const last = losingDay(j)
    const events = await restart(j, last + 60_000, limits({consecutiveLossHalt: 3}))
    expect(events.filter((e) => e.type === 'ORDER_INTENT')).toHaveLength(0)
    const denied = events.filter((e) => e.type === 'ORDER_DENIED').map((e) => (e.payload as EventPayloads['ORDER_DENIED']).code)
    const halted = events.filter((e) => e.type === 'RISK_STATE').map((e) => (e.payload as EventPayloads['RISK_STATE']).to)
    expect(denied.length + halted.length).toBeGreaterThan(0)
    for (const code of denied) expect(['CONSECUTIVE_LOSSES', 'HALTED', 'REDUCING_ONLY']).toContain(code)
  })

  it('starts a new session day at zero', async () => {
    const j = open()
    losingDay(j)
    const events = await restart(j, T0 + 86_400_000 + 3_600_000, limits({maxTradesPerDay: 7, consecutiveLossHalt: 3}))
    expect(events.filter((e) => e.type === 'ORDER_DENIED')).toEqual([])
    expect(events.filter((e) => e.type === 'ORDER_INTENT').length).toBeGreaterThan(1)
    const reconciled = events.find((e) => e.type === 'RECONCILED')!.payload as EventPayloads['RECONCILED']
    expect(reconciled.notes.join(' | ')).not.toMatch(/session day continued/)
  })
})
