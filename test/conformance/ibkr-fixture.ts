// IBKR as a conformance venue: rick's IBKR connector, built by the plugin's factory over the real
// @stoqey/ib client, against rick's IBKR simulator on 127.0.0.1 (port 0), started in-process on a
// ManualWall: its prices, bars and matching move only when a step advances the wall. The witness is
// the simulator itself: its quotes (the broker's market) and its own record of the orders it was
// given under an orderRef (venueRecords), never the connector.
//
// The suite's fault hooks, as TWS has them (plugins/ibkr/src/sim/faults.ts): a submit never answered
// = silentOrders (the order is placed and fills, nothing about it reaches the client: the socket
// stalled after the write); a 5xx = unreachableOrders (TWS has just lost IB: the placeOrder is refused
// with 1100, not executed); a 401 = readOnlyApi (TWS's "Read-Only API" setting: orders refused with
// 321); held answers = stallAnswers (TWS executes, its answers wait). IBKR's own faults (1100/1101/1102,
// a Gateway restart, a dropped socket, 326, a fill while away) are tested in
// test/integration/ibkr-connector*.test.ts.
import type {IbkrConnector} from '../../plugins/ibkr/src/connector.js'
import {createConnector} from '../../plugins/ibkr/src/factory.js'
import {describeInstrument} from '../../plugins/ibkr/src/instruments.js'
import {startIbkrSimulator} from '../../plugins/ibkr/src/sim/index.js'
import type {SectorConfig} from '../../src/foundation/config/types.js'
import type {Fill} from '../../src/foundation/domain/orders.js'
import {coreRuntime} from '../../src/sectors/core-runtime.js'
import {ManualWall} from '../../src/sectors/sim/clock.js'
import type {VenueFaults, VenueFixture, VenueSession} from './fixture.js'

/** A Tuesday, 15:00 UTC (sim time at start): MES and SPY both trade. */
const T0 = Date.UTC(2026, 2, 3, 15, 0, 0)
/** Sim ms per wall ms: a one-second step is a minute of the market. */
const SPEED = 60
const STEP_WALL_MS = 1_000
const MES = 'MES-202603'
const SPECS = [
  {symbol: 'MES', secType: 'FUT', exchange: 'CME', currency: 'USD', lastTradeDateOrContractMonth: '202603'},
  {symbol: 'SPY', secType: 'STK', exchange: 'SMART', currency: 'USD', primaryExchange: 'ARCA'},
]
/**
 * IBKR Pro's tiered schedule for the micro e-minis, all-in per contract: IBKR USD 0.25 + CME's
 * exchange fee USD 0.35 + the NFA's regulatory fee USD 0.02 = USD 0.62 (independent of the price).
 */
const MES_FEE_MICRO_PER_CONTRACT = 620_000

export const ibkrFixture: VenueFixture = {
  name: 'ibkr (@stoqey/ib against the IBKR simulator)',
  venue: 'ibkr',
  environment: 'paper-account',
  capabilities: {brackets: true, stopOrders: true, stopLimitOrders: true, streaming: true, fractionalQty: false, shortSelling: true, spotHoldings: false},
  instruments: [MES, 'SPY'],
  instrument: MES,
  qty: 1,
  orderTypes: ['market', 'limit', 'stop', 'stop-limit'],
  // A future moves cash by its commission at the open and by its realized P&L at the close.
  accounting: 'margin',
  fee: (fill: Fill) => Math.round(fill.qty) * MES_FEE_MICRO_PER_CONTRACT,
  moneyTolerancePerFill: 0,
  nearMove: 0.0005,
  cancelFinished: 'OrderNotFound',
  afterClose: 'refused',
  listenerErrors: 'isolated',
  faultInjection: true,
  start: startSession,
}

async function startSession(): Promise<VenueSession> {
  const wall = new ManualWall(0)
  const sim = await startIbkrSimulator({core: coreRuntime, seed: 13, speed: SPEED, wall, startTs: T0, instruments: [MES, 'SPY'], startingCash: 1_000_000})
  let connector: IbkrConnector | undefined
  const faults: VenueFaults = {
    // TWS keeps no record of what it refused itself (321, 1100): a venue refusal is a 201 and such.
    async ordersAtVenue(clientOrderId) {
      const r = sim.venueRecords.byOrderRef(clientOrderId)
      return {accepted: r?.accepted ?? 0, refused: r?.refused ?? 0}
    },
    submitUnanswered: () => sim.faults.set({silentOrders: 1}),
    serverError: () => sim.faults.set({unreachableOrders: 1}),
    revokeAuth() {
      sim.faults.set({readOnlyApi: true})
      return () => sim.faults.set({readOnlyApi: false})
    },
    holdAnswers() {
      sim.faults.set({stallAnswers: true})
      return () => sim.faults.set({stallAnswers: false})
    },
  }
  return {
    secrets: [],
    faults,
    async open() {
      const sector: SectorConfig = {
        name: 'conformance', venue: 'ibkr', enabled: true, mode: 'paper', profile: 'Balanced', risk: {}, instruments: SPECS, strategy: {name: 'sma', params: {}}, secretsFiles: [],
        connection: {host: '127.0.0.1', port: Number(sim.connection.port), clientId: 7},
      }
      const c = (await createConnector(
        {sector, mode: 'paper', secrets: {}, instruments: SPECS.map((s) => describeInstrument(s)), clock: {now: () => sim.broker.now()}, log: () => {}, core: coreRuntime},
        {requestTimeoutMs: 2_000, submitTimeoutMs: 1_500, commissionWaitMs: 1_000},
      )) as IbkrConnector
      connector = c
      await c.connect()
      return c
    },
    async step() {
      wall.advance(STEP_WALL_MS)
      await connector?.settled()
    },
    async settle() {
      await connector?.settled()
    },
    async quote(instrument) {
      const p = sim.broker.catalogue.byInstrumentId(instrument)
      const q = p === undefined ? undefined : sim.broker.market.quote(p.contract.conId, sim.broker.now())
      if (q === undefined) throw new Error(`the simulator quotes no ${instrument}`)
      return {bid: q.bid, ask: q.ask}
    },
    async close() {
      await connector?.close()
      await sim.close()
    },
  }
}
