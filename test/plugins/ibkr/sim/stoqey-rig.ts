// The whole IBKR simulator (broker + wire + control endpoint) started for a test, and real @stoqey/ib
// clients connected to it over TCP, their events captured; both closed after each test.
import {type Contract, EventName, IBApi, SecType} from '@stoqey/ib'
import {afterEach} from 'vitest'

import {startIbkrSimulator, type IbkrRunningSimulator} from '../../../../plugins/ibkr/src/sim/index.js'
import {coreRuntime} from '../../../../src/sectors/core-runtime.js'
import {T0} from './harness.js'

export type Ev = {name: string; args: unknown[]}
const WATCHED = [EventName.nextValidId, EventName.managedAccounts, EventName.error, EventName.info, EventName.contractDetails, EventName.orderStatus, EventName.openOrder, EventName.openOrderEnd, EventName.execDetails, EventName.execDetailsEnd, EventName.commissionReport, EventName.position, EventName.positionEnd, EventName.currentTime, EventName.disconnected, EventName.completedOrder, EventName.completedOrdersEnd]

export const MES: Contract = {symbol: 'MES', secType: SecType.FUT, exchange: 'CME', currency: 'USD', lastTradeDateOrContractMonth: '202612'}

export interface StoqeyClient {
  ib: IBApi
  events: Ev[]
  of(name: EventName): unknown[][]
}

export async function until(cond: () => boolean, what: string, ms = 5000): Promise<void> {
  const end = Date.now() + ms
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 5))
  }
}

export interface StoqeyRig {
  start(speed: number): Promise<IbkrRunningSimulator>
  connect(sim: IbkrRunningSimulator, clientId: number): Promise<StoqeyClient>
  /** Forgets a simulator the test closed itself. */
  forget(sim: IbkrRunningSimulator): void
}

/** Registers the cleanup of the test file's simulators and clients (call once, at the top of the file). */
export function useStoqeyRig(): StoqeyRig {
  const sims: IbkrRunningSimulator[] = []
  const apis: IBApi[] = []
  afterEach(async () => {
    for (const ib of apis.splice(0)) ib.disconnect()
    await Promise.all(sims.splice(0).map((s) => s.close()))
  })
  return {
    async start(speed) {
      const sim = await startIbkrSimulator({core: coreRuntime, seed: 11, speed, startTs: T0})
      sims.push(sim)
      return sim
    },
    async connect(sim, clientId) {
      const ib = new IBApi({host: '127.0.0.1', port: sim.connection.port as number, clientId, maxReqPerSec: 40})
      apis.push(ib)
      const events: Ev[] = []
      // One listener type for every event watched (the SDK's overloads are per event).
      const on = ib.on.bind(ib) as (event: EventName, listener: (...args: unknown[]) => void) => IBApi
      for (const name of WATCHED) on(name, (...args: unknown[]) => events.push({name, args}))
      const of = (name: EventName): unknown[][] => events.filter((e) => e.name === name).map((e) => e.args)
      ib.connect()
      await until(() => of(EventName.managedAccounts).length > 0, 'managedAccounts')
      return {ib, events, of}
    },
    forget(sim) {
      const i = sims.indexOf(sim)
      if (i >= 0) sims.splice(i, 1)
    },
  }
}
