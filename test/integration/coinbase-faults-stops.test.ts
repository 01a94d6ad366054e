// `rick run crypto --canary` on Coinbase under the faults that threaten to stop a run: every socket
// cut, 429s and 503s on REST, a key the venue revokes mid-run, and a kill -9 right after an order went out. The built
// CLI against rick's Coinbase simulator in this process (coinbase-faults-fixture.ts); every scenario
// ends on the venue's own records against the journal. coinbase-live-faults.test.ts holds the data path.
import {readdirSync, readFileSync} from 'node:fs'
import {join} from 'node:path'
import {afterEach, describe, expect, it} from 'vitest'

import {rick} from '../helpers/cli.js'
import {approvedCanary, cleanupFaults, events, expectBooksEqualVenue, journalFills, payloads, startCanary, stopQuiet, story} from './coinbase-faults-fixture.js'
import {KEY_ENV, ordersAtVenue, restJwt, SECRET_ENV} from './coinbase-run-fixture.js'

afterEach(cleanupFaults)

describe('rick run coinbase --canary: faults that threaten the run', () => {
  it('(d) every socket cut mid-run: reconnected, reconciled, no fill twice', async () => {
    const l = await approvedCanary()
    const run = startCanary(l)
    await run.until('the run trading', () => journalFills(l).length >= 2)
    const connected = () => payloads(events(l, ['CONNECTION']), 'CONNECTION').filter((c) => c.state === 'connected').length
    const before = connected()
    const cut = (await l.sim.faults.act('dropStreams')) as {cut: number}
    expect(cut.cut).toBeGreaterThanOrEqual(2) // the user channel and the prices
    await run.until('both streams back', () => connected() >= before + 2)
    const fillsBefore = journalFills(l).length
    await run.until('fills after the reconnect', () => journalFills(l).length >= fillsBefore + 2)
    await stopQuiet(l, run)
    await expectBooksEqualVenue(l)
    expect(payloads(events(l, ['CONNECTION']), 'CONNECTION').filter((c) => c.state === 'disconnected').length).toBeGreaterThanOrEqual(2)
  })

  it('(e) 429s and 503s on REST for a while: no order sent twice, the run goes on, the journal verifies', async () => {
    const l = await approvedCanary()
    const run = startCanary(l)
    await run.until('the run trading', () => journalFills(l).length >= 1)
    // Waves of refusals while orders go out: every REST request of the moment is refused, creates
    // and reads alike (a refused request was not executed), until creates were among them.
    const createsRefused = () => [...payloads(events(l), 'ORDER_UNCONFIRMED'), ...payloads(events(l), 'ORDER_REJECTED').map((r) => ({...r, error: r.reason}))].filter((u) => /429|503|RateLimited|unavailable/i.test(u.error))
    for (let wave = 0; wave < 8 && createsRefused().length < 2; wave++) {
      const fills = journalFills(l).length
      l.sim.faults.set({http429: 4, http5xx: 3})
      await run.until('the refusals spent', () => l.sim.faults.get().http429 === 0 && l.sim.faults.get().http5xx === 0)
      await run.until('a fill after them', () => journalFills(l).length > fills)
    }
    expect(createsRefused().length).toBeGreaterThanOrEqual(2)
    await stopQuiet(l, run)
    const orders = await expectBooksEqualVenue(l)
    // An intent refused before the venue took it (a 429 or 503 on its create) is journaled as
    // rejected, or cancelled once the venue says it does not know it: never at the venue, not even later.
    const evs = events(l)
    const atVenue = new Set(orders.map((o) => o.client_order_id))
    const notPlaced = [...payloads(evs, 'ORDER_REJECTED'), ...payloads(evs, 'ORDER_CANCELLED').filter((c) => /never reached/.test(c.reason))]
    for (const p of notPlaced) expect(atVenue.has(p.clientOrderId), p.clientOrderId).toBe(false)
    const verify = await rick(['journal', 'verify'], {cwd: l.p.root, env: l.env})
    expect(verify.exitCode, verify.stdout + verify.stderr).toBe(0)
  })

  it('(f) the key revoked mid-run: a fatal stop naming the key variable, exit 1, no order after it, nothing of the key in output or journal', async () => {
    const l = await approvedCanary()
    const run = startCanary(l)
    await run.until('the run trading', () => journalFills(l).length >= 1)
    l.sim.faults.set({revokeKey: true})
    const path = '/api/v3/brokerage/orders/historical/batch'
    const refused = await fetch(`${l.sim.endpoints.rest}${path}`, {headers: {Authorization: `Bearer ${restJwt(l.sim, 'GET', path)}`}})
    expect(refused.status, 'the venue refuses the key to everyone, the test too').toBe(401)
    const done = await run.exited
    expect(done.code, run.output()).toBe(1)
    expect(done.stderr).toMatch(new RegExp(KEY_ENV))
    expect(done.stderr).not.toMatch(/\n\s+at /)
    const evs = events(l)
    const fatal = evs.findIndex((e) => e.type === 'CONNECTION' && (e.payload as {state: string}).state === 'fatal')
    expect(fatal, 'the fatal stop is journaled').toBeGreaterThan(0)
    // A bar already under way may still make an intent (see the report); the connector refuses it
    // without a request: rejected, AuthFailed, and never at the venue (checked below).
    const rejected = new Map(payloads(evs.slice(fatal), 'ORDER_REJECTED').map((r) => [r.clientOrderId, r.code]))
    for (const p of payloads(evs.slice(fatal), 'ORDER_INTENT')) expect(rejected.get(p.order.clientOrderId), story(l, 30)).toBe('AuthFailed')
    expect(payloads(evs, 'RUN_STOPPED').at(-1)).toMatchObject({reason: 'error'})
    // The venue's books, read once the key is back, equal the journal's: nothing sent after the revoke.
    l.sim.faults.set({revokeKey: false})
    await expectBooksEqualVenue(l)
    const key = String(l.sim.credentials.apiKey)
    const secret = String(l.sim.credentials.apiSecret).split('\n')[1]!
    const journalFiles = readdirSync(l.p.home).filter((f) => f.startsWith('journal.db'))
    expect(journalFiles).toContain('journal.db')
    for (const leak of [key, secret]) {
      expect(done.stdout + done.stderr).not.toContain(leak)
      // The journal's database and its write-ahead log alike (SQLite in WAL mode).
      for (const file of journalFiles) expect(readFileSync(join(l.p.home, file)).includes(Buffer.from(leak)), file).toBe(false)
    }
    expect(done.stderr).toMatch(new RegExp(SECRET_ENV))
  })

  it('(g) kill -9 right after an order went out, then a restart: the order found at the venue, not resent; the fills equal the venue', async () => {
    // The create is executed at the venue and its answer held; the user channel does not tell of it.
    const l = await approvedCanary()
    l.sim.faults.set({submitTimeout: 1, submitTimeoutHoldMs: 60_000, missUserUpdate: 3})
    const run = startCanary(l)
    await run.until('an order gone out', () => events(l, ['ORDER_SUBMITTED']).length >= 1 && l.sim.faults.get().submitTimeout === 0)
    run.child.kill('SIGKILL')
    const killed = await run.exited
    expect(killed.code).toBeNull()
    const intent = payloads(events(l, ['ORDER_INTENT']), 'ORDER_INTENT')[0]!.order
    expect(events(l, ['FILL'])).toEqual([]) // it filled at the venue; the killed run never heard
    expect((await ordersAtVenue(l.sim)).filter((o) => o.client_order_id === intent.clientOrderId)).toHaveLength(1)

    const again = startCanary(l)
    await again.until('the order found by the restart', () => journalFills(l).some((f) => f.clientOrderId === intent.clientOrderId))
    await stopQuiet(l, again)
    const orders = await expectBooksEqualVenue(l)
    expect(orders.filter((o) => o.client_order_id === intent.clientOrderId)).toHaveLength(1)
    const verify = await rick(['journal', 'verify'], {cwd: l.p.root, env: l.env})
    expect(verify.exitCode, verify.stdout + verify.stderr).toBe(0)
  })

})
