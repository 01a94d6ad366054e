// rick's IBKR connector (the real @stoqey/ib client) against rick's IBKR simulator over TCP.
import {afterEach, describe, expect, it} from 'vitest'

import {kinds, MES, startRig, until, type Rig} from './ibkr-connector-helpers.js'

const rigs: Rig[] = []
afterEach(async () => {
  for (const r of rigs.splice(0)) await r.close()
})
const rig = async (...a: Parameters<typeof startRig>): Promise<Rig> => {
  const r = await startRig(...a)
  rigs.push(r)
  return r
}

describe('IBKR connector against the simulator', () => {
  it('connects, qualifies MES and SPY, and a market order fills once with its commission', async () => {
    const r = await rig()
    const list = await r.c.instruments()
    expect(list.map((i) => i.id).sort()).toEqual([MES, 'SPY'])
    expect(list.find((i) => i.id === MES)).toMatchObject({tickSize: 0.25, multiplier: 5})
    expect(r.c.info.account).toMatch(/^DU/)
    await r.c.submit({clientOrderId: 'ibtest-1', instrument: MES, side: 'buy', type: 'market', qty: 1, tif: 'day'})
    await until('the fill', () => r.events.some((e) => e.kind === 'fill'))
    await r.c.settled()
    expect(kinds(r.events, 'ibtest-1')).toEqual(['ack', 'fill'])
    const fill = r.events.find((e) => e.kind === 'fill')
    expect(fill).toMatchObject({fill: {qty: 1, side: 'buy', instrument: MES, fee: 620_000}})
    expect(r.sim.venueRecords.byOrderRef('ibtest-1')).toMatchObject({accepted: 1})
    expect(await r.c.positions()).toEqual([expect.objectContaining({instrument: MES, qty: 1})])
  })
})
