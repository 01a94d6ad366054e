// rick's Coinbase connector (the real ccxt client, rick's websocket reader) against rick's Coinbase
// simulator over TCP on 127.0.0.1: the scenarios beyond the conformance suite.
import {afterEach, describe, expect, it} from 'vitest'

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

describe('coinbase connector against the simulator', () => {
  it('connects, reads products and the account, and a market buy is acked and filled once', async () => {
    const r = await rig()
    const btc = (await r.c.instruments()).find((i) => i.id === 'BTC-USD')
    expect(btc?.lotSize).toBeGreaterThan(0)
    const start = await r.c.account()
    expect(start.currency).toBe('USD')
    await r.c.submit({clientOrderId: 'cbtest-1', instrument: 'BTC-USD', side: 'buy', type: 'market', qty: 0.01, tif: 'gtc'})
    await until("the fill", () => r.events.some((e) => e.kind === "fill"))
    await r.c.settled()
    expect(kinds(r.events, 'cbtest-1')).toEqual(['ack', 'fill'])
    expect((await r.c.positions()).find((p) => p.instrument === 'BTC-USD')?.qty).toBeCloseTo(0.01, 10)
  }, 10_000)
})
