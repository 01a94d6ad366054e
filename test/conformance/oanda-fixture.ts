// OANDA as a conformance venue: rick's OANDA connector, built by the plugin's factory over the real
// @oanda/v20 SDK, against rick's OANDA simulator on 127.0.0.1 (port 0). The simulator runs on a
// ManualWall: its time (and so its prices) moves only when a step advances it, so a run is the same
// every time and never sleeps. Its REST API (with the account's token, through plain node:http) is
// the independent witness: quotes, and the order requests it recorded (its transactions).
import {request} from 'node:http'

import {createConnector} from '../../plugins/oanda/src/factory.js'
import {describeInstrument} from '../../plugins/oanda/src/instruments.js'
import {startOandaSimulator} from '../../plugins/oanda/src/sim/index.js'
import type {SectorConfig} from '../../src/foundation/config/types.js'
import type {Connector, ConnectorStatus} from '../../src/sectors/connector.js'
import {coreRuntime} from '../../src/sectors/core-runtime.js'
import {ManualWall} from '../../src/sectors/sim/clock.js'
import {until, type VenueFaults, type VenueFixture, type VenueSession} from './fixture.js'

/** A Tuesday, 14:00 UTC: the market is open. */
const T0 = Date.UTC(2024, 2, 5, 14, 0, 0)
/** Sim ms per wall ms, and the wall ms of one step: a step is ten minutes of the market. */
const SPEED = 600
const STEP_WALL_MS = 1_000
/** A settle moves the sim on by one events-stream heartbeat's wall interval (the sim clock's 20 ms minimum). */
const SETTLE_WALL_MS = 20
const INSTRUMENTS = ['EUR_USD', 'USD_JPY']
const TOKEN_ENV = 'OANDA_CONFORMANCE_TOKEN'
/** The factory's request timeout (its config's minimum is 1 s): what "no answer" costs a test. */
const TIMEOUT_MS = 1_000

export const oandaFixture: VenueFixture = {
  name: 'oanda (@oanda/v20 against the OANDA simulator)',
  venue: 'oanda',
  environment: 'simulator',
  capabilities: {brackets: true, stopOrders: true, stopLimitOrders: false, streaming: true, fractionalQty: false, shortSelling: true, spotHoldings: false},
  instruments: INSTRUMENTS,
  instrument: 'EUR_USD',
  qty: 1000,
  orderTypes: ['market', 'limit', 'stop'],
  accounting: 'margin',
  // No commission: OANDA's cost is the spread (fills at the bid or the ask).
  fee: () => 0,
  // OANDA keeps money to 1e-4 of the currency.
  moneyTolerancePerFill: 100,
  nearMove: 0.0005,
  cancelFinished: 'OrderNotFound',
  afterClose: 'refused',
  listenerErrors: 'isolated',
  faultInjection: true,
  start: startSession,
}

async function startSession(): Promise<VenueSession> {
  const wall = new ManualWall(0)
  const sim = await startOandaSimulator({core: coreRuntime, seed: 11, speed: SPEED, wall, startTs: T0, instruments: INSTRUMENTS, startingCash: 100_000})
  const token = String(sim.credentials.token)
  const rest = String(sim.endpoints.rest)
  const simNow = (): number => T0 + Math.floor(wall.now() * SPEED)
  const statuses: ConnectorStatus[] = []
  let connector: Connector | undefined
  let closed = false

  const get = (path: string): Promise<Record<string, unknown>> => getJson(`${rest}/v3/accounts/${sim.accountId}/${path}`, token)
  const faults: VenueFaults = {
    async ordersAtVenue(clientOrderId) {
      const body = await get('transactions/sinceid?id=0')
      const mine = (body.transactions as Array<{type: string; clientExtensions?: {id?: string}}>).filter((t) => t.clientExtensions?.id === clientOrderId)
      return {accepted: mine.filter((t) => /_ORDER$/.test(t.type)).length, refused: mine.filter((t) => /_ORDER_REJECT$/.test(t.type)).length}
    },
    submitUnanswered: () => sim.faults.set({submitTimeout: 1}),
    serverError: () => sim.faults.set({http5xx: 1}),
    revokeAuth() {
      sim.faults.set({revokeToken: true})
      return () => sim.faults.set({revokeToken: false})
    },
    // The delay runs on the ManualWall, which no test advances by two minutes: held until the sim closes.
    holdAnswers() {
      sim.faults.set({latencyMs: 120_000})
      return () => sim.faults.set({latencyMs: 0})
    },
  }

  // The events stream is one ordered connection: a heartbeat stamped after now comes after every
  // transaction the venue wrote before now, and so do the events the connector made of them.
  async function settle(): Promise<void> {
    if (closed) return
    const since = simNow()
    const beat = (): boolean => statuses.some((s) => s.kind === 'heartbeat' && s.stream === 'events' && s.ts > since)
    const tick = async (): Promise<void> => wall.advance(SETTLE_WALL_MS)
    await until('an events heartbeat after now', beat, {venue: {settle: async () => {}, step: tick}})
  }

  return {
    secrets: [token],
    faults,
    async open() {
      const sector: SectorConfig = {
        name: 'conformance', venue: 'oanda', enabled: true, mode: 'practice', profile: 'Balanced', risk: {}, instruments: INSTRUMENTS, strategy: {name: 'sma', params: {}}, secretsFiles: [],
        connection: {accountId: sim.accountId, tokenEnv: TOKEN_ENV, restUrl: rest, streamUrl: sim.endpoints.stream, timeoutMs: TIMEOUT_MS},
      }
      const c = await createConnector({
        sector, mode: 'practice', secrets: {[TOKEN_ENV]: token}, instruments: INSTRUMENTS.map((i) => describeInstrument(i)),
        clock: {now: simNow}, log: () => {}, core: coreRuntime,
      })
      connector = c
      // Once the connector is closed, no heartbeat will reach it: settle() then has nothing to wait for.
      const close = c.close.bind(c)
      c.close = async () => {
        closed = true
        await close()
      }
      c.onStatus?.((s) => void statuses.push(s))
      await c.connect()
      await until('the events stream', () => statuses.some((s) => s.kind === 'connected' && s.stream === 'events'))
      return c
    },
    async step() {
      wall.advance(STEP_WALL_MS)
      await settle()
    },
    settle,
    async quote(instrument) {
      const body = await get(`pricing?instruments=${instrument}`)
      const [price] = body.prices as Array<{bids: Array<{price: string}>; asks: Array<{price: string}>}>
      return {bid: Number(price?.bids[0]?.price), ask: Number(price?.asks[0]?.price)}
    },
    async close() {
      await connector?.close()
      await sim.close()
    },
  }
}

/** A GET on a fresh connection (no keep-alive: nothing of the witness outlives the request). */
function getJson(url: string, token: string): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    const req = request(url, {agent: false, headers: {Authorization: `Bearer ${token}`, 'Accept-Datetime-Format': 'RFC3339'}}, (res) => {
      let text = ''
      res.setEncoding('utf8')
      res.on('data', (d: string) => (text += d))
      res.on('end', () => {
        if (res.statusCode !== 200) return reject(new Error(`GET ${url}: ${res.statusCode} ${text}`))
        resolve(JSON.parse(text) as Record<string, unknown>)
      })
      res.on('error', reject)
    })
    req.on('error', reject)
    req.end()
  })
}
