import {afterEach, describe, expect, it} from 'vitest'

import type {EventPayloads} from '../../../src/foundation/journal/events.js'
import {toMicro} from '../../../src/foundation/domain/money.js'
import {engineHarness, target, type EngineHarness} from './harness.js'

let h: EngineHarness | undefined
afterEach(() => {
  h?.close()
  h = undefined
})

/** The end of this turn of the event loop: a remote venue's answers are journaled then, in one commit. */
const answered = () => new Promise<void>((resolve) => setImmediate(resolve))

const payload = <T extends keyof EventPayloads>(h: EngineHarness, type: T): Array<EventPayloads[T]> => h.events([type]).map((e) => e.payload as EventPayloads[T])

describe('the order path', () => {
  it('journals the intent durably before the venue hears of the order, then the ack, the fill, the books', async () => {
    h = await engineHarness((i) => (i === 0 ? [target(10, 'go long')] : []))
    const seen: string[] = []
    h.venue.beforeSubmit = (order) => {
      // Read back from the journal inside submit(): the intent is already there.
      const intents = payload(h!, 'ORDER_INTENT').map((p) => p.order.clientOrderId)
      seen.push(`${order.clientOrderId} intents=${intents.join(',')}`)
    }
    await h.bar()
    expect(seen).toEqual(['run1-1 intents=run1-1'])
    expect(h.venue.submits).toMatchObject([{clientOrderId: 'run1-1', side: 'buy', qty: 10, type: 'market', instrument: 'TEST'}])
    h.venue.fill('run1-1', 10, 101)
    // The books move at once; the answer is on disk at the end of the task, in one commit.
    expect(h.engine.position('TEST')).toBe(10)
    expect(h.types()).toEqual(['RUN_STARTED', 'ORDER_INTENT', 'ORDER_ACK'])
    await answered()
    expect(h.types()).toEqual(['RUN_STARTED', 'ORDER_INTENT', 'ORDER_ACK', 'FILL'])
    expect(payload(h, 'ORDER_INTENT')[0]!.reason).toBe('go long')
    expect(h.engine.position('TEST')).toBe(10)
    expect(h.strategy.fills).toHaveLength(1)
    expect(h.engine.workingOrders()).toEqual([])
  })

  it('journals ORDER_SUBMITTED once the request has left a venue that answers later', async () => {
    h = await engineHarness((i) => (i === 0 ? [target(10, 'go long')] : []), {behaviour: 'silent'})
    await h.bar()
    // Not a commit of its own: it goes down with the venue's answer…
    expect(h.types()).toEqual(['RUN_STARTED', 'ORDER_INTENT'])
    h.venue.fill('run1-1', 10, 101)
    await answered()
    expect(h.types()).toEqual(['RUN_STARTED', 'ORDER_INTENT', 'ORDER_SUBMITTED', 'ORDER_ACK', 'FILL'])
    const [submitted, ack, fill] = h.events(['ORDER_SUBMITTED', 'ORDER_ACK', 'FILL'])
    expect([ack!.seq, fill!.seq]).toEqual([submitted!.seq + 1, submitted!.seq + 2])
  })

  it('…or on its own within 50 ms when the venue is slow to answer', async () => {
    h = await engineHarness((i) => (i === 0 ? [target(10, 'go long')] : []), {behaviour: 'silent'})
    await h.bar()
    const until = Date.now() + 2000
    while (!h.types().includes('ORDER_SUBMITTED') && Date.now() < until) await new Promise((r) => setTimeout(r, 5))
    expect(h.types()).toEqual(['RUN_STARTED', 'ORDER_INTENT', 'ORDER_SUBMITTED'])
  })

  it('sends only the difference to the target, sized by lot, reduce-only when reducing', async () => {
    h = await engineHarness((i) => [[target(10)], [], [target(4.7)], [], [target(0)]][i] ?? [])
    await h.bar()
    h.venue.fill('run1-1', 10, 100)
    await h.bar()
    await h.bar()
    expect(h.venue.submits[1]).toMatchObject({clientOrderId: 'run1-2', side: 'sell', qty: 6, reduceOnly: true})
    h.venue.fill('run1-2', 6, 100)
    await h.bar()
    await h.bar()
    expect(h.venue.submits[2]).toMatchObject({clientOrderId: 'run1-3', side: 'sell', qty: 4, reduceOnly: true})
  })

  it('never reuses a clientOrderId: every order gets the next number of the run', async () => {
    h = await engineHarness(() => [target(1)], {behaviour: 'reject-event'})
    for (let i = 0; i < 4; i++) await h.bar()
    const ids = h.venue.submits.map((o) => o.clientOrderId)
    expect(ids).toEqual(['run1-1', 'run1-2', 'run1-3', 'run1-4'])
    expect(new Set(ids).size).toBe(ids.length)
  })

  it('writes what it journals next only after the venue answers before it (the journal keeps the order of events)', async () => {
    h = await engineHarness((i) => (i === 0 ? [target(10)] : []))
    await h.bar()
    h.venue.fill('run1-1', 10, 100)
    await h.engine.applyTrigger({kind: 'halt', reason: 'by hand'})
    expect(h.types()).toEqual(['RUN_STARTED', 'ORDER_INTENT', 'ORDER_ACK', 'FILL', 'RISK_STATE'])
  })

  it('records a partial fill and keeps the rest working until it fills', async () => {
    h = await engineHarness((i) => (i === 0 ? [target(10)] : []))
    await h.bar()
    h.venue.fill('run1-1', 4, 100)
    expect(h.engine.position('TEST')).toBe(4)
    expect(h.engine.workingOrders()).toEqual(['run1-1'])
    h.venue.fill('run1-1', 6, 101)
    expect(h.engine.position('TEST')).toBe(10)
    expect(h.engine.workingOrders()).toEqual([])
    await answered()
    expect(payload(h, 'FILL').map((p) => p.fill.qty)).toEqual([4, 6])
  })

  it('applies a fill the venue repeats only once', async () => {
    h = await engineHarness((i) => (i === 0 ? [target(10)] : []))
    await h.bar()
    const f = h.venue.fill('run1-1', 4, 100, 'dup')
    h.venue.emit({kind: 'fill', fill: f})
    expect(h.engine.position('TEST')).toBe(4)
    await answered()
    h.venue.emit({kind: 'fill', fill: f}) // once more, after it is on disk
    await answered()
    expect(h.engine.position('TEST')).toBe(4)
    expect(payload(h, 'FILL')).toHaveLength(1)
  })

  it('journals a rejection by event and by BrokerError, with the venue code', async () => {
    h = await engineHarness((i) => (i < 2 ? [target(1)] : []), {behaviour: 'reject-event'})
    await h.bar()
    h.venue.behaviour = 'broker-error'
    await h.bar()
    expect(payload(h, 'ORDER_REJECTED')).toEqual([
      {clientOrderId: 'run1-1', code: 'InvalidOrder', reason: 'fake says no'},
      {clientOrderId: 'run1-2', code: 'InsufficientFunds', reason: 'fake: not enough money'},
    ])
    expect(h.engine.summary().rejects).toBe(2)
  })
})

describe('a submit that times out is not a rejection', () => {
  it('journals ORDER_UNCONFIRMED, asks the venue, and closes an order the venue never saw — never resending it', async () => {
    h = await engineHarness((i) => (i === 0 ? [target(5)] : []), {behaviour: 'timeout-lost'})
    await h.bar()
    expect(payload(h, 'ORDER_UNCONFIRMED')).toEqual([{clientOrderId: 'run1-1', error: 'Timeout: fake: no answer (the request never arrived)'}])
    expect(h.engine.workingOrders()).toEqual(['run1-1'])
    await h.bar()
    await h.bar()
    expect(h.venue.asked.filter((id) => id === 'run1-1').length).toBeGreaterThanOrEqual(2)
    expect(payload(h, 'ORDER_CANCELLED')).toEqual([{clientOrderId: 'run1-1', reason: 'not known to the venue after a failed submit: it never reached it'}])
    expect(h.venue.submits.map((o) => o.clientOrderId)).toEqual(['run1-1'])
    expect(h.engine.workingOrders()).toEqual([])
  })

  it('adopts what the venue says when it did receive the order (ack, then its fill)', async () => {
    h = await engineHarness((i) => (i === 0 ? [target(5)] : []), {behaviour: 'timeout-received'})
    await h.bar()
    await h.bar()
    expect(payload(h, 'ORDER_ACK')).toEqual([{clientOrderId: 'run1-1', venueOrderId: 'v-run1-1'}])
    h.venue.fill('run1-1', 5, 99)
    expect(h.engine.position('TEST')).toBe(5)
    expect(h.venue.submits).toHaveLength(1)
  })

  it('records fills it only learns of from orderByClientId', async () => {
    h = await engineHarness((i) => (i === 0 ? [target(5)] : []), {behaviour: 'timeout-received'})
    await h.bar()
    // The venue filled it while we were not listening.
    const o = h.venue.known.get('run1-1')!
    o.filledQty = 5
    o.avgFillPrice = 98.5
    o.status = 'filled'
    await h.bar()
    expect(payload(h, 'FILL')).toMatchObject([{fill: {clientOrderId: 'run1-1', qty: 5, price: 98.5, fillId: 'reconciled:run1-1:5'}}])
    expect(h.engine.position('TEST')).toBe(5)
    expect(h.engine.workingOrders()).toEqual([])
  })

  it("takes the venue's own fills when it lists them, so the stream's late copy of a fill counts once", async () => {
    h = await engineHarness((i) => (i === 0 ? [target(5)] : []), {behaviour: 'timeout-received'})
    await h.bar()
    // Filled at the venue; its fill event is still on its way (a stream behind the REST answer).
    const o = h.venue.known.get('run1-1')!
    Object.assign(o, {filledQty: 5, avgFillPrice: 98.5, status: 'filled'})
    const real = {clientOrderId: 'run1-1', venueOrderId: o.venueOrderId, fillId: 'trade-77', instrument: 'TEST', side: 'buy' as const, qty: 5, price: 98.5, fee: 1_250_000, liquidity: 'taker' as const, ts: 0}
    Object.assign(h.venue, {recentFills: async () => [real]})
    await h.bar()
    h.venue.emit({kind: 'fill', fill: real})
    expect(payload(h, 'FILL').map((p) => [p.fill.fillId, p.fill.qty, p.fill.fee])).toEqual([['trade-77', 5, 1_250_000]])
    expect(h.engine.position('TEST')).toBe(5)
  })

  it("asks for that one order's fills where the venue lists fills by order", async () => {
    h = await engineHarness((i) => (i === 0 ? [target(5)] : []), {behaviour: 'timeout-received'})
    await h.bar()
    const o = h.venue.known.get('run1-1')!
    Object.assign(o, {filledQty: 5, avgFillPrice: 98.5, status: 'filled'})
    const asked: string[] = []
    Object.assign(h.venue, {
      recentFills: async () => {
        throw new Error('a window of every order: not asked when the venue lists fills by order')
      },
      orderFills: async (state: {clientOrderId: string}) => {
        asked.push(state.clientOrderId)
        return [{clientOrderId: 'run1-1', fillId: 'trade-9', instrument: 'TEST', side: 'buy', qty: 5, price: 98.5, fee: 0, liquidity: 'taker', ts: 0}]
      },
    })
    await h.bar()
    expect(asked).toEqual(['run1-1'])
    expect(payload(h, 'FILL').map((p) => p.fill.fillId)).toEqual(['trade-9'])
  })
})

describe('a signal that replaces working orders', () => {
  it('waits for the cancelled order to be gone: one that filled before its cancel arrived is counted, never doubled', async () => {
    h = await engineHarness((i) => (i === 0 ? [target(5)] : i === 1 ? [target(3)] : []))
    await h.bar()
    expect(h.venue.submits.map((o) => [o.side, o.qty])).toEqual([['buy', 5]])
    // The venue fills it; the fill is still on its way when the next signal cancels the order.
    const o = h.venue.known.get('run1-1')!
    Object.assign(o, {filledQty: 5, avgFillPrice: 100, status: 'filled'})
    await h.bar()
    // The cancel came too late (OrderNotFound): nothing new went out while the order's fate was open.
    expect(h.venue.cancels).toEqual(['run1-1'])
    expect(h.venue.submits).toHaveLength(1)
    h.venue.emit({kind: 'fill', fill: {clientOrderId: 'run1-1', venueOrderId: o.venueOrderId, fillId: 'late-1', instrument: 'TEST', side: 'buy', qty: 5, price: 100, fee: 0, liquidity: 'taker', ts: 0}})
    await new Promise((r) => setImmediate(r))
    // Planned again against the position as it is: 5 held, target 3, so sell 2 (not buy 3 more).
    expect(h.venue.submits.map((x) => [x.side, x.qty])).toEqual([['buy', 5], ['sell', 2]])
    h.venue.fill('run1-2', 2, 100)
    expect(h.engine.position('TEST')).toBe(3)
  })

  it('goes at once when the venue confirms the cancel', async () => {
    h = await engineHarness((i) => (i === 0 ? [target(5)] : i === 1 ? [target(3)] : []))
    await h.bar()
    await h.bar()
    expect(payload(h, 'ORDER_CANCELLED')).toEqual([expect.objectContaining({clientOrderId: 'run1-1'})])
    expect(h.venue.submits.map((x) => [x.side, x.qty])).toEqual([['buy', 5], ['buy', 3]])
  })
})

describe('the risk gate in the order path', () => {
  it('journals a denial with its code and sends nothing', async () => {
    h = await engineHarness((i) => (i === 0 ? [target(100)] : []), {limits: {maxOrderNotional: 1_000_000_000}})
    await h.bar(100)
    const denied = payload(h, 'ORDER_DENIED')
    expect(denied).toHaveLength(1)
    expect(denied[0]).toMatchObject({code: 'MAX_ORDER_NOTIONAL', order: {clientOrderId: 'run1-1', qty: 100}})
    expect(h.venue.submits).toEqual([])
    expect(h.types()).not.toContain('ORDER_INTENT')
  })

  it('HALTED: entering it cancels working orders, and then every order is denied while cancels still pass', async () => {
    h = await engineHarness((i) => (i === 0 ? [{instrument: 'TEST', target: 10, type: 'limit', limitPrice: 90, reason: 'dip'}] : i === 2 ? [target(3)] : []))
    await h.bar()
    expect(h.engine.workingOrders()).toEqual(['run1-1'])
    await h.engine.applyTrigger({kind: 'halt', reason: 'by hand'})
    expect(payload(h, 'RISK_STATE')).toEqual([{from: 'ACTIVE', to: 'HALTED', reason: 'by hand', code: 'MANUAL_HALT'}])
    expect(h.venue.cancels).toEqual(['run1-1'])
    expect(payload(h, 'ORDER_CANCEL_REQUESTED')[0]).toMatchObject({clientOrderId: 'run1-1'})
    expect(payload(h, 'ORDER_CANCELLED')).toHaveLength(1)
    await h.bar()
    await h.bar()
    expect(payload(h, 'ORDER_DENIED').map((p) => p.code)).toEqual(['HALTED'])
    expect(h.venue.submits).toHaveLength(1)
  })

  it('REDUCING: orders that add are denied, orders that reduce pass (reduce-only)', async () => {
    h = await engineHarness((i) => [[target(10)], [], [target(20)], [target(4)]][i] ?? [])
    await h.bar()
    h.venue.fill('run1-1', 10, 100)
    await h.bar()
    await h.engine.applyTrigger({kind: 'reduce', reason: 'wind down'})
    expect(h.engine.state).toBe('REDUCING')
    await h.bar()
    await h.bar()
    expect(payload(h, 'ORDER_DENIED').map((p) => [p.code, p.order.side, p.order.qty])).toEqual([['REDUCING_ONLY', 'buy', 10]])
    expect(h.venue.submits.at(-1)).toMatchObject({side: 'sell', qty: 6, reduceOnly: true})
  })

  it('a loss rule leaves the sector REDUCING: a working entry is cancelled, the exit of what it holds still passes', async () => {
    // Long 10 at 100; a working limit to add 5 more at 95; the price falls to 90: −100 ≥ the 50 cap.
    h = await engineHarness((i) => [[target(10)], [{instrument: 'TEST', target: 15, type: 'limit', limitPrice: 95, reason: 'add on a dip'}], [], [target(0, 'exit')]][i] ?? [], {limits: {dailyLossCap: toMicro(50)}})
    await h.bar(100)
    h.venue.fill('run1-1', 10, 100)
    await h.bar(100)
    expect(h.engine.workingOrders()).toEqual(['run1-2'])
    await h.bar(90)
    expect(payload(h, 'RISK_STATE')).toMatchObject([{from: 'ACTIVE', to: 'REDUCING', code: 'DAILY_LOSS_CAP'}])
    expect(h.venue.cancels).toEqual(['run1-2'])
    await h.bar(90)
    expect(payload(h, 'ORDER_DENIED')).toEqual([])
    expect(h.venue.submits.at(-1)).toMatchObject({side: 'sell', qty: 10, reduceOnly: true})
  })

  it('trips REDUCING on consecutive losses and journals it', async () => {
    // Buy at 100, sell at 99, three times: three losing trades with a limit of 3.
    h = await engineHarness((i) => (i % 2 === 0 ? [target(1)] : [target(0)]), {limits: {consecutiveLossHalt: 3}})
    for (let k = 0; k < 3; k++) {
      await h.bar(100)
      h.venue.fill(h.venue.submits.at(-1)!.clientOrderId, 1, 100)
      await h.bar(99)
      h.venue.fill(h.venue.submits.at(-1)!.clientOrderId, 1, 99)
    }
    const states = payload(h, 'RISK_STATE')
    expect(states.at(-1)).toMatchObject({to: 'REDUCING', code: 'CONSECUTIVE_LOSSES'})
    expect(h.engine.state).toBe('REDUCING')
  })
})

describe('strategy faults', () => {
  it('a strategy that throws halts its sector (journaled) and the engine carries on without it', async () => {
    h = await engineHarness((i) => {
      if (i === 2) throw new Error('division by zero in my indicator')
      return []
    })
    await h.bar()
    await h.bar()
    await expect(h.bar()).resolves.toBeUndefined()
    await h.bar()
    expect(payload(h, 'STRATEGY_ERROR')).toMatchObject([{phase: 'onBar', message: 'division by zero in my indicator'}])
    expect(payload(h, 'RISK_STATE')).toMatchObject([{from: 'ACTIVE', to: 'HALTED', code: 'STRATEGY_ERROR'}])
    expect(h.engine.strategyFault?.message).toBe('division by zero in my indicator')
    expect(h.engine.barsProcessed).toBe(4)
    expect(h.strategy.bars).toBe(3)
  })

  it('garbage output (an unknown instrument) is a fault too', async () => {
    h = await engineHarness(() => [{instrument: 'NOPE', target: 1, reason: 'x'}])
    await h.bar()
    expect(payload(h, 'STRATEGY_ERROR')[0]).toMatchObject({phase: 'output'})
    expect(h.engine.state).toBe('HALTED')
    expect(h.venue.submits).toEqual([])
  })
})

describe('checkpoints, observe mode, stop', () => {
  it('checkpoints every N bars and at stop, and restores a checkpoint at start', async () => {
    h = await engineHarness(() => [], {checkpointEvery: 2, start: {checkpoint: {bars: 40}}})
    expect(h.strategy.restored).toEqual({bars: 40})
    for (let i = 0; i < 5; i++) await h.bar()
    await h.engine.stop('bars-limit')
    expect(payload(h, 'STRATEGY_CHECKPOINT')).toEqual([
      {state: {bars: 42}, barsProcessed: 2},
      {state: {bars: 44}, barsProcessed: 4},
      {state: {bars: 45}, barsProcessed: 5},
    ])
    expect(payload(h, 'RUN_STOPPED')).toMatchObject([{reason: 'bars-limit', barsProcessed: 5}])
  })

  it('observe: the intent is journaled, nothing is sent', async () => {
    h = await engineHarness((i) => (i === 0 ? [target(3)] : []), {sendOrders: false})
    await h.bar()
    expect(payload(h, 'ORDER_INTENT')).toHaveLength(1)
    expect(h.venue.submits).toEqual([])
  })

  it('stop cancels working orders and keeps positions', async () => {
    h = await engineHarness((i) => (i === 0 ? [target(10)] : i === 1 ? [{instrument: 'TEST', target: 20, type: 'limit', limitPrice: 95, reason: 'add'}] : []))
    await h.bar()
    h.venue.fill('run1-1', 10, 100)
    await h.bar()
    const s = await h.engine.stop('signal')
    expect(h.venue.cancels).toEqual(['run1-2'])
    expect(s.positions).toEqual([{instrument: 'TEST', qty: 10}])
    expect(h.types().slice(-3)).toEqual(['ORDER_CANCELLED', 'STRATEGY_CHECKPOINT', 'RUN_STOPPED'])
  })
})
