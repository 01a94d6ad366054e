// Typed failures of a venue call. A timeout is NOT a rejection: the order stays in flight until
// the venue says what happened (the engine asks with orderByClientId).
import {RickError} from '../errors.js'

export type BrokerErrorKind = 'InsufficientFunds' | 'InvalidOrder' | 'OrderNotFound' | 'AuthFailed' | 'MarketClosed' | 'Unsupported'
export type NetworkErrorKind = 'Timeout' | 'RateLimited' | 'Disconnected'

/** The venue understood the request and said no. */
export class BrokerError extends RickError {
  readonly kind: BrokerErrorKind
  readonly venueCode?: string
  constructor(kind: BrokerErrorKind, message: string, options: {venueCode?: string; cause?: unknown} = {}) {
    super(message, {code: `BROKER_${kind.toUpperCase()}`, cause: options.cause})
    this.kind = kind
    this.venueCode = options.venueCode
  }
}

/** The request may or may not have reached the venue. */
export class NetworkError extends RickError {
  readonly kind: NetworkErrorKind
  /** For RateLimited: how long the venue asked to wait, when it said. */
  readonly retryAfterMs?: number
  constructor(kind: NetworkErrorKind, message: string, options: {retryAfterMs?: number; cause?: unknown} = {}) {
    super(message, {code: `NETWORK_${kind.toUpperCase()}`, cause: options.cause})
    this.kind = kind
    this.retryAfterMs = options.retryAfterMs
  }
}
