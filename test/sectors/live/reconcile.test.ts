// Reconciliation against a venue whose answers the test writes: the journal must end up saying how
// the venue got where it is, the engine's books must equal the venue's, and running it again must
// change nothing.
import {afterEach, describe, expect, it} from 'vitest'

import type {Fill, OrderState, Position} from '../../../src/foundation/domain/orders.js'
import type {EventPayloads} from '../../../src/foundation/journal/events.js'
import type {Connector} from '../../../src/sectors/connector.js'
import {reconcileWithVenue} from '../../../src/sectors/live/reconcile.js'
import {engineHarness, target, type EngineHarness} from '../engine/harness.js'

let h: EngineHarness | undefined
afterEach(() => {
  h?.close()
  h = undefined
})

/** What the venue says, set by the test; the rest of the connector is the harness's fake. */
function venueSays(h: EngineHarness, says: {open?: OrderState[]; positions?: Position[]; fills?: Fill[]; spot?: boolean}): Connector {
  return Object.assign(Object.create(h.venue) as Connector, {
    ...(says.spot ? {capabilities: {...h.venue.capabilities, spotHoldings: true}} : {}),
    openOrders: async () => says.open ?? [],
    positions: async () => says.positions ?? [],
    recentFills: async () => says.fills ?? [],
  })
}

const fill = (clientOrderId: string, fillId: string, qty: number, price = 100): Fill => ({clientOrderId, fillId, instrument: 'TEST', side: qty > 0 ? 'buy' : 'sell', qty: Math.abs(qty), price, fee: 0, liquidity: 'taker', ts: 0})
const payloads = <T extends keyof EventPayloads>(h: EngineHarness, type: T) => h.events([type]).map((e) => e.payload as EventPayloads[T])
const opts = {sector: 'test', sinceTs: 0, lastPrices: new Map([['TEST', 100]])}

describe('reconcileWithVenue', () => {
  it('a fill of our order the stream never brought: journaled once as inferred; the books equal the venue; again changes nothing', async () => {
    h = await engineHarness((i) => (i === 0 ? [target(10)] : []))
    await h.bar()
    expect(h.engine.workingOrders()).toEqual(['run1-1'])
    const venue = venueSays(h, {positions: [{instrument: 'TEST', qty: 10, avgPrice: 100}], fills: [fill('run1-1', 'v-9', 10)]})
    h.venue.known.get('run1-1')!.status = 'filled'
    await reconcileWithVenue(h.engine, venue, opts)
    await reconcileWithVenue(h.engine, venue, opts)
    await new Promise((r) => setImmediate(r))
    expect(payloads(h, 'FILL').map((p) => [p.fill.fillId, p.fill.qty, p.fill.inferred])).toEqual([['v-9', 10, true]])
    expect(h.engine.position('TEST')).toBe(10)
    expect(h.engine.workingOrders()).toEqual([])
    expect(payloads(h, 'EXTERNAL')).toEqual([])
    expect(payloads(h, 'RISK_STATE')).toEqual([])
  })

  it('a position made by hand, explained by a fill of an order not ours: EXTERNAL, counted, no mismatch', async () => {
    h = await engineHarness(() => [])
    await h.bar()
    const venue = venueSays(h, {positions: [{instrument: 'TEST', qty: 7, avgPrice: 99}], fills: [fill('external:55', 'v-3', 7, 99)]})
    const r = await reconcileWithVenue(h.engine, venue, opts)
    await reconcileWithVenue(h.engine, venue, opts)
    expect(payloads(h, 'EXTERNAL')).toEqual([expect.objectContaining({kind: 'position', instrument: 'TEST', qty: 7, price: 99})])
    expect(r.notes[0]).toMatch(/fills of orders placed outside rick/)
    expect(h.engine.position('TEST')).toBe(7)
    expect(payloads(h, 'RISK_STATE')).toEqual([])
  })

  it('a difference nothing explains: EXTERNAL, and the sector goes REDUCING until a person resumes it', async () => {
    h = await engineHarness(() => [])
    await h.bar()
    await reconcileWithVenue(h.engine, venueSays(h, {positions: [{instrument: 'TEST', qty: -3, avgPrice: 101}]}), opts)
    expect(payloads(h, 'EXTERNAL')).toEqual([expect.objectContaining({kind: 'position', qty: -3})])
    expect(payloads(h, 'RISK_STATE')).toEqual([expect.objectContaining({to: 'REDUCING', code: 'RECONCILE_MISMATCH'})])
    expect(h.engine.state).toBe('REDUCING')
    expect(h.engine.position('TEST')).toBe(-3)
  })

  it('an order placed by hand is reported once and never touched', async () => {
    h = await engineHarness(() => [])
    await h.bar()
    const byHand: OrderState = {clientOrderId: 'external:77', venueOrderId: '77', instrument: 'TEST', side: 'sell', type: 'limit', limitPrice: 120, qty: 2, tif: 'gtc', status: 'working', filledQty: 0, avgFillPrice: 0, updatedAt: 0}
    const venue = venueSays(h, {open: [byHand]})
    await reconcileWithVenue(h.engine, venue, opts)
    await reconcileWithVenue(h.engine, venue, opts)
    expect(payloads(h, 'EXTERNAL')).toEqual([expect.objectContaining({kind: 'order', instrument: 'TEST', qty: -2, venueOrderId: '77'})])
    expect(h.venue.cancels).toEqual([])
    expect(h.engine.workingOrders()).toEqual([])
  })

  describe('at a spot venue (balances, not positions)', () => {
    it('coins the person held before rick are theirs: noted once, never adopted, never sold, no mismatch', async () => {
      h = await engineHarness(() => [])
      await h.bar()
      const venue = venueSays(h, {spot: true, positions: [{instrument: 'TEST', qty: 0.5, avgPrice: 90}]})
      const first = await reconcileWithVenue(h.engine, venue, opts)
      const again = await reconcileWithVenue(h.engine, venue, opts)
      expect(h.engine.position('TEST')).toBe(0)
      expect(payloads(h, 'EXTERNAL')).toEqual([])
      expect(payloads(h, 'RISK_STATE')).toEqual([])
      expect(first.notes).toEqual([expect.stringMatching(/TEST: the account holds 0\.5, rick's books 0: 0\.5 held outside rick, never traded by it/)])
      expect(again.notes).toEqual([])
    })

    it("rick's own coins on top of the person's: the books keep rick's; less than the books is a mismatch", async () => {
      h = await engineHarness((i) => (i === 0 ? [target(2)] : []))
      await h.bar()
      h.venue.known.get('run1-1')!.status = 'filled'
      await reconcileWithVenue(h.engine, venueSays(h, {spot: true, positions: [{instrument: 'TEST', qty: 2.5, avgPrice: 100}], fills: [fill('run1-1', 'v-1', 2)]}), opts)
      expect(h.engine.position('TEST')).toBe(2)
      expect(payloads(h, 'RISK_STATE')).toEqual([])
      // Someone sold 1 of rick's coins (and the person's half) outside rick: the books cannot hold 2.
      await reconcileWithVenue(h.engine, venueSays(h, {spot: true, positions: [{instrument: 'TEST', qty: 1, avgPrice: 100}]}), opts)
      expect(payloads(h, 'EXTERNAL')).toEqual([expect.objectContaining({kind: 'position', instrument: 'TEST', qty: -1})])
      expect(h.engine.position('TEST')).toBe(1)
      expect(payloads(h, 'RISK_STATE')).toEqual([expect.objectContaining({to: 'REDUCING', code: 'RECONCILE_MISMATCH'})])
    })
  })
})
