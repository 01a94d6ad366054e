// `rick run crypto --canary` on Coinbase with faults switched while it trades (the data path: missed
// user-channel updates, a create without an answer, a websocket that goes quiet):
// the built CLI, the sector's connector on the real ccxt client, rick's Coinbase simulator over TCP
// in this process (coinbase-faults-fixture.ts). Every scenario ends on independent sums: the venue's
// own orders and fills, read over its REST API with a JWT signed here, against the journal read
// read-only. coinbase-faults-stops.test.ts holds cut sockets and the faults that stop a run
// (two files: vitest runs them side by side).
import {afterEach, describe, expect, it} from 'vitest'

import {approvedCanary, cleanupFaults, events, expectBooksEqualVenue, fillsAtVenue, journalFills, payloads, startCanary, stopQuiet} from './coinbase-faults-fixture.js'
import type {CanaryProject} from './coinbase-run-fixture.js'

afterEach(cleanupFaults)

const intents = (l: CanaryProject): string[] => payloads(events(l, ['ORDER_INTENT']), 'ORDER_INTENT').map((p) => p.order.clientOrderId)

describe('rick run coinbase --canary under faults (data path)', () => {
  it('(a) the user channel misses updates of orders that fill: found by polling, each venue fill journaled once', async () => {
    const l = await approvedCanary()
    const run = startCanary(l)
    await run.until('the run trading', () => journalFills(l).length >= 1)
    // From here on the user channel tells nothing of any order: every later fill must come from the
    // venue's REST records. (Six missed updates left it to timing whether a fill was among them.)
    const atMiss = (await fillsAtVenue(l.sim)).length
    l.sim.faults.set({missUserUpdate: 1_000_000})
    await run.until('two more fills at the venue', async () => (await fillsAtVenue(l.sim)).length >= atMiss + 2)
    await stopQuiet(l, run)
    await expectBooksEqualVenue(l)
    // The fills the channel never told came from the venue's REST records (the reconciler's read).
    expect(journalFills(l).some((f) => f.inferred === true)).toBe(true)
  })

  it('(b) a create whose answer is lost: ORDER_UNCONFIRMED, then found by its client order id, never resent', async () => {
    // The connector gives up on an answer after 1 s; the venue executes the first create and holds
    // the answer 3 s; the user channel does not tell of it either (else the order is known at once).
    const l = await approvedCanary({timeoutMs: 1000})
    l.sim.faults.set({submitTimeout: 1, submitTimeoutHoldMs: 3000, missUserUpdate: 3})
    const run = startCanary(l)
    await run.until('an order without an answer', () => events(l, ['ORDER_UNCONFIRMED']).length >= 1)
    const lost = payloads(events(l, ['ORDER_UNCONFIRMED']), 'ORDER_UNCONFIRMED')[0]!
    expect(lost.error).toMatch(/Timeout|timed out|Disconnected/i)
    const about = (types: Parameters<typeof events>[1]) => events(l, types).filter((e) => (e.payload as {clientOrderId?: string; fill?: {clientOrderId: string}}).clientOrderId === lost.clientOrderId || (e.payload as {fill?: {clientOrderId: string}}).fill?.clientOrderId === lost.clientOrderId)
    await run.until('the lost order found', () => about(['ORDER_ACK']).length === 1 && about(['FILL']).length >= 1)
    const sentBefore = intents(l).length
    await run.until('trading on', () => intents(l).length >= sentBefore + 2)
    await stopQuiet(l, run)
    const orders = await expectBooksEqualVenue(l)
    expect(orders.filter((o) => o.client_order_id === lost.clientOrderId)).toHaveLength(1)
    // Found, not refused, not given up on: no rejection and no cancel of it in the journal.
    expect(about(['ORDER_REJECTED', 'ORDER_CANCELLED'])).toEqual([])
  })

  it('(h) every REST answer late beyond the timeout for a while, the channel silent: creates executed but unknown, each found by client order id, none sent twice', async () => {
    const l = await approvedCanary({timeoutMs: 1000})
    const run = startCanary(l)
    await run.until('the run trading', () => journalFills(l).length >= 1)
    // Executed at once, answered 1.5 s later: after the connector gave up on it (reads too).
    l.sim.faults.set({latencyMs: 1500, missUserUpdate: 1000})
    const unconfirmed = () => payloads(events(l, ['ORDER_UNCONFIRMED']), 'ORDER_UNCONFIRMED').map((u) => u.clientOrderId)
    await run.until('a create without an answer', () => unconfirmed().length >= 1)
    l.sim.faults.set({latencyMs: 0})
    const lost = unconfirmed()
    const resolved = (id: string) => events(l, ['ORDER_ACK', 'ORDER_CANCELLED']).some((e) => (e.payload as {clientOrderId: string}).clientOrderId === id)
    await run.until('each lost create resolved', () => lost.every(resolved))
    await stopQuiet(l, run)
    const orders = await expectBooksEqualVenue(l)
    const evs = events(l)
    for (const id of lost) {
      const at = orders.filter((o) => o.client_order_id === id)
      const cancelled = payloads(evs, 'ORDER_CANCELLED').some((c) => c.clientOrderId === id)
      // At the venue once and known as such (acknowledged, never given up on), or never there and cancelled as never sent.
      expect(at.length, id).toBeLessThanOrEqual(1)
      expect(cancelled, `${id}: at the venue ${at.length} time(s)`).toBe(at.length === 0)
      expect(payloads(evs, 'ORDER_ACK').some((a) => a.clientOrderId === id), id).toBe(at.length === 1)
    }
  })

  it('(c) the websocket goes quiet without closing: DATA_STALE and a reconnect; quiet no more: DATA_RESUMED and trading goes on', async () => {
    const l = await approvedCanary({staleAfter: '2s'})
    const run = startCanary(l)
    await run.until('the run trading', () => journalFills(l).length >= 1)
    const codes = () => payloads(events(l, ['RISK_STATE']), 'RISK_STATE').map((r) => r.code)
    const dropped = () => payloads(events(l, ['CONNECTION']), 'CONNECTION').filter((c) => c.state === 'disconnected')
    l.sim.faults.set({wsQuiet: true})
    await run.until('DATA_STALE', () => codes().includes('DATA_STALE'))
    // No heartbeat for 5 s: the socket is taken for dead (it never closed) and dropped.
    await run.until('the silent socket dropped', () => dropped().length >= 1)
    const barsQuiet = events(l, ['BAR']).length
    l.sim.faults.set({wsQuiet: false})
    await run.until('DATA_RESUMED', () => codes().includes('DATA_RESUMED'))
    const sentBefore = intents(l).length
    await run.until('trading on', () => intents(l).length >= sentBefore + 2 && events(l, ['BAR']).length > barsQuiet + 10)
    await stopQuiet(l, run)
    await expectBooksEqualVenue(l)
    expect(dropped().some((c) => /heartbeat|silent|quiet|no message/i.test(c.reason ?? ''))).toBe(true)
  })

})
