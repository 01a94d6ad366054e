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
      notice: 'coinbase: no credentials (COINBASE_API_KEY, COINBASE_API_SECRET) → running on the paper venue with synthetic data; effective mode: paper',
    })
  })
  it('with credentials still runs on paper while no real connector exists, and says why', () => {
    expect(chooseConnector(coinbase, modes, 'canary', {required: ['A'], missing: []}).notice).toMatch(/no real coinbase connector yet → running on the paper venue/)
  })
  it('paper and observe run as asked, without a notice', () => {
    expect(chooseConnector(coinbase, modes, 'paper', missing)).toEqual({requestedMode: 'paper', effectiveMode: 'paper', venueLabel: 'paper venue'})
    expect(chooseConnector(coinbase, modes, 'observe', missing).effectiveMode).toBe('observe')
  })
  it('live never falls back: a charter denial (exit 3)', () => {
    const run = () => chooseConnector(coinbase, modes, 'live', missing)
    expect(run).toThrow(CharterDenied)
    expect(run).toThrow(/live refuses to start: no credentials \(COINBASE_API_KEY, COINBASE_API_SECRET\), and live never falls back/)
  })
  it('a mode the venue does not support is a usage error', () => {
    expect(() => chooseConnector(coinbase, modes, 'practice', missing)).toThrow(UsageError)
  })
})
