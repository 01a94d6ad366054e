// Coinbase's answers as rick's two kinds of failure, in one place. BrokerError: Coinbase understood
// the request and said no (nothing happened). NetworkError: we do not know what happened (an order
// may or may not exist: the engine asks orderByClientId, the connector never resends).
//
// How an answer is classified, in the order the rules are checked:
//
// | # | what Coinbase answered                                   | rick                                          |
// |---|----------------------------------------------------------|-----------------------------------------------|
// | 1 | no answer: reset, refused, DNS, TLS, closed by us        | NetworkError Disconnected                     |
// | 2 | no answer within the request's timeout                   | NetworkError Timeout                          |
// | 3 | 401, or 403 with UNAUTHENTICATED                         | BrokerError AuthFailed (the connector: fatal) |
// | 4 | 429, or a body saying rate_limit_exceeded (any status)   | NetworkError RateLimited (+ Retry-After)      |
// | 5 | 504                                                      | NetworkError Timeout                          |
// | 6 | other 5xx, 1xx, 3xx, a 2xx that is not JSON              | NetworkError Disconnected                     |
// | 7 | 200 with success:false and an error_response             | REASON_KINDS of its failure reason, else      |
// |   |   (a refused order: nothing was created)                 |   InvalidOrder                                |
// | 8 | 4xx with a body `error` (NOT_FOUND, INVALID_ARGUMENT, …) | REASON_KINDS, else STATUS_KINDS by status     |
// | 9 | 403 otherwise (the key lacks the trade permission)       | BrokerError AuthFailed (not fatal)            |
//
// A refusal's reason is read, most specific first: error_response.new_order_failure_reason, then
// error, then preview_failure_reason (the preview's name of it: PREVIEW_INVALID_ORDER_CONFIG for an
// UNSUPPORTED_ORDER_CONFIGURATION); UNKNOWN_FAILURE_REASON counts as absent.
import type {BrokerError, BrokerErrorKind, NetworkError} from '../../../src/foundation/domain/broker-errors.js'
import type {CoreRuntime} from '../../../src/sectors/core-runtime.js'

export type ErrorClasses = Pick<CoreRuntime, 'BrokerError' | 'NetworkError'>
export type VenueFailure = BrokerError | NetworkError

/** Coinbase failure reasons with a kind other than InvalidOrder. */
const REASON_KINDS: Readonly<Record<string, BrokerErrorKind>> = {
  INSUFFICIENT_FUND: 'InsufficientFunds',
  INSUFFICIENT_FUNDS: 'InsufficientFunds',
  PREVIEW_INSUFFICIENT_FUND: 'InsufficientFunds',
  INVALID_LEDGER_BALANCE: 'InsufficientFunds',
  INSUFFICIENT_BALANCE: 'InsufficientFunds',
  UNSUPPORTED_ORDER_CONFIGURATION: 'Unsupported',
  PREVIEW_UNSUPPORTED_ORDER_CONFIGURATION: 'Unsupported',
  ORDER_ENTRY_DISABLED: 'MarketClosed',
  INELIGIBLE_PAIR: 'MarketClosed',
  PRODUCT_TRADING_DISABLED: 'MarketClosed',
  TRADING_DISABLED: 'MarketClosed',
  CANCEL_ONLY_MODE: 'MarketClosed',
  LIMIT_ONLY_MODE: 'MarketClosed',
  POST_ONLY_MODE: 'MarketClosed',
  NOT_FOUND: 'OrderNotFound',
  UNKNOWN_CANCEL_ORDER: 'OrderNotFound',
  UNAUTHENTICATED: 'AuthFailed',
  PERMISSION_DENIED: 'AuthFailed',
  UNIMPLEMENTED: 'Unsupported',
}

/** A 4xx without a reason we know. */
const STATUS_KINDS: Readonly<Record<number, BrokerErrorKind>> = {
  400: 'InvalidOrder',
  403: 'AuthFailed',
  404: 'OrderNotFound',
  405: 'Unsupported',
  501: 'Unsupported',
}

/** The kind of a Coinbase failure reason (INVALID_LIMIT_PRICE_POST_ONLY, INVALID_SIZE_PRECISION… are InvalidOrder). */
export function reasonKind(code: string): BrokerErrorKind {
  return REASON_KINDS[code] ?? 'InvalidOrder'
}

const RATE_LIMIT = /rate_limit_exceeded|too many requests/i

export interface HttpAnswer {
  status: number
  /** What was asked, e.g. `POST /api/v3/brokerage/orders`. Never holds a key. */
  context: string
  /** The body as text (what ccxt read). */
  body: string
  /** The Retry-After header (seconds or an HTTP date). */
  retryAfter?: string
  /** Epoch ms, to read an HTTP-date Retry-After. */
  now: number
}

/** The reason a refusal (`error_response`) gives, most specific first. */
export function refusalReason(errorResponse: unknown): {code: string; message: string} {
  const e = (typeof errorResponse === 'object' && errorResponse !== null ? errorResponse : {}) as Record<string, unknown>
  const pick = (k: string): string | undefined => (typeof e[k] === 'string' && e[k] !== '' && !/^UNKNOWN_/.test(String(e[k])) ? String(e[k]) : undefined)
  const code = pick('new_order_failure_reason') ?? pick('error') ?? pick('preview_failure_reason') ?? 'UNKNOWN_FAILURE_REASON'
  const message = [e.message, e.error_details].filter((x) => typeof x === 'string' && x !== '').join(': ')
  return {code, message}
}

/** Row 7: a 200 whose success is false. */
export function refusalError(core: ErrorClasses, context: string, errorResponse: unknown): VenueFailure {
  const {code, message} = refusalReason(errorResponse)
  const text = `Coinbase ${context}: refused, ${code}${message ? ` (${message})` : ''}`
  if (RATE_LIMIT.test(code)) return new core.NetworkError('RateLimited', text)
  return new core.BrokerError(reasonKind(code), text, {venueCode: code})
}

/** Rows 3-9 for an HTTP answer that is not a success (and row 6 for an unreadable 2xx). */
export function httpError(core: ErrorClasses, a: HttpAnswer): VenueFailure {
  const body = parseBody(a.body)
  const code = bodyCode(body)
  const detail = [code, bodyMessage(body) ?? (body === undefined ? a.body.trim().slice(0, 120) : undefined)].filter((x) => x !== undefined && x !== '').join(': ')
  const message = `Coinbase ${a.context}: HTTP ${a.status}${detail ? ` ${detail}` : ''}`
  const venueCode = code ?? `HTTP_${a.status}`
  if (a.status === 401 || (a.status === 403 && code === 'UNAUTHENTICATED')) return new core.BrokerError('AuthFailed', message, {venueCode: 'HTTP_401'})
  if (a.status === 429 || RATE_LIMIT.test(code ?? '') || RATE_LIMIT.test(a.body.slice(0, 500))) {
    const retryAfterMs = parseRetryAfter(a.retryAfter, a.now)
    return new core.NetworkError('RateLimited', message, retryAfterMs === undefined ? {} : {retryAfterMs})
  }
  if (a.status === 504) return new core.NetworkError('Timeout', `${message} (outcome unknown)`)
  if (a.status >= 200 && a.status < 300) return new core.NetworkError('Disconnected', `${message}: the answer is not the JSON Coinbase sends (outcome unknown)`)
  if (a.status < 400 || (a.status >= 500 && a.status !== 501)) return new core.NetworkError('Disconnected', `${message} (outcome unknown)`)
  const kind = code !== undefined ? (REASON_KINDS[code] ?? STATUS_KINDS[a.status] ?? 'InvalidOrder') : (STATUS_KINDS[a.status] ?? 'InvalidOrder')
  return new core.BrokerError(kind, message, {venueCode})
}

/** ccxt's error classes for "no answer", by name (ccxt is loaded lazily: no instanceof here). */
const CCXT_TIMEOUTS = new Set(['RequestTimeout'])

/** Rows 1-2: what ccxt (or our own abort) raised when there was no HTTP answer. */
export function transportError(core: ErrorClasses, context: string, cause: unknown): NetworkError {
  const name = cause instanceof Error ? cause.constructor.name : ''
  const text = cause instanceof Error ? cause.message : String(cause)
  const kind = CCXT_TIMEOUTS.has(name) || (cause as {code?: unknown})?.code === 'RICK_TIMEOUT' ? 'Timeout' : 'Disconnected'
  return new core.NetworkError(kind, `Coinbase ${context}: ${kind === 'Timeout' ? 'no answer in time' : 'no answer'} (${text.slice(0, 200)}; outcome unknown)`, {cause})
}

/**
 * Retry-After as milliseconds: delta-seconds (`2`) or an HTTP date. Undefined when absent or
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

function parseBody(text: string): Record<string, unknown> | undefined {
  try {
    const v: unknown = JSON.parse(text)
    return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined
  } catch {
    return undefined
  }
}

/** `error` of Advanced Trade's error body, or the first `errors[].id` of the v2 style. */
function bodyCode(body: Record<string, unknown> | undefined): string | undefined {
  if (body === undefined) return undefined
  if (typeof body.error === 'string' && body.error !== '') return body.error
  const first = Array.isArray(body.errors) ? (body.errors[0] as Record<string, unknown> | undefined) : undefined
  return typeof first?.id === 'string' ? first.id : undefined
}

function bodyMessage(body: Record<string, unknown> | undefined): string | undefined {
  if (body === undefined) return undefined
  const parts = [body.message, body.error_details, body.error_description].filter((x): x is string => typeof x === 'string' && x !== '')
  const first = Array.isArray(body.errors) ? (body.errors[0] as Record<string, unknown> | undefined) : undefined
  if (typeof first?.message === 'string') parts.push(first.message)
  return parts.length > 0 ? parts.join(': ').slice(0, 300) : undefined
}
