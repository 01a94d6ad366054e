// Coinbase Advanced Trade, simulated on 127.0.0.1 (`rick sim coinbase`, `rick run <sector> --sim`):
// the REST API (/api/v3/brokerage/..., and the v2 paths ccxt loads markets with) and the websocket
// feed (ws-server.ts), one spot account (USD cash and a wallet per coin), seeded prices, Coinbase's
// order rules and fees, CDP JWT authentication with a key pair made at start, and fault switches
// (faults.ts). Built from Coinbase's reference and the SDKs' sources, so that ccxt and Coinbase's
// own clients work against it unchanged. Core's runtime values come only through `o.core`.
import type {ServerResponse} from 'node:http'

import type {SectorConfig} from '../../../../src/foundation/config/types.js'
import type {RunningSimulator, SimulatorOptions} from '../../../../src/sectors/definition.js'
import type {WallClock} from '../../../../src/sectors/sim/index.js'
import {CoinbaseApi} from './api.js'
import {resolveProducts} from './catalogue.js'
import type {CoinbaseSimContext, SimAccount} from './context.js'
import {makeSimKey, seededUuid} from './credentials.js'
import {Exchange} from './exchange.js'
import {COINBASE_SWITCHES} from './faults.js'
import {ExchangeFeed} from './feed.js'
import {Ledger} from './ledger.js'
import {Market} from './market.js'
import {parseUnits, units, type Units} from './money.js'
import {isRefusalName, REFUSALS, type RefusalName} from './refusals.js'
import {accountRoutes} from './routes-account.js'
import {marketRoutes} from './routes-market.js'

/** What tests (and rick run --sim) may add to the plugin contract's options. */
export interface CoinbaseSimulatorOptions extends SimulatorOptions {
  /** Wall clock and timers (default: the system's). Tests pass a ManualWall. */
  wall?: WallClock
  /** Sim time at start (default: the wall clock's now). */
  startTs?: number
  /** Coins the account holds at start besides its USD cash, as decimal strings: {BTC: '0.5'}. */
  balances?: Readonly<Record<string, string>>
  /** The fee tier's rates (default Coinbase's Intro tier for US accounts: maker 0.5 %, taker 0.9 %). */
  fees?: {maker: string; taker: string}
}

/** The environment variables a sector pointed at the simulator reads its key pair from. */
export const SIM_API_KEY_ENV = 'COINBASE_SIM_API_KEY'
export const SIM_API_SECRET_ENV = 'COINBASE_SIM_API_SECRET'
/** Wall ms between two pulses (open orders worked, market moves sent to the websocket). */
const PULSE_MS = 100
const DEFAULT_CASH = 100_000
const DEFAULT_FEES = {maker: '0.005', taker: '0.009'}

export async function startCoinbaseSimulator(o: CoinbaseSimulatorOptions): Promise<RunningSimulator> {
  const core = o.core
  const sim = core.sim
  const seed = (o.seed ?? 1) >>> 0
  const wall = o.wall ?? sim.systemWall()
  const startTs = Math.floor(o.startTs ?? wall.now())
  const clock = new sim.SimClock({startTs, speed: o.speed ?? 1, wall})
  const cash = o.startingCash ?? DEFAULT_CASH
  if (!(cash > 0) || !Number.isFinite(cash)) throw new Error(`startingCash must be a positive amount, found ${cash}`)
  const fees = readFees(o.fees ?? DEFAULT_FEES)

  const ids = core.seededRandom(seed ^ 0xc0ba5e)
  const key = makeSimKey(core.seededRandom(seed ^ 0x6e7c0de))
  const userId = seededUuid(ids)
  const portfolioId = seededUuid(ids)
  const products = resolveProducts(o.instruments)
  const market = new Market(core, products, seed, startTs)
  const currencies = ['USD', ...new Set(products.flatMap((p) => [p.base, p.quote]).filter((c) => c !== 'USD'))]
  const accounts: SimAccount[] = currencies.map((currency) => ({uuid: seededUuid(ids), currency, createdTs: startTs}))
  const ledger = new Ledger(currencies)
  // Cash in exact cents, whatever float it came as.
  ledger.deposit('USD', units(cash.toFixed(2)))
  for (const [currency, amount] of Object.entries(o.balances ?? {})) {
    const v = parseUnits(amount)
    if (v === undefined || !currencies.includes(currency)) throw new Error(`balances: ${currency} ${amount} is not a decimal amount of a listed currency (${currencies.join(', ')})`)
    ledger.deposit(currency, v)
  }
  const exchange = new Exchange({core, market, ledger, fees, ids})
  let refuseReason: RefusalName = 'INSUFFICIENT_FUND'
  let ws: {url: string; cutAll(): number; close(): Promise<void>} | undefined
  const faults = new sim.FaultSwitches(COINBASE_SWITCHES, {
    dropStreams: () => ({cut: ws?.cutAll() ?? 0}),
    placeExternalOrder: (args) => placeExternal(args),
    refuse: (args): {refuse: number; reason: RefusalName} => {
      const count = args.count ?? 1
      if (args.reason !== undefined && !isRefusalName(args.reason)) throw new TypeError(`refuse: reason must be one of ${Object.keys(REFUSALS).join(', ')}`)
      faults.set({refuse: count})
      if (isRefusalName(args.reason)) refuseReason = args.reason
      return {refuse: faults.value('refuse'), reason: refuseReason}
    },
  })
  const c: CoinbaseSimContext = {
    core,
    clock,
    market,
    ledger,
    exchange,
    faults,
    key,
    accounts,
    userId,
    portfolioId,
    fees,
    get refuseReason() {
      return refuseReason
    },
    sync: () => {
      const now = clock.now()
      exchange.process(now)
      return now
    },
  }
  faults.onChange((name, value) => {
    if (name === 'freezePrices') market.frozenAt = value === true ? clock.now() : undefined
  })
  const feed = new ExchangeFeed({market, exchange, key, userId, portfolioId, now: () => clock.now(), wallNow: () => wall.now(), revoked: () => faults.value('revokeKey')})

  const api = new CoinbaseApi(c, [...marketRoutes(c), ...accountRoutes(c)])
  const onError = (res: ServerResponse, error: unknown): void => {
    o.log?.(`coinbase sim: internal error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`)
    if (res.headersSent) res.destroy()
    else sim.sendJsonText(res, 500, JSON.stringify({error: 'INTERNAL', error_details: 'internal error', message: 'internal error'}))
  }
  const rest = await sim.startHttpServer((req, res) => api.handle(req, res), {port: o.port ?? 0, onError})
  try {
    // ws is a third-party package: loaded only when a simulator really starts.
    const {startCoinbaseWs} = await import('./ws-server.js')
    // With a fixed REST port the websocket takes the next one (Coinbase has two hosts; so does the sim).
    ws = await startCoinbaseWs({feed, port: o.port ? o.port + 1 : 0, faults, wall, ...(o.log ? {log: o.log} : {})})
  } catch (error) {
    await rest.close()
    throw error
  }
  const wsUrl = ws.url

  let stopped = false
  let pulseTimer: number | undefined
  let pulses = 0
  const pulse = (): void => {
    if (stopped) return
    const now = c.sync()
    feed.pulse(now)
    // Forget old prices now and then (the history kept is weeks).
    if (++pulses % 600 === 0) market.trim(now)
    pulseTimer = wall.setTimeout(pulse, PULSE_MS)
  }
  pulseTimer = wall.setTimeout(pulse, PULSE_MS)

  function placeExternal(args: Record<string, unknown>): unknown {
    const productId = typeof args.product_id === 'string' ? args.product_id : ([...market.products.keys()][0] as string)
    const side = args.side === 'SELL' ? 'SELL' : 'BUY'
    const size = typeof args.base_size === 'string' ? args.base_size : undefined
    // Without a size: a small market buy in quote (what someone clicking "buy $10" sends).
    const config =
      typeof args.limit_price === 'string' && size !== undefined
        ? {limit_limit_gtc: {base_size: size, limit_price: args.limit_price, post_only: false}}
        : size !== undefined
          ? {market_market_ioc: {base_size: size}}
          : {market_market_ioc: {quote_size: typeof args.quote_size === 'string' ? args.quote_size : '10'}}
    // An order from Coinbase's own app carries Coinbase's id, not one rick made.
    return exchange.create({client_order_id: seededUuid(ids), product_id: productId, side, order_configuration: config}, c.sync(), {external: true}).body
  }

  return {
    venue: 'coinbase',
    endpoints: {rest: rest.url, ws: wsUrl},
    accountId: portfolioId,
    credentials: {apiKey: key.name, apiSecret: key.privatePem},
    // The sector settings a real Coinbase sector uses (config.ts), pointed here: the connector cannot tell.
    connection: {apiKeyEnv: SIM_API_KEY_ENV, apiSecretEnv: SIM_API_SECRET_ENV, restUrl: rest.url, wsUrl},
    env(sector: SectorConfig): Record<string, string> {
      const out: Record<string, string> = {[SIM_API_KEY_ENV]: key.name, [SIM_API_SECRET_ENV]: key.privatePem}
      const keyEnv = sector.connection?.apiKeyEnv
      const secretEnv = sector.connection?.apiSecretEnv
      if (typeof keyEnv === 'string') out[keyEnv] = key.name
      if (typeof secretEnv === 'string') out[secretEnv] = key.privatePem
      return out
    },
    faults,
    async close() {
      stopped = true
      if (pulseTimer !== undefined) wall.clearTimeout(pulseTimer)
      await Promise.all([rest.close(), ws?.close()])
    },
  }
}

function readFees(f: {maker: string; taker: string}): {maker: Units; taker: Units} {
  const maker = parseUnits(f.maker)
  const taker = parseUnits(f.taker)
  if (maker === undefined || taker === undefined || maker >= units('1') || taker >= units('1')) throw new Error(`fees: maker and taker must be decimal rates below 1, found ${f.maker} / ${f.taker}`)
  return {maker, taker}
}
