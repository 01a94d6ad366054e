import {describe, expect, it} from 'vitest'

import type {SectorConfig} from '../../../src/foundation/config/types.js'
import {CharterDenied, UsageError} from '../../../src/foundation/errors.js'
import {chooseConnector} from '../../../src/sectors/engine/connector-choice.js'

const coinbase = {name: 'coinbase', venue: 'coinbase'} as SectorConfig
const modes = {modes: ['observe', 'paper', 'canary', 'live'] as const}
const missing = {required: ['COINBASE_API_KEY', 'COINBASE_API_SECRET'], missing: ['COINBASE_API_KEY', 'COINBASE_API_SECRET']}

describe('chooseConnector', () => {
  it('canary without credentials falls back to the paper venue, effective mode paper, and says so plainly', () => {
    expect(chooseConnector(coinbase, modes, 'canary', missing)).toEqual({
      requestedMode: 'canary',
      effectiveMode: 'paper',
      venueLabel: 'paper venue',
      real: false,
      notice: 'coinbase: no credentials (COINBASE_API_KEY, COINBASE_API_SECRET) → running on the paper venue with synthetic data; effective mode: paper (the charter judges this run as paper; `rick charter check coinbase --mode canary` shows what canary at the venue needs)',
    })
  })
  it('with credentials still runs on paper while no real connector exists, and says why', () => {
    expect(chooseConnector(coinbase, modes, 'canary', {required: ['A'], missing: []}).notice).toMatch(/no real coinbase connector yet → running on the paper venue/)
  })
  it('paper and observe run as asked, without a notice', () => {
    expect(chooseConnector(coinbase, modes, 'paper', missing)).toEqual({requestedMode: 'paper', effectiveMode: 'paper', venueLabel: 'paper venue', real: false})
    expect(chooseConnector(coinbase, modes, 'observe', missing).effectiveMode).toBe('observe')
  })
  it('live never falls back: a charter denial (exit 3)', () => {
    const run = () => chooseConnector(coinbase, modes, 'live', missing)
    expect(run).toThrow(CharterDenied)
    expect(run).toThrow(/live refuses to start: no credentials \(COINBASE_API_KEY, COINBASE_API_SECRET\), and live never falls back/)
  })
  it('the venue connector when the plugin provides one, its SDK loads and the credentials are set', () => {
    const real = {...modes, createConnector: async () => ({}) as never, sdkStatus: () => ({package: 'ccxt', loadable: true})}
    expect(chooseConnector(coinbase, real, 'canary', {required: ['A'], missing: []})).toEqual({requestedMode: 'canary', effectiveMode: 'canary', venueLabel: 'coinbase connector', real: true})
    expect(chooseConnector(coinbase, real, 'live', {required: ['A'], missing: []}).real).toBe(true)
    // An SDK that does not load: paper for canary, refused for live.
    const broken = {...real, sdkStatus: () => ({package: 'ccxt', loadable: false, detail: 'not installed'})}
    expect(chooseConnector(coinbase, broken, 'canary', {required: ['A'], missing: []}).notice).toMatch(/the ccxt SDK cannot be loaded \(not installed\) → running on the paper venue/)
    expect(() => chooseConnector(coinbase, broken, 'live', {required: ['A'], missing: []})).toThrow(CharterDenied)
    // paper: the broker's own paper account only where the venue has one.
    expect(chooseConnector(coinbase, real, 'paper', {required: [], missing: []}).real).toBe(false)
    expect(chooseConnector(coinbase, {...real, paperAccount: true}, 'paper', {required: ['A'], missing: []}).real).toBe(true)
    expect(chooseConnector(coinbase, real, 'observe', {required: [], missing: []}).real).toBe(false)
  })

  it('a mode the venue does not support is a usage error', () => {
    expect(() => chooseConnector(coinbase, modes, 'practice', missing)).toThrow(UsageError)
  })
})
