// rick's IBKR connector (the real @stoqey/ib client) against rick's IBKR simulator when TWS misbehaves
// as it does: an OCA sibling cancelled by the venue, a Gateway restart that rolls nextValidId back,
// 1100 then 1102 with a fill in between, a client id in use (326), a socket cut while an order fills.
// The simulator's own records (venueRecords) are the witness.
import {describe, expect, it} from 'vitest'

import {BrokerError, NetworkError} from '../../src/foundation/domain/broker-errors.js'
import type {ConnectorStatus} from '../../src/sectors/connector.js'
import {kinds, MES, until, useRigs, type Rig} from './ibkr-connector-helpers.js'

const rig = useRigs()
const TICK = 0.25
const fills = (r: Rig, id: string): number => r.events.filter((e) => e.kind === 'fill' && e.fill.clientOrderId === id).length
const reconnected = (statuses: readonly ConnectorStatus[], after: number): boolean => statuses.slice(after).some((s) => s.kind === 'connected' && s.stream === 'events')

describe('IBKR connector: TWS as it misbehaves', () => {
  it("a bracket's stop fills: the take-profit is cancelled by the venue (OCA); each exit's events come once", async () => {
    const r = await rig()
    const q = r.quote(MES)
    await r.c.submit({clientOrderId: 'ibtest-br', instrument: MES, side: 'buy', type: 'market', qty: 1, tif: 'day', bracket: {stopLoss: q.bid - TICK, takeProfit: q.ask + 400 * TICK}})
    await r.stepUntil('the stop to fill', () => fills(r, 'ibtest-br-sl') > 0, 8_000)
    for (let i = 0; i < 3; i++) await r.step()
    expect(kinds(r.events, 'ibtest-br')).toEqual(['ack', 'fill'])
    expect(kinds(r.events, 'ibtest-br-sl')).toEqual(['ack', 'fill'])
    expect(kinds(r.events, 'ibtest-br-tp')).toEqual(['ack', 'cancel'])
    const tp = r.sim.venueRecords.byOrderRef('ibtest-br-tp')
    expect(tp).toMatchObject({accepted: 1, filled: 0, cancelled: 1})
    expect(r.sim.venueRecords.byOrderRef('ibtest-br-sl')).toMatchObject({accepted: 1, filled: 1})
    expect(await r.c.positions()).toEqual([])
    expect(await r.c.orderByClientId('ibtest-br-tp')).toMatchObject({status: 'cancelled', parentId: 'ibtest-br'})
  })

  it('a Gateway restart that rolls nextValidId back, then a restart of rick: no order id is ever used twice', async () => {
    const r = await rig()
    await r.c.submit({clientOrderId: 'ibtest-a', instrument: MES, side: 'buy', type: 'market', qty: 1, tif: 'day'})
    await until('A fills', () => fills(r, 'ibtest-a') === 1)
    const seen = r.statuses.length
    const restart = (await r.sim.faults.act('gatewayRestart', {rollbackIds: 40, downMs: 300})) as {nextValidId: number}
    const idA = r.sim.venueRecords.byOrderRef('ibtest-a')?.orderIds[0] as number
    expect(restart.nextValidId).toBeLessThanOrEqual(idA)
    await r.stepUntil('the reconnection', () => reconnected(r.statuses, seen))
    await r.c.submit({clientOrderId: 'ibtest-b', instrument: MES, side: 'sell', type: 'market', qty: 1, tif: 'day'})
    await until('B fills', () => fills(r, 'ibtest-b') === 1)
    const idB = r.sim.venueRecords.byOrderRef('ibtest-b')?.orderIds[0] as number
    expect(idB).toBeGreaterThan(idA)

    // rick restarts (a new connector on the same state directory) after another rollback.
    await r.c.close()
    await r.sim.faults.act('gatewayRestart', {rollbackIds: 200, downMs: 0})
    r.wall.advance(1) // the Gateway takes connections again (its timer runs on the simulator's wall)
    const again = await r.reopen()
    await again.connect()
    await again.submit({clientOrderId: 'ibtest-c', instrument: MES, side: 'buy', type: 'market', qty: 1, tif: 'day'})
    await r.stepUntil('C is taken', () => (r.sim.venueRecords.byOrderRef('ibtest-c')?.accepted ?? 0) === 1)
    expect(r.sim.venueRecords.byOrderRef('ibtest-c')?.orderIds[0]).toBeGreaterThan(idB)
    expect(r.sim.venueRecords.idReuses()).toEqual([])
  })

  it('1100, a fill while TWS is cut off from IB, then 1102: disconnected, the fill found by reqExecutions and emitted once, then connected', async () => {
    const r = await rig()
    const q = r.quote(MES)
    await r.c.submit({clientOrderId: 'ibtest-away', instrument: MES, side: 'buy', type: 'limit', limitPrice: q.bid, qty: 1, tif: 'gtc'})
    await until('the ack', () => kinds(r.events, 'ibtest-away').includes('ack'))
    const seen = r.statuses.length
    await r.sim.faults.act('connectivityLost')
    await until('disconnected on events and prices', () => ['events', 'prices'].every((s) => r.statuses.slice(seen).some((x) => x.kind === 'disconnected' && x.stream === s)))
    const refused = await r.c.submit({clientOrderId: 'ibtest-during', instrument: MES, side: 'buy', type: 'market', qty: 1, tif: 'day'}).then(() => undefined, (e: unknown) => e)
    expect(refused).toMatchObject({kind: 'Disconnected'})
    expect(r.sim.venueRecords.byOrderRef('ibtest-during')).toBeUndefined()
    // Reads TWS refuses while cut off are "unknown", never a refusal of anything.
    const read = await r.c.account().then(() => undefined, (e: unknown) => e)
    if (read !== undefined) expect(read).toBeInstanceOf(NetworkError)
    for (let i = 0; i < 60 && (r.sim.venueRecords.byOrderRef('ibtest-away')?.filled ?? 0) === 0; i++) r.wall.advance(1_000)
    expect(r.sim.venueRecords.byOrderRef('ibtest-away')?.filled).toBe(1)
    await r.c.settled()
    expect(fills(r, 'ibtest-away'), 'withheld while the link is down').toBe(0)
    await r.sim.faults.act('connectivityRestored', {dataLost: false})
    await until('connected again', () => reconnected(r.statuses, seen))
    await until('the fill', () => fills(r, 'ibtest-away') === 1)
    for (let i = 0; i < 3; i++) await r.step()
    expect(kinds(r.events, 'ibtest-away')).toEqual(['ack', 'fill'])
    expect((await r.c.recentFills(0)).filter((f) => f.clientOrderId === 'ibtest-away').length).toBe(1)
  })

  it('326 client id in use: connect() fails with a message naming connection.clientId, a fatal status, no retry', async () => {
    const r = await rig()
    const second = await r.reopen()
    const statuses: ConnectorStatus[] = []
    second.onStatus((s) => void statuses.push(s))
    const e = await second.connect().then(() => undefined, (x: unknown) => x)
    expect(e).toBeInstanceOf(BrokerError)
    expect((e as Error).message).toMatch(/connection\.clientId/)
    expect(statuses).toEqual([expect.objectContaining({kind: 'fatal', code: 'ClientIdInUse'})])
    expect(await r.c.positions()).toEqual([])
  })

  it('the socket cut while a working order fills: disconnected, reconnected with backoff, the fill read back once', async () => {
    const r = await rig()
    const q = r.quote(MES)
    await r.c.submit({clientOrderId: 'ibtest-cut', instrument: MES, side: 'sell', type: 'limit', limitPrice: q.ask + 40 * TICK, qty: 1, tif: 'gtc'})
    await until('the ack', () => kinds(r.events, 'ibtest-cut').includes('ack'))
    const seen = r.statuses.length
    await r.sim.faults.act('fillWhileAway', {holdMs: 300})
    await until('disconnected', () => r.statuses.slice(seen).some((s) => s.kind === 'disconnected' && s.stream === 'events' && (s.retryInMs ?? 0) > 0))
    await r.stepUntil('reconnected', () => reconnected(r.statuses, seen))
    await until('the fill', () => fills(r, 'ibtest-cut') === 1)
    for (let i = 0; i < 3; i++) await r.step()
    expect(kinds(r.events, 'ibtest-cut')).toEqual(['ack', 'fill'])
    expect(await r.c.positions()).toEqual([expect.objectContaining({instrument: MES, qty: -1})])
    expect(r.sim.venueRecords.byOrderRef('ibtest-cut')).toMatchObject({accepted: 1, filled: 1})
  })

  it('an order TWS rejects (201): the submit throws InsufficientFunds or InvalidOrder, no event, nothing at the venue', async () => {
    const r = await rig()
    await r.sim.faults.act('reject', {count: 1})
    const e = await r.c.submit({clientOrderId: 'ibtest-rej', instrument: MES, side: 'buy', type: 'market', qty: 1, tif: 'day'}).then(() => undefined, (x: unknown) => x)
    expect(e).toBeInstanceOf(BrokerError)
    expect((e as BrokerError).venueCode).toBe('201')
    await r.step()
    expect(kinds(r.events, 'ibtest-rej')).toEqual([])
    expect(r.sim.venueRecords.byOrderRef('ibtest-rej')).toMatchObject({accepted: 0, refused: 1})
    expect(await r.c.orderByClientId('ibtest-rej')).toBeUndefined()
  })
  it('a pacing violation (error 100, then TWS disconnects): the connection comes back, reads work again, nothing was placed twice', async () => {
    const r = await rig()
    await r.c.submit({clientOrderId: 'ibtest-p1', instrument: MES, side: 'buy', type: 'market', qty: 1, tif: 'day'})
    await until('the fill', () => fills(r, 'ibtest-p1') === 1)
    const seen = r.statuses.length
    await r.sim.faults.act('pacing', {max: 1})
    await Promise.all([r.c.positions(), r.c.account(), r.c.openOrders()].map((p) => p.catch(() => undefined)))
    await until('disconnected', () => r.statuses.slice(seen).some((s) => s.kind === 'disconnected'))
    await r.sim.faults.act('pacing', {max: 50})
    await r.stepUntil('reconnected', () => reconnected(r.statuses, seen))
    expect(await r.c.positions()).toEqual([expect.objectContaining({instrument: MES, qty: 1})])
    expect(kinds(r.events, 'ibtest-p1')).toEqual(['ack', 'fill'])
    expect(r.sim.venueRecords.byOrderRef('ibtest-p1')).toMatchObject({accepted: 1, filled: 1})
  })

  it("a restart of rick: an earlier run's order that filled is answered filled by orderRef (TWS's quantity and price, its fill once), one cancelled is answered cancelled (reqCompletedOrders)", async () => {
    const r = await rig()
    const q = r.quote(MES)
    await r.c.submit({clientOrderId: 'ibtest-gone', instrument: MES, side: 'buy', type: 'limit', limitPrice: q.bid - 40 * TICK, qty: 2, tif: 'gtc'})
    await until('the ack', () => kinds(r.events, 'ibtest-gone').includes('ack'))
    await r.c.cancel('ibtest-gone')
    await r.c.submit({clientOrderId: 'ibtest-done', instrument: MES, side: 'sell', type: 'market', qty: 1, tif: 'day'})
    await until('the fill', () => fills(r, 'ibtest-done') === 1)
    await r.c.close()

    const again = await r.reopen()
    const events: typeof r.events = []
    again.onEvent((e) => void events.push(e))
    await again.connect()
    const venue = r.sim.venueRecords.executions().filter((x) => x.orderRef === 'ibtest-done')
    expect(venue).toHaveLength(1)
    const done = await again.orderByClientId('ibtest-done')
    expect(done).toMatchObject({status: 'filled', filledQty: 1, avgFillPrice: venue[0]?.price, side: 'sell', venueOrderId: String(venue[0]?.orderId)})
    expect((await again.orderFills(done!)).map((f) => [f.fillId, f.qty])).toEqual([[venue[0]?.execId, 1]])
    expect(await again.orderByClientId('ibtest-gone')).toMatchObject({status: 'cancelled', filledQty: 0, qty: 2, type: 'limit'})
    expect(await again.orderByClientId('ibtest-never')).toBeUndefined()
    await again.settled()
    expect(events.filter((e) => e.kind === 'fill').map((e) => (e.kind === 'fill' ? e.fill.fillId : ''))).toEqual([venue[0]?.execId])
    expect(events.filter((e) => e.kind === 'cancel' || e.kind === 'reject')).toEqual([])
    expect(r.sim.venueRecords.byOrderRef('ibtest-done')).toMatchObject({accepted: 1, filled: 1})
    expect(r.sim.venueRecords.idReuses()).toEqual([])
  })

  it("1100 while a bracket works, its stop fills and the venue cancels the take-profit (OCA), events withheld; after 1102 the take-profit ends cancelled, once", async () => {
    const r = await rig()
    const q = r.quote(MES)
    await r.c.submit({clientOrderId: 'ibtest-oca', instrument: MES, side: 'buy', type: 'market', qty: 1, tif: 'day', bracket: {stopLoss: q.bid - 2 * TICK, takeProfit: q.ask + 400 * TICK}})
    await until('the entry filled and both exits acknowledged', () => fills(r, 'ibtest-oca') === 1 && kinds(r.events, 'ibtest-oca-tp').includes('ack') && kinds(r.events, 'ibtest-oca-sl').includes('ack'))
    const seen = r.statuses.length
    await r.sim.faults.act('connectivityLost')
    await until('disconnected', () => r.statuses.slice(seen).some((s) => s.kind === 'disconnected' && s.stream === 'events'))
    for (let i = 0; i < 240 && (r.sim.venueRecords.byOrderRef('ibtest-oca-sl')?.filled ?? 0) === 0; i++) r.wall.advance(1_000)
    expect(r.sim.venueRecords.byOrderRef('ibtest-oca-sl')).toMatchObject({filled: 1})
    expect(r.sim.venueRecords.byOrderRef('ibtest-oca-tp')).toMatchObject({filled: 0, cancelled: 1})
    await r.c.settled()
    expect(kinds(r.events, 'ibtest-oca-tp')).toEqual(['ack'])
    await r.sim.faults.act('connectivityRestored', {dataLost: false})
    await until('connected again', () => reconnected(r.statuses, seen))
    await until('the take-profit cancelled', () => kinds(r.events, 'ibtest-oca-tp').includes('cancel'))
    await until('the stop filled', () => fills(r, 'ibtest-oca-sl') === 1)
    for (let i = 0; i < 3; i++) await r.step()
    expect(await r.c.orderByClientId('ibtest-oca-tp')).toMatchObject({status: 'cancelled'})
    expect(kinds(r.events, 'ibtest-oca-tp')).toEqual(['ack', 'cancel'])
    expect(kinds(r.events, 'ibtest-oca-sl')).toEqual(['ack', 'fill'])
    expect(await r.c.positions()).toEqual([])
  })
})
