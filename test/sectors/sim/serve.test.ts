// `rick sim`'s service without the CLI: venue lookup and the errors a person can fix. Every core
// venue has a simulator now, so "a venue without one" is a registered stand-in here.
import {describe, expect, it} from 'vitest'

import {parseSimSpeed, serveSimulator, simJson, type ServedSimulator} from '../../../src/sectors/sim/serve.js'
import type {RunningSimulator} from '../../../src/sectors/definition.js'
import {fakeRegistry, FAKE_VENUES} from '../../helpers/fake-venues.js'

describe('serveSimulator', () => {
  it('an unknown venue and a venue without a simulator are usage errors naming what exists', async () => {
    const registry = fakeRegistry(FAKE_VENUES)
    await expect(serveSimulator(registry, {venue: 'nope'})).rejects.toMatchObject({code: 'UNKNOWN_VENUE', exitCode: 2, message: expect.stringContaining('known: oanda, coinbase, ibkr')})
    await expect(serveSimulator(registry, {venue: 'ibkr'})).rejects.toMatchObject({code: 'NO_SIMULATOR', exitCode: 2, message: "venue 'ibkr' has no simulator (simulated venues: none)"})
  })

  it('parses speeds as multiples of real time', () => {
    expect(parseSimSpeed('60x')).toBe(60)
    expect(parseSimSpeed('2.5')).toBe(2.5)
    expect(() => parseSimSpeed('0x')).toThrow(/--speed/)
  })

  it('the JSON line is the venue\u2019s own when it describes itself, else venue, endpoints, account and credentials', () => {
    const base = {venue: 'v', endpoints: {rest: 'http://127.0.0.1:1'}, accountId: 'A1', credentials: {token: 't'}} as unknown as RunningSimulator
    const served = (running: RunningSimulator): ServedSimulator => ({running, speed: 1, seed: 1})
    expect(simJson(served(base))).toEqual({venue: 'v', rest: 'http://127.0.0.1:1', accountId: 'A1', token: 't'})
    expect(simJson(served({...base, describe: () => ({venue: 'v', host: '127.0.0.1', port: 1})}))).toEqual({venue: 'v', host: '127.0.0.1', port: 1})
  })
})
