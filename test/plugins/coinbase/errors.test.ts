import {describe, expect, it} from 'vitest'

import {httpError, parseRetryAfter, reasonKind, refusalError, refusalReason, transportError} from '../../../plugins/coinbase/src/errors.js'
import {BrokerError, NetworkError} from '../../../src/foundation/domain/broker-errors.js'

const core = {BrokerError, NetworkError}
const NOW = Date.UTC(2024, 0, 1)
const at = (status: number, body: unknown, more: {retryAfter?: string} = {}) =>
  httpError(core, {status, context: 'POST /api/v3/brokerage/orders', body: typeof body === 'string' ? body : JSON.stringify(body), now: NOW, ...more})

describe('Coinbase failure reasons → BrokerError kinds', () => {
  it.each([
    ['INSUFFICIENT_FUND', 'InsufficientFunds'],
    ['PREVIEW_INSUFFICIENT_FUND', 'InsufficientFunds'],
    ['INVALID_LIMIT_PRICE_POST_ONLY', 'InvalidOrder'],
    ['INVALID_SIZE_PRECISION', 'InvalidOrder'],
    ['INVALID_PRICE_PRECISION', 'InvalidOrder'],
    ['PREVIEW_INVALID_BASE_SIZE_TOO_SMALL', 'InvalidOrder'],
    ['UNSUPPORTED_ORDER_CONFIGURATION', 'Unsupported'],
    ['ORDER_ENTRY_DISABLED', 'MarketClosed'],
    ['INELIGIBLE_PAIR', 'MarketClosed'],
    ['NOT_FOUND', 'OrderNotFound'],
    ['PERMISSION_DENIED', 'AuthFailed'],
    ['SOMETHING_NEW', 'InvalidOrder'],
  ])('%s → %s', (code, kind) => expect(reasonKind(code)).toBe(kind))
})

describe('a refused order (HTTP 200, success:false, error_response)', () => {
  it('the most specific reason wins: new_order_failure_reason, then error, then preview_failure_reason; UNKNOWN_* counts as absent', () => {
    expect(refusalReason({error: 'UNSUPPORTED_ORDER_CONFIGURATION', preview_failure_reason: 'PREVIEW_INVALID_ORDER_CONFIG'}).code).toBe('UNSUPPORTED_ORDER_CONFIGURATION')
    expect(refusalReason({error: 'UNKNOWN_FAILURE_REASON', new_order_failure_reason: 'INSUFFICIENT_FUND', message: 'Insufficient balance in source account'}).code).toBe('INSUFFICIENT_FUND')
    expect(refusalReason({error: 'UNKNOWN_FAILURE_REASON', preview_failure_reason: 'PREVIEW_INVALID_LIMIT_PRICE_POST_ONLY', new_order_failure_reason: 'UNKNOWN_FAILURE_REASON'}).code).toBe('PREVIEW_INVALID_LIMIT_PRICE_POST_ONLY')
    expect(refusalReason({error: 'UNSUPPORTED_ORDER_CONFIGURATION', message: 'source is not enabled for trading'})).toEqual({code: 'UNSUPPORTED_ORDER_CONFIGURATION', message: 'source is not enabled for trading'})
    expect(refusalReason(undefined).code).toBe('UNKNOWN_FAILURE_REASON')
    expect(refusalReason('garbage').code).toBe('UNKNOWN_FAILURE_REASON')
  })

  it('becomes a BrokerError with the code, or RateLimited for a rate limit', () => {
    const e = refusalError(core, 'POST brokerage/orders', {error: 'INSUFFICIENT_FUND', message: 'Insufficient balance in source account', error_details: '', new_order_failure_reason: 'INSUFFICIENT_FUND'})
    expect(e).toBeInstanceOf(BrokerError)
    expect(e).toMatchObject({kind: 'InsufficientFunds', venueCode: 'INSUFFICIENT_FUND'})
    expect(e.message).toMatch(/INSUFFICIENT_FUND \(Insufficient balance in source account\)/)
    expect(refusalError(core, 'x', {error: 'UNKNOWN_FAILURE_REASON'})).toMatchObject({kind: 'InvalidOrder', venueCode: 'UNKNOWN_FAILURE_REASON'})
    expect(refusalError(core, 'x', {error: 'rate_limit_exceeded'})).toBeInstanceOf(NetworkError)
  })
})

describe('HTTP answers', () => {
  it('401 is AuthFailed (venueCode HTTP_401, what the connector makes fatal), whatever the body', () => {
    for (const body of ['Unauthorized', '', {error: 'UNAUTHENTICATED', message: 'invalid signature'}]) expect(at(401, body)).toMatchObject({kind: 'AuthFailed', venueCode: 'HTTP_401'})
    expect(at(403, {error: 'UNAUTHENTICATED'})).toMatchObject({kind: 'AuthFailed', venueCode: 'HTTP_401'})
  })

  it('403 PERMISSION_DENIED is AuthFailed but not the fatal kind', () => {
    const e = at(403, {error: 'PERMISSION_DENIED', message: 'Missing required scopes'})
    expect(e).toMatchObject({kind: 'AuthFailed', venueCode: 'PERMISSION_DENIED'})
  })

  it('429 (and rate_limit_exceeded in any body) is RateLimited, with Retry-After', () => {
    const e = at(429, {errors: [{id: 'rate_limit_exceeded', message: 'Too many requests'}]}, {retryAfter: '2'})
    expect(e).toBeInstanceOf(NetworkError)
    expect(e).toMatchObject({kind: 'RateLimited', retryAfterMs: 2000})
    expect(at(400, {error: 'rate_limit_exceeded'})).toMatchObject({kind: 'RateLimited'})
    expect(at(429, 'Too Many Requests')).toMatchObject({kind: 'RateLimited'})
  })

  it('5xx and 504 are unknown outcomes; a 2xx that is not JSON too', () => {
    expect(at(500, {error: 'INTERNAL', message: 'x'})).toMatchObject({kind: 'Disconnected'})
    expect(at(502, '<html>bad gateway</html>')).toMatchObject({kind: 'Disconnected'})
    expect(at(503, '')).toMatchObject({kind: 'Disconnected'})
    expect(at(504, '')).toMatchObject({kind: 'Timeout'})
    for (const s of [500, 502, 503, 504]) expect(at(s, '').message).toMatch(/outcome unknown/)
    expect(at(200, '<html>')).toBeInstanceOf(NetworkError)
  })

  it('4xx with a body error: by the reason, else by status', () => {
    expect(at(404, {error: 'NOT_FOUND', message: 'order not found'})).toMatchObject({kind: 'OrderNotFound', venueCode: 'NOT_FOUND'})
    expect(at(400, {error: 'INVALID_ARGUMENT', error_details: 'product_id is invalid'})).toMatchObject({kind: 'InvalidOrder', venueCode: 'INVALID_ARGUMENT'})
    expect(at(400, {error: 'INVALID_ARGUMENT'}).message).toMatch(/HTTP 400 INVALID_ARGUMENT/)
    expect(at(404, 'not json')).toMatchObject({kind: 'OrderNotFound', venueCode: 'HTTP_404'})
    expect(at(405, '')).toMatchObject({kind: 'Unsupported'})
    expect(at(418, '')).toMatchObject({kind: 'InvalidOrder'})
  })
})

describe('no answer', () => {
  class RequestTimeout extends Error {}
  class NetworkErrorCcxt extends Error {}
  it("ccxt's RequestTimeout is Timeout, anything else Disconnected; both say the outcome is unknown", () => {
    expect(transportError(core, 'POST /api/v3/brokerage/orders', new RequestTimeout('coinbase POST … request timed out (1000 ms)'))).toMatchObject({kind: 'Timeout'})
    const e = transportError(core, 'POST /api/v3/brokerage/orders', new NetworkErrorCcxt('fetch failed: ECONNRESET'))
    expect(e).toMatchObject({kind: 'Disconnected'})
    expect(e.message).toMatch(/outcome unknown/)
    expect(transportError(core, 'x', 'weird')).toBeInstanceOf(NetworkError)
  })
})

describe('Retry-After', () => {
  it('seconds or an HTTP date; never negative; undefined when unreadable', () => {
    expect(parseRetryAfter('1.5', NOW)).toBe(1500)
    expect(parseRetryAfter(new Date(NOW + 3000).toUTCString(), NOW)).toBe(3000)
    expect(parseRetryAfter(new Date(NOW - 3000).toUTCString(), NOW)).toBe(0)
    expect(parseRetryAfter('soon', NOW)).toBeUndefined()
    expect(parseRetryAfter('123-456', NOW)).toBeUndefined()
    expect(parseRetryAfter(undefined, NOW)).toBeUndefined()
  })
})
