// Every fault switch and action of the OANDA simulator, through RunningSimulator.faults and through
// the control endpoint on the REST port.
import {afterEach, describe, expect, it} from 'vitest'

import {coreRuntime} from '../../../../src/sectors/core-runtime.js'
import {auth, type Harness, openStream, raw, sdk, startSim, until} from './harness.js'

let h: Harness | undefined
afterEach(async () => {
  await h?.close()
  h = undefined
})

const order = (id?: string) => ({order: {type: 'MARKET', instrument: 'EUR_USD', units: '100', ...(id ? {clientExtensions: {id}} : {})}})

describe('OANDA simulator faults', () => {
  it('latencyMs: the answer comes late, after the order has already been executed (its fill is on the stream first)', async () => {
    h = await startSim({wall: coreRuntime.sim.systemWall()})
    const s = await openStream(`${h.stream}/v3/accounts/${h.account}/transactions/stream`, auth(h.token))
    h.sim.faults.set({latencyMs: 300})
    const t0 = performance.now()
    let answeredAt: number | undefined
    const answer = sdk(h.api, 'order.create', h.account, order('late-1')).then((r) => {
      answeredAt = performance.now()
      return r
    })
    await until(() => s.lines.some((l) => l.type === 'ORDER_FILL'), 'the fill on the stream')
    const fillSeenAt = performance.now()
    const r = await answer
    expect(r.statusCode).toBe('201')
    expect(answeredAt! - t0).toBeGreaterThanOrEqual(290)
    expect(fillSeenAt).toBeLessThan(answeredAt!)
    h.sim.faults.set({latencyMs: 0})
    const t1 = performance.now()
    await sdk(h.api, 'account.summary', h.account)
    expect(performance.now() - t1).toBeLessThan(250)
    s.close()
  })

  it('latencyMs delays error answers too (here a 401), on the simulator wall clock', async () => {
    h = await startSim()
    h.sim.faults.set({latencyMs: 1_000})
    let status: number | undefined
    const timers = h.wall.pending
    const pending = raw(`${h.rest}/v3/accounts`, {headers: auth('wrong')}).then((r) => (status = r.status))
    // The answer waits on a timer of the (manual) wall clock: it cannot come before time moves.
    await until(() => h!.wall.pending === timers + 1, 'the held answer')
    await raw(`${h.rest}/__sim/faults`)
    expect(status).toBeUndefined()
    h.wall.advance(1_000)
    await pending
    expect(status).toBe(401)
  })

  it('submitTimeout: the order is executed but its answer never comes; the connection is destroyed', async () => {
    h = await startSim({wall: coreRuntime.sim.systemWall()})
    h.sim.faults.set({submitTimeout: 1, submitTimeoutHoldMs: 150})
    const t0 = performance.now()
    const outcome = await raw(`${h.rest}/v3/accounts/${h.account}/orders`, {method: 'POST', headers: auth(h.token), body: order('lost-1')}).then(
      (r) => `answered ${r.status}`,
      (e: Error) => `failed: ${e.message}`,
    )
    expect(outcome).toMatch(/^failed: (socket hang up|read ECONNRESET)/)
    expect(performance.now() - t0).toBeGreaterThanOrEqual(140)
    const found = await sdk(h.api, 'order.get', h.account, '@lost-1')
    expect(found.body.order).toMatchObject({state: 'FILLED'})
    // Used up: the next order is answered.
    expect((await sdk(h.api, 'order.create', h.account, order('next-1'))).statusCode).toBe('201')
  })

  it('http5xx: the next N requests answer 503 with an OANDA-style body and execute nothing', async () => {
    h = await startSim()
    h.sim.faults.set({http5xx: 2})
    const a = await sdk(h.api, 'order.create', h.account, order('five-1'))
    expect(a.statusCode).toBe('503')
    expect(a.contentType).toBe('application/json')
    expect(a.body.errorMessage).toEqual(expect.any(String))
    expect((await sdk(h.api, 'account.summary', h.account)).statusCode).toBe('503')
    const after = await sdk(h.api, 'account.summary', h.account)
    expect(after.statusCode).toBe('200')
    expect(after.body.lastTransactionID).toBe('2')
    expect((await sdk(h.api, 'order.get', h.account, '@five-1')).statusCode).toBe('404')
    expect(h.sim.faults.get().http5xx).toBe(0)
  })

  it('http429 (through the control endpoint): the next N requests are rate limited, REST and streams', async () => {
    h = await startSim()
    const set = await raw(`${h.rest}/__sim/faults`, {method: 'POST', body: {http429: 2}})
    expect(set.status).toBe(200)
    expect(set.json.switches.http429).toBe(2)
    const r = await sdk(h.api, 'account.get', h.account)
    expect(r.statusCode).toBe('429')
    expect(JSON.parse(r.rawBody).errorMessage).toMatch(/^Rate limit violation/)
    expect((await raw(`${h.stream}/v3/accounts/${h.account}/transactions/stream`, {headers: auth(h.token)})).status).toBe(429)
    expect((await sdk(h.api, 'account.get', h.account)).statusCode).toBe('200')
  })

  it('dropStreams: every open stream is cut (no clean end); new streams work', async () => {
    h = await startSim()
    const prices = await openStream(`${h.stream}/v3/accounts/${h.account}/pricing/stream?instruments=EUR_USD`, auth(h.token))
    const txs = await openStream(`${h.stream}/v3/accounts/${h.account}/transactions/stream`, auth(h.token))
    await until(() => prices.lines.length === 1, 'the snapshot')
    expect(await h.sim.faults.act('dropStreams')).toEqual({cut: 2})
    expect(await prices.ended).not.toBe('end')
    expect(await txs.ended).not.toBe('end')
    const again = await openStream(`${h.stream}/v3/accounts/${h.account}/pricing/stream?instruments=EUR_USD`, auth(h.token))
    await until(() => again.lines.length === 1, 'a new snapshot')
    again.close()
  })

  it('heartbeats off: the stream stays open and silent; back on, the same stream beats again', async () => {
    h = await startSim()
    h.sim.faults.set({heartbeats: false})
    const s = await openStream(`${h.stream}/v3/accounts/${h.account}/transactions/stream`, auth(h.token))
    for (let i = 0; i < 6; i++) h.wall.advance(100) // 36 s of sim time
    await sdk(h.api, 'account.summary', h.account) // a round trip: anything sent has arrived
    expect(s.lines).toEqual([])
    h.sim.faults.set({heartbeats: true})
    h.wall.advance(100)
    await until(() => s.lines.length > 0, 'a heartbeat on the same stream')
    expect(s.lines[0].type).toBe('HEARTBEAT')
    s.close()
  })

  it('missFill: the next fill happens (REST shows it) but the stream does not carry its ORDER_FILL', async () => {
    h = await startSim()
    const s = await openStream(`${h.stream}/v3/accounts/${h.account}/transactions/stream`, auth(h.token))
    h.sim.faults.set({missFill: 1})
    const first = await sdk(h.api, 'order.create', h.account, order('miss-1'))
    expect(first.body.orderFillTransaction.type).toBe('ORDER_FILL')
    const second = await sdk(h.api, 'order.create', h.account, order('miss-2'))
    await until(() => s.lines.length === 3, 'three lines')
    expect(s.lines.map((l) => l.id)).toEqual([first.body.orderCreateTransaction.id, second.body.orderCreateTransaction.id, second.body.orderFillTransaction.id])
    const missed = await sdk(h.api, 'transaction.get', h.account, first.body.orderFillTransaction.id)
    expect(missed.body.transaction.type).toBe('ORDER_FILL')
    s.close()
  })

  it('placeExternalOrder: an order "by hand", without a client id, shows on the stream and in the account', async () => {
    h = await startSim()
    const s = await openStream(`${h.stream}/v3/accounts/${h.account}/transactions/stream`, auth(h.token))
    const result = (await h.sim.faults.act('placeExternalOrder', {instrument: 'USD_JPY', units: -2500})) as Record<string, {id: string; clientExtensions?: unknown; clientOrderID?: string; requestID?: string}>
    expect(result.orderFillTransaction?.clientOrderID).toBeUndefined()
    expect(result.orderCreateTransaction?.clientExtensions).toBeUndefined()
    expect(result.orderCreateTransaction?.requestID).toBeUndefined()
    await until(() => s.lines.length === 2, 'the external order on the stream')
    expect(s.lines.map((l) => l.type)).toEqual(['MARKET_ORDER', 'ORDER_FILL'])
    const trades = await sdk(h.api, 'trade.listOpen', h.account)
    expect(trades.body.trades.map((t: {instrument: string; currentUnits: string; clientExtensions?: unknown}) => [t.instrument, t.currentUnits, t.clientExtensions])).toEqual([['USD_JPY', '-2500', undefined]])
    const limit = (await h.sim.faults.act('placeExternalOrder', {type: 'LIMIT', instrument: 'EUR_USD', units: 10, price: '1.00000'})) as Record<string, {id: string}>
    expect((await sdk(h.api, 'order.listPending', h.account)).body.orders.map((o: {id: string}) => o.id)).toEqual([limit.orderCreateTransaction?.id])
    s.close()
  })

  it('revokeToken: 401 on REST and streams from then on, until switched back', async () => {
    h = await startSim()
    await raw(`${h.rest}/__sim/faults`, {method: 'POST', body: {revokeToken: true}})
    const r = await sdk(h.api, 'account.summary', h.account)
    expect(r.statusCode).toBe('401')
    expect(JSON.parse(r.rawBody)).toEqual({errorMessage: 'Insufficient authorization to perform request.'})
    expect((await raw(`${h.stream}/v3/accounts/${h.account}/transactions/stream`, {headers: auth(h.token)})).status).toBe(401)
    h.sim.faults.set({revokeToken: false})
    expect((await sdk(h.api, 'account.summary', h.account)).statusCode).toBe('200')
  })

  it('freezePrices: prices and their times stop while time goes on; pending orders do not trigger; unfrozen, they move again', async () => {
    h = await startSim()
    const before = (await sdk(h.api, 'pricing.get', h.account, {instruments: 'EUR_USD'})).body.prices[0]
    h.sim.faults.set({freezePrices: true})
    const s = await openStream(`${h.stream}/v3/accounts/${h.account}/pricing/stream?instruments=EUR_USD`, auth(h.token))
    for (let i = 0; i < 20; i++) h.wall.advance(100) // 2 minutes of sim time
    await until(() => s.lines.filter((l) => l.type === 'HEARTBEAT').length >= 20, 'heartbeats')
    expect(s.lines.filter((l) => l.type === 'PRICE')).toHaveLength(1) // the snapshot only
    const frozen = (await sdk(h.api, 'pricing.get', h.account, {instruments: 'EUR_USD'})).body.prices[0]
    expect([frozen.time, frozen.bids[0].price, frozen.asks[0].price]).toEqual([before.time, before.bids[0].price, before.asks[0].price])
    h.sim.faults.set({freezePrices: false})
    for (let i = 0; i < 20; i++) h.wall.advance(100)
    await until(() => s.lines.filter((l) => l.type === 'PRICE').length > 1, 'prices moving again')
    const moved = (await sdk(h.api, 'pricing.get', h.account, {instruments: 'EUR_USD'})).body.prices[0]
    expect(Date.parse(moved.time)).toBeGreaterThan(Date.parse(before.time))
    s.close()
  })

  it('marketHalted: prices are not tradeable; a market order is created then cancelled (MARKET_HALTED); no money moves', async () => {
    h = await startSim()
    h.sim.faults.set({marketHalted: true})
    const p = (await sdk(h.api, 'pricing.get', h.account, {instruments: 'EUR_USD'})).body.prices[0]
    expect(p.tradeable).toBe(false)
    const r = await sdk(h.api, 'order.create', h.account, order('halted-1'))
    expect(r.statusCode).toBe('201')
    expect(r.body.orderFillTransaction).toBeUndefined()
    expect(r.body.orderCancelTransaction).toMatchObject({reason: 'MARKET_HALTED', clientOrderID: 'halted-1'})
    const close = await sdk(h.api, 'account.summary', h.account)
    expect(close.body.account).toMatchObject({balance: '100000.0000', openTradeCount: 0})
    h.sim.faults.set({marketHalted: false})
    expect((await sdk(h.api, 'order.create', h.account, order('open-1'))).body.orderFillTransaction).toBeDefined()
  })

  it('the control endpoint: lists switches and actions; refuses unknown names and bad values (nothing applied); is not behind the token or faults', async () => {
    h = await startSim()
    const list = await raw(`${h.rest}/__sim/faults`)
    expect(list.status).toBe(200)
    expect(Object.keys(list.json.switches).sort()).toEqual(['freezePrices', 'heartbeats', 'http429', 'http5xx', 'latencyMs', 'marketHalted', 'missFill', 'revokeToken', 'submitTimeout', 'submitTimeoutHoldMs'])
    expect(list.json.actions).toEqual(['dropStreams', 'placeExternalOrder'])
    const unknown = await raw(`${h.rest}/__sim/faults`, {method: 'POST', body: {http5xx: 1, latencey: 10}})
    expect(unknown.status).toBe(400)
    expect(unknown.json.errorMessage).toMatch(/unknown fault switch 'latencey'/)
    expect(h.sim.faults.get().http5xx).toBe(0)
    expect((await raw(`${h.rest}/__sim/faults`, {method: 'POST', body: {heartbeats: 'no'}})).status).toBe(400)
    expect((await raw(`${h.rest}/__sim/faults`, {method: 'POST', body: [1]})).status).toBe(400)
    expect((await raw(`${h.rest}/__sim/actions/explode`, {method: 'POST'})).status).toBe(404)
    expect((await raw(`${h.rest}/__sim/actions/dropStreams`)).status).toBe(405)
    expect((await raw(`${h.rest}/__sim/actions/dropStreams`, {method: 'POST'})).json).toEqual({result: {cut: 0}})
    expect(() => h!.sim.faults.set({nope: true})).toThrow(/unknown fault switch/)
    await expect(h.sim.faults.act('nope')).rejects.toThrow(/unknown fault action/)
    h.sim.faults.set({revokeToken: true, http5xx: 3})
    expect((await raw(`${h.rest}/__sim/faults`)).status).toBe(200)
    expect(h.sim.faults.get().http5xx).toBe(3)
  })
})
