import {describe, expect, it} from 'vitest'

import {SimulatedClock} from '../../../src/foundation/clock.js'
import {toMicro} from '../../../src/foundation/domain/money.js'
import type {Fill, OrderRequest, OrderState} from '../../../src/foundation/domain/orders.js'
import type {EventPayloads, EventType, NewEvent, RunStartedPayload} from '../../../src/foundation/journal/events.js'
import type {Journal} from '../../../src/foundation/journal/types.js'
import {createRiskGate, sessionClock, TradingStateMachine} from '../../../src/foundation/risk/index.js'
import {syntheticFeed} from '../../../src/sectors/data/feed.js'
import {MANUAL_RUN_ID, recoverAccount} from '../../../src/sectors/engine/recovery.js'
import {runSession} from '../../../src/sectors/engine/session.js'
import {limits, ScriptedStrategy, STARTED, T0, TEST, tempJournals} from './harness.js'

const open = tempJournals('rick-recovery-')

const order = (id: string, side: 'buy' | 'sell', qty: number, extra: Partial<OrderRequest> = {}): OrderRequest => ({clientOrderId: id, instrument: 'TEST', side, type: 'market', qty, tif: 'gtc', ...extra})
const fill = (id: string, side: 'buy' | 'sell', qty: number, price: number, fillId: string): Fill => ({clientOrderId: id, fillId, instrument: 'TEST', side, qty, price, fee: toMicro(1), liquidity: 'taker', ts: T0})

function writer(j: Journal, runId: string, sector = 'test') {
  let ts = T0
  return <T extends EventType>(type: T, payload: EventPayloads[T]) => j.append({ts: (ts += 60_000), runId, sector, type, payload} as NewEvent<T>)
}

const backtestStarted: RunStartedPayload = {...STARTED, requestedMode: 'backtest', effectiveMode: 'backtest', environment: 'backtest'}
const observeStarted: RunStartedPayload = {...STARTED, requestedMode: 'observe', effectiveMode: 'observe'}

/** An interrupted paper run: a filled buy, a working limit, an intent without an outcome, a manual halt. */
function interruptedAccount(j: Journal): void {
  const w = writer(j, 'run-a')
  w('RUN_STARTED', STARTED)
  w('RECONCILED', {positions: [], cash: toMicro(10_000), notes: ['fresh paper account']})
  w('ORDER_INTENT', {order: order('run-a-1', 'buy', 5), reason: 'in'})
  w('ORDER_ACK', {clientOrderId: 'run-a-1', venueOrderId: 'p-1'})
  w('FILL', {fill: fill('run-a-1', 'buy', 5, 100, 'p-1-1')})
  w('FILL', {fill: fill('run-a-1', 'buy', 5, 100, 'p-1-1')}) // a repeat: counts once
  w('ORDER_INTENT', {order: order('run-a-2', 'buy', 3, {type: 'limit', limitPrice: 90}), reason: 'dip'})
  w('ORDER_ACK', {clientOrderId: 'run-a-2', venueOrderId: 'p-2'})
  w('ORDER_INTENT', {order: order('run-a-3', 'sell', 2), reason: 'trim'})
  w('STRATEGY_CHECKPOINT', {state: {bars: 17}, barsProcessed: 17})
  writer(j, MANUAL_RUN_ID)('RISK_STATE', {from: 'ACTIVE', to: 'HALTED', reason: 'by hand (rick halt)', code: 'MANUAL_HALT'})
  // A backtest and an observe run of the same sector: never part of the account.
  const b = writer(j, 'bt-1')
  b('RUN_STARTED', backtestStarted)
  b('ORDER_INTENT', {order: order('bt-1-1', 'buy', 50), reason: 'x'})
  b('FILL', {fill: fill('bt-1-1', 'buy', 50, 100, 'bt-f')})
  const o = writer(j, 'obs-1')
  o('RUN_STARTED', observeStarted)
  o('ORDER_INTENT', {order: order('obs-1-1', 'buy', 7), reason: 'x'})
}

const key = {sector: 'test', venue: 'fake', environment: 'paper'}
const opts = {instruments: [TEST], currency: 'USD', startingCash: toMicro(1)}

describe('recoverAccount', () => {
  it('folds the books from the fills, finds open and in-flight orders, the risk records and the last checkpoint', () => {
    const j = open()
    interruptedAccount(j)
    const r = recoverAccount(j, key, opts)
    expect(r.known).toBe(true)
    expect(r.ledger.position('TEST')).toBe(5)
    // 10,000 − 5 × 100 − a 1.00 fee, from the first reconciliation's cash (not the option's 1 micro).
    expect(r.ledger.cash).toBe(toMicro(10_000 - 500 - 1))
    expect(r.openOrders.map((o) => [o.order.clientOrderId, o.acked])).toEqual([
      ['run-a-2', true],
      ['run-a-3', false],
    ])
    expect(r.riskEvents.map((e) => e.payload.code)).toEqual(['MANUAL_HALT'])
    expect(r.checkpoint).toMatchObject({state: {bars: 17}, runId: 'run-a'})
    expect(r.runs.map((x) => [x.summary.runId, x.interrupted])).toEqual([
      ['run-a', true],
      ['obs-1', true],
    ])
    expect(r.lastPrices.get('TEST')).toBe(100)
  })

  it('stops at beforeSeq (the account as a later run found it)', () => {
    const j = open()
    interruptedAccount(j)
    const r = recoverAccount(j, key, {...opts, beforeSeq: 6})
    expect(r.ledger.position('TEST')).toBe(5)
    expect(r.openOrders).toEqual([])
    expect(r.riskEvents).toEqual([])
  })
})

describe('fills across runs', () => {
  /** Two runs whose venue gave the same fill id to different orders (the old paper venue did). */
  function twoRunsSameFillIds(j: Journal, secondFill: Fill): void {
    const a = writer(j, 'run-a')
    a('RUN_STARTED', STARTED)
    a('RECONCILED', {positions: [], cash: toMicro(10_000), notes: []})
    a('ORDER_INTENT', {order: order('run-a-1', 'buy', 5), reason: 'in'})
    a('ORDER_ACK', {clientOrderId: 'run-a-1', venueOrderId: 'paper-1'})
    a('FILL', {fill: fill('run-a-1', 'buy', 5, 100, 'paper-1-1')})
    const b = writer(j, 'run-b')
    b('RUN_STARTED', STARTED)
    b('ORDER_INTENT', {order: order(secondFill.clientOrderId, secondFill.side, secondFill.qty, {reduceOnly: true}), reason: 'out'})
    b('ORDER_ACK', {clientOrderId: secondFill.clientOrderId, venueOrderId: 'paper-1'})
    b('FILL', {fill: secondFill})
  }

  it('counts a fill of another order even when its fill id repeats an earlier one', () => {
    const j = open()
    twoRunsSameFillIds(j, fill('run-b-1', 'sell', 5, 101, 'paper-1-1'))
    const r = recoverAccount(j, key, opts)
    expect(r.fills).toBe(2)
    expect(r.ledger.position('TEST')).toBe(0)
    // The exit is filled, not "restored" as working (it would have filled again at the next start).
    expect(r.openOrders).toEqual([])
    expect(r.fillConflicts).toEqual([])
    // The next paper order number comes after every id the account used.
    expect(r.nextPaperSeq).toBe(2)
  })

  it('drops a repeat only when it is the same fill of the same order; the same ids with other contents count, and say so', () => {
    const j = open()
    twoRunsSameFillIds(j, fill('run-b-1', 'sell', 5, 101, 'x-1'))
    writer(j, 'run-b')('FILL', {fill: fill('run-b-1', 'sell', 5, 101, 'x-1')})
    expect(recoverAccount(j, key, opts).fills).toBe(2)
    const k = open()
    twoRunsSameFillIds(k, fill('run-b-1', 'sell', 2, 101, 'x-1'))
    writer(k, 'run-b')('FILL', {fill: fill('run-b-1', 'sell', 3, 99, 'x-1')})
    const r = recoverAccount(k, key, opts)
    expect(r.fills).toBe(3)
    expect(r.ledger.position('TEST')).toBe(0)
    expect(r.fillConflicts).toHaveLength(1)
    expect(r.fillConflicts[0]).toMatch(/fill x-1 of run-b-1 journaled twice with different contents/)
  })

  it('keeps an EXTERNAL position in the books (a restart must not find the difference again)', () => {
    const j = open()
    const a = writer(j, 'run-a')
    a('RUN_STARTED', STARTED)
    a('RECONCILED', {positions: [], cash: toMicro(10_000), notes: []})
    a('EXTERNAL', {kind: 'position', instrument: 'TEST', detail: 'by hand', qty: 7, price: 100})
    a('EXTERNAL', {kind: 'order', instrument: 'TEST', detail: 'a limit by hand', qty: -2})
    const r = recoverAccount(j, key, opts)
    expect(r.ledger.position('TEST')).toBe(7)
    expect(r.ledger.cash).toBe(toMicro(10_000 - 700))
    expect(r.fills).toBe(0)
  })

  it('keeps the venue order id of an acked order (its fills are named after it)', () => {
    const j = open()
    interruptedAccount(j)
    const r = recoverAccount(j, key, opts)
    expect(r.openOrders.find((o) => o.order.clientOrderId === 'run-a-2')?.venueOrderId).toBe('p-2')
    expect(r.openOrders.find((o) => o.order.clientOrderId === 'run-a-3')?.venueOrderId).toBeUndefined()
  })
})

describe('a restart after an interruption', () => {
  it('rebuilds the venue from the journal, keeps the halt, and resolves the in-flight order without sending it again', async () => {
    const j = open()
    interruptedAccount(j)
    const recovered = recoverAccount(j, key, {...opts, startingCash: toMicro(10_000)})
    const L = limits()
    const session = sessionClock()
    const strategy = new ScriptedStrategy(() => [])
    const clock = new SimulatedClock(T0 + 3_600_000)
    const submitted: string[] = []
    const result = await runSession({
      runId: 'run-b',
      sector: 'test',
      venue: 'fake',
      instruments: [TEST],
      strategy: {name: 'scripted', codeHash: 'test', params: {}, create: () => strategy},
      risk: {limits: L, gate: createRiskGate(L), states: new TradingStateMachine({limits: L, session}), session},
      journal: j,
      durability: 'durable',
      sendOrders: true,
      feed: syntheticFeed({instruments: [TEST], seed: 1, startTs: T0 + 3_600_000, periodMs: 60_000, bars: 3}),
      clock,
      seed: 1,
      startingCash: toMicro(10_000),
      recovered,
      started: {...STARTED, resumedFrom: 'run-a'},
      checkpoint: recovered.checkpoint?.state,
      checkpointEvery: 0,
      onStarted: (engine) => {
        const venue = (engine as unknown as {o: {connector: {submitNow(o: OrderRequest): void}}}).o.connector
        const original = venue.submitNow.bind(venue)
        venue.submitNow = (o) => {
          submitted.push(o.clientOrderId)
          original(o)
        }
      },
    })
    const events = [...j.events({runId: 'run-b'})]
    const reconciled = events.find((e) => e.type === 'RECONCILED')!.payload as EventPayloads['RECONCILED']
    expect(reconciled.positions).toEqual([{instrument: 'TEST', qty: 5}])
    expect(reconciled.cash).toBe(toMicro(9_499))
    expect(reconciled.notes.join(' | ')).toMatch(/1 order\(s\) in flight at the interruption: asked of the venue, never sent again/)
    const cancelled = events.filter((e) => e.type === 'ORDER_CANCELLED').map((e) => e.payload)
    expect(cancelled).toContainEqual({clientOrderId: 'run-a-3', reason: 'not known to the venue after a restart: it never reached it'})
    // The working limit order was given back to the venue: still known, not acked twice.
    expect(events.filter((e) => e.type === 'ORDER_ACK')).toEqual([])
    expect(submitted).toEqual([])
    expect(result.summary.state).toBe('HALTED')
    expect(strategy.restored).toEqual({bars: 17})
    // Stopping cancels the restored working order; the position stays.
    expect(cancelled.map((p) => (p as {clientOrderId: string}).clientOrderId)).toContain('run-a-2')
    expect(result.summary.positions).toEqual([{instrument: 'TEST', qty: 5}])
  })
})

describe('bracket exits after a restart', () => {
  it('are rebuilt from their acks as working protective orders, until their own fill or cancel', () => {
    const j = open()
    const w = writer(j, 'run-b')
    w('RUN_STARTED', STARTED)
    w('RECONCILED', {positions: [], cash: toMicro(10_000), notes: ['fresh paper account']})
    const entry = order('run-b-1', 'buy', 4, {bracket: {stopLoss: 95, takeProfit: 110}})
    w('ORDER_INTENT', {order: entry, reason: 'breakout'})
    w('ORDER_ACK', {clientOrderId: 'run-b-1', venueOrderId: 'p-1'})
    w('FILL', {fill: fill('run-b-1', 'buy', 4, 100, 'p-1-1')})
    w('ORDER_ACK', {clientOrderId: 'run-b-1-sl', venueOrderId: 'p-2'})
    w('ORDER_ACK', {clientOrderId: 'run-b-1-tp', venueOrderId: 'p-3'})
    // An exit of an entry the journal does not know, and an id that only looks like one: ignored.
    w('ORDER_ACK', {clientOrderId: 'other-9-sl', venueOrderId: 'p-4'})
    const r = recoverAccount(j, key, opts)
    expect(r.ledger.position('TEST')).toBe(4)
    expect(r.openOrders.map((o) => o.order)).toEqual([
      {clientOrderId: 'run-b-1-sl', instrument: 'TEST', side: 'sell', type: 'stop', qty: 4, tif: 'gtc', reduceOnly: true, parentId: 'run-b-1', stopPrice: 95},
      {clientOrderId: 'run-b-1-tp', instrument: 'TEST', side: 'sell', type: 'limit', qty: 4, tif: 'gtc', reduceOnly: true, parentId: 'run-b-1', limitPrice: 110},
    ])
    expect(r.openOrders.every((o) => o.acked)).toBe(true)

    // The stop fills, the target is cancelled (OCO): nothing is left working.
    w('FILL', {fill: fill('run-b-1-sl', 'sell', 4, 95, 'p-2-1')})
    w('ORDER_CANCELLED', {clientOrderId: 'run-b-1-tp', reason: 'oco: run-b-1-sl filled'})
    const after = recoverAccount(j, key, opts)
    expect(after.ledger.position('TEST')).toBe(0)
    expect(after.openOrders).toEqual([])
  })

  it('are working again at the paper venue when the session restarts', async () => {
    const j = open()
    const w = writer(j, 'run-c')
    w('RUN_STARTED', STARTED)
    w('RECONCILED', {positions: [], cash: toMicro(10_000), notes: ['fresh paper account']})
    w('ORDER_INTENT', {order: order('run-c-1', 'buy', 2, {bracket: {stopLoss: 1, takeProfit: 1_000_000}}), reason: 'in'})
    w('ORDER_ACK', {clientOrderId: 'run-c-1', venueOrderId: 'p-1'})
    w('FILL', {fill: fill('run-c-1', 'buy', 2, 100, 'p-1-1')})
    w('ORDER_ACK', {clientOrderId: 'run-c-1-sl', venueOrderId: 'p-2'})
    w('ORDER_ACK', {clientOrderId: 'run-c-1-tp', venueOrderId: 'p-3'})
    const recovered = recoverAccount(j, key, opts)
    let working: Array<[string, string, boolean | undefined, string | undefined]> = []
    const L = limits()
    const session = sessionClock()
    const result = await runSession({
      runId: 'run-d',
      sector: 'test',
      venue: 'fake',
      instruments: [TEST],
      strategy: {name: 'scripted', codeHash: 'x', params: {}, create: () => new ScriptedStrategy(() => [])},
      risk: {limits: L, gate: createRiskGate(L), states: new TradingStateMachine({limits: L, session}), session},
      journal: j,
      durability: 'durable',
      sendOrders: true,
      feed: syntheticFeed({instruments: [TEST], seed: 1, startTs: T0 + 3_600_000, periodMs: 60_000, bars: 3}),
      clock: new SimulatedClock(T0 + 3_600_000),
      seed: 1,
      startingCash: toMicro(10_000),
      recovered,
      started: STARTED,
      checkpointEvery: 0,
      onStarted: (engine) => {
        const venue = (engine as unknown as {o: {connector: {openOrdersNow(): OrderState[]}}}).o.connector
        working = venue.openOrdersNow().map((o) => [o.clientOrderId, o.type, o.reduceOnly, o.parentId])
      },
    })
    expect(working).toEqual([
      ['run-c-1-sl', 'stop', true, 'run-c-1'],
      ['run-c-1-tp', 'limit', true, 'run-c-1'],
    ])
    // The engine tracks them as its own working orders: a stop of the run cancels them (positions stay).
    const cancelled = [...j.events({runId: 'run-d', types: ['ORDER_CANCELLED']})].map((e) => (e.payload as {clientOrderId: string}).clientOrderId)
    expect(cancelled.sort()).toEqual(['run-c-1-sl', 'run-c-1-tp'])
    expect(result.summary.positions).toEqual([{instrument: 'TEST', qty: 2}])
  })
})
