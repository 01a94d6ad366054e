// The simulator's websocket protocol with a bare `ws` client: the envelope and its sequence
// numbers, heartbeats on the wall clock, the 5-second close of a connection that subscribes to
// nothing, Coinbase's error messages, unsubscribing, and the fault switches. Wall time is a
// ManualWall moved by hand; nothing here sleeps.
import {afterEach, beforeEach, describe, expect, it} from 'vitest'
import {startCoinbaseWs, type CoinbaseWsServer} from '../../../../plugins/coinbase/src/sim/ws-server.js'
import {ManualWall} from '../../../../src/sectors/sim/clock.js'
import {FakeFeed, KEY_NAME, makeKeyPair, order, quote, until, USER_ID} from './ws-fake-feed.js'
import {RawClient, wsFaults} from './ws-raw-client.js'

const ENVELOPE_KEYS = ['channel', 'client_id', 'timestamp', 'sequence_num', 'events']

/** An ES256 CDP JWT as Coinbase's SDKs build one for the websocket (no uri claim). */
async function cdpJwt(privatePem: string, keyName = KEY_NAME, expInSec = 120): Promise<string> {
  const {createPrivateKey, sign} = await import('node:crypto')
  const now = Math.floor(Date.now() / 1000)
  const part = (o: object): string => Buffer.from(JSON.stringify(o)).toString('base64url')
  const head = `${part({alg: 'ES256', kid: keyName, nonce: 'a1b2c3', typ: 'JWT'})}.${part({sub: keyName, iss: 'cdp', nbf: now, exp: now + expInSec})}`
  const sig = sign('sha256', Buffer.from(head), {key: createPrivateKey(privatePem), dsaEncoding: 'ieee-p1363'})
  return `${head}.${sig.toString('base64url')}`
}

describe('coinbase sim websocket protocol', () => {
  const keys = makeKeyPair()
  let feed: FakeFeed
  let wall: ManualWall
  let faults: ReturnType<typeof wsFaults>
  let server: CoinbaseWsServer
  const clients: RawClient[] = []

  async function connect(path = ''): Promise<RawClient> {
    const c = await RawClient.open(server.url + path)
    clients.push(c)
    return c
  }

  beforeEach(async () => {
    feed = new FakeFeed(keys.publicKey)
    wall = new ManualWall(1_000_000)
    faults = wsFaults()
    server = await startCoinbaseWs({feed, faults, wall})
  })

  afterEach(async () => {
    for (const c of clients.splice(0)) c.close()
    await server.close()
  })

  it('numbers every message of a connection from 0 across channels; the snapshot comes before the acknowledgement', async () => {
    const c = await connect('/any/path')
    const [snap, ack] = await c.request({type: 'subscribe', product_ids: ['BTC-USD'], channel: 'ticker'})
    expect(Object.keys(snap ?? {})).toEqual(ENVELOPE_KEYS)
    expect(snap).toMatchObject({channel: 'ticker', client_id: '', timestamp: '2026-01-05T12:00:00Z', sequence_num: 0})
    expect(ack).toEqual({channel: 'subscriptions', client_id: '', timestamp: '2026-01-05T12:00:00Z', sequence_num: 1, events: [{subscriptions: {ticker: ['BTC-USD']}}]})
    feed.simNow += 1_230
    const [ack2] = await c.request({type: 'subscribe', channel: 'heartbeats'})
    expect(ack2).toMatchObject({sequence_num: 2, timestamp: '2026-01-05T12:00:01.23Z', events: [{subscriptions: {ticker: ['BTC-USD'], heartbeats: ['heartbeats']}}]})
    wall.advance(1_000)
    feed.move(quote('BTC-USD', '60001.00', feed.simNow))
    const [hb, tick] = await c.take(2)
    expect([hb?.['channel'], hb?.['sequence_num'], tick?.['channel'], tick?.['sequence_num']]).toEqual(['heartbeats', 3, 'ticker', 4])
    // Another connection has its own numbers.
    const d = await connect()
    const [first] = await d.request({type: 'subscribe', channel: 'heartbeats'})
    expect(first?.['sequence_num']).toBe(0)
  })

  it("sends heartbeats every wall second with the server's counter and Go's time string; `heartbeats` false stops them", async () => {
    const c = await connect()
    await c.request({type: 'subscribe', channel: 'heartbeats'})
    wall.advance(1_000)
    const hb = await c.next()
    expect(hb).toEqual({
      channel: 'heartbeats',
      client_id: '',
      timestamp: '2026-01-05T12:00:00Z',
      sequence_num: 1,
      events: [{current_time: '2026-01-05 12:00:00 +0000 UTC m=+1.000000000', heartbeat_counter: 1}],
    })
    feed.simNow += 2_500
    wall.advance(3_000)
    const three = await c.take(3)
    expect(three.map((m) => [m['sequence_num'], m.events?.[0]?.['heartbeat_counter']])).toEqual([
      [2, 2],
      [3, 3],
      [4, 4],
    ])
    expect(three[2]?.events?.[0]?.['current_time']).toBe('2026-01-05 12:00:02.5 +0000 UTC m=+4.000000000')
    faults.set({heartbeats: false})
    wall.advance(2_000)
    await c.roundTrip()
    expect(c.unread).toBe(0)
    faults.set({heartbeats: true})
    wall.advance(1_000)
    const back = await c.next()
    // The counter kept counting while none were sent; the connection's numbers did not move.
    expect([back['sequence_num'], back.events?.[0]?.['heartbeat_counter']]).toEqual([5, 7])
  })

  it('closes a connection that subscribed to nothing within 5 wall seconds (a refused subscription does not count)', async () => {
    const idle = await connect()
    const refused = await connect()
    const late = await connect()
    expect(await refused.request({type: 'subscribe', product_ids: ['DOGE-USD'], channel: 'ticker'})).toEqual([{type: 'error', message: 'failure to subscribe'}])
    wall.advance(4_000)
    await late.request({type: 'subscribe', channel: 'heartbeats'})
    wall.advance(999)
    await idle.roundTrip()
    expect(idle.ws.readyState).toBe(idle.ws.OPEN)
    wall.advance(1)
    expect(await idle.closed).toEqual({code: 1000, reason: ''})
    expect((await refused.closed).code).toBe(1000)
    wall.advance(10_000)
    await late.roundTrip()
    expect(late.ws.readyState).toBe(late.ws.OPEN)
  })

  it('closes a subscribed connection that was sent nothing for 60 wall seconds, unless it has heartbeats', async () => {
    const bare = await connect()
    const beating = await connect()
    await bare.request({type: 'subscribe', product_ids: ['ETH-USD'], channel: 'ticker'})
    await beating.request({type: 'subscribe', product_ids: ['ETH-USD'], channel: 'ticker'})
    await beating.request({type: 'subscribe', channel: 'heartbeats'})
    wall.advance(30_000)
    // An update restarts the count.
    feed.move(quote('ETH-USD', '3010.00', feed.simNow))
    await bare.next()
    wall.advance(59_000)
    await bare.roundTrip()
    expect(bare.ws.readyState).toBe(bare.ws.OPEN)
    wall.advance(1_000)
    expect(await bare.closed).toEqual({code: 1000, reason: ''})
    wall.advance(120_000)
    await beating.roundTrip()
    expect(beating.ws.readyState).toBe(beating.ws.OPEN)
  })

  it("answers bad requests with Coinbase's error messages, unnumbered, and keeps the connection", async () => {
    const c = await connect()
    const err = (message: string): unknown[] => [{type: 'error', message}]
    expect(await c.request({type: 'subscribe', product_ids: ['BTC-USD'], channel: 'heartbeat'})).toEqual(err('authentication failure'))
    expect(await c.request({type: 'subscribe', channel: 'user'})).toEqual(err('authentication failure'))
    expect(await c.request({type: 'subscribe', channel: 'user', jwt: 'not.a.jwt'})).toEqual(err('authentication failure'))
    const otherKey = makeKeyPair()
    expect(await c.request({type: 'subscribe', channel: 'user', jwt: await cdpJwt(otherKey.privatePem)})).toEqual(err('authentication failure'))
    expect(await c.request({type: 'subscribe', channel: 'user', jwt: await cdpJwt(keys.privatePem, KEY_NAME, -10)})).toEqual(err('authentication failure'))
    expect(await c.request({type: 'subscribe', product_ids: ['BTC-USD'], channel: 'ticker', jwt: 'garbage'})).toEqual(err('authentication failure'))
    expect(await c.request({type: 'subscribe', product_ids: ['BTC-USD', 'DOGE-USD'], channel: 'level2'})).toEqual(err('failure to subscribe'))
    expect(await c.request({type: 'subscribe', product_ids: [], channel: 'market_trades'})).toEqual(err('failure to subscribe'))
    expect(await c.request({type: 'subscribe', product_ids: 'BTC-USD', channel: 'ticker'})).toEqual(err('failure to subscribe'))
    expect(await c.request({type: 'subscribe', channels: ['ticker'], product_ids: ['BTC-USD']})).toEqual(err('authentication failure'))
    expect(await c.request({type: 'hello', channel: 'ticker'})).toEqual(err('failure to subscribe'))
    c.send('{not json')
    expect(await c.next()).toEqual({type: 'error', message: 'failure to subscribe'})
    c.send('[1,2]')
    expect(await c.next()).toEqual({type: 'error', message: 'failure to subscribe'})
    // None of that was subscribed or numbered.
    const [ack] = await c.request({type: 'subscribe', channel: 'user', jwt: await cdpJwt(keys.privatePem)}).then((m) => m.slice(-1))
    expect(ack).toMatchObject({sequence_num: 1, events: [{subscriptions: {user: [USER_ID]}}]})
  })

  it('unsubscribes product by product; the acknowledgement lists what is left, {} at the end', async () => {
    const c = await connect()
    await c.request({type: 'subscribe', product_ids: ['BTC-USD', 'ETH-USD'], channel: 'ticker'})
    const [ack] = await c.request({type: 'unsubscribe', product_ids: ['BTC-USD'], channel: 'ticker'})
    expect(ack?.events).toEqual([{subscriptions: {ticker: ['ETH-USD']}}])
    feed.move(quote('BTC-USD', '61000.00', feed.simNow))
    feed.move(quote('ETH-USD', '3100.00', feed.simNow))
    const only = await c.next()
    expect(only.events?.[0]?.['tickers']).toMatchObject([{product_id: 'ETH-USD', price: '3100.00'}])
    const [last] = await c.request({type: 'unsubscribe', product_ids: ['ETH-USD'], channel: 'ticker'})
    expect(last?.events).toEqual([{subscriptions: {}}])
    feed.move(quote('ETH-USD', '3200.00', feed.simNow))
    await c.roundTrip()
    expect(c.unread).toBe(0)
  })

  it('wsQuiet: nothing at all is sent, the socket stays open, and numbering resumes without a gap', async () => {
    const c = await connect()
    await c.request({type: 'subscribe', channel: 'heartbeats'})
    await c.request({type: 'subscribe', product_ids: ['BTC-USD'], channel: 'ticker'})
    faults.set({wsQuiet: true})
    wall.advance(3_000)
    feed.move(quote('BTC-USD', '60500.00', feed.simNow))
    let pongs = 0
    c.ws.on('pong', () => pongs++)
    const asked = feed.productsCalls
    c.send({type: 'subscribe', channel: 'nope'})
    c.ws.ping()
    c.send({type: 'subscribe', product_ids: ['ETH-USD'], channel: 'market_trades'})
    // The server reads a socket in order: once it handled the last subscribe, it handled all three.
    await until(() => feed.productsCalls > asked)
    faults.set({wsQuiet: false})
    feed.move(quote('BTC-USD', '60600.00', feed.simNow))
    // The first thing through is the live ticker: nothing of the quiet time (heartbeats, ticker,
    // the error, the pong, the subscription's snapshot and acknowledgement) was sent.
    const first = await c.next()
    expect(first).toMatchObject({channel: 'ticker', sequence_num: 3})
    expect(first.events?.[0]?.['tickers']).toMatchObject([{price: '60600.00'}])
    expect(c.ws.readyState).toBe(c.ws.OPEN)
    // The subscription made while quiet stands: its channel's updates now flow.
    feed.move(quote('ETH-USD', '3001.00', feed.simNow), {productId: 'ETH-USD', tradeId: '7', price: '3001.00', size: '1.00000000', side: 'BUY', ts: feed.simNow})
    expect(await c.next()).toMatchObject({channel: 'market_trades', sequence_num: 4})
    await c.roundTrip()
    expect(pongs).toBe(1)
  })

  it('missUserUpdate: the next N order changes are not sent on user; later ones are', async () => {
    const c = await connect()
    await c.request({type: 'subscribe', channel: 'user', jwt: await cdpJwt(keys.privatePem)})
    faults.set({missUserUpdate: 2})
    feed.change(order({orderId: 'a'}))
    feed.change(order({orderId: 'b'}))
    feed.change(order({orderId: 'c'}))
    const m = await c.next()
    expect(m.events).toMatchObject([{type: 'update', orders: [{order_id: 'c'}]}])
    expect(faults.value('missUserUpdate')).toBe(0)
    feed.change(order({orderId: 'c', status: 'CANCELLED', leavesQuantity: '0', cancelReason: 'User requested cancel', endTs: feed.simNow}))
    expect((await c.next()).events).toMatchObject([{orders: [{order_id: 'c', status: 'CANCELLED', cancel_reason: 'User requested cancel'}]}])
  })

  it('cuts a client that stops reading once 8 MiB wait for it, and goes on serving the others', async () => {
    for (let i = 0; i < 3_000; i++) feed.open.set(`o-${i}`, order({orderId: `o-${i}`, clientOrderId: `client-order-${i}`}))
    const jwt = await cdpJwt(keys.privatePem)
    const slow = await connect()
    const other = await connect()
    await other.request({type: 'subscribe', channel: 'heartbeats'})
    ;(slow.ws as unknown as {_socket: {pause(): void; resume(): void}})._socket.pause()
    const asked = feed.productsCalls
    // Each subscription answers with a snapshot of 3,000 orders (about 2 MB); nobody reads them.
    for (let i = 0; i < 12; i++) slow.send({type: 'subscribe', channel: 'user', jwt})
    slow.send({type: 'subscribe', product_ids: ['BTC-USD'], channel: 'ticker'})
    await until(() => feed.productsCalls > asked)
    ;(slow.ws as unknown as {_socket: {resume(): void}})._socket.resume()
    const cut = await Promise.race([slow.closed, new Promise<'open'>((resolve) => setTimeout(() => resolve('open'), 3_000))])
    expect(cut).toEqual({code: 1006, reason: ''})
    wall.advance(1_000)
    expect((await other.next())['channel']).toBe('heartbeats')
  })

  it('cutAll drops every socket without a close frame; close() leaves no timer, listener or socket', async () => {
    const a = await connect()
    const b = await connect()
    await a.request({type: 'subscribe', channel: 'heartbeats'})
    expect(server.cutAll()).toBe(2)
    expect((await a.closed).code).toBe(1006)
    expect((await b.closed).code).toBe(1006)
    const c = await connect()
    const idle = await connect()
    await c.request({type: 'subscribe', channel: 'heartbeats'})
    expect(wall.pending).toBeGreaterThan(0)
    await server.close()
    expect(wall.pending).toBe(0)
    expect(feed.listeners).toBe(0)
    expect((await c.closed).code).toBe(1006)
    expect((await idle.closed).code).toBe(1006)
    await expect(RawClient.open(server.url)).rejects.toThrow()
    server = await startCoinbaseWs({feed, faults, wall})
  })
})
