// A sector asked to run canary without credentials falls back to the paper venue and rehearses
// the canary: its caps apply (one position at a time, small orders), checked here against the
// journal's fills summed independently, not against what the engine says of itself.
import {copyFileSync} from 'node:fs'
import {join} from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import type {EventPayloads} from '../../src/foundation/journal/events.js'
import {REPO_ROOT, rick} from '../helpers/cli.js'
import {fixtureProject, readJournal, type Fixture} from './engine-fixture.js'

const CONFIG = `version: 1
sectors:
  coinbase:
    venue: coinbase
    mode: canary
    profile: Conservative
    instruments: [BTC-USD, ETH-USD]
    strategy: {name: donchian-breakout, params: {lookback: 5, notional: 20, exitLookback: 3}}
    session: {timezone: UTC, windows: [{days: [mon, tue, wed, thu, fri, sat, sun], start: "00:00", end: "23:59"}]}
    canary: {maxOrderNotional: 25, maxPositions: 1, dailyLossCap: 10}
    connection: {apiKeyEnv: COINBASE_API_KEY, apiSecretEnv: COINBASE_API_SECRET}
`

let f: Fixture
beforeAll(() => {
  f = fixtureProject(CONFIG)
  copyFileSync(join(REPO_ROOT, 'strategies', 'donchian-breakout.ts'), join(f.root, 'strategies', 'donchian-breakout.ts'))
})
afterAll(() => f.cleanup())

describe('canary asked, no credentials: the paper venue with the canary caps', () => {
  it('never holds two instruments at once, and journals the canary limits it ran with', async () => {
    const r = await rick(['run', 'coinbase', '--canary', '--speed', 'max', '--bars', '1500', '--seed', '11'], {cwd: f.root, env: f.env})
    expect(r.exitCode, r.stderr).toBe(0)
    expect(r.stdout).toMatch(/mode {6}paper \(asked: canary\)/)
    expect(r.stdout).toMatch(/\(canary caps on\)/)
    const events = readJournal(f.journal)
    const started = events.find((e) => e.type === 'RUN_STARTED')!.payload as EventPayloads['RUN_STARTED']
    expect(started.effectiveMode).toBe('paper')
    expect(started.limits['canary.maxPositions']).toBe(1)
    const held = new Map<string, number>()
    let fills = 0
    let both = 0
    for (const e of events) {
      if (e.type !== 'FILL') continue
      const {fill} = e.payload as EventPayloads['FILL']
      fills++
      held.set(fill.instrument, Math.round(((held.get(fill.instrument) ?? 0) + (fill.side === 'buy' ? fill.qty : -fill.qty)) * 1e8) / 1e8)
      if ([...held.values()].filter((q) => q !== 0).length > 1) both++
    }
    expect(fills).toBeGreaterThan(4)
    expect(both).toBe(0)
    // The second instrument's entries were denied by the cap while the first was held or on its way.
    const denied = events.filter((e) => e.type === 'ORDER_DENIED').map((e) => (e.payload as EventPayloads['ORDER_DENIED']).code)
    expect(denied).toContain('CANARY_POSITIONS')
  })
})
