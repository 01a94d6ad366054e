// What the OANDA simulator's HTTP handlers share: the market, the account (ledger, orders,
// transactions), the order side, the fault switches and the clock.
import type {CoreRuntime} from '../../../../src/sectors/core-runtime.js'
import type {FaultSwitches, SimClock} from '../../../../src/sectors/sim/index.js'
import type {OandaBroker, Outcome} from './broker.js'
import type {Closeouts} from './closeouts.js'
import type {OandaSwitches} from './faults.js'
import type {Ledger} from './ledger.js'
import type {OandaMarket} from './market.js'
import type {SimOrder} from './model.js'
import type {TransactionLog} from './transactions.js'
import type {ViewContext} from './views.js'
import type {DateTimeFormat} from './wire.js'

export interface OandaSimContext {
  core: CoreRuntime
  clock: SimClock
  market: OandaMarket
  ledger: Ledger
  log: TransactionLog
  orders: Map<string, SimOrder>
  broker: OandaBroker
  closeouts: Closeouts
  view: ViewContext
  faults: FaultSwitches<OandaSwitches>
  accountID: string
  token: string
  /** Base URL of the REST server (transaction pages link to it). */
  restUrl(): string
  /** Brings the account up to the sim's now (pending orders over the price path); returns now. */
  sync(): number
}

/** One request as a route sees it. */
export interface RouteCall {
  params: string[]
  query: URLSearchParams
  body: unknown
  now: number
  requestID: string
  format: DateTimeFormat
}

export type RouteHandler = (call: RouteCall) => Outcome

export interface Route {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH'
  /** Matched against the path; capture groups become params. */
  pattern: RegExp
  handler: RouteHandler
}

export const ok = (body: Record<string, unknown>): Outcome => ({status: 200, body})
export const badRequest = (errorMessage: string): Outcome => ({status: 400, body: {errorMessage}})
