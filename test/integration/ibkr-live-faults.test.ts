// `rick run` on Interactive Brokers under faults (order path): an order TWS refuses (201), sockets
// cut while the run trades. The built CLI, the connector on the real @stoqey/ib client, rick's TWS
// simulator in this process (ibkr-run-fixture.ts); every scenario ends on the venue's own records
// against the journal (ibkr-live-faults-fixture.ts). The connectivity codes are in
// ibkr-live-faults-connectivity.test.ts, the faults that kill or stop a run in
// ibkr-live-faults-stops.test.ts (three files: vitest runs them side by side).
import {afterEach, describe, expect, it} from 'vitest'

import {DEFAULT_REJECT_REASON} from '../../plugins/ibkr/src/sim/faults.js'
import {cleanupLive, events, live} from './ibkr-run-fixture.js'
import {expectBooksEqualVenue, intents, payloads, ricksOrdersAtVenue, startRun, stopQuiet, TUESDAY_11_NY, waitFor} from './ibkr-live-faults-fixture.js'

afterEach(cleanupLive)

describe('rick run ibkr under faults (order path)', () => {
  it('an order TWS refuses (201 and its reason): ORDER_REJECTED with the code and reason, not sent again, and the run trades on', async () => {
    const l = await live({startTs: TUESDAY_11_NY})
    const run = startRun(l)
    await waitFor(l, 'the run trading', () => intents(l).length >= 1 && events(l, ['FILL']).length >= 1)
    await l.sim.faults.act('reject', {count: 1, code: 201, reason: DEFAULT_REJECT_REASON})
    await waitFor(l, 'ORDER_REJECTED', () => events(l, ['ORDER_REJECTED']).length >= 1)
    const rejected = payloads(events(l, ['ORDER_REJECTED']), 'ORDER_REJECTED')
    expect(rejected).toHaveLength(1)
    const [r] = rejected
    // rick's code is the typed error (a 201 is a refusal for margin or an invalid order); the
    // venue's code and reason are in the journaled reason, word for word.
    expect(['InsufficientFunds', 'InvalidOrder']).toContain(r!.code)
    expect(r!.reason).toContain(`201 Order rejected - reason:${DEFAULT_REJECT_REASON}`)
    // Refused once at the venue, never accepted, never placed again.
    expect(l.sim.venueRecords.byOrderRef(r!.clientOrderId)).toMatchObject({accepted: 0, refused: 1, codes: [201]})
    const before = intents(l).length
    await waitFor(l, 'orders after the refusal reaching the venue', () => intents(l).length >= before + 2 && ricksOrdersAtVenue(l).filter(([, x]) => x.accepted === 1).length >= before + 1)
    await stopQuiet(run)
    expect(l.sim.venueRecords.byOrderRef(r!.clientOrderId)).toMatchObject({accepted: 0, refused: 1})
    // Every intent but the refused one reached the venue exactly once.
    for (const o of intents(l)) expect(l.sim.venueRecords.byOrderRef(o.clientOrderId)?.accepted, o.clientOrderId).toBe(o.clientOrderId === r!.clientOrderId ? 0 : 1)
    expect(events(l, ['ORDER_ACK', 'ORDER_UNCONFIRMED', 'FILL']).filter((e) => JSON.stringify(e.payload).includes(`"${r!.clientOrderId}"`))).toEqual([])
    await expectBooksEqualVenue(l)
  })

  it('the sockets cut while the run trades (twice): disconnected, reconnected after a backoff, trading goes on, nothing sent twice', async () => {
    const l = await live({startTs: TUESDAY_11_NY})
    const run = startRun(l)
    await waitFor(l, 'the run trading', () => events(l, ['FILL']).length >= 1)
    const connection = () => payloads(events(l, ['CONNECTION']), 'CONNECTION')
    for (let cut = 1; cut <= 2; cut++) {
      const seen = connection().length
      const {cut: n} = (await l.sim.faults.act('dropSockets')) as {cut: number}
      expect(n).toBeGreaterThanOrEqual(1)
      await waitFor(l, `disconnected (cut ${cut})`, () => connection().slice(seen).some((c) => c.state === 'disconnected'))
      await waitFor(l, `connected again (cut ${cut})`, () => connection().slice(seen).some((c) => c.state === 'connected'))
      const atVenue = ricksOrdersAtVenue(l).filter(([, x]) => x.accepted === 1).length
      await waitFor(l, `new orders at the venue after cut ${cut}`, () => ricksOrdersAtVenue(l).filter(([, x]) => x.accepted === 1).length >= atVenue + 2)
    }
    const {stderr} = await stopQuiet(run)
    // Each cut waited the connector's backoff before reconnecting (seeded, never 0).
    const waits = [...stderr.matchAll(/disconnected \(the TWS socket closed\); reconnecting in (\d+) ms/g)].map((m) => Number(m[1]))
    expect(waits).toHaveLength(2)
    for (const w of waits) expect(w).toBeGreaterThan(0)
    expect(payloads(events(l, ['CONNECTION']), 'CONNECTION').filter((c) => c.state === 'fatal')).toEqual([])
    await expectBooksEqualVenue(l)
  })
})
