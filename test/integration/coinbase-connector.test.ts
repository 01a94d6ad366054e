// rick's Coinbase connector (the real ccxt client, rick's websocket reader) against rick's Coinbase
// simulator over TCP on 127.0.0.1 (real wall clock): the scenarios beyond the conformance
// suite. The simulator's own REST API (signed with its key, never through the connector) is the
// witness of what the venue holds.
import {afterEach, describe, expect, it} from 'vitest'

import {BrokerError, NetworkError} from '../../src/foundation/domain/broker-errors.js'
import type {OrderRequest} from '../../src/foundation/domain/orders.js'
import {kinds, startRig, until, type Rig} from './coinbase-connector-helpers.js'

const rigs: Rig[] = []
afterEach(async () => {
  for (const r of rigs.splice(0)) await r.close()
})
const rig = async (o: Parameters<typeof startRig>[0] = {}): Promise<Rig> => {
  const r = await startRig(o)
  rigs.push(r)
  return r
}
const outcome = (p: Promise<unknown>): Promise<unknown> => p.then(() => undefined, (e: unknown) => e)
const buy = (id: string, more: Partial<OrderRequest> = {}): OrderRequest => ({clientOrderId: id, instrument: 'BTC-USD', side: 'buy', type: 'market', qty: 0.01, tif: 'gtc', ...more})

/** The orders the simulator holds under a client order id (its own list, not the connector's). */
async function atVenue(r: Rig, clientOrderId: string): Promise<Array<{order_id: string; status: string}>> {
  const body = await r.get('/api/v3/brokerage/orders/historical/batch?limit=250')
  return (body.orders as Array<{order_id: string; status: string; client_order_id: string}>).filter((o) => o.client_order_id === clientOrderId)
}

describe('coinbase connector against the simulator', () => {
  it('a market buy: ack then one fill with the fee Coinbase charged; the position and cash follow', async () => {
    const r = await rig()
    const start = await r.c.account()
    expect(start.currency).toBe('USD')
    await r.c.submit(buy('cbtest-1'))
    await until('the fill', () => r.events.some((e) => e.kind === 'fill'))
    await r.c.settled()
    expect(kinds(r.events, 'cbtest-1')).toEqual(['ack', 'fill'])
    const fill = r.events.find((e) => e.kind === 'fill')
    const venueFills = (await r.get(`/api/v3/brokerage/orders/historical/fills?order_ids=${(r.events[0] as {venueOrderId: string}).venueOrderId}`)).fills as Array<{commission: string; price: string}>
    expect(fill?.kind === 'fill' && fill.fill.fee).toBe(Math.round(Number(venueFills[0]?.commission) * 1e6))
    const held = (await r.c.positions()).find((p) => p.instrument === 'BTC-USD')
    expect(held?.qty).toBeCloseTo(0.01, 10)
    expect(held?.avgPrice).toBe(Number(venueFills[0]?.price))
    const after = await r.c.account()
    expect(start.cash - after.cash).toBe(Math.round(Number(venueFills[0]?.price) * 0.01 * 1e6) + (fill?.kind === 'fill' ? fill.fill.fee : 0))
  }, 10_000)

  it('a market buy sized in quote currency: fills on the base increment, the position is what the account holds', async () => {
    const r = await rig()
    await r.c.submit({...buy('cbtest-quote'), quoteSize: 100} as OrderRequest)
    await until('the fill', () => kinds(r.events, 'cbtest-quote').includes('fill'))
    await r.c.settled()
    const fills = r.events.flatMap((e) => (e.kind === 'fill' ? [e.fill] : []))
    const qty = fills.reduce((t, f) => t + f.qty, 0)
    for (const f of fills) expect(Math.abs(f.qty * 1e8 - Math.round(f.qty * 1e8))).toBeLessThan(1e-6)
    // Coinbase spends the quote size on the coin and its fee together.
    const spent = qty * fills[0]!.price + fills.reduce((t, f) => t + f.fee, 0) / 1e6
    expect(spent).toBeLessThanOrEqual(100.000001)
    expect(spent).toBeGreaterThan(99.9)
    expect((await r.c.positions()).find((p) => p.instrument === 'BTC-USD')?.qty).toBe(qty)
  }, 10_000)

  it('history pages through the 350-candle limit: 400 one-minute bars, complete, oldest first, a minute apart', async () => {
    const r = await rig()
    const bars = await r.c.history({instrument: 'ETH-USD', periodMs: 60_000, count: 400})
    expect(bars).toHaveLength(400)
    for (let i = 1; i < bars.length; i++) expect(bars[i]!.ts - bars[i - 1]!.ts).toBe(60_000)
    expect(bars[bars.length - 1]!.ts + 60_000).toBeLessThanOrEqual(Date.now())
    const from = bars[10]!.ts
    const again = await r.c.history({instrument: 'ETH-USD', periodMs: 60_000, from, to: from + 360 * 60_000})
    expect(again.map((b) => b.ts)).toEqual(bars.slice(10, 370).map((b) => b.ts))
    expect(await outcome(r.c.history({instrument: 'ETH-USD', periodMs: 120_000, count: 5}))).toMatchObject({kind: 'Unsupported'})
  }, 10_000)

  it('the user channel misses the fill: the poll finds it after the quiet period and it is emitted once; later news of the order (a lookup, a reconnect) adds nothing', async () => {
    const r = await rig({tuning: {poll: {pollEveryMs: 100, quietAfterMs: 600, longPollMs: 60_000}}})
    // The order's creation and its fill are both kept off the user channel.
    r.sim.faults.set({missUserUpdate: 2})
    await r.c.submit(buy('cbtest-quiet'))
    expect(kinds(r.events, 'cbtest-quiet')).toEqual(['ack'])
    const t0 = performance.now()
    await until('the fill found by polling', () => kinds(r.events, 'cbtest-quiet').includes('fill'))
    // Not before the channel had been quiet for quietAfterMs (the connect counts as channel news).
    expect(performance.now() - t0).toBeGreaterThan(300)
    expect(await r.c.orderByClientId('cbtest-quiet')).toMatchObject({status: 'filled'})
    await r.sim.faults.act('dropStreams')
    await until('the user channel back', () => r.statuses.filter((s) => s.kind === 'connected' && s.stream === 'events').length >= 2)
    await r.c.submit(buy('cbtest-after'))
    await until('the next order filled', () => kinds(r.events, 'cbtest-after').includes('fill'))
    await r.c.settled()
    expect(kinds(r.events, 'cbtest-quiet')).toEqual(['ack', 'fill'])
    expect((await r.c.recentFills(0)).filter((f) => f.clientOrderId === 'cbtest-quiet').length).toBe(1)
  }, 10_000)

  it('a create whose answer is lost: NetworkError, then found by its client order id in the order list and followed; never sent again', async () => {
    const r = await rig({sim: {}, tuning: {poll: {pollEveryMs: 100, quietAfterMs: 100_000, longPollMs: 100_000}}})
    r.sim.faults.set({submitTimeout: 1, submitTimeoutHoldMs: 3_000, missUserUpdate: 2})
    const e = await outcome(r.c.submit(buy('cbtest-lost')))
    expect(e).toBeInstanceOf(NetworkError)
    expect(r.events).toEqual([])
    const state = await r.c.orderByClientId('cbtest-lost')
    expect(state).toMatchObject({clientOrderId: 'cbtest-lost', status: 'filled', filledQty: 0.01})
    await r.c.settled()
    expect(kinds(r.events, 'cbtest-lost')).toEqual(['ack', 'fill'])
    // The engine asks again (and so does the poll): nothing more goes out, nothing is resent.
    await r.c.orderByClientId('cbtest-lost')
    await r.c.settled()
    expect(kinds(r.events, 'cbtest-lost')).toEqual(['ack', 'fill'])
    expect(await atVenue(r, 'cbtest-lost')).toHaveLength(1)
    expect(await outcome(r.c.submit(buy('cbtest-lost')))).toBeInstanceOf(BrokerError)
    expect(await atVenue(r, 'cbtest-lost')).toHaveLength(1)
  }, 10_000)

  it("refusals (HTTP 200, success:false) become BrokerErrors of their kind, with no event and nothing at the venue", async () => {
    const r = await rig()
    const cases: Array<[string, string, string]> = [
      ['INSUFFICIENT_FUND', 'InsufficientFunds', 'INSUFFICIENT_FUND'],
      ['INVALID_LIMIT_PRICE_POST_ONLY', 'InvalidOrder', 'INVALID_LIMIT_PRICE_POST_ONLY'],
      ['UNSUPPORTED_ORDER_CONFIGURATION', 'Unsupported', 'UNSUPPORTED_ORDER_CONFIGURATION'],
      ['BASE_SIZE_TOO_SMALL', 'InvalidOrder', 'PREVIEW_INVALID_BASE_SIZE_TOO_SMALL'],
    ]
    for (const [reason, kind, code] of cases) {
      await r.sim.faults.act('refuse', {count: 1, reason})
      const id = `cbtest-ref-${reason.toLowerCase()}`
      const e = await outcome(r.c.submit(buy(id)))
      expect(e, reason).toBeInstanceOf(BrokerError)
      expect(e, reason).toMatchObject({kind, venueCode: code})
      expect(await atVenue(r, id), reason).toEqual([])
      expect(await r.c.orderByClientId(id)).toBeUndefined()
    }
    await r.c.settled()
    expect(r.events).toEqual([])
  }, 10_000)

  it('429: a read waits and succeeds; a create is not retried (NetworkError RateLimited, nothing at the venue)', async () => {
    const r = await rig()
    r.sim.faults.set({http429: 2})
    const t0 = performance.now()
    const account = await r.c.account()
    expect(account.currency).toBe('USD')
    // Two refusals, each followed by a backoff of at least half the base (250 ms, then 500 ms).
    expect(performance.now() - t0).toBeGreaterThanOrEqual(125 + 250)
    r.sim.faults.set({http429: 1})
    const e = await outcome(r.c.submit(buy('cbtest-429')))
    expect(e).toBeInstanceOf(NetworkError)
    expect(e).toMatchObject({kind: 'RateLimited'})
    expect(await atVenue(r, 'cbtest-429')).toEqual([])
  }, 10_000)

  it('401: a fatal status naming the key variables, streams stopped, and nothing is sent any more', async () => {
    const r = await rig()
    r.sim.faults.set({revokeKey: true})
    const e = await outcome(r.c.account())
    expect(e).toBeInstanceOf(BrokerError)
    expect(e).toMatchObject({kind: 'AuthFailed'})
    const fatal = r.statuses.find((s) => s.kind === 'fatal')
    expect(fatal).toMatchObject({kind: 'fatal', code: 'AuthFailed'})
    expect(fatal?.kind === 'fatal' && fatal.message).toMatch(/CB_TEST_KEY.*CB_TEST_SECRET/)
    expect(JSON.stringify(r.statuses)).not.toContain(String(r.sim.credentials.apiSecret).split('\n')[1])
    r.sim.faults.set({revokeKey: false})
    expect(await outcome(r.c.submit(buy('cbtest-401')))).toMatchObject({kind: 'AuthFailed'})
    expect(await atVenue(r, 'cbtest-401')).toEqual([])
    expect(r.statuses.filter((s) => s.kind === 'fatal')).toHaveLength(1)
  }, 10_000)

  it('a websocket that goes quiet without closing: missing heartbeats mean a dead stream, it is dropped and reconnected with backoff', async () => {
    const r = await rig({tuning: {heartbeatTimeoutMs: 1_500, backoff: {initialMs: 100, maxMs: 400}}})
    const sub = r.c.subscribeTicks(['BTC-USD'], () => {})
    await until('both streams', () => ['events', 'prices'].every((n) => r.statuses.some((s) => s.kind === 'connected' && s.stream === n)))
    r.sim.faults.set({wsQuiet: true})
    await until('both streams dead', () => ['events', 'prices'].every((n) => r.statuses.some((s) => s.kind === 'disconnected' && s.stream === n)), 5_000)
    const down = r.statuses.filter((s) => s.kind === 'disconnected')
    for (const d of down) expect(d).toMatchObject({reason: expect.stringMatching(/no (message or heartbeat|subscription acknowledgement) for|within 1500 ms/)})
    expect(down.every((d) => d.kind === 'disconnected' && (d.retryInMs ?? 0) >= 50)).toBe(true)
    r.sim.faults.set({wsQuiet: false})
    await until('both streams back', () => ['events', 'prices'].every((n) => r.statuses.filter((s) => s.kind === 'connected' && s.stream === n).length >= 2), 5_000)
    sub.close()
  }, 10_000)
})
