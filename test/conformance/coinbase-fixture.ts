// Coinbase as a conformance venue: rick's Coinbase connector, built by the plugin's factory over the
// real ccxt client and rick's websocket reader, against rick's Coinbase simulator on 127.0.0.1
// (port 0). The simulator runs on a ManualWall that starts at the real time (ccxt signs its JWTs
// with the process clock and the simulator checks them against its wall): its prices, heartbeats
// and the connector's own watchdog and polls move only when a step advances it. Its REST API,
// signed with the session's key through plain node:http, is the independent witness: quotes, the
// fee tier, and the orders it holds under a client order id.
import {createPrivateKey, randomBytes, sign, type KeyObject} from 'node:crypto'
import {request} from 'node:http'

import type {CoinbaseConnector} from '../../plugins/coinbase/src/connector.js'
import {createConnector} from '../../plugins/coinbase/src/factory.js'
import {describeInstrument} from '../../plugins/coinbase/src/instruments.js'
import {startCoinbaseSimulator} from '../../plugins/coinbase/src/sim/index.js'
import type {SectorConfig} from '../../src/foundation/config/types.js'
import {decimalsOf, type Instrument} from '../../src/foundation/domain/instrument.js'
import type {Fill} from '../../src/foundation/domain/orders.js'
import type {ConnectorStatus} from '../../src/sectors/connector.js'
import {coreRuntime} from '../../src/sectors/core-runtime.js'
import {ManualWall} from '../../src/sectors/sim/clock.js'
import {until, type VenueFaults, type VenueFixture, type VenueSession} from './fixture.js'

/** A weekday, 14:00 UTC (sim time at start). */
const T0 = Date.UTC(2026, 2, 3, 14, 0, 0)
/** Sim ms per wall ms: a one-second step is a minute of the market. */
const SPEED = 60
const STEP_WALL_MS = 1_000
/** The simulator sends a heartbeat every wall second; settle moves the wall this much at a time until one comes. */
const SETTLE_WALL_MS = 100
const INSTRUMENTS = ['BTC-USD', 'ETH-USD']
const KEY_ENV = 'COINBASE_CONFORMANCE_KEY'
const SECRET_ENV = 'COINBASE_CONFORMANCE_SECRET'
/** The factory's request timeout: what "no answer" costs a test (real time; ccxt's own timer). */
const TIMEOUT_MS = 1_000
/** The simulator's fee tier (its default is Coinbase's Intro tier); the fixture prices fills with it on its own. */
const FEES = {maker: '0.005', taker: '0.009'}

export const coinbaseFixture: VenueFixture = {
  name: 'coinbase (ccxt against the Coinbase simulator)',
  venue: 'coinbase',
  environment: 'simulator',
  capabilities: {brackets: false, stopOrders: false, stopLimitOrders: true, streaming: true, fractionalQty: true, shortSelling: false, spotHoldings: true},
  instruments: INSTRUMENTS,
  instrument: 'BTC-USD',
  qty: 0.01,
  orderTypes: ['market', 'limit', 'stop-limit'],
  accounting: 'spot',
  fee: feeAtTier,
  // Fees are kept exact by Coinbase (no rounding to the cent); rick's micro units round once per fill.
  moneyTolerancePerFill: 2,
  nearMove: 0.001,
  cancelFinished: 'OrderNotFound',
  afterClose: 'refused',
  listenerErrors: 'isolated',
  faultInjection: true,
  start: startSession,
}

/**
 * The fee of a fill at the tier, computed exactly: price and quantity as integers of their tick and
 * lot, the rate as an integer of its decimals, the product rounded half up to micro units.
 */
function feeAtTier(fill: Fill, spec: Instrument): number {
  const rate = fill.liquidity === 'maker' ? FEES.maker : FEES.taker
  const pd = decimalsOf(spec.tickSize)
  const qd = decimalsOf(spec.lotSize)
  const rd = rate.split('.')[1]?.length ?? 0
  const p = BigInt(Math.round(fill.price * 10 ** pd))
  const q = BigInt(Math.round(fill.qty * 10 ** qd))
  const r = BigInt(rate.replace('.', ''))
  const scale = 10n ** BigInt(pd + qd + rd)
  const micro = p * q * r * 1_000_000n
  return Number((micro + scale / 2n) / scale)
}

async function startSession(): Promise<VenueSession> {
  const wall = new ManualWall(Date.now())
  const wall0 = wall.now()
  const sim = await startCoinbaseSimulator({core: coreRuntime, seed: 11, speed: SPEED, wall, startTs: T0, instruments: INSTRUMENTS, startingCash: 100_000, fees: FEES})
  const keyName = String(sim.credentials.apiKey)
  const pem = String(sim.credentials.apiSecret)
  const key = createPrivateKey(pem)
  const rest = String(sim.endpoints.rest)
  const simNow = (): number => T0 + (wall.now() - wall0) * SPEED
  const statuses: ConnectorStatus[] = []
  let connector: CoinbaseConnector | undefined
  let closed = false

  const get = (path: string): Promise<Record<string, unknown>> => signedGet(rest, path, keyName, key)
  const faults: VenueFaults = {
    async ordersAtVenue(clientOrderId) {
      let accepted = 0
      let cursor = ''
      for (let page = 0; page < 100; page++) {
        const body = await get(`/api/v3/brokerage/orders/historical/batch?limit=250${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`)
        accepted += (body.orders as Array<{client_order_id?: string}>).filter((o) => o.client_order_id === clientOrderId).length
        cursor = typeof body.cursor === 'string' ? body.cursor : ''
        if (body.has_next !== true || cursor === '') break
      }
      // Coinbase keeps no record of an order it refused (success:false creates nothing).
      return {accepted, refused: 0}
    },
    submitUnanswered: () => sim.faults.set({submitTimeout: 1}),
    serverError: () => sim.faults.set({http5xx: 1}),
    revokeAuth() {
      sim.faults.set({revokeKey: true})
      return () => sim.faults.set({revokeKey: false})
    },
    // The delay runs on the ManualWall, which no test advances by two minutes: held until the sim closes.
    holdAnswers() {
      sim.faults.set({latencyMs: 120_000})
      return () => sim.faults.set({latencyMs: 0})
    },
  }

  // The user channel is one ordered connection: a heartbeat stamped after now comes after every
  // order change the venue sent before now; then the connector's own reads of those orders' fills
  // (settled()) finish before the events are complete.
  async function settle(): Promise<void> {
    if (closed) return
    const since = simNow()
    const beat = (): boolean => statuses.some((s) => s.kind === 'heartbeat' && s.stream === 'events' && s.ts > since)
    await until('a user-channel heartbeat after now', beat, {venue: {settle: async () => {}, step: async () => wall.advance(SETTLE_WALL_MS)}})
    await connector?.settled()
  }

  return {
    secrets: [pem, ...pem.split('\n').filter((l) => l.length > 20 && !l.startsWith('-----'))],
    faults,
    async open() {
      const sector: SectorConfig = {
        name: 'conformance', venue: 'coinbase', enabled: true, mode: 'canary', profile: 'Balanced', risk: {}, instruments: INSTRUMENTS, strategy: {name: 'sma', params: {}}, secretsFiles: [],
        connection: {apiKeyEnv: KEY_ENV, apiSecretEnv: SECRET_ENV, restUrl: rest, wsUrl: sim.endpoints.ws, timeoutMs: TIMEOUT_MS},
      }
      const c = (await createConnector(
        {sector, mode: 'canary', secrets: {[KEY_ENV]: keyName, [SECRET_ENV]: pem}, instruments: INSTRUMENTS.map((i) => describeInstrument(i)), clock: {now: simNow}, log: () => {}, core: coreRuntime},
        {ccxtRateLimit: false, timers: {now: () => wall.now(), setTimeout: (fn, ms) => wall.setTimeout(fn, ms), clearTimeout: (h) => wall.clearTimeout(h as number)}},
      )) as CoinbaseConnector
      connector = c
      const close = c.close.bind(c)
      c.close = async () => {
        closed = true
        await close()
      }
      c.onStatus((s) => void statuses.push(s))
      await c.connect()
      await until('the user channel', () => statuses.some((s) => s.kind === 'connected' && s.stream === 'events'))
      return c
    },
    async step() {
      wall.advance(STEP_WALL_MS)
      await settle()
    },
    settle,
    async quote(instrument) {
      const body = await get(`/api/v3/brokerage/best_bid_ask?product_ids=${encodeURIComponent(instrument)}`)
      const [book] = body.pricebooks as Array<{bids: Array<{price: string}>; asks: Array<{price: string}>}>
      return {bid: Number(book?.bids[0]?.price), ask: Number(book?.asks[0]?.price)}
    },
    async close() {
      await connector?.close()
      await sim.close()
    },
  }
}

/** A signed GET on a fresh connection (no keep-alive: nothing of the witness outlives the request). */
function signedGet(base: string, path: string, keyName: string, key: KeyObject): Promise<Record<string, unknown>> {
  const url = new URL(path, base)
  const now = Math.floor(Date.now() / 1000)
  const b64 = (v: object): string => Buffer.from(JSON.stringify(v)).toString('base64url')
  // A CDP JWT as Coinbase's own SDKs build it: ES256, kid and sub the key name, uri "METHOD host/path".
  const head = b64({alg: 'ES256', kid: keyName, nonce: randomBytes(16).toString('hex'), typ: 'JWT'})
  const claims = b64({sub: keyName, iss: 'cdp', nbf: now, exp: now + 120, uri: `GET ${url.host}${url.pathname}`})
  const jwt = `${head}.${claims}.${sign('sha256', Buffer.from(`${head}.${claims}`), {key, dsaEncoding: 'ieee-p1363'}).toString('base64url')}`
  return new Promise((resolve, reject) => {
    const req = request(url, {agent: false, headers: {Authorization: `Bearer ${jwt}`}}, (res) => {
      let text = ''
      res.setEncoding('utf8')
      res.on('data', (d: string) => (text += d))
      res.on('end', () => {
        if (res.statusCode !== 200) return reject(new Error(`GET ${path}: ${res.statusCode} ${text}`))
        resolve(JSON.parse(text) as Record<string, unknown>)
      })
      res.on('error', reject)
    })
    req.on('error', reject)
    req.end()
  })
}
