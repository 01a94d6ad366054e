// Native brackets and the flatten deadline of `rick run` on Interactive Brokers: the built CLI, the
// connector on @stoqey/ib, rick's TWS simulator over TCP (ibkr-run-fixture.ts), a strategy that holds
// one MES contract with a bracket whenever it is flat. What the venue did is read from its own
// records; what rick did from the journal; each is checked against the other.
import {afterEach, describe, expect, it} from 'vitest'

import type {EventPayloads} from '../../src/foundation/journal/events.js'
import {rick} from '../helpers/cli.js'
import {cleanupLive, events, fillSums, live, MES, positionsAtVenue} from './ibkr-run-fixture.js'

afterEach(cleanupLive)

const NY_SESSION = '{timezone: America/New_York, windows: [{days: [mon, tue, wed, thu, fri], start: "09:30", end: "16:00"}], flattenAt: "15:55"}'

describe('rick run ibkr: brackets and the flatten deadline at the venue', () => {
  it('native brackets at the venue: a child fills, the venue cancels its sibling (OCA), and the journal has each exit once', async () => {
    const l = await live({startTs: Date.UTC(2026, 11, 8, 16), instruments: [MES], strategy: '{name: mes-bracket, params: {points: 1}}'})
    const r = await rick(['run', 'mes', '--bars', '30'], {cwd: l.f.root, env: l.env})
    expect(r.exitCode, r.stderr).toBe(0)
    const evs = events(l)
    const intents = evs.filter((e) => e.type === 'ORDER_INTENT').map((e) => (e.payload as EventPayloads['ORDER_INTENT']).order)
    const entries = intents.filter((o) => o.bracket !== undefined)
    expect(entries.length, r.stdout + r.stderr).toBeGreaterThan(1)
    const records = l.sim.venueRecords
    // Each entry went out as a native bracket: its two children are the venue's orders too.
    for (const o of entries) for (const ref of [o.clientOrderId, `${o.clientOrderId}-tp`, `${o.clientOrderId}-sl`]) expect(records.byOrderRef(ref)?.accepted, ref).toBe(1)
    const fills = evs.filter((e) => e.type === 'FILL').map((e) => (e.payload as EventPayloads['FILL']).fill)
    const exits = fills.filter((f) => /-(tp|sl)$/.test(f.clientOrderId))
    expect(exits.length).toBeGreaterThan(0)
    const cancels = evs.filter((e) => e.type === 'ORDER_CANCELLED').map((e) => (e.payload as {clientOrderId: string}).clientOrderId)
    for (const f of exits) {
      const sibling = f.clientOrderId.endsWith('-tp') ? f.clientOrderId.replace(/-tp$/, '-sl') : f.clientOrderId.replace(/-sl$/, '-tp')
      expect(records.byOrderRef(sibling)?.cancelled, sibling).toBe(1)
      expect(records.byOrderRef(sibling)?.filled ?? 0, sibling).toBe(0)
      expect(fills.filter((x) => x.clientOrderId === f.clientOrderId).reduce((a, x) => a + x.qty, 0)).toBe(1)
      expect(cancels.filter((id) => id === sibling), sibling).toHaveLength(1)
    }
    const {perInstrument, fillIds} = fillSums(evs)
    expect(new Set(fillIds).size).toBe(fillIds.length)
    expect(positionsAtVenue(l).get('MES-202612') ?? 0).toBe(perInstrument.get('MES-202612') ?? 0)
  })

  it('the flatten deadline (15:55 New York) closes the MES position at the venue and cancels its bracket', async () => {
    // 15:15 New York at 300x: start-up takes a few minutes of venue time, then one entry whose
    // bracket is too wide to be reached, held until the deadline; the run ends after the close.
    const l = await live({speed: 300, startTs: Date.UTC(2026, 11, 8, 20, 15), instruments: [MES], strategy: '{name: mes-bracket, params: {points: 40}}', session: NY_SESSION})
    const r = await rick(['run', 'mes', '--bars', '40'], {cwd: l.f.root, env: l.env})
    expect(r.exitCode, r.stderr).toBe(0)
    const evs = events(l)
    const intents = evs.filter((e) => e.type === 'ORDER_INTENT').map((e) => (e.payload as EventPayloads['ORDER_INTENT']))
    const flatten = intents.filter((i) => i.reason === 'flatten deadline')
    expect(flatten.map((i) => i.order), r.stdout).toMatchObject([{instrument: 'MES-202612', side: 'sell', qty: 1, type: 'market'}])
    // Flat at the venue, as the journal's fills say; nothing of rick's left working there.
    expect(positionsAtVenue(l).get('MES-202612') ?? 0).toBe(0)
    expect(fillSums(evs).perInstrument.get('MES-202612') ?? 0).toBe(0)
    expect(l.sim.venueRecords.openOrders().filter((o) => o.order.orderRef.startsWith('mes-'))).toEqual([])
    // The flatten sold at or after 15:55 New York (20:55 UTC), on the venue's clock.
    const sold = l.sim.venueRecords.executions().filter((x) => x.orderRef === flatten[0]!.order.clientOrderId)
    expect(sold).toHaveLength(1)
    expect(sold[0]!.ts).toBeGreaterThanOrEqual(Date.UTC(2026, 11, 8, 20, 55))
  })
})
