// OANDA's pricing and transactions streams, read as raw HTTP (the SDK's own stream reader throws on
// PRICE lines): chunked NDJSON, one JSON object per line, heartbeats on the sim clock.
import {afterEach, beforeEach, describe, expect, it} from 'vitest'

import {auth, type Harness, openStream, raw, sdk, sdkFor, startSim, T0, until} from './harness.js'

let h: Harness
beforeEach(async () => {
  h = await startSim()
})
afterEach(async () => {
  await h.close()
})

describe('OANDA simulator streams', () => {
  it('pricing: chunked NDJSON; a snapshot, then PRICE lines when prices change, HEARTBEAT every 5 s of sim time', async () => {
    const s = await openStream(`${h.stream}/v3/accounts/${h.account}/pricing/stream?instruments=EUR_USD,USD_JPY`, auth(h.token))
    expect(s.status).toBe(200)
    expect(s.headers['transfer-encoding']).toBe('chunked')
    expect(s.headers['content-type']).toBe('application/octet-stream')
    expect(s.headers.requestid).toMatch(/^\d{17}$/)
    await until(() => s.lines.length === 2, 'the snapshot')
    expect(s.lines.map((l) => [l.type, l.instrument])).toEqual([
      ['PRICE', 'EUR_USD'],
      ['PRICE', 'USD_JPY'],
    ])
    expect(s.lines[0]).toMatchObject({tradeable: true, status: 'tradeable', time: '2024-03-05T14:00:00.000000000Z'})
    expect(s.lines[0].bids[0]).toEqual({price: expect.stringMatching(/^\d\.\d{5}$/), liquidity: 10_000_000})
    expect(Object.keys(s.lines[0]).sort()).toEqual(['asks', 'bids', 'closeoutAsk', 'closeoutBid', 'instrument', 'status', 'time', 'tradeable', 'type'])
    // 5 s of sim time at 60x: 84 wall ms. Prices move on the pulses in between.
    h.wall.advance(100)
    await until(() => s.lines.some((l) => l.type === 'HEARTBEAT'), 'a heartbeat')
    const hb = s.lines.find((l) => l.type === 'HEARTBEAT')
    expect(hb).toEqual({type: 'HEARTBEAT', time: new Date(T0 + 5_000).toISOString().replace('Z', '000000Z')})
    for (let i = 0; i < 10; i++) h.wall.advance(100)
    await until(() => s.lines.filter((l) => l.type === 'HEARTBEAT').length >= 10, 'ten heartbeats')
    await until(() => s.lines.filter((l) => l.type === 'PRICE').length > 2, 'price changes')
    // Every chunk is whole lines; every line is valid JSON (parsed above); PRICE times never go back.
    expect(s.chunks.every((c) => c.endsWith('\n'))).toBe(true)
    const times = s.lines.filter((l) => l.type === 'PRICE' && l.instrument === 'EUR_USD').map((l) => Date.parse(l.time))
    expect([...times].sort((a, b) => a - b)).toEqual(times)
    // What the stream says is what REST says.
    const rest = await sdk(h.api, 'pricing.get', h.account, {instruments: 'EUR_USD'})
    const last = s.lines.filter((l) => l.type === 'PRICE' && l.instrument === 'EUR_USD').at(-1)
    expect(last.bids[0].price).toBe(rest.body.prices[0].bids[0].price)
    s.close()
  })

  it('pricing: snapshot=false sends only changes; UNIX times when asked', async () => {
    const s = await openStream(`${h.stream}/v3/accounts/${h.account}/pricing/stream?instruments=EUR_USD&snapshot=false`, {...auth(h.token), 'Accept-Datetime-Format': 'UNIX'})
    h.wall.advance(100)
    await until(() => s.lines.some((l) => l.type === 'HEARTBEAT'), 'a heartbeat')
    expect(s.lines[0]).toEqual({type: 'HEARTBEAT', time: `${(T0 + 5_000) / 1000}.000000000`})
    s.close()
  })

  it('transactions: every transaction as a line, as REST reports it; HEARTBEAT with lastTransactionID', async () => {
    const s = await openStream(`${h.stream}/v3/accounts/${h.account}/transactions/stream`, auth(h.token))
    expect(s.status).toBe(200)
    const r = await sdk(h.api, 'order.create', h.account, {order: {type: 'MARKET', instrument: 'EUR_USD', units: '100', clientExtensions: {id: 'abc'}}})
    await until(() => s.lines.length === 2, 'two transactions')
    expect(s.lines).toEqual([JSON.parse(r.rawBody).orderCreateTransaction, JSON.parse(r.rawBody).orderFillTransaction])
    h.wall.advance(100)
    await until(() => s.lines.length === 3, 'a heartbeat')
    expect(s.lines[2]).toMatchObject({type: 'HEARTBEAT', lastTransactionID: r.body.lastTransactionID})
    // A reject is a transaction too.
    await sdk(h.api, 'order.create', h.account, {order: {type: 'MARKET', instrument: 'EUR_USD', units: '0.5'}})
    await until(() => s.lines.length === 4, 'the reject')
    expect(s.lines[3]).toMatchObject({type: 'MARKET_ORDER_REJECT', rejectReason: 'UNITS_PRECISION_EXCEEDED'})
    s.close()
  })

  it("the SDK's own transaction stream reader parses the lines into its transaction classes", async () => {
    const stream = sdkFor(h.stream, h.token)
    const seen: string[] = []
    const timers = h.wall.pending
    stream.transaction.stream(h.account, (msg: {constructor: {name: string}; type: string}) => seen.push(`${msg.constructor.name}:${msg.type}`), () => {})
    // The SDK says nothing when its stream is open; the simulator's heartbeat timer does.
    await until(() => h.wall.pending === timers + 1, 'the stream open at the simulator')
    const r = await sdk(h.api, 'order.create', h.account, {order: {type: 'MARKET', instrument: 'EUR_USD', units: '5'}})
    expect(r.statusCode).toBe('201')
    await until(() => seen.length >= 2, 'two transactions through the SDK')
    h.wall.advance(100)
    await until(() => seen.length >= 3, 'a heartbeat through the SDK')
    expect(seen.slice(0, 3)).toEqual(['MarketOrderTransaction:MARKET_ORDER', 'OrderFillTransaction:ORDER_FILL', 'TransactionHeartbeat:HEARTBEAT'])
    await h.sim.faults.act('dropStreams')
  })

  it('a stream refuses what OANDA refuses: 401, 400 for unknown instruments, 404 for other paths; REST is not on the stream port', async () => {
    expect((await raw(`${h.stream}/v3/accounts/${h.account}/transactions/stream`, {headers: auth('nope')})).status).toBe(401)
    const bad = await raw(`${h.stream}/v3/accounts/${h.account}/pricing/stream?instruments=EUR_USD,NOPE_XXX`, {headers: auth(h.token)})
    expect(bad.status).toBe(400)
    expect(bad.headers['content-type']).toBe('application/json')
    expect((await raw(`${h.stream}/v3/accounts/${h.account}/pricing/stream`, {headers: auth(h.token)})).status).toBe(400)
    expect((await raw(`${h.stream}/v3/accounts/${h.account}/summary`, {headers: auth(h.token)})).status).toBe(404)
    expect((await raw(`${h.stream}/v3/accounts/101-001-9999999-001/transactions/stream`, {headers: auth(h.token)})).status).toBe(403)
  })

  it('close() ends open streams at once', async () => {
    const s = await openStream(`${h.stream}/v3/accounts/${h.account}/pricing/stream?instruments=EUR_USD`, auth(h.token))
    await until(() => s.lines.length === 1, 'the snapshot')
    const t0 = performance.now()
    await h.close()
    expect(performance.now() - t0).toBeLessThan(1_000)
    expect(await s.ended).not.toBe('end')
    h = await startSim() // for afterEach
  })
})
