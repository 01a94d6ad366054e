// Conformance cases behind the fixture's fault hooks: a submit never answered, a 5xx, a 401. The
// venue's own record of the orders it received (faults.ordersAtVenue) is the witness.
import {expect} from 'vitest'

import {BrokerError, NetworkError} from '../../src/foundation/domain/broker-errors.js'
import {expectFilledOnce, expectNoTrace, lots, order, outcome, positionOf, type CaseRun, type ConformanceCase, type Ctx} from './checks.js'
import {until, type VenueFaults, type VenueFixture} from './fixture.js'

/** A fault case's venue: one whose session can inject faults. */
async function faulty(f: VenueFixture, r: CaseRun): Promise<Ctx & {faults: VenueFaults}> {
  const t = await r.begin()
  if (t.s.faults === undefined) throw new Error(`${f.name}: faultInjection is set but the session has no faults`)
  return {...t, faults: t.s.faults}
}
const injects = (f: VenueFixture): boolean => f.faultInjection

export const FAULT_CASES: readonly ConformanceCase[] = [
  {
    name: 'faults: a submit with no answer: NetworkError; the venue has the order once, orderByClientId finds it, its events come once',
    applies: injects,
    async run(f, r) {
      const t = await faulty(f, r)
      t.faults.submitUnanswered()
      expect(await outcome(t.c.submit(order(f, {clientOrderId: 'cf-lost'})))).toBeInstanceOf(NetworkError)
      await until('orderByClientId to find it', async () => (await t.c.orderByClientId('cf-lost')) !== undefined)
      await t.s.settle()
      expect(await t.c.orderByClientId('cf-lost')).toMatchObject({status: 'filled'})
      expectFilledOnce(t, 'cf-lost', 'buy', f.qty)
      expect(lots(positionOf(await t.c.positions(), f.instrument), t.spec)).toBe(lots(f.qty, t.spec))
      expect(await t.faults.ordersAtVenue('cf-lost'), 'never sent twice').toEqual({accepted: 1, refused: 0})
    },
  },
  {
    name: 'faults: a 5xx on submit: NetworkError, and the venue never had the order',
    applies: injects,
    async run(f, r) {
      const t = await faulty(f, r)
      t.faults.serverError()
      expect(await outcome(t.c.submit(order(f, {clientOrderId: 'cf-5xx'})))).toBeInstanceOf(NetworkError)
      await expectNoTrace(t, 'cf-5xx')
      expect(await t.c.orderByClientId('cf-5xx')).toBeUndefined()
      expect(await t.faults.ordersAtVenue('cf-5xx')).toEqual({accepted: 0, refused: 0})
    },
  },
  {
    name: 'faults: a 401: BrokerError AuthFailed (never a NetworkError), nothing sent',
    applies: injects,
    async run(f, r) {
      const t = await faulty(f, r)
      const restore = t.faults.revokeAuth()
      const e = await outcome(t.c.submit(order(f, {clientOrderId: 'cf-401'})))
      restore()
      expect(e).toBeInstanceOf(BrokerError)
      expect(e).toMatchObject({kind: 'AuthFailed'})
      expect(await t.faults.ordersAtVenue('cf-401')).toEqual({accepted: 0, refused: 0})
      expect(t.rec.of('cf-401')).toEqual([])
    },
  },
  {
    name: 'faults: close() with a submit in flight: the submit settles at once with a NetworkError (outcome unknown), nothing heard after',
    applies: injects,
    async run(f, r) {
      const t = await faulty(f, r)
      const release = t.faults.holdAnswers()
      let settled = false
      const sent = outcome(t.c.submit(order(f, {clientOrderId: 'cf-inflight'}))).finally(() => void (settled = true))
      // A few turns of the event loop: the request is on its way (or at the venue, held) when close() comes.
      for (let i = 0; i < 5; i++) await new Promise((resolve) => setImmediate(resolve))
      await t.c.close()
      await until('the submit to settle after close()', () => settled, {ms: 500})
      release()
      expect(await sent).toBeInstanceOf(NetworkError)
      for (let i = 0; i < 3; i++) await t.s.step()
      expect(t.rec.events, 'events after close').toEqual([])
    },
  },
]
