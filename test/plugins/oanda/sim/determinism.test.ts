// Seeded: the same seed gives the same prices and candles, whichever wall time the simulator starts
// at and whatever was asked before; another seed gives others.
import {describe, expect, it} from 'vitest'

import {type Harness, sdk, startSim, T0} from './harness.js'

async function sample(h: Harness): Promise<unknown[]> {
  const out: unknown[] = []
  for (let i = 0; i < 5; i++) {
    const p = JSON.parse((await sdk(h.api, 'pricing.get', h.account, {instruments: 'EUR_USD,USD_JPY,XAU_USD'})).rawBody)
    out.push(p.prices.map((x: {time: string; bids: unknown; asks: unknown}) => [x.time, x.bids, x.asks]))
    h.wall.advance(777)
  }
  out.push(JSON.parse((await sdk(h.api, 'instrument.candles', 'GBP_USD', {granularity: 'M5', count: 20, price: 'BA'})).rawBody).candles)
  return out
}

describe('OANDA simulator determinism', () => {
  it('same seed, same prices and candles; another seed, other prices', async () => {
    const a = await startSim({seed: 99})
    const b = await startSim({seed: 99})
    const c = await startSim({seed: 100})
    try {
      // b is asked something else first (history far back), which must not change what follows.
      await sdk(b.api, 'instrument.candles', 'EUR_USD', {granularity: 'H1', count: 500})
      const [sa, sb, sc] = [await sample(a), await sample(b), await sample(c)]
      expect(sb).toEqual(sa)
      expect(sc).not.toEqual(sa)
      expect(a.token).toBe(b.token)
      expect(a.account).toBe(b.account)
      expect(c.account).not.toBe(a.account)
    } finally {
      await Promise.all([a.close(), b.close(), c.close()])
    }
  })

  it('the same seed started at another sim time quotes the same path from its own start', async () => {
    const a = await startSim({seed: 5})
    const b = await startSim({seed: 5, startTs: T0 + 86_400_000})
    try {
      const pa = JSON.parse((await sdk(a.api, 'pricing.get', a.account, {instruments: 'EUR_USD'})).rawBody).prices[0]
      const pb = JSON.parse((await sdk(b.api, 'pricing.get', b.account, {instruments: 'EUR_USD'})).rawBody).prices[0]
      expect(pb.bids).toEqual(pa.bids)
      expect(Date.parse(pb.time) - Date.parse(pa.time)).toBe(86_400_000)
    } finally {
      await Promise.all([a.close(), b.close()])
    }
  })
})
