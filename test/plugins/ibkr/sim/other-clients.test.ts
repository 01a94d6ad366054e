// The simulator against TWS API clients other than the one rick uses, and at other versions than
// the one @stoqey/ib asks for: what "any TWS API client works against it unchanged" means.
// - ib-tws-api (an independent port of IBKR's Python client, on npm) asks for v100..151.
// - @stoqey/ib through a proxy that rewrites its handshake's range, so the simulator negotiates an
//   older version and @stoqey/ib decodes every answer with that version's layout (its decoder follows
//   IBKR's EDecoder version by version).
// ib-tws-api 1.3.0 cannot read an openOrder message from any TWS: it reads orderComboLegsCount only
// when the order has combo legs (EDecoder reads it always) and then every field after it one place
// early. Its open orders are therefore not asserted here; the fields it reads right are.
import net from 'node:net'

import {EventName, IBApi, OrderAction, OrderType, SecType, type Contract} from '@stoqey/ib'
import {Client, Contract as TwsContract, Order as TwsOrder} from 'ib-tws-api'
import {afterEach, describe, expect, it, vi} from 'vitest'

import {startIbkrSimulator, type IbkrRunningSimulator} from '../../../../plugins/ibkr/src/sim/index.js'
import {coreRuntime} from '../../../../src/sectors/core-runtime.js'

const closers: Array<() => unknown> = []
afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close()
  vi.restoreAllMocks()
})

async function simulator(): Promise<IbkrRunningSimulator> {
  const sim = await startIbkrSimulator({core: coreRuntime, seed: 4, speed: 60, startTs: Date.UTC(2026, 11, 8, 16)})
  closers.push(() => sim.close())
  return sim
}

async function until(what: string, cond: () => boolean, ms = 5000): Promise<void> {
  const end = Date.now() + ms
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 5))
  }
}

/** A TCP proxy to the simulator that rewrites the client's `v100..N` to `v100..max`. */
async function versionProxy(port: number, max: number): Promise<number> {
  const server = net.createServer((client) => {
    const upstream = net.connect(port, '127.0.0.1')
    let first = true
    client.on('data', (chunk: Buffer) => {
      let data = chunk
      if (first) {
        first = false
        const text = chunk.toString('latin1')
        const rest = text.slice(text.indexOf('v100..')).replace(/^v100\.\.\d+/, `v100..${max}`)
        const length = Buffer.alloc(4)
        length.writeUInt32BE(Buffer.byteLength(rest, 'latin1'))
        data = Buffer.concat([Buffer.from('API\0', 'latin1'), length, Buffer.from(rest, 'latin1')])
      }
      upstream.write(data)
    })
    upstream.on('data', (d: Buffer) => client.write(d))
    client.on('close', () => upstream.destroy())
    upstream.on('close', () => client.destroy())
    client.on('error', () => {})
    upstream.on('error', () => {})
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  closers.push(() => new Promise((resolve) => server.close(resolve)))
  return (server.address() as net.AddressInfo).port
}

describe('ib-tws-api (v100..151) against rick sim ibkr', () => {
  it('connects, reads the clock and contract details, buys, cancels, and reads positions and history', async () => {
    const sim = await simulator()
    // It prints every message it has no handler for (executions, commission reports) to the console.
    vi.spyOn(console, 'log').mockImplementation(() => {})
    const api = new Client({host: '127.0.0.1', port: sim.connection.port as number, clientId: 5, timeoutMs: 5000})
    closers.push(() => api.disconnect?.())
    const time = await api.getCurrentTime()
    expect(Math.abs(time * 1000 - sim.broker.now())).toBeLessThan(5000)
    const [mes] = await api.getContractDetails(TwsContract.future({symbol: 'MES', exchange: 'CME', currency: 'USD', lastTradeDateOrContractMonth: '202612'}))
    expect(mes).toMatchObject({minTick: 0.25, contract: {symbol: 'MES', secType: 'FUT', localSymbol: 'MESZ6', multiplier: '5'}})
    await api.placeOrder({contract: TwsContract.stock('SPY'), order: TwsOrder.market({action: 'BUY', totalQuantity: 3})})
    await until('the fill at the venue', () => sim.venueRecords.executions().length === 1)
    const positions = (await api.getPositions()) as Record<string, {position: number; contract: {symbol: string}}>
    expect(Object.values(positions).map((p) => [p.contract.symbol, p.position])).toEqual([['SPY', 3]])
    const resting = await api.placeOrder({contract: TwsContract.stock('SPY'), order: TwsOrder.limit({action: 'BUY', totalQuantity: 1, lmtPrice: 1})})
    expect(await api.cancelOrder(resting)).toMatchObject({code: '202'})
    const history = (await api.getHistoricalData({contract: TwsContract.stock('SPY'), endDateTime: '', duration: '1800 S', barSizeSetting: '1 min', whatToShow: 'TRADES', useRth: 0, formatDate: 1})) as {bars: Array<{open: number; high: number; low: number; close: number}>}
    expect(history.bars.length).toBeGreaterThanOrEqual(29)
    for (const b of history.bars) expect(b.low <= Math.min(b.open, b.close) && b.high >= Math.max(b.open, b.close)).toBe(true)
  })
})

describe('@stoqey/ib against rick sim ibkr at older server versions', () => {
  it.each([151, 166, 176, 187, 193])('at version %i: openOrder, orderStatus, execDetails, commissionReport and errors decode whole', async (max) => {
    const sim = await simulator()
    const ib = new IBApi({host: '127.0.0.1', port: await versionProxy(sim.connection.port as number, max), clientId: 3, maxReqPerSec: 40})
    closers.push(() => ib.disconnect())
    const seen: Array<[string, unknown[]]> = []
    for (const name of [EventName.server, EventName.nextValidId, EventName.openOrder, EventName.orderStatus, EventName.execDetails, EventName.commissionReport, EventName.error]) ib.on(name, (...a: unknown[]) => seen.push([name, a]))
    const of = (name: EventName): unknown[][] => seen.filter(([n]) => n === name).map(([, a]) => a)
    ib.connect()
    await until('nextValidId', () => of(EventName.nextValidId).length > 0)
    expect(of(EventName.server)[0]?.[0]).toBe(max)
    const id = of(EventName.nextValidId)[0]![0] as number
    const spy: Contract = {symbol: 'SPY', secType: SecType.STK, exchange: 'SMART', currency: 'USD'}
    ib.placeOrder(id, spy, {action: OrderAction.BUY, orderType: OrderType.LMT, lmtPrice: 1, totalQuantity: 2, orderRef: `rest-${max}`, tif: 'GTC', transmit: true})
    ib.placeOrder(id + 1, spy, {action: OrderAction.BUY, orderType: OrderType.MKT, totalQuantity: 1, orderRef: `take-${max}`, transmit: true})
    ib.placeOrder(id + 2, spy, {action: OrderAction.BUY, orderType: OrderType.LMT, lmtPrice: 1.001, totalQuantity: 1, orderRef: `tick-${max}`, transmit: true})
    await until('the fill and its commission', () => of(EventName.commissionReport).length > 0)
    await until('the refusal of the off-tick price', () => of(EventName.error).some((a) => a[1] === 110))
    const open = of(EventName.openOrder).find((a) => a[0] === id)!
    expect(open[2]).toMatchObject({orderRef: `rest-${max}`, lmtPrice: 1, totalQuantity: 2, tif: 'GTC', action: 'BUY', orderType: 'LMT'})
    expect(open[3]).toMatchObject({status: expect.stringMatching(/^(PreSubmitted|Submitted)$/)})
    expect(of(EventName.orderStatus).some((a) => a[0] === id + 1 && a[1] === 'Filled' && a[2] === 1)).toBe(true)
    const exec = of(EventName.execDetails)[0]![2] as {orderRef: string; side: string; shares: number; price: number; acctNumber: string}
    expect(exec).toMatchObject({orderRef: `take-${max}`, side: 'BOT', shares: 1, acctNumber: sim.accountId})
    expect(of(EventName.commissionReport)[0]![0]).toMatchObject({commission: 1, currency: 'USD'})
    const refusal = of(EventName.error).find((a) => a[1] === 110)!
    expect(refusal[2]).toBe(id + 2)
  })
})
