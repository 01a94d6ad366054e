// reqCompletedOrders against the simulator with the real @stoqey/ib client: the finished orders of
// the account (filled, cancelled — every client's), each decoded whole (its last fields, completedTime
// and completedStatus, land where EDecoder.processCompletedOrderMsg reads them), then
// completedOrdersEnd; open orders are not among them.
import {EventName, type Order, OrderAction, OrderType, TimeInForce} from '@stoqey/ib'
import {describe, expect, it} from 'vitest'

import type {IbkrRunningSimulator} from '../../../../plugins/ibkr/src/sim/index.js'
import {MES, until, useStoqeyRig} from './stoqey-rig.js'

const rig = useStoqeyRig()

function farBid(sim: IbkrRunningSimulator): number {
  const conId = sim.broker.catalogue.front('MES')?.contract.conId as number
  return (sim.broker.market.quote(conId, sim.broker.now())?.bid as number) - 50
}

const limit = (price: number, ref: string): Order => ({action: OrderAction.BUY, orderType: OrderType.LMT, lmtPrice: price, totalQuantity: 2, tif: TimeInForce.GTC, transmit: true, orderRef: ref})

describe('reqCompletedOrders (@stoqey/ib against rick sim ibkr)', () => {
  it('filled and cancelled orders of every client, with their status, filled quantity, permId and completion; open ones left out; then the end', async () => {
    const sim = await rig.start(1)
    const a = await rig.connect(sim, 2)
    const b = await rig.connect(sim, 3)
    const idA = a.of(EventName.nextValidId)[0]?.[0] as number
    const idB = b.of(EventName.nextValidId)[0]?.[0] as number
    a.ib.placeOrder(idA, {...MES}, {action: OrderAction.SELL, orderType: OrderType.MKT, totalQuantity: 1, transmit: true, orderRef: 'done-mkt'})
    const price = farBid(sim)
    a.ib.placeOrder(idA + 1, {...MES}, limit(price, 'done-cxl'))
    b.ib.placeOrder(idB, {...MES}, limit(farBid(sim), 'still-open'))
    await until(() => sim.venueRecords.byOrderRef('done-mkt')?.filled === 1 && sim.venueRecords.byOrderRef('still-open')?.accepted === 1, 'orders taken')
    await until(() => a.of(EventName.orderStatus).some((s) => s[0] === idA + 1 && s[1] === 'Submitted'), 'the limit working')
    a.ib.cancelOrder(idA + 1)
    await until(() => sim.venueRecords.byOrderRef('done-cxl')?.cancelled === 1, 'the cancel')

    b.ib.reqCompletedOrders(false)
    await until(() => b.of(EventName.completedOrdersEnd).length === 1, 'completedOrdersEnd')
    const done = b.of(EventName.completedOrder).map(([contract, order, state]) => ({contract, order, state}) as {contract: {conId: number; symbol: string}; order: Record<string, unknown>; state: Record<string, unknown>})
    expect(done.map((d) => d.order.orderRef)).toEqual(['done-mkt', 'done-cxl'])
    const [mkt, cxl] = done
    const perm = (ref: string) => sim.venueRecords.byOrderRef(ref)
    expect(mkt?.contract).toMatchObject({symbol: 'MES', conId: sim.broker.catalogue.front('MES')?.contract.conId})
    expect(mkt?.order).toMatchObject({action: 'SELL', orderType: 'MKT', totalQuantity: 1, filledQuantity: 1, tif: 'DAY'})
    expect(mkt?.state).toMatchObject({status: 'Filled', completedStatus: 'Filled', completedTime: expect.stringMatching(/^\d{8} \d\d:\d\d:\d\d UTC$/)})
    expect(cxl?.order).toMatchObject({action: 'BUY', orderType: 'LMT', lmtPrice: price, totalQuantity: 2, filledQuantity: 0, tif: 'GTC', parentPermId: 0})
    expect(cxl?.state).toMatchObject({status: 'Cancelled', completedStatus: 'Cancelled'})
    // A completedOrder carries no order id nor client id: the permId and orderRef name it.
    expect(cxl?.order.orderId).toBeUndefined()
    expect(typeof cxl?.order.permId).toBe('number')
    expect(perm('done-cxl')?.orderIds).toContain(idA + 1)
    // The connection is still in step: a later request is answered.
    b.ib.reqCompletedOrders(true)
    await until(() => b.of(EventName.completedOrdersEnd).length === 2, 'a second end')
    expect(b.of(EventName.completedOrder)).toHaveLength(4)
  })
})
