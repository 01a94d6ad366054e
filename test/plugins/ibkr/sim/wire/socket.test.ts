// The wire over raw TCP, byte by byte: the handshake as @stoqey/ib and IBKR's ibapi open it,
// split and coalesced chunks, refusals, startApi and 326, malformed and unknown requests, oversized
// frames, pacing (error 100, and +PACEAPI), the server handle's fault hooks and event routing.
import {describe, expect, it} from 'vitest'

import {MES} from './fake-broker.js'
import {useWireBench} from './harness.js'
import {frameOf, helloOf, RawClient, until} from './raw-client.js'

const bench = useWireBench(1_000_000)
const open = (): Promise<RawClient> => bench.open()
const ready = (clientId: number, range?: string): Promise<RawClient> => bench.ready(clientId, range)

describe('handshake', () => {
  it('answers @stoqey/ib\'s range with 193 and TWS\'s connection time, even when every byte arrives alone', async () => {
    const c = await open()
    const bytes = helloOf('v100..193')
    for (const b of bytes) {
      c.write(Buffer.from([b]))
      await new Promise((r) => setImmediate(r))
    }
    await until(() => c.frames.length >= 1, 'server version')
    expect(c.frames[0]).toEqual(['193', '20261208 15:00:00 UTC'])
  })

  it('takes the handshake, startApi and a request coalesced in one chunk, and answers in TWS\'s order', async () => {
    const c = await open()
    const start = Buffer.concat([helloOf('v100..193'), frameOf([71, 2, 7, '']), frameOf([49, 1])])
    c.write(start)
    await until(() => c.of(49).length === 1, 'current time')
    expect(c.frames.map((f) => f[0])).toEqual(['193', '9', '15', '4', '4', '4', '49'])
    expect(c.of(9)[0]).toEqual(['9', '1', '1'])
    expect(c.of(15)[0]).toEqual(['15', '1', 'DU1234567'])
    expect(c.errors().map((e) => [e.reqId, e.code])).toEqual([[-1, 2104], [-1, 2106], [-1, 2158]])
    expect(c.of(49)[0]).toEqual(['49', '1', String(Math.floor(bench.broker.t / 1000))])
    expect(bench.tws.clients()).toEqual([7])
    expect(bench.broker.opened).toEqual([7])
  })

  it('negotiates down for IBKR\'s ibapi range (v100..v213 → 193) and up to an older client\'s max (→ 176)', async () => {
    const a = await open()
    a.write(helloOf('v100..213'))
    const b = await open()
    b.write(helloOf('v100..176 +PACEAPI'))
    await until(() => a.frames.length === 1 && b.frames.length === 1, 'both versions')
    expect(a.frames[0]?.[0]).toBe('193')
    expect(b.frames[0]?.[0]).toBe('176')
  })

  it('hangs up on a client older than v100, one that needs more than 193, a wrong prefix and a garbled range', async () => {
    const cases = ['old', 'new', 'http', 'garbled']
    const cs = await Promise.all(cases.map(() => open()))
    cs[0]?.write(helloOf('v38..99'))
    cs[1]?.write(helloOf('v200..213'))
    cs[2]?.write(Buffer.from('GET / HTTP/1.1\r\n\r\n'))
    cs[3]?.write(helloOf('version please'))
    await until(() => cs.every((c) => c.closed), 'all four closed')
    expect(cs.map((c) => c.frames.length)).toEqual([0, 0, 0, 0])
  })

  it('answers nothing before startApi, then greets', async () => {
    const c = await open()
    c.write(helloOf('v100..193'))
    await until(() => c.frames.length === 1, 'server version')
    c.send(49, 1)
    c.send(9, 8, 5, 0, 'MES', 'FUT', '', '', '', '', 'CME', '', 'USD', '', '', 0, '', '', '')
    c.send(71, 2, 3, '')
    await until(() => c.errors().length === 3, 'greeting')
    expect(c.of(49)).toEqual([])
    expect(c.of(10)).toEqual([])
  })

  it('refuses a second session with the same client id with 326, then closes it; the first goes on', async () => {
    const first = await ready(1)
    const second = await open()
    second.write(helloOf('v100..193'))
    await until(() => second.frames.length === 1, 'server version')
    second.send(71, 2, 1, '')
    await until(() => second.closed, 'second closed')
    expect(second.errors()).toEqual([{reqId: -1, code: 326, message: 'Unable to connect as the client id is already in use. Retry with a unique client id.'}])
    expect(second.of(9)).toEqual([])
    first.send(49, 1)
    await until(() => first.of(49).length === 1, 'first still served')
    expect(bench.tws.clients()).toEqual([1])
    expect(bench.broker.opened).toEqual([1])
  })

  it('lets the id be used again once its session has gone', async () => {
    const first = await ready(4)
    first.close()
    await until(() => bench.tws.clients().length === 0, 'session gone')
    expect(bench.broker.closed).toEqual([4])
    const again = await ready(4)
    expect(again.of(9)).toHaveLength(1)
  })
})

describe('requests that do not parse', () => {
  it('answers a malformed request with 320 naming its id, an unknown message id with 321, and keeps serving', async () => {
    const c = await ready(1)
    c.send(9, 8, 'abc', 0, 'MES') // reqContractDetails whose reqId is not a number
    c.send(9, 8, 12, 0, 'MES') // …that ends early
    c.send(4, 'x') // cancelOrder without an order id
    c.send(999, 1, 2, 3)
    c.send('', '')
    c.send(49, 1)
    await until(() => c.of(49).length === 1, 'served after')
    const errs = c.errors().filter((e) => e.code === 320 || e.code === 321)
    expect(errs.map((e) => [e.reqId, e.code])).toEqual([[-1, 320], [12, 320], [-1, 320], [-1, 321], [-1, 321]])
    expect(errs[1]?.message).toMatch(/ends before field/)
    expect(errs[3]?.message).toMatch(/Unsupported message id "999"/)
    expect(bench.broker.placed).toEqual([])
  })

  it('refuses an order whose action is neither BUY nor SELL and sends nothing to the broker', async () => {
    const c = await ready(1)
    // a placeOrder at 193 from the first fields, garbled action, cut short: the error names the order id
    c.send(3, 42, 0, 'MES', 'FUT', '202612', 0, '', '', 'CME', '', 'USD', '', '', '', '', 'HOLD', 1, 'MKT')
    await until(() => c.errors().some((e) => e.code === 320), '320')
    expect(c.errors().find((e) => e.code === 320)?.reqId).toBe(42)
    expect(bench.broker.placed).toEqual([])
  })

  it('drops the connection on a frame longer than any real message', async () => {
    const c = await ready(1)
    c.write(Buffer.from([0x01, 0x00, 0x00, 0x00, 0x31]))
    await until(() => c.closed, 'closed')
    await until(() => bench.tws.clients().length === 0, 'session released')
  })
})

describe('pacing', () => {
  it('answers the 51st message within a second with error 100 and closes the connection', async () => {
    const c = await ready(1) // startApi was message 1
    const burst = Buffer.concat(Array.from({length: 60}, () => frameOf([49, 1])))
    c.write(burst)
    await until(() => c.closed, 'closed')
    expect(c.of(49)).toHaveLength(49)
    const last = c.errors().at(-1)
    expect(last).toEqual({reqId: -1, code: 100, message: 'Max rate of messages per second has been exceeded:max=50 rec=51 (1)'})
    expect(bench.tws.clients()).toEqual([])
  })

  it('counts per second of wall time: 40 now and 40 a second later pass', async () => {
    const c = await ready(1)
    for (let round = 0; round < 2; round++) {
      for (let i = 0; i < 40; i++) c.send(49, 1)
      await until(() => c.of(49).length === 40 * (round + 1), `round ${round}`)
      bench.wall.advance(1000)
    }
    expect(c.errors().some((e) => e.code === 100)).toBe(false)
    expect(c.closed).toBe(false)
  })

  it('paces a +PACEAPI client instead: the excess waits for the next second', async () => {
    const c = await ready(1, 'v100..193 +PACEAPI')
    for (let i = 0; i < 60; i++) c.send(49, 1)
    await until(() => c.of(49).length === 49, 'first second')
    bench.wall.advance(1000)
    await until(() => c.of(49).length === 60, 'the rest')
    expect(c.errors().some((e) => e.code === 100)).toBe(false)
  })

  it('honours a lower limit set by the broker', async () => {
    await bench.start(3)
    const c = await ready(2)
    for (let i = 0; i < 5; i++) c.send(49, 1)
    await until(() => c.closed, 'closed')
    expect(c.of(49)).toHaveLength(2)
    expect(c.errors().at(-1)?.message).toBe('Max rate of messages per second has been exceeded:max=3 rec=4 (1)')
  })
})

describe('the pacing fault', () => {
  it('lowers the limit of sessions already running, and restores it', async () => {
    const tws = bench.tws
    const calm = await ready(3)
    tws.setMaxMessagesPerSecond(2)
    bench.wall.advance(1000)
    calm.send(49, 1)
    calm.send(49, 1)
    calm.send(49, 1)
    await until(() => calm.closed, 'closed by the lowered limit')
    expect(calm.errors().at(-1)?.code).toBe(100)
    tws.setMaxMessagesPerSecond(50)
    const next = await ready(4)
    for (let i = 0; i < 10; i++) next.send(49, 1)
    await until(() => next.of(49).length === 10, 'served at 50 again')
    expect(() => tws.setMaxMessagesPerSecond(0)).toThrow(/positive integer/)
  })
})

describe('the server handle and routing', () => {
  it('routes broker events to their client only, -1 to all, and drops those of an absent client', async () => {
    const a = await ready(1)
    const b = await ready(2)
    bench.broker.emit({kind: 'error', clientId: 2, reqId: 5, code: 202, message: 'Order Canceled - reason:'})
    bench.broker.emit({kind: 'error', clientId: 9, reqId: 6, code: 202, message: 'Order Canceled - reason:'})
    bench.broker.emit({kind: 'error', clientId: -1, reqId: -1, code: 1100, message: 'Connectivity between IB and Trader Workstation has been lost.'})
    await until(() => a.errors().some((e) => e.code === 1100) && b.errors().some((e) => e.code === 1100), 'broadcast')
    expect(a.errors().filter((e) => e.code === 202)).toEqual([])
    expect(b.errors().filter((e) => e.code === 202).map((e) => e.reqId)).toEqual([5])
  })

  it('broadcasts, cuts every socket without a goodbye, refuses while asked to, and serves again after', async () => {
    const a = await ready(1)
    const b = await ready(2)
    bench.tws.broadcast(1102, 'Connectivity between IB and Trader Workstation has been restored - data maintained.')
    await until(() => [a, b].every((c) => c.errors().some((e) => e.code === 1102)), 'broadcast')
    bench.tws.setRefusing(true)
    expect(bench.tws.cutAll()).toBe(2)
    expect(bench.tws.clients()).toEqual([])
    await until(() => a.closed && b.closed, 'cut')
    expect(bench.broker.closed.sort()).toEqual([1, 2])
    const refused = await open()
    await until(() => refused.closed, 'refused connection closed')
    bench.tws.setRefusing(false)
    const back = await ready(1)
    expect(back.of(9)).toHaveLength(1)
  })

  it('refuses requests with the broker\'s refusal while connectivity is lost; local ones still answer', async () => {
    const c = await ready(1)
    bench.broker.refusing = {code: 1100, message: 'Connectivity between IB and Trader Workstation has been lost.'}
    c.send(9, 8, 31, MES.conId, 'MES', 'FUT', '', 0, '', '', 'CME', '', 'USD', '', '', 0, '', '', '')
    c.send(61, 1)
    c.send(49, 1)
    await until(() => c.of(49).length === 1, 'current time')
    expect(c.errors().filter((e) => e.code === 1100).map((e) => e.reqId)).toEqual([31, -1])
    expect(c.of(10)).toEqual([])
  })
})

describe('layouts that depend on the version', () => {
  it('writes the error message without advancedOrderRejectJson before 166 and with it from 166', async () => {
    const old = await ready(1, 'v100..150')
    const cur = await ready(2, 'v100..193')
    expect(old.of(4)[0]).toEqual(['4', '2', '-1', '2104', 'Market data farm connection is OK:usfarm'])
    expect(cur.of(4)[0]).toEqual(['4', '2', '-1', '2104', 'Market data farm connection is OK:usfarm', ''])
  })

  it('writes orderStatus with its message version before MARKET_CAP_PRICE (131) and mktCapPrice from it', async () => {
    const old = await ready(1, 'v100..120')
    const cur = await ready(2, 'v100..193')
    const status = {orderId: 3, status: 'Submitted', filled: '0', remaining: '2', avgFillPrice: 0, permId: 77, parentId: 0, lastFillPrice: 0, clientId: 1, whyHeld: '', mktCapPrice: 0}
    bench.broker.emit({kind: 'orderStatus', clientId: 1, status})
    bench.broker.emit({kind: 'orderStatus', clientId: 2, status: {...status, clientId: 2}})
    await until(() => old.of(3).length === 1 && cur.of(3).length === 1, 'statuses')
    expect(old.of(3)[0]).toEqual(['3', '6', '3', 'Submitted', '0', '2', '0', '77', '0', '0', '1', ''])
    expect(cur.of(3)[0]).toEqual(['3', '3', 'Submitted', '0', '2', '0', '77', '0', '0', '2', '', '0'])
  })
})
