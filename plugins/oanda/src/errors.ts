// OANDA's answers as rick's two kinds of failure, in one place. BrokerError: OANDA understood the
// request and said no (nothing happened; the engine records a reject). NetworkError: we do not know
// what happened (the order may or may not exist; the engine asks orderByClientId, never resends).
//
// How an answer is classified, in the order the rules are checked:
//
// | # | what OANDA answered                          | rick                                        |
// |---|----------------------------------------------|---------------------------------------------|
// | 1 | no answer: reset, refused, DNS, TLS, hang-up | NetworkError Disconnected (ETIMEDOUT: Timeout)|
// | 2 | no answer within the request's timeout       | NetworkError Timeout                        |
// | 3 | 401, 403                                     | BrokerError AuthFailed                      |
// | 4 | 429                                          | NetworkError RateLimited (+ Retry-After)    |
// | 5 | 504                                          | NetworkError Timeout                        |
// | 6 | other 5xx, 1xx, 3xx, unreadable 2xx          | NetworkError Disconnected                   |
// | 7 | 4xx with a reason (rejectReason > errorCode) | REASON_KINDS below, else by prefix, else 8  |
// | 8 | 4xx without a known reason                   | STATUS_KINDS below (400 InvalidOrder, …)    |
//
// A reject transaction's `rejectReason` wins over the body's `errorCode` because it is the
// venue's own record of why the order died (the errorCode is often the same string).
import type {BrokerError, BrokerErrorKind, NetworkError} from '../../../src/foundation/domain/broker-errors.js'
import type {CoreRuntime} from '../../../src/sectors/core-runtime.js'

/** The two error classes, from core's runtime (a plugin never imports core's values). */
export type ErrorClasses = Pick<CoreRuntime, 'BrokerError' | 'NetworkError'>

export type VenueFailure = BrokerError | NetworkError

/** OANDA reasons (rejectReason, errorCode, cancel reason) with a kind other than InvalidOrder. */
const REASON_KINDS: Readonly<Record<string, BrokerErrorKind>> = {
  INSUFFICIENT_MARGIN: 'InsufficientFunds',
  INSUFFICIENT_LIQUIDITY: 'InsufficientFunds',
  INSUFFICIENT_FUNDS: 'InsufficientFunds',
  MARGIN_RATE_WOULD_TRIGGER_CLOSEOUT: 'InsufficientFunds',
  MARGIN_RATE_WOULD_TRIGGER_MARGIN_CALL: 'InsufficientFunds',
  MARKET_HALTED: 'MarketClosed',
  INSTRUMENT_NOT_TRADEABLE: 'MarketClosed',
  INSTRUMENT_PRICE_UNKNOWN: 'MarketClosed',
  INSTRUMENT_BID_HALTED: 'MarketClosed',
  INSTRUMENT_ASK_HALTED: 'MarketClosed',
  INSTRUMENT_BID_REDUCE_ONLY: 'MarketClosed',
  INSTRUMENT_ASK_REDUCE_ONLY: 'MarketClosed',
  ORDER_DOESNT_EXIST: 'OrderNotFound',
  TRADE_DOESNT_EXIST: 'OrderNotFound',
  NO_SUCH_ORDER: 'OrderNotFound',
  ACCOUNT_NOT_ACTIVE: 'AuthFailed',
  ACCOUNT_LOCKED: 'AuthFailed',
  ACCOUNT_ORDER_CREATION_LOCKED: 'AuthFailed',
  ACCOUNT_ORDER_CANCEL_LOCKED: 'AuthFailed',
  ACCOUNT_NEW_POSITIONS_LOCKED: 'AuthFailed',
  ACCOUNT_ORDER_FILL_LOCKED: 'AuthFailed',
  TRAILING_STOP_LOSS_ORDERS_NOT_SUPPORTED: 'Unsupported',
  TRADE_ON_FILL_CLIENT_EXTENSIONS_NOT_SUPPORTED: 'Unsupported',
}

/** A 4xx without a reason we know. */
const STATUS_KINDS: Readonly<Record<number, BrokerErrorKind>> = {
  400: 'InvalidOrder',
  404: 'OrderNotFound',
  405: 'Unsupported',
}

/** The kind of a venue reason code: the table, else InvalidOrder (UNITS_*, PRICE_*, CLIENT_ORDER_ID_ALREADY_EXISTS, *_INVALID…). */
export function reasonKind(code: string): BrokerErrorKind {
  return REASON_KINDS[code] ?? 'InvalidOrder'
}

export interface HttpFailure {
  status: number
  /** What was asked, for the message: `POST /v3/accounts/…/orders`. Never holds the token. */
  context: string
  /** The body's errorCode, when OANDA sent one. */
  errorCode?: string
  /** The body's errorMessage. */
  errorMessage?: string
  /** A *_REJECT transaction's rejectReason, when the body carried one. */
  rejectReason?: string
  /** The Retry-After header (seconds or an HTTP date). */
  retryAfter?: string
  /** Epoch ms, to read an HTTP-date Retry-After. */
  now: number
}

/** An HTTP answer that is not a success, classified by the table above (rows 3-8). */
export function httpError(core: ErrorClasses, f: HttpFailure): VenueFailure {
  const code = f.rejectReason ?? f.errorCode
  const detail = [code, f.errorMessage].filter((x) => x !== undefined && x !== '').join(': ')
  const message = `OANDA ${f.context}: HTTP ${f.status}${detail ? ` ${detail}` : ''}`
  const venueCode = code ?? `HTTP_${f.status}`
  if (f.status === 401 || f.status === 403) return new core.BrokerError('AuthFailed', message, {venueCode})
  if (f.status === 429) {
    const retryAfterMs = parseRetryAfter(f.retryAfter, f.now)
    return new core.NetworkError('RateLimited', message, retryAfterMs === undefined ? {} : {retryAfterMs})
  }
  if (f.status === 504) return new core.NetworkError('Timeout', `${message} (outcome unknown)`)
  if (f.status < 400 || f.status >= 500) return new core.NetworkError('Disconnected', `${message} (outcome unknown)`)
  const kind = code !== undefined && code !== '' ? reasonKind(code) : STATUS_KINDS[f.status] ?? 'InvalidOrder'
  return new core.BrokerError(kind, message, {venueCode})
}

/** Rows 1-2: no HTTP answer at all. `cause` is what node:http raised (or our timeout). */
export function transportError(core: ErrorClasses, context: string, cause: unknown): NetworkError {
  const code = (cause as {code?: unknown} | undefined)?.code
  const text = cause instanceof Error ? cause.message : String(cause)
  const kind = code === 'ETIMEDOUT' || code === 'RICK_TIMEOUT' ? 'Timeout' : 'Disconnected'
  return new core.NetworkError(kind, `OANDA ${context}: ${typeof code === 'string' ? `${code} ` : ''}${text} (outcome unknown)`, {cause})
}

/** The timeout we raise ourselves; transportError maps it to Timeout. */
export function timeoutCause(ms: number): Error & {code: string} {
  return Object.assign(new Error(`no answer within ${ms} ms`), {code: 'RICK_TIMEOUT'})
}

/**
 * Retry-After as milliseconds: delta-seconds (`120`) or an HTTP date. Undefined when absent or
 * unreadable; never negative.
 */
export function parseRetryAfter(value: string | undefined, now: number): number | undefined {
  if (value === undefined) return undefined
  const v = value.trim()
  if (/^\d+(\.\d+)?$/.test(v)) return Math.round(Number(v) * 1000)
  const at = Date.parse(v)
  if (!/[A-Za-z]/.test(v) || Number.isNaN(at)) return undefined
  return Math.max(0, at - now)
}
