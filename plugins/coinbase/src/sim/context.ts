// What the Coinbase simulator's HTTP handlers share: the market, the account, the order side, the
// fault switches, the key and the clock.
import type {CoreRuntime} from '../../../../src/sectors/core-runtime.js'
import type {FaultSwitches, SimClock} from '../../../../src/sectors/sim/index.js'
import type {SimKey} from './credentials.js'
import type {Exchange, FeeRates, Outcome} from './exchange.js'
import type {CoinbaseSwitches} from './faults.js'
import type {Ledger} from './ledger.js'
import type {Market} from './market.js'
import type {RefusalName} from './refusals.js'

export interface SimAccount {
  uuid: string
  currency: string
  createdTs: number
}

export interface CoinbaseSimContext {
  core: CoreRuntime
  clock: SimClock
  market: Market
  ledger: Ledger
  exchange: Exchange
  faults: FaultSwitches<CoinbaseSwitches>
  key: SimKey
  /** One account (wallet) per currency, in the order the accounts list shows them. */
  accounts: SimAccount[]
  userId: string
  portfolioId: string
  fees: FeeRates
  /** Which refusal the `refuse` fault answers. */
  refuseReason: RefusalName
  /** Works the open orders up to the sim's now; returns now. */
  sync(): number
}

export interface RouteCall {
  params: string[]
  query: URLSearchParams
  body: unknown
  now: number
}

export interface Route {
  method: 'GET' | 'POST'
  /** Matched against the whole path; capture groups become params. */
  pattern: RegExp
  /** Needs a valid JWT (every /api/v3/brokerage path but /time and /market/*; v2 private paths). */
  auth: boolean
  handler(call: RouteCall): Outcome
}

export const ok = (body: Record<string, unknown>): Outcome => ({status: 200, body})

/** Coinbase's error layout for a bad argument (grpc-gateway style). */
export const invalid = (details: string): Outcome => ({status: 400, body: {error: 'INVALID_ARGUMENT', error_details: details, message: details}})

export const notFound = (details: string): Outcome => ({status: 404, body: {error: 'NOT_FOUND', error_details: details, message: details}})
