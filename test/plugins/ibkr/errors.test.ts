import {describe, expect, it} from 'vitest'

import {classify, clientIdInUse, refusalError} from '../../../plugins/ibkr/src/errors.js'
import {BrokerError, NetworkError} from '../../../src/foundation/domain/broker-errors.js'

const core = {BrokerError, NetworkError}

describe('TWS codes → what rick does (errors.ts table)', () => {
  it.each([
    [1100, {kind: 'link', change: 'lost'}],
    [1101, {kind: 'link', change: 'restored-data-lost'}],
    [1102, {kind: 'link', change: 'restored'}],
    [1300, {kind: 'link', change: 'socket-reset'}],
    [502, {kind: 'link', change: 'socket'}],
    [504, {kind: 'link', change: 'socket'}],
    [326, {kind: 'fatal', code: 'ClientIdInUse'}],
    [2104, {kind: 'log'}],
    [2106, {kind: 'log'}],
    [2158, {kind: 'log'}],
    [2103, {kind: 'log'}],
    [399, {kind: 'log'}],
    [202, {kind: 'cancelled'}],
    [10147, {kind: 'not-found'}],
    [135, {kind: 'not-found'}],
    [161, {kind: 'not-cancellable'}],
    [10148, {kind: 'not-cancellable'}],
    [100, {kind: 'rate-limited'}],
    [110, {kind: 'refused', error: 'InvalidOrder'}],
    [203, {kind: 'refused', error: 'InvalidOrder'}],
    [200, {kind: 'refused', error: 'InvalidOrder'}],
    [103, {kind: 'refused', error: 'InvalidOrder'}],
    [387, {kind: 'refused', error: 'Unsupported'}],
    [99999, {kind: 'refused', error: 'InvalidOrder'}],
  ])('%i → %o', (code, want) => expect(classify(code, 'message')).toEqual(want))

  it('201 is InsufficientFunds when TWS says the equity or margin is short, else InvalidOrder', () => {
    expect(classify(201, 'Order rejected - reason:YOUR ORDER IS NOT ACCEPTED. IN ORDER TO OBTAIN THE DESIRED POSITION YOUR EQUITY WITH LOAN VALUE [0.00 USD] MUST EXCEED THE INITIAL MARGIN')).toEqual({kind: 'refused', error: 'InsufficientFunds'})
    expect(classify(201, 'Order rejected - reason:Insufficient buying power')).toEqual({kind: 'refused', error: 'InsufficientFunds'})
    expect(classify(201, 'Order rejected - reason:The contract is not available for trading')).toEqual({kind: 'refused', error: 'InvalidOrder'})
  })

  it('321 is AuthFailed when TWS\'s "Read-Only API" setting refuses (naming the setting to uncheck), else InvalidOrder', () => {
    const readOnly = "Error validating request.-'bY' : cause - The API interface is currently in Read-Only mode."
    expect(classify(321, readOnly)).toEqual({kind: 'refused', error: 'AuthFailed'})
    expect(classify(321, "Error validating request.-'bN' : cause - The account code is required for this operation.")).toEqual({kind: 'refused', error: 'InvalidOrder'})
    const e = refusalError(core, 'order o', 321, readOnly)
    expect(e).toBeInstanceOf(BrokerError)
    expect(e).not.toBeInstanceOf(NetworkError)
    expect(e).toMatchObject({kind: 'AuthFailed', venueCode: '321'})
    expect(e.message).toMatch(/Configure → API → Settings → "Read-Only API"/)
  })

  it('historical-data pacing (162 "pacing violation") is rate limiting, other 162s refusals', () => {
    expect(classify(162, 'Historical Market Data Service error message:API historical data query cancelled: pacing violation')).toEqual({kind: 'rate-limited'})
    expect(classify(162, 'Historical Market Data Service error message:HMDS query returned no data')).toEqual({kind: 'refused', error: 'InvalidOrder'})
  })

  it('refusalError: a BrokerError with the TWS code, or a NetworkError for pacing (never a BrokerError: nothing is known)', () => {
    const funds = refusalError(core, 'order x', 201, 'EQUITY WITH LOAN VALUE too low')
    expect(funds).toBeInstanceOf(BrokerError)
    expect(funds).toMatchObject({kind: 'InsufficientFunds', venueCode: '201'})
    expect(refusalError(core, 'cancel y', 10147, 'OrderId 5 that needs to be cancelled is not found.')).toMatchObject({kind: 'OrderNotFound', venueCode: '10147'})
    const pacing = refusalError(core, 'order z', 100, 'Max rate of messages per second has been exceeded')
    expect(pacing).toBeInstanceOf(NetworkError)
    expect(pacing).toMatchObject({kind: 'RateLimited'})
  })

  it("326's message names the sector's connection.clientId and the id in use", () => {
    const m = clientIdInUse('mes-bot', 3)
    expect(m).toMatch(/connection\.clientId/)
    expect(m).toMatch(/client id 3/)
    expect(m).toMatch(/mes-bot/)
  })
})
