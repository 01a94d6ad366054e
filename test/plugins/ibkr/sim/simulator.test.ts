// The whole simulator (broker + wire + control endpoint) with the real @stoqey/ib client over TCP:
// contract details, a native bracket on MES that fills and whose other child the venue cancels,
// positions, executions with their commissions, and faults through the HTTP control endpoint.
import {type Contract, EventName, OrderAction, OrderType} from '@stoqey/ib'
import {describe, expect, it} from 'vitest'

import {MES, until, useStoqeyRig} from './stoqey-rig.js'

const rig = useStoqeyRig()
const start = (speed: number) => rig.start(speed)
const connect = (...a: Parameters<typeof rig.connect>) => rig.connect(...a)

describe('rick sim ibkr with @stoqey/ib', () => {
  it('qualifies MES, places a bracket that fills, and shows the fills, the venue-cancelled child, positions and executions', async () => {
    const sim = await start(300)
    expect(sim.accountId).toMatch(/^DU\d{7}$/)
    const c = await connect(sim, 1)
    expect(c.of(EventName.managedAccounts)).toEqual([[sim.accountId]])
    const nextId = c.of(EventName.nextValidId)[0]?.[0] as number
    c.ib.reqContractDetails(1, MES)
    await until(() => c.of(EventName.contractDetails).length > 0, 'contract details')
    const details = c.of(EventName.contractDetails)[0]?.[1] as {contract: Contract; minTick: number; tradingHours: string; timeZoneId: string}
    expect(details.contract).toMatchObject({localSymbol: 'MESZ6', tradingClass: 'MES', multiplier: 5})
    expect(details.minTick).toBe(0.25)
    const contract: Contract = {...MES, conId: details.contract.conId}
    const q = sim.broker.market.quote(details.contract.conId as number, sim.broker.now())
    const [entry, tp, sl] = [nextId, nextId + 1, nextId + 2]
    c.ib.placeOrder(entry, contract, {action: OrderAction.BUY, orderType: OrderType.MKT, totalQuantity: 1, transmit: false, orderRef: 'b1'})
    c.ib.placeOrder(tp, contract, {action: OrderAction.SELL, orderType: OrderType.LMT, lmtPrice: (q?.ask as number) + 1, totalQuantity: 1, parentId: entry, tif: 'GTC', transmit: false, orderRef: 'b1-tp'})
    c.ib.placeOrder(sl, contract, {action: OrderAction.SELL, orderType: OrderType.STP, auxPrice: (q?.bid as number) - 1, totalQuantity: 1, parentId: entry, tif: 'GTC', transmit: true, orderRef: 'b1-sl'})
    // The entry, then one child: two executions; the other child cancelled by the venue.
    await until(() => c.of(EventName.execDetails).length >= 2, 'two executions', 8000)
    await until(() => c.of(EventName.orderStatus).some((a) => a[1] === 'Cancelled'), 'the other child cancelled')
    const cancelled = c.of(EventName.orderStatus).filter((a) => a[1] === 'Cancelled').map((a) => a[0])
    const filled = [...new Set(c.of(EventName.orderStatus).filter((a) => a[1] === 'Filled').map((a) => a[0]))]
    expect(filled[0]).toBe(entry)
    expect([...filled.slice(1), ...new Set(cancelled)].sort()).toEqual([tp, sl].sort())
    await until(() => c.of(EventName.commissionReport).length >= 2, 'commission reports')
    const reports = c.of(EventName.commissionReport).map((a) => a[0] as {commission: number; realizedPNL?: number})
    expect(reports.map((r) => r.commission)).toEqual([0.62, 0.62])
    expect(reports[1]?.realizedPNL).toBeTypeOf('number')

    c.ib.reqPositions()
    await until(() => c.of(EventName.positionEnd).length > 0, 'positionEnd')
    const positions = c.of(EventName.position).map((a) => ({account: a[0], conId: (a[1] as Contract).conId, pos: a[2]}))
    expect(positions).toEqual([{account: sim.accountId, conId: details.contract.conId, pos: 0}])

    c.ib.reqExecutions(7, {})
    await until(() => c.of(EventName.execDetailsEnd).length > 0, 'execDetailsEnd')
    const execs = c.of(EventName.execDetails).map((a) => a[2] as {execId: string; orderRef: string})
    expect(execs).toHaveLength(4)
    expect(new Set(execs.map((e) => e.execId)).size).toBe(2)
    expect(sim.venueRecords.byOrderRef('b1')).toMatchObject({accepted: 1, filled: 1, refused: 0})
    expect(sim.venueRecords.executions()).toHaveLength(2)
  })

  it('takes faults through the control endpoint: reject (201), connectivity lost and restored, dropped sockets, unknown names refused', async () => {
    const sim = await start(1)
    const control = sim.endpoints.control as string
    const post = async (path: string, body: unknown): Promise<{status: number; json: Record<string, unknown>}> => {
      const res = await fetch(`${control}${path}`, {method: 'POST', body: JSON.stringify(body)})
      return {status: res.status, json: (await res.json()) as Record<string, unknown>}
    }
    const got = (await (await fetch(`${control}/__sim/faults`)).json()) as {switches: Record<string, unknown>; actions: string[]}
    expect(got.switches).toEqual({freezePrices: false, reject: 0, silentOrders: 0, unreachableOrders: 0, readOnlyApi: false, stallAnswers: false})
    expect(got.actions).toEqual(expect.arrayContaining(['dropSockets', 'connectivityLost', 'connectivityRestored', 'gatewayRestart', 'reject', 'fillWhileAway', 'placeExternalOrder', 'pacing']))
    expect((await post('/__sim/faults', {nope: 1})).status).toBe(400)
    expect((await post('/__sim/actions/nope', {})).status).toBe(404)
    expect((await post('/__sim/actions/reject', {count: 1})).json).toMatchObject({result: {count: 1, code: 201}})

    const c = await connect(sim, 3)
    const id = c.of(EventName.nextValidId)[0]?.[0] as number
    c.ib.placeOrder(id, {...MES}, {action: OrderAction.BUY, orderType: OrderType.MKT, totalQuantity: 1, transmit: true, orderRef: 'r'})
    await until(() => c.of(EventName.error).some((a) => a[1] === 201), 'error 201')
    expect(sim.venueRecords.byOrderRef('r')).toMatchObject({accepted: 0, refused: 1})

    await post('/__sim/actions/connectivityLost', {})
    const codes = (): unknown[] => [...c.of(EventName.error), ...c.of(EventName.info)].map((a) => a[1])
    await until(() => codes().includes(1100), '1100')
    await post('/__sim/actions/connectivityRestored', {dataLost: false})
    await until(() => codes().includes(1102), '1102')

    expect((await post('/__sim/actions/dropSockets', {})).json).toEqual({result: {cut: 1}})
    await until(() => c.of(EventName.disconnected).length > 0, 'disconnected')

    // Pacing: above the limit, error 100 and the connection closed, as TWS does.
    await until(() => sim.broker.connectedClients().length === 0, 'session gone')
    const p = await connect(sim, 5)
    expect((await post('/__sim/actions/pacing', {max: 2})).json).toEqual({result: {max: 2}})
    for (let i = 0; i < 5; i++) p.ib.reqCurrentTime()
    await until(() => p.of(EventName.disconnected).length > 0, 'disconnected for pacing')
    expect([...p.of(EventName.error), ...p.of(EventName.info)].map((a) => a[1])).toContain(100)
    const closing = Date.now()
    await sim.close()
    rig.forget(sim)
    expect(Date.now() - closing).toBeLessThan(1000)
  })

  it('fills an order while the client is away: seen after reconnecting through executions, positions and open orders; a Gateway restart rolls nextValidId back', async () => {
    const sim = await start(1)
    const control = sim.endpoints.control as string
    const post = async (path: string, body: unknown): Promise<Record<string, unknown>> => (await (await fetch(`${control}${path}`, {method: 'POST', body: JSON.stringify(body)})).json()) as Record<string, unknown>
    const c = await connect(sim, 4)
    const id = c.of(EventName.nextValidId)[0]?.[0] as number
    const conId = sim.broker.catalogue.front('MES')?.contract.conId as number
    const bid = sim.broker.market.quote(conId, sim.broker.now())?.bid as number
    c.ib.placeOrder(id + 5, {...MES}, {action: OrderAction.BUY, orderType: OrderType.LMT, lmtPrice: bid - 50, totalQuantity: 1, tif: 'GTC', transmit: true, orderRef: 'away'})
    await until(() => c.of(EventName.orderStatus).some((a) => a[0] === id + 5 && a[1] === 'Submitted'), 'Submitted')
    const fill = (await post('/__sim/actions/fillWhileAway', {holdMs: 0})).result as {orderId: number; execId: string}
    expect(fill.orderId).toBe(id + 5)
    await until(() => c.of(EventName.disconnected).length > 0, 'disconnected')
    expect(c.of(EventName.execDetails)).toEqual([])

    await until(() => sim.broker.connectedClients().length === 0, 'session gone')
    const again = await connect(sim, 4)
    again.ib.reqOpenOrders()
    again.ib.reqPositions()
    again.ib.reqExecutions(9, {})
    await until(() => again.of(EventName.execDetailsEnd).length > 0 && again.of(EventName.positionEnd).length > 0, 'executions and positions')
    expect(again.of(EventName.execDetails).map((a) => (a[2] as {execId: string}).execId)).toEqual([fill.execId])
    expect(again.of(EventName.position).map((a) => a[2])).toEqual([1])
    expect(again.of(EventName.openOrder)).toEqual([])
    // Ids: the next valid id was above the one used; a restart rolls it back by the number asked.
    expect(again.of(EventName.nextValidId)[0]?.[0]).toBe(id + 6)
    expect(await post('/__sim/actions/gatewayRestart', {rollbackIds: 3, downMs: 0})).toEqual({result: {cut: 1, nextValidId: id + 3}})
    await until(() => sim.broker.connectedClients().length === 0, 'sessions gone')
    const third = await connect(sim, 4)
    expect(third.of(EventName.nextValidId)[0]?.[0]).toBe(id + 3)
  })
})
