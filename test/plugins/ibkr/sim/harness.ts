// A broker on a ManualWall, its events captured, and orders as a client writes them.
import {coreRuntime} from '../../../../src/sectors/core-runtime.js'
import {ManualWall, SimClock} from '../../../../src/sectors/sim/index.js'
import {IbkrBroker} from '../../../../plugins/ibkr/src/sim/broker.js'
import type {SimContract, SimEvent, SimOrder} from '../../../../plugins/ibkr/src/sim/seam.js'

/** Tuesday 8 December 2026, 09:00 in Chicago (regular hours of CME and of US stocks). */
export const T0 = Date.parse('2026-12-08T15:00:00Z')

export interface Harness {
  wall: ManualWall
  clock: SimClock
  broker: IbkrBroker
  events: SimEvent[]
  /** Moves wall (= sim) time by `ms` and lets the broker work, a second at a time. */
  advance(ms: number): void
  rejects: number
}

export function makeBroker(o: {seed?: number; startTs?: number; startingCash?: number} = {}): Harness {
  const wall = new ManualWall(1_000_000)
  const clock = new SimClock({startTs: o.startTs ?? T0, wall})
  const h: Harness = {
    wall,
    clock,
    events: [],
    rejects: 0,
    broker: new IbkrBroker({core: coreRuntime, seed: o.seed ?? 7, now: () => clock.now(), ...(o.startingCash === undefined ? {} : {startingCash: o.startingCash}), takeReject: () => (h.rejects > 0 ? (h.rejects--, true) : false)}),
    advance(ms) {
      for (let left = ms; left > 0; left -= 1000) {
        wall.advance(Math.min(1000, left))
        h.broker.pulse()
      }
    },
  }
  h.broker.onEvent((e) => h.events.push(e))
  return h
}

export function contract(fields: Partial<SimContract>): SimContract {
  return {conId: 0, symbol: '', secType: '', lastTradeDateOrContractMonth: '', strike: 0, right: '', multiplier: '', exchange: '', primaryExchange: '', currency: '', localSymbol: '', tradingClass: '', ...fields}
}

export const MES = contract({symbol: 'MES', secType: 'FUT', exchange: 'CME', currency: 'USD', lastTradeDateOrContractMonth: '202612'})
export const SPY = contract({symbol: 'SPY', secType: 'STK', exchange: 'SMART', currency: 'USD'})

export function order(orderId: number, fields: Partial<SimOrder> = {}): SimOrder {
  return {orderId, clientId: 1, permId: 0, action: 'BUY', totalQuantity: '1', orderType: 'MKT', lmtPrice: null, auxPrice: null, tif: 'DAY', ocaGroup: '', ocaType: 0, orderRef: `ref-${orderId}`, transmit: true, parentId: 0, outsideRth: false, account: '', ...fields}
}

/** The events about one order id, as `kind:status` (errors as `error:code`). */
export function trail(events: SimEvent[], orderId: number): string[] {
  const out: string[] = []
  for (const e of events) {
    if (e.kind === 'openOrder' && e.open.order.orderId === orderId) out.push(`open:${e.open.state.status}`)
    else if (e.kind === 'orderStatus' && e.status.orderId === orderId) out.push(`status:${e.status.status}`)
    else if (e.kind === 'execution' && e.execution.orderId === orderId) out.push('exec')
    else if (e.kind === 'error' && e.reqId === orderId) out.push(`error:${e.code}`)
  }
  return out
}

export function errors(events: SimEvent[]): Array<{reqId: number; code: number; message: string}> {
  return events.flatMap((e) => (e.kind === 'error' ? [{reqId: e.reqId, code: e.code, message: e.message}] : []))
}
