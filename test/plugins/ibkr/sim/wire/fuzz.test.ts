// Hostile input never crashes the wire and never reaches the broker as an order: every truncation
// of a real placeOrder is refused with 320, seeded random frames for every message id leave the
// session serving, and a session that connects while the broker refuses hears why instead of the
// farm messages.
import {OrderAction, OrderType} from '@stoqey/ib'
import {describe, expect, it} from 'vitest'

import {MES} from './fake-broker.js'
import {useWireBench} from './harness.js'
import {helloOf, until} from './raw-client.js'
import {placeOrderFields} from './stoqey-encoder.js'

const bench = useWireBench()

/** mulberry32: a seeded generator, so a failure replays. */
function seeded(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

describe('hostile input', () => {
  it('refuses every truncation of a real placeOrder with 320 and places only the whole one', async () => {
    await bench.start(100_000)
    const c = await bench.ready(1)
    const full = placeOrderFields(7, {conId: MES.conId, exchange: 'CME'}, {action: OrderAction.SELL, orderType: OrderType.STP, auxPrice: 5980, totalQuantity: 1, parentId: 6, ocaGroup: 'g', ocaType: 1, transmit: true, orderRef: 'x-sl'})
    for (let n = 2; n < full.length; n++) c.send(...full.slice(0, n))
    await until(() => c.errors().filter((e) => e.code === 320).length === full.length - 2, 'all refused', 5000)
    expect(bench.broker.placed).toEqual([])
    expect(new Set(c.errors().filter((e) => e.code === 320).map((e) => e.reqId))).toEqual(new Set([7]))
    c.send(...full)
    await until(() => bench.broker.placed.length === 1, 'the whole order')
    expect(bench.broker.placed[0]?.order).toMatchObject({orderId: 7, orderType: 'STP', auxPrice: 5980, parentId: 6, ocaGroup: 'g', ocaType: 1, orderRef: 'x-sl'})
  })

  it('survives seeded random frames for every message id and keeps serving', async () => {
    await bench.start(100_000)
    const c = await bench.ready(1)
    const rnd = seeded(13)
    const pieces = ['', '0', '1', '-1', '2147483647', '1.7976931348623157E308', 'abc', 'BAG', '99999999999', '3', 'MKT', 'BUY', '\u00e9', '1e400']
    const ids = [1, 2, 3, 4, 5, 6, 7, 8, 9, 15, 16, 17, 20, 25, 49, 50, 51, 58, 59, 61, 62, 63, 64, 71, 99, 1000]
    let sent = 0
    for (const id of ids) {
      for (let k = 0; k < 30; k++) {
        const n = Math.floor(rnd() * 40)
        c.send(id, ...Array.from({length: n}, () => pieces[Math.floor(rnd() * pieces.length)] as string))
        sent++
      }
    }
    c.send(49, 1)
    await until(() => c.of(49).length >= 1, 'still serving', 5000)
    expect(c.closed).toBe(false)
    expect(sent).toBe(ids.length * 30)
    for (const p of bench.broker.placed) expect(['BUY', 'SELL']).toContain(p.order.action)
  })

  it('tells a client that connects while connectivity is lost, instead of the farm messages', async () => {
    bench.broker.refusing = {code: 1100, message: 'Connectivity between IB and Trader Workstation has been lost.'}
    const c = await bench.open()
    c.write(helloOf('v100..193'))
    await until(() => c.frames.length === 1, 'version')
    c.send(71, 2, 3, '')
    await until(() => c.errors().length === 1, 'refusal')
    expect(c.frames.map((f) => f[0])).toEqual(['193', '9', '15', '4'])
    expect(c.errors()[0]).toMatchObject({reqId: -1, code: 1100})
  })
})
