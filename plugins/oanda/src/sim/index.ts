// OANDA's v20 API, simulated on 127.0.0.1 (`rick sim oanda`, `rick run <sector> --sim`): a REST
// server (api-fxpractice's paths) and a stream server (stream-fxpractice's), one USD account without
// hedging, seeded prices, OANDA's accounting, and fault switches (faults.ts). Built from OANDA's v20
// reference and the @oanda/v20 SDK's definitions, so an official client works against it unchanged.
// Core's runtime values come only through `o.core` (this plugin imports core for types only).
import type {RunningSimulator, SimulatorOptions} from '../../../../src/sectors/definition.js'
import type {SectorConfig} from '../../../../src/foundation/config/types.js'
import type {WallClock} from '../../../../src/sectors/sim/index.js'
import {OandaApi} from './api.js'
import {OandaBroker} from './broker.js'
import {resolveInstruments} from './catalogue.js'
import {Closeouts} from './closeouts.js'
import type {OandaSimContext} from './context.js'
import {OANDA_SWITCHES} from './faults.js'
import {Ledger} from './ledger.js'
import {OandaMarket} from './market.js'
import type {SimOrder} from './model.js'
import {accountRoutes} from './routes-account.js'
import {marketRoutes} from './routes-market.js'
import {OandaStreams} from './streams.js'
import {TransactionLog} from './transactions.js'
import type {ViewContext} from './views.js'

/** What tests (and rick run --sim) may add to the plugin contract's options. */
export interface OandaSimulatorOptions extends SimulatorOptions {
  /** Wall clock and timers (default: the system's). Tests pass a ManualWall. */
  wall?: WallClock
  /** Sim time at start (default: the wall clock's now). */
  startTs?: number
}

/** The environment variable `connection.tokenEnv` names for a sector pointed at the simulator. */
export const SIM_TOKEN_ENV = 'OANDA_SIM_TOKEN'
/** Wall ms between two pulses (pending orders checked, price lines sent). */
const PULSE_MS = 100
const DEFAULT_CASH = 100_000

export async function startOandaSimulator(o: OandaSimulatorOptions): Promise<RunningSimulator> {
  const core = o.core
  const sim = core.sim
  const seed = (o.seed ?? 1) >>> 0
  const wall = o.wall ?? sim.systemWall()
  const startTs = Math.floor(o.startTs ?? wall.now())
  const clock = new sim.SimClock({startTs, speed: o.speed ?? 1, wall})
  const userID = 1_000_000 + (seed % 9_000_000)
  const accountID = `101-001-${userID}-001`
  const token = simToken(core.seededRandom(seed ^ 0x5eed5eed))
  const cash = o.startingCash ?? DEFAULT_CASH
  if (!(cash > 0) || !Number.isFinite(cash)) throw new Error(`startingCash must be a positive amount, found ${cash}`)

  const market = new OandaMarket(core, resolveInstruments(o.instruments), seed, startTs)
  const log = new TransactionLog(accountID, userID)
  // Money is micro units rounded to OANDA's 1e-4 (see ledger.ts).
  const ledger = new Ledger(market, Math.round(cash * 10_000) * 100)
  const orders = new Map<string, SimOrder>()
  let restUrl = ''
  const view: ViewContext = {sim, market, ledger, orders, accountID, userID, createdTime: startTs, lastTransactionID: () => log.lastID}
  const faults = new sim.FaultSwitches(OANDA_SWITCHES, {
    dropStreams: () => ({cut: hub.cutAll()}),
    placeExternalOrder: (args) => placeExternal(args),
  })
  const broker = new OandaBroker({core, market, ledger, log, view, orders, hideFill: () => faults.take('missFill')})
  const closeouts = new Closeouts({core, broker, ledger, log, view})
  const c: OandaSimContext = {
    core,
    clock,
    market,
    ledger,
    log,
    orders,
    broker,
    closeouts,
    view,
    faults,
    accountID,
    token,
    restUrl: () => restUrl,
    sync: () => {
      const now = clock.now()
      broker.process(now)
      return now
    },
  }
  faults.onChange((name, value) => {
    if (name === 'freezePrices') market.frozenAt = value === true ? clock.now() : undefined
    if (name === 'marketHalted') market.halted = value === true
  })

  // A new practice account: CREATE, then the deposit.
  const opening = log.batch(startTs)
  opening.add({type: 'CREATE', divisionID: 4, siteID: 101, accountUserID: userID, accountNumber: 1, homeCurrency: 'USD'})
  opening.add({type: 'TRANSFER_FUNDS', amount: view.sim.formatScaled(ledger.balance / 100, 4), fundingReason: 'CLIENT_FUNDING', accountBalance: view.sim.formatScaled(ledger.balance / 100, 4)})

  const hub = new sim.StreamHub()
  const streams = new OandaStreams(c, hub)
  const api = new OandaApi(c, [...accountRoutes(c), ...marketRoutes(c)], streams, seed)
  const onError = (res: import('node:http').ServerResponse, error: unknown): void => {
    o.log?.(`oanda sim: internal error: ${error instanceof Error ? error.stack ?? error.message : String(error)}`)
    if (res.headersSent) res.destroy()
    else sim.sendJsonText(res, 500, JSON.stringify({errorMessage: 'An internal server error occurred'}))
  }
  const rest = await sim.startHttpServer((req, res) => api.rest(req, res), {port: o.port ?? 0, onError})
  // With a fixed REST port the stream server takes the next one (OANDA has two hosts; so does the sim).
  const stream = await sim.startHttpServer((req, res) => api.stream(req, res), {port: o.port ? o.port + 1 : 0, onError}).catch(async (error: unknown) => {
    await rest.close()
    throw error
  })
  restUrl = rest.url

  let stopped = false
  let pulseTimer: number | undefined
  let pulses = 0
  const pulse = (): void => {
    if (stopped) return
    const now = c.sync()
    streams.pulse(now)
    // Forget old prices now and then (the history kept is weeks).
    if (++pulses % 600 === 0) market.trim(now)
    pulseTimer = wall.setTimeout(pulse, PULSE_MS)
  }
  pulseTimer = wall.setTimeout(pulse, PULSE_MS)

  function placeExternal(args: Record<string, unknown>): unknown {
    const instrument = typeof args.instrument === 'string' ? args.instrument : ([...market.instruments.keys()][0] as string)
    const order: Record<string, unknown> = {type: typeof args.type === 'string' ? args.type : 'MARKET', instrument, units: String(args.units ?? '1000')}
    if (args.price !== undefined) order.price = String(args.price)
    if (order.type !== 'MARKET') order.timeInForce = 'GTC'
    const outcome = broker.createOrder({order}, c.sync())
    return outcome.body
  }

  return {
    venue: 'oanda',
    endpoints: {rest: rest.url, stream: stream.url},
    accountId: accountID,
    credentials: {token},
    // The sector settings a real OANDA sector uses (config.ts), pointed here: the connector cannot tell.
    connection: {accountId: accountID, tokenEnv: SIM_TOKEN_ENV, restUrl: rest.url, streamUrl: stream.url},
    env(sector: SectorConfig): Record<string, string> {
      const named = sector.connection?.tokenEnv
      return {[SIM_TOKEN_ENV]: token, ...(typeof named === 'string' ? {[named]: token} : {})}
    },
    faults,
    async close() {
      stopped = true
      if (pulseTimer !== undefined) wall.clearTimeout(pulseTimer)
      hub.cutAll()
      await Promise.all([rest.close(), stream.close()])
    },
  }
}

/** A token shaped like OANDA's (32 hex, dash, 32 hex), from the seed: a test value, not a secret. */
function simToken(random: {next(): number}): string {
  const hex = (): string => Array.from({length: 32}, () => Math.floor(random.next() * 16).toString(16)).join('')
  return `${hex()}-${hex()}`
}
