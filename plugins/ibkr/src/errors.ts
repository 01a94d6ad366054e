// What TWS says (its numbered messages) as rick's outcomes, in one place.
//
// @stoqey/ib emits a TWS message with id -1 as `info(message, code)` and one with an id ≥ 0 as
// `error(Error, code, id)`; its own socket failures come as `error` with id -1 (502 could not
// connect, 504 not connected). The id of an `error` is an order id or a request id: rick keeps the
// two apart by giving requests ids from REQUEST_ID_BASE up (connector-requests.ts).
//
// | code                  | TWS says                                              | rick                                                  |
// |-----------------------|-------------------------------------------------------|-------------------------------------------------------|
// | 1100                  | connectivity between TWS and IB lost                  | link 'lost': disconnected on 'prices' and 'events'    |
// | 1100 on an order id   | TWS refused that placeOrder: it has lost IB           | NetworkError Disconnected; the order was not placed   |
// | 1101                  | restored, data lost                                   | link 'restored-data-lost': resubscribe, reconcile, up |
// | 1102                  | restored, data maintained                             | link 'restored': reconcile, then connected            |
// | 1300                  | TWS socket port reset (reconnect on the new port)     | link 'socket-reset': drop the socket and reconnect    |
// | 2103 2105 2157        | a data farm connection is broken                      | log                                                   |
// | 2104 2106 2158 2107…  | a data farm connection is OK / inactive               | log                                                   |
// | 2100-2170 others, 399 | warnings, order messages                              | log                                                   |
// | 326                   | client id already in use                              | fatal ClientIdInUse (names connection.clientId)       |
// | 502, 504, 1300        | cannot connect / not connected                        | link 'socket': disconnected, reconnect with backoff   |
// | 100                   | max message rate exceeded (TWS then disconnects)      | NetworkError RateLimited                              |
// | 201 (margin, funds)   | order rejected: insufficient equity / margin          | BrokerError InsufficientFunds                         |
// | 201 (other)           | order rejected - reason                               | BrokerError InvalidOrder                              |
// | 110                   | price does not conform to the minimum price variation | BrokerError InvalidOrder                              |
// | 103                   | duplicate order id                                    | BrokerError InvalidOrder (nothing placed)             |
// | 321 "Read-Only mode"  | TWS's "Read-Only API" setting is on: no orders        | BrokerError AuthFailed (names the setting); not sent  |
// | 200, 203, 321, 434…   | no such contract, not allowed, invalid request/size   | BrokerError InvalidOrder                              |
// | 387, 10052            | order type / tif not supported                        | BrokerError Unsupported                               |
// | 202                   | order cancelled (also the answer to a cancel)         | a cancel of that order                                |
// | 10147, 135, 10149     | the order to cancel / modify is not found             | OrderNotFound — the connector asks TWS, never assumes |
// | 161, 10148            | the order cannot be cancelled in its state            | OrderNotFound (finished) after asking TWS             |
// | 162 165 166 321 366   | historical data refused / pacing / no data            | NetworkError RateLimited (pacing) or BrokerError      |
// | 354 10167 10168 10197 | market data not subscribed / delayed / competing      | log (ticks come from what is sent)                    |
// | anything else ≥ 0     | an error about that order or request                  | BrokerError InvalidOrder                              |
import type {BrokerErrorKind} from '../../../src/foundation/domain/broker-errors.js'
import type {CoreRuntime} from '../../../src/sectors/core-runtime.js'

export type ErrorClasses = Pick<CoreRuntime, 'BrokerError' | 'NetworkError'>

/** What a connectivity message means for the link between rick, TWS and IB's servers. */
export type LinkChange = 'lost' | 'restored' | 'restored-data-lost' | 'socket' | 'socket-reset'

export type Classified =
  | {kind: 'link'; change: LinkChange}
  | {kind: 'fatal'; code: 'ClientIdInUse'}
  | {kind: 'log'}
  | {kind: 'cancelled'}
  | {kind: 'not-found'}
  | {kind: 'not-cancellable'}
  | {kind: 'rate-limited'}
  | {kind: 'refused'; error: BrokerErrorKind}

const LINK: Readonly<Record<number, LinkChange>> = {1100: 'lost', 1101: 'restored-data-lost', 1102: 'restored', 1300: 'socket-reset', 502: 'socket', 504: 'socket'}

/** Codes that say something worth a line and nothing more. */
const LOG_ONLY = new Set([399, 404, 354, 2100, 2101, 2102, 2103, 2104, 2105, 2106, 2107, 2108, 2109, 2110, 2119, 2137, 2148, 2157, 2158, 2168, 2169, 10167, 10168, 10197, 10311, 501])

const REFUSALS: Readonly<Record<number, BrokerErrorKind>> = {
  103: 'InvalidOrder',
  104: 'InvalidOrder',
  105: 'InvalidOrder',
  106: 'InvalidOrder',
  107: 'InvalidOrder',
  109: 'InvalidOrder',
  110: 'InvalidOrder',
  111: 'InvalidOrder',
  116: 'InvalidOrder',
  117: 'InvalidOrder',
  200: 'InvalidOrder',
  201: 'InvalidOrder',
  203: 'InvalidOrder',
  321: 'InvalidOrder',
  322: 'InvalidOrder',
  382: 'InvalidOrder',
  383: 'InvalidOrder',
  387: 'Unsupported',
  434: 'InvalidOrder',
  10052: 'Unsupported',
}

/** A 201's reason that means the account lacks the money (TWS: "Your order is not accepted because your Equity with Loan Value …", "insufficient …margin"). */
const FUNDS = /insufficient|margin|equity with loan|buying power|available funds/i
/** 321's cause when TWS's "Read-Only API" setting is on ("The API interface is currently in Read-Only mode."). */
const READ_ONLY = /read-only mode/i
/** Historical-data refusals that are pacing (162 with "pacing violation"). */
const PACING = /pacing/i

export function classify(code: number, message: string): Classified {
  const change = LINK[code]
  if (change !== undefined) return {kind: 'link', change}
  if (code === 326) return {kind: 'fatal', code: 'ClientIdInUse'}
  if (code === 100) return {kind: 'rate-limited'}
  if (code === 202) return {kind: 'cancelled'}
  if (code === 10147 || code === 135 || code === 10149) return {kind: 'not-found'}
  if (code === 161 || code === 10148) return {kind: 'not-cancellable'}
  if ((code === 162 || code === 420) && PACING.test(message)) return {kind: 'rate-limited'}
  if (LOG_ONLY.has(code) || (code >= 2100 && code < 2200)) return {kind: 'log'}
  if (code === 201 && FUNDS.test(message)) return {kind: 'refused', error: 'InsufficientFunds'}
  if (code === 321 && READ_ONLY.test(message)) return {kind: 'refused', error: 'AuthFailed'}
  return {kind: 'refused', error: REFUSALS[code] ?? 'InvalidOrder'}
}

/** The BrokerError (or, for pacing, the NetworkError) of a TWS refusal of `what`. */
export function refusalError(core: ErrorClasses, what: string, code: number, message: string): InstanceType<ErrorClasses['BrokerError']> | InstanceType<ErrorClasses['NetworkError']> {
  const c = classify(code, message)
  const text = `IBKR ${what}: ${code} ${message}`.trim()
  if (c.kind === 'rate-limited') return new core.NetworkError('RateLimited', `${text} (TWS's message rate or pacing limit)`)
  if (c.kind === 'not-found' || c.kind === 'not-cancellable') return new core.BrokerError('OrderNotFound', text, {venueCode: String(code)})
  const kind = c.kind === 'refused' ? c.error : 'InvalidOrder'
  if (kind === 'AuthFailed') return new core.BrokerError(kind, `${text} — TWS/IB Gateway takes no orders from the API while its "Read-Only API" setting is on: uncheck Configure → API → Settings → "Read-Only API" (IB Gateway: Configure → Settings → API → Settings) to let rick trade`, {venueCode: String(code)})
  return new core.BrokerError(kind, text, {venueCode: String(code)})
}

/** The fatal message of 326, naming the setting to change. */
export function clientIdInUse(sector: string, clientId: number): string {
  return `TWS/IB Gateway refused client id ${clientId}: another API client is connected with it (error 326). Give sector ${sector} a client id of its own in its connection.clientId setting (each connection to one TWS/Gateway needs its own), or close the other client; rick does not retry.`
}
