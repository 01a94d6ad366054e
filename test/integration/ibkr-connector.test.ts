// rick's IBKR connector (the real @stoqey/ib client) against rick's IBKR simulator over TCP.
import {describe, expect, it} from 'vitest'

import type {Tick} from '../../src/sectors/connector.js'
import {kinds, MES, until, useRigs} from './ibkr-connector-helpers.js'

const rig = useRigs()

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
  it('1101 (data lost): real-time bars and quotes are asked for again and ticks flow again; 1100 stops them', async () => {
    const r = await rig()
    const ticks: Tick[] = []
    const sub = r.c.subscribeTicks([MES], (t) => void ticks.push(t))
    await r.stepUntil('ticks', () => ticks.length >= 4)
    await r.sim.faults.act('connectivityLost')
    await until('disconnected', () => r.statuses.some((s) => s.kind === 'disconnected' && s.stream === 'prices'))
    for (let i = 0; i < 3; i++) await r.step()
    const during = ticks.length
    for (let i = 0; i < 3; i++) await r.step()
    expect(ticks.length, 'ticks while TWS is cut off').toBe(during)
    const lost = r.statuses.length
    await r.sim.faults.act('connectivityRestored', {dataLost: true})
    await until('connected', () => r.statuses.slice(lost).some((s) => s.kind === 'connected' && s.stream === 'prices'))
    await r.stepUntil('ticks again', () => ticks.length >= during + 4)
    for (const [i, t] of ticks.entries()) if (i > 0) expect(t.ts).toBeGreaterThanOrEqual((ticks[i - 1] as Tick).ts)
    sub.close()
  })

  it('an order placed by hand in TWS is listed as external and never cancelled by rick', async () => {
    const r = await rig()
    const q = r.quote(MES)
    await r.sim.faults.act('placeExternalOrder', {instrument: MES, action: 'BUY', quantity: 1, lmtPrice: q.bid - 100 * 0.25})
    const open = await r.c.openOrders()
    expect(open).toEqual([expect.objectContaining({clientOrderId: expect.stringMatching(/^external:/), instrument: MES, side: 'buy', type: 'limit', status: 'working'})])
    const id = (open[0] as {clientOrderId: string}).clientOrderId
    await expect(r.c.cancel(id)).rejects.toMatchObject({kind: 'OrderNotFound'})
    expect(r.events).toEqual([])
  })
})
