// `rick run` on Interactive Brokers when a run is killed or stopped from outside: SIGKILL between an
// order's intent and the venue's answer, orders placed by hand in TWS, the sector's client id held
// by another client (326), a pacing violation (error 100). The built CLI, the connector on the real
// @stoqey/ib client, rick's TWS simulator in this process; the venue's own records against the
// journal (ibkr-live-faults-fixture.ts).
import {EventName, IBApi} from '@stoqey/ib'
import {afterEach, describe, expect, it} from 'vitest'

import {rick} from '../helpers/cli.js'
import {cleanupLive, events, live, until} from './ibkr-run-fixture.js'
import {expectBooksEqualVenue, intents, payloads, ricksOrdersAtVenue, startRun, stopQuiet, TUESDAY_11_NY, waitFor} from './ibkr-live-faults-fixture.js'

const bare: IBApi[] = []
afterEach(async () => {
  for (const ib of bare.splice(0)) ib.disconnect()
  await cleanupLive()
})

type L = Awaited<ReturnType<typeof live>>

/** rick's intents with no answer journaled yet (no ack, fill, rejection, cancel or unknown outcome). */
function unanswered(l: L): string[] {
  const answered = new Set<string>()
  for (const e of events(l, ['ORDER_ACK', 'ORDER_REJECTED', 'ORDER_UNCONFIRMED', 'ORDER_CANCELLED', 'FILL'])) {
    const p = e.payload as {clientOrderId?: string; fill?: {clientOrderId: string}}
    answered.add(p.fill?.clientOrderId ?? p.clientOrderId ?? '')
  }
  return intents(l).map((o) => o.clientOrderId).filter((id) => !answered.has(id))
}

/**
 * Kills the run with SIGKILL once the journal holds an intent the venue has not seen, and cuts the
 * simulator's sockets at once: whatever the run wrote of that order is lost with the connection.
 * The simulator runs on this process's event loop: while this loop polls synchronously it reads
 * nothing, so what is checked here still holds when the signal goes and the sockets are cut.
 * Between bursts the loop is let go for a moment, so prices flow and bars close.
 */
async function killWithAnOrderInFlight(l: L, run: ReturnType<typeof startRun>): Promise<string> {
  const end = Date.now() + 12_000
  while (Date.now() < end) {
    const burstEnd = Date.now() + 250
    while (Date.now() < burstEnd) {
      const id = unanswered(l).find((x) => l.sim.venueRecords.byOrderRef(x) === undefined)
      if (id !== undefined) {
        run.child.kill('SIGKILL')
        void l.sim.faults.act('dropSockets') // synchronous: the sockets are gone before the loop turns
        return id
      }
    }
    await new Promise((r) => setTimeout(r, 15))
  }
  throw new Error('no intent caught before its answer')
}

/**
 * Kills the run with SIGKILL the moment the venue has taken an order of rick's: polled at every turn
 * of this process's event loop (the simulator's too), so the signal goes before the run can have
 * journaled the venue's answer (checked after).
 */
async function killAsTheVenueTakesAnOrder(l: L, run: ReturnType<typeof startRun>): Promise<string> {
  const known = new Set(ricksOrdersAtVenue(l).map(([ref]) => ref))
  const end = Date.now() + 12_000
  while (Date.now() < end) {
    await new Promise((r) => setImmediate(r))
    for (const [ref, r] of ricksOrdersAtVenue(l)) {
      if (known.has(ref) || r.accepted === 0) continue
      run.child.kill('SIGKILL')
      return ref
    }
  }
  throw new Error('no order taken by the venue')
}

describe('rick run ibkr: killed, overruled, refused', () => {
  it('SIGKILL as the venue takes an order, before the run heard its answer: the restart finds it by orderRef, journals its fill once, never sends it again', async () => {
    const l = await live({startTs: TUESDAY_11_NY})
    const run = startRun(l)
    await waitFor(l, 'the run trading', () => events(l, ['FILL']).length >= 1)
    const id = await killAsTheVenueTakesAnOrder(l, run)
    expect((await run.exited).signal).toBe('SIGKILL')
    const about = (types: Parameters<typeof events>[1]) => events(l, types).filter((e) => JSON.stringify(e.payload).includes(`"${id}"`))
    // The killed run never heard of its fill.
    expect(about(['FILL'])).toEqual([])
    const again = await rick(['run', 'mes', '--bars', '3'], {cwd: l.f.root, env: l.env})
    expect(again.exitCode, again.stdout + again.stderr).toBe(0)
    const at = l.sim.venueRecords.byOrderRef(id)!
    expect(at.accepted).toBe(1)
    expect(about(['FILL'])).toHaveLength(at.filled)
    expect(about(['ORDER_CANCELLED', 'ORDER_REJECTED'])).toEqual([])
    expect(events(l, ['RISK_STATE']).some((e) => (e.payload as {code: string}).code === 'RECONCILE_MISMATCH')).toBe(false)
    await expectBooksEqualVenue(l)
  })

  it('SIGKILL between an ORDER_INTENT and the venue’s answer, the order lost with the connection: declared never sent at the restart, not sent again, no id reused', async () => {
    const l = await live({startTs: TUESDAY_11_NY})
    const run = startRun(l)
    await waitFor(l, 'the run trading', () => events(l, ['FILL']).length >= 1)
    const id = await killWithAnOrderInFlight(l, run)
    expect((await run.exited).signal).toBe('SIGKILL')
    const again = await rick(['run', 'mes', '--bars', '3'], {cwd: l.f.root, env: l.env})
    expect(again.exitCode, again.stdout + again.stderr).toBe(0)
    const about = (types: Parameters<typeof events>[1]) => events(l, types).filter((e) => JSON.stringify(e.payload).includes(`"${id}"`))
    // Asked about by orderRef, unknown to the venue: cancelled as never sent, once; never placed by the restart.
    expect(l.sim.venueRecords.byOrderRef(id)).toBeUndefined()
    expect(payloads(about(['ORDER_CANCELLED']), 'ORDER_CANCELLED').map((c) => c.reason)).toEqual([expect.stringMatching(/never reached/)])
    expect(about(['FILL', 'ORDER_ACK'])).toEqual([])
    expect(l.sim.venueRecords.idReuses()).toEqual([])
    await expectBooksEqualVenue(l)
  })

  it('orders placed by hand in TWS (clientId 0) on the sector’s instrument: the fill as an EXTERNAL position and the resting one as an EXTERNAL order, each once, never touched', async () => {
    const l = await live({startTs: TUESDAY_11_NY})
    const run = startRun(l)
    await waitFor(l, 'the run trading', () => events(l, ['FILL']).length >= 1)
    await l.sim.faults.act('placeExternalOrder', {instrument: 'MES-202612', action: 'BUY', quantity: 2, orderRef: 'by-hand-mkt'})
    await l.sim.faults.act('placeExternalOrder', {instrument: 'MES-202612', action: 'SELL', quantity: 1, orderType: 'LMT', lmtPrice: 9000, tif: 'GTC', orderRef: 'by-hand-lmt'})
    expect(l.sim.venueRecords.byOrderRef('by-hand-mkt')).toMatchObject({accepted: 1, filled: 1})
    const external = () => payloads(events(l, ['EXTERNAL']), 'EXTERNAL')
    await waitFor(l, 'both journaled EXTERNAL', () => external().some((x) => x.kind === 'position') && external().some((x) => x.kind === 'order'))
    // Reconciled several times more (every second): still once each.
    const before = intents(l).length
    await waitFor(l, 'trading on', () => intents(l).length >= before + 2)
    await stopQuiet(run)
    const ext = external()
    expect(ext.filter((x) => x.kind === 'position')).toEqual([expect.objectContaining({instrument: 'MES-202612', qty: 2})])
    expect(ext.filter((x) => x.kind === 'order')).toEqual([expect.objectContaining({instrument: 'MES-202612', qty: -1})])
    // rick never cancelled the order by hand: still working at the venue.
    expect(l.sim.venueRecords.byOrderRef('by-hand-lmt')).toMatchObject({accepted: 1, cancelled: 0, filled: 0})
    expect(l.sim.venueRecords.openOrders().map((o) => o.order.orderRef)).toContain('by-hand-lmt')
    expect(events(l, ['RISK_STATE']).some((e) => (e.payload as {code: string}).code === 'RECONCILE_MISMATCH')).toBe(false)
    await expectBooksEqualVenue(l)
  })

  it('326: the sector’s client id already held by another client — a clear stop naming connection.clientId, exit 1, no stack trace, nothing sent', async () => {
    const l = await live({startTs: TUESDAY_11_NY})
    const ib = new IBApi({host: '127.0.0.1', port: l.sim.connection.port as number, clientId: 7, maxReqPerSec: 40})
    bare.push(ib)
    let accounts = 0
    ib.on(EventName.managedAccounts, () => void accounts++)
    ib.connect()
    await until('the bare client connected', () => accounts > 0, 5_000)
    const r = await rick(['run', 'mes', '--bars', '5'], {cwd: l.f.root, env: l.env})
    expect(r.exitCode, r.stdout + r.stderr).toBe(1)
    expect(r.stderr).toMatch(/connection\.clientId/)
    expect(r.stderr).toMatch(/\b7\b/)
    expect(r.stderr).not.toMatch(/\n\s+at /)
    expect(ricksOrdersAtVenue(l)).toEqual([])
    expect(intents(l)).toEqual([])
  })

  it('a pacing violation (error 100, the socket closed by TWS): the run survives — reconnects with a growing backoff, cut again while the limit holds, then trades on — and nothing is sent twice', async () => {
    const l = await live({startTs: TUESDAY_11_NY})
    const run = startRun(l)
    await waitFor(l, 'the run trading', () => events(l, ['FILL']).length >= 1)
    const connection = () => payloads(events(l, ['CONNECTION']), 'CONNECTION')
    const seen = connection().length
    await l.sim.faults.act('pacing', {max: 1})
    await waitFor(l, 'disconnected by the pacing violation', () => connection().slice(seen).some((c) => c.state === 'disconnected'))
    // The limit holds: every reconnect (its handshake and reads are several messages) is cut again,
    // and the run keeps trying, waiting longer each time.
    await waitFor(l, 'cut again on reconnecting', () => connection().slice(seen).filter((c) => c.state === 'disconnected' && c.stream === 'events').length >= 3)
    await l.sim.faults.act('pacing', {max: 50})
    await waitFor(l, 'connected again', () => connection().slice(seen).some((c) => c.state === 'connected'))
    const accepted = () => ricksOrdersAtVenue(l).filter(([, r]) => r.accepted === 1).length
    const sent = accepted()
    await waitFor(l, 'orders after the reconnect', () => accepted() >= sent + 2)
    const {stderr} = await stopQuiet(run)
    expect(stderr).toMatch(/TWS 100: Max rate of messages per second has been exceeded/)
    const waits = [...stderr.matchAll(/reconnecting in (\d+) ms/g)].map((m) => Number(m[1]))
    expect(waits.length).toBeGreaterThanOrEqual(3)
    expect(waits[2]!).toBeGreaterThan(waits[0]!)
    expect(connection().filter((c) => c.state === 'fatal')).toEqual([])
    await expectBooksEqualVenue(l)
  })
})
