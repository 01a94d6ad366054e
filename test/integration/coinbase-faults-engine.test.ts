// Engine and live-run bugs the Coinbase fault tests found, each fixed: a replacement order sent
// before the order it replaced was gone (money moved twice), a clean stop that closed the connection
// before the last fills came, and an engine clock that stood still when the venue's was behind this
// machine's. Each test states the invariant that broke.
import {afterEach, describe, expect, it} from 'vitest'

import {approvedCanary, cleanupFaults, events, expectBooksEqualVenue, journalFills, payloads, startCanary, story} from './coinbase-faults-fixture.js'

afterEach(cleanupFaults)

describe('the engine under Coinbase faults', () => {
  it('a market order superseded before its fill was heard (the user channel lagging): the replacement waits for its outcome (the position never exceeds the canary cap, rick never sells coins it did not buy)', async () => {
    // Every order's fill comes late (the reconciler's 1 s read, not the user channel), as it does
    // whenever Coinbase's user channel lags; the strategy changes its mind meanwhile.
    // The person holds coins of their own: a sell beyond rick's books is not refused, it sells theirs.
    const l = await approvedCanary({balances: {BTC: '0.01'}})
    l.sim.faults.set({missUserUpdate: 1000})
    const run = startCanary(l)
    await run.until('twelve intents', () => events(l, ['ORDER_INTENT']).length >= 12, 25_000)
    run.child.kill('SIGKILL')
    await run.exited
    // The books of fills as journaled, in order: rick never held more than one order's worth (the
    // strategy's 20 USD; the canary cap is 25 USD), and never sold more than it held.
    let position = 0
    let peak = 0
    for (const f of journalFills(l)) {
      position += f.side === 'buy' ? f.qty : -f.qty
      peak = Math.max(peak, Math.abs(position) * f.price)
      expect(position, `${f.clientOrderId} sold more than rick held\n${story(l, 80)}`).toBeGreaterThanOrEqual(-1e-9)
    }
    expect(peak, story(l, 80)).toBeLessThanOrEqual(25)
  })

  it('the venue\'s clock behind the wall clock: the engine\'s clock follows the venue (its 60 s order-rate window passes)', async () => {
    // A simulator started at a time in the past (coinbase-run-fixture starts it at noon), or a venue
    // whose clock is behind this machine's: live-service.ts starts the engine's SimulatedClock at the
    // wall's now, and SimulatedClock.set never goes back, so the engine's time stands still until the
    // venue's passes the wall's start.
    const l = await approvedCanary({startTs: Date.now() - 6 * 3_600_000})
    const run = startCanary(l)
    await run.until('three fills', () => journalFills(l).length >= 3)
    run.child.kill('SIGKILL')
    await run.exited
    const evs = events(l)
    const lastBar = payloads(evs, 'BAR').at(-1)!
    const lastEvent = evs.at(-1)!
    // The journal's time (the engine's clock) is the venue's time of the bars, give or take a few bars.
    expect(Math.abs(lastEvent.ts - lastBar.ts), `engine ${new Date(lastEvent.ts).toISOString()}, venue bar ${new Date(lastBar.ts).toISOString()}`).toBeLessThan(10 * 60_000)
  })

  it('a clean stop (Ctrl-C) with a market order in flight: its fill at the venue is journaled before RUN_STOPPED', async () => {
    const l = await approvedCanary()
    l.sim.faults.set({missUserUpdate: 1000}) // the fill is heard late, as when the channel lags
    const run = startCanary(l)
    const unfilled = () => {
      const filled = new Set(journalFills(l).map((f) => f.clientOrderId))
      return payloads(events(l, ['ORDER_ACK']), 'ORDER_ACK').some((a) => !filled.has(a.clientOrderId))
    }
    await run.until('an order acknowledged and not yet filled in the journal', unfilled)
    run.child.kill('SIGINT')
    expect((await run.exited).code).toBe(0)
    await expectBooksEqualVenue(l)
  })
})
