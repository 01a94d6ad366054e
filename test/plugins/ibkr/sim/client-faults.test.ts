// The simulator's faults of what a client hears (faults.ts), with the real @stoqey/ib client over
// TCP: orders executed but never told (silentOrders), TWS refusing an order it cannot pass to IB
// (unreachableOrders, 1100), TWS's "Read-Only API" setting (readOnlyApi, 321), and answers held
// while requests are executed (stallAnswers). Each switched through the HTTP control endpoint.
import {type Contract, EventName, type Order, OrderAction, OrderType, TimeInForce} from '@stoqey/ib'
import {describe, expect, it} from 'vitest'

import type {IbkrRunningSimulator} from '../../../../plugins/ibkr/src/sim/index.js'
import {MES, until, useStoqeyRig, type StoqeyClient} from './stoqey-rig.js'

const rig = useStoqeyRig()

async function setSwitches(sim: IbkrRunningSimulator, body: Record<string, unknown>): Promise<number> {
  return (await fetch(`${sim.endpoints.control as string}/__sim/faults`, {method: 'POST', body: JSON.stringify(body)})).status
}

/** A round trip: everything TWS sent before its answer to reqCurrentTime has reached the client. */
async function roundTrip(c: StoqeyClient): Promise<void> {
  const n = c.of(EventName.currentTime).length
  c.ib.reqCurrentTime()
  await until(() => c.of(EventName.currentTime).length > n, 'currentTime')
}

const about = (c: StoqeyClient, orderId: number): string[] =>
  c.events.filter((e) => {
    const [a0, , a2] = e.args
    if (e.name === EventName.openOrder || e.name === EventName.orderStatus) return a0 === orderId
    if (e.name === EventName.execDetails) return (a2 as {orderId?: number}).orderId === orderId
    if (e.name === EventName.error) return a2 === orderId
    return false
  }).map((e) => e.name)

function farBid(sim: IbkrRunningSimulator): number {
  const conId = sim.broker.catalogue.front('MES')?.contract.conId as number
  return (sim.broker.market.quote(conId, sim.broker.now())?.bid as number) - 50
}

const market = (ref: string): Order => ({action: OrderAction.BUY, orderType: OrderType.MKT, totalQuantity: 1, transmit: true, orderRef: ref})
const resting = (sim: IbkrRunningSimulator, ref: string): Order => ({action: OrderAction.BUY, orderType: OrderType.LMT, lmtPrice: farBid(sim), totalQuantity: 1, tif: TimeInForce.GTC, transmit: true, orderRef: ref})

describe('faults of what a client hears (@stoqey/ib against rick sim ibkr)', () => {
  it('silentOrders: the order is placed and fills but nothing about it reaches the client; reqExecutions, reqPositions show it; the next order is heard', async () => {
    const sim = await rig.start(1)
    const c = await rig.connect(sim, 2)
    const id = c.of(EventName.nextValidId)[0]?.[0] as number
    expect(await setSwitches(sim, {silentOrders: 1})).toBe(200)
    c.ib.placeOrder(id, {...MES}, market('quiet'))
    c.ib.placeOrder(id + 1, {...MES}, resting(sim, 'heard'))
    await until(() => c.of(EventName.orderStatus).some((a) => a[0] === id + 1 && a[1] === 'Submitted'), 'the second order heard')
    await until(() => sim.venueRecords.byOrderRef('quiet')?.filled === 1, 'the silent order filled at the venue')
    await roundTrip(c)
    expect(about(c, id)).toEqual([])
    expect(c.of(EventName.commissionReport)).toEqual([])
    expect(sim.venueRecords.byOrderRef('quiet')).toMatchObject({accepted: 1, refused: 0, filled: 1})

    c.ib.reqExecutions(7, {})
    c.ib.reqPositions()
    await until(() => c.of(EventName.execDetailsEnd).length > 0 && c.of(EventName.positionEnd).length > 0, 'executions and positions')
    const execs = c.of(EventName.execDetails).map((a) => a[2] as {orderId: number; orderRef: string; execId: string})
    expect(execs.map((e) => [e.orderId, e.orderRef])).toEqual([[id, 'quiet']])
    expect(c.of(EventName.commissionReport).map((a) => (a[0] as {execId: string}).execId)).toEqual([execs[0]?.execId])
    expect(c.of(EventName.position).map((a) => a[2])).toEqual([1])
    expect(await setSwitches(sim, {silentOrders: -1})).toBe(400)
  })

  it('unreachableOrders: one placeOrder refused with 1100 on its id, nothing placed or recorded; readOnlyApi: orders and cancels refused with 321, reads go on, until unchecked', async () => {
    const sim = await rig.start(1)
    const c = await rig.connect(sim, 3)
    const id = c.of(EventName.nextValidId)[0]?.[0] as number
    const errors = (orderId: number): Array<[number, string]> => c.of(EventName.error).filter((a) => a[2] === orderId).map((a) => [a[1] as number, (a[0] as Error).message])

    await setSwitches(sim, {unreachableOrders: 1})
    c.ib.placeOrder(id, {...MES}, market('u1'))
    c.ib.placeOrder(id + 1, {...MES}, resting(sim, 'u2'))
    await until(() => c.of(EventName.orderStatus).some((a) => a[0] === id + 1 && a[1] === 'Submitted'), 'the next order placed')
    expect(errors(id)).toEqual([[1100, 'Connectivity between IB and Trader Workstation has been lost.']])
    expect(about(c, id)).toEqual(['error'])
    expect(sim.venueRecords.byOrderRef('u1')).toBeUndefined()

    await setSwitches(sim, {readOnlyApi: true})
    c.ib.placeOrder(id + 2, {...MES}, market('ro'))
    c.ib.cancelOrder(id + 1)
    await until(() => errors(id + 1).length > 0 && errors(id + 2).length > 0, 'two refusals')
    const readOnly = "Error validating request.-'bY' : cause - The API interface is currently in Read-Only mode."
    expect(errors(id + 2)).toEqual([[321, readOnly]])
    expect(errors(id + 1)).toEqual([[321, readOnly]])
    expect(sim.venueRecords.byOrderRef('ro')).toBeUndefined()
    // Reads still work: the order whose cancel was refused is still working.
    c.ib.reqOpenOrders()
    await until(() => c.of(EventName.openOrderEnd).length > 0, 'openOrderEnd')
    expect(c.of(EventName.openOrder).some((a) => a[0] === id + 1 && (a[3] as {status: string}).status === 'Submitted')).toBe(true)
    expect(sim.venueRecords.byOrderRef('u2')).toMatchObject({accepted: 1, cancelled: 0})

    await setSwitches(sim, {readOnlyApi: false})
    c.ib.cancelOrder(id + 1)
    await until(() => c.of(EventName.orderStatus).some((a) => a[0] === id + 1 && a[1] === 'Cancelled'), 'cancelled once Read-Only API is off')
  })

  it('stallAnswers: requests are executed but nothing is heard; when it ends, what was held comes in order', async () => {
    const sim = await rig.start(1)
    const c = await rig.connect(sim, 4)
    const id = c.of(EventName.nextValidId)[0]?.[0] as number
    await roundTrip(c)
    await setSwitches(sim, {stallAnswers: true})
    const before = c.events.length
    c.ib.reqCurrentTime()
    c.ib.placeOrder(id, {...MES} as Contract, market('held'))
    await until(() => sim.venueRecords.byOrderRef('held')?.filled === 1, 'the order filled at the venue')
    // Bounded: anything TWS wrote would have arrived by now (loopback); nothing may.
    await until(() => c.events.length > before, 'anything', 150).catch(() => undefined)
    expect(c.events.slice(before)).toEqual([])

    await setSwitches(sim, {stallAnswers: false})
    await until(() => c.of(EventName.execDetails).length > 0 && c.of(EventName.commissionReport).length > 0, 'the held answers')
    const names = c.events.slice(before).map((e) => e.name)
    expect(names[0]).toBe(EventName.currentTime)
    expect(names.indexOf(EventName.execDetails)).toBeLessThan(names.indexOf(EventName.commissionReport))
    expect(about(c, id)).toContain(EventName.orderStatus)
  })
})
