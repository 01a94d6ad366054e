import {describe, expect, it} from 'vitest'

import {httpError, parseRetryAfter, reasonKind, timeoutCause, transportError} from '../../../plugins/oanda/src/errors.js'
import {BrokerError, NetworkError} from '../../../src/foundation/domain/broker-errors.js'

const core = {BrokerError, NetworkError}
const NOW = Date.UTC(2024, 0, 1)
const at = (status: number, more: Partial<Parameters<typeof httpError>[1]> = {}) => httpError(core, {status, context: 'POST /v3/accounts/1/orders', now: NOW, ...more})

describe('OANDA reasons → BrokerError kinds', () => {
  it.each([
    ['INSUFFICIENT_MARGIN', 'InsufficientFunds'],
    ['INSUFFICIENT_LIQUIDITY', 'InsufficientFunds'],
    ['MARKET_HALTED', 'MarketClosed'],
    ['INSTRUMENT_NOT_TRADEABLE', 'MarketClosed'],
    ['INSTRUMENT_BID_HALTED', 'MarketClosed'],
    ['UNITS_INVALID', 'InvalidOrder'],
    ['UNITS_MIMIMUM_NOT_MET', 'InvalidOrder'],
    ['PRICE_PRECISION_EXCEEDED', 'InvalidOrder'],
    ['CLIENT_ORDER_ID_ALREADY_EXISTS', 'InvalidOrder'],
    ['TAKE_PROFIT_ON_FILL_LOSS', 'InvalidOrder'],
    ['ORDER_DOESNT_EXIST', 'OrderNotFound'],
    ['ACCOUNT_LOCKED', 'AuthFailed'],
    ['TRAILING_STOP_LOSS_ORDERS_NOT_SUPPORTED', 'Unsupported'],
    ['SOMETHING_NEW_FROM_OANDA', 'InvalidOrder'],
  ])('%s → %s', (code, kind) => {
    expect(reasonKind(code)).toBe(kind)
    const e = at(400, {rejectReason: code, errorMessage: 'because'})
    expect(e).toBeInstanceOf(BrokerError)
    expect(e).toMatchObject({kind, venueCode: code})
    expect(e.message).toBe(`OANDA POST /v3/accounts/1/orders: HTTP 400 ${code}: because`)
  })

  it('a reject transaction\'s reason wins over the body\'s errorCode', () => {
    expect(at(400, {rejectReason: 'INSUFFICIENT_MARGIN', errorCode: 'UNITS_INVALID'})).toMatchObject({kind: 'InsufficientFunds', venueCode: 'INSUFFICIENT_MARGIN'})
    expect(at(404, {errorCode: 'ORDER_DOESNT_EXIST'})).toMatchObject({kind: 'OrderNotFound'})
  })
})

describe('HTTP statuses', () => {
  it('401 and 403 are AuthFailed whatever the body says', () => {
    expect(at(401, {errorMessage: 'Insufficient authorization to perform request.'})).toMatchObject({kind: 'AuthFailed', venueCode: 'HTTP_401'})
    expect(at(403, {errorCode: 'INSUFFICIENT_MARGIN'})).toMatchObject({kind: 'AuthFailed'})
  })
  it('a 4xx without a reason: 400 InvalidOrder, 404 OrderNotFound, 405 Unsupported', () => {
    expect(at(400)).toMatchObject({kind: 'InvalidOrder', venueCode: 'HTTP_400'})
    expect(at(404)).toMatchObject({kind: 'OrderNotFound'})
    expect(at(405)).toMatchObject({kind: 'Unsupported'})
    expect(at(416)).toMatchObject({kind: 'InvalidOrder'})
  })
  it('5xx is a NetworkError: the outcome is unknown, never a rejection', () => {
    for (const s of [500, 502, 503]) {
      const e = at(s, {errorCode: 'INSUFFICIENT_MARGIN'})
      expect(e).toBeInstanceOf(NetworkError)
      expect(e).toMatchObject({kind: 'Disconnected'})
      expect(e.message).toContain('outcome unknown')
    }
    expect(at(504)).toMatchObject({kind: 'Timeout'})
    expect(at(302)).toMatchObject({kind: 'Disconnected'})
  })
  it('429 is RateLimited with Retry-After in ms (seconds or an HTTP date)', () => {
    expect(at(429, {retryAfter: '3'})).toMatchObject({kind: 'RateLimited', retryAfterMs: 3000})
    expect(at(429, {retryAfter: new Date(NOW + 1500).toUTCString()})).toMatchObject({kind: 'RateLimited', retryAfterMs: 1000})
    const none = at(429)
    expect(none).toBeInstanceOf(NetworkError)
    expect((none as NetworkError).retryAfterMs).toBeUndefined()
  })
  it('reads Retry-After carefully', () => {
    expect(parseRetryAfter('0', NOW)).toBe(0)
    expect(parseRetryAfter(' 2.5 ', NOW)).toBe(2500)
    expect(parseRetryAfter(new Date(NOW - 10_000).toUTCString(), NOW)).toBe(0)
    expect(parseRetryAfter('soon', NOW)).toBeUndefined()
    expect(parseRetryAfter('-1', NOW)).toBeUndefined()
    expect(parseRetryAfter('12345', NOW)).toBe(12_345_000)
    expect(parseRetryAfter(undefined, NOW)).toBeUndefined()
  })
})

describe('no answer at all', () => {
  it('resets, refusals and hang-ups are Disconnected; timeouts Timeout; all unknown outcomes', () => {
    const reset = transportError(core, 'POST orders', Object.assign(new Error('socket hang up'), {code: 'ECONNRESET'}))
    expect(reset).toBeInstanceOf(NetworkError)
    expect(reset).toMatchObject({kind: 'Disconnected', message: 'OANDA POST orders: ECONNRESET socket hang up (outcome unknown)'})
    expect(transportError(core, 'x', Object.assign(new Error('connect ECONNREFUSED'), {code: 'ECONNREFUSED'}))).toMatchObject({kind: 'Disconnected'})
    expect(transportError(core, 'x', Object.assign(new Error('t'), {code: 'ETIMEDOUT'}))).toMatchObject({kind: 'Timeout'})
    expect(transportError(core, 'x', timeoutCause(250))).toMatchObject({kind: 'Timeout', message: expect.stringContaining('no answer within 250 ms')})
    expect(transportError(core, 'x', 'a string')).toMatchObject({kind: 'Disconnected'})
  })
})
