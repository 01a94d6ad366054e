// A seeded backtest whose run hash is pinned, and replay reproducing it. The hash covers every
// event the run journaled after RUN_STARTED (type and payload, in order): a change in the engine,
// the paper venue, the risk gate, the synthetic data or the strategy that changes what a run does
// changes it. If such a change is intended, re-pin GOLDEN with the hash the failure shows.
import {readFileSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {rick} from '../helpers/cli.js'
import {fixtureProject, type Fixture} from './engine-fixture.js'

// Re-pinned when loss rules began to leave a sector REDUCING instead of HALTED (this run trips
// CONSECUTIVE_LOSSES once; its exit now passes instead of being denied).
const GOLDEN = '96593de85a8d87bee413ff65bc67e8358151a601b6faf3fccec3d84218ab9680'

let f: Fixture
let backtest: {runId: string; runHash: string; summary: {orders: number; fills: number}; metrics: {trades: number}}
beforeAll(async () => {
  f = fixtureProject()
  const r = await rick(['backtest', 'fx', '--seed', '42', '--bars', '3000', '--json'], {cwd: f.root, env: f.env})
  expect(r.stderr).toBe('')
  expect(r.exitCode).toBe(0)
  backtest = JSON.parse(r.stdout)
})
afterAll(() => f.cleanup())

describe('golden backtest', () => {
  it('has the pinned run hash (seed 42, 3000 one-minute EUR_USD bars, sma-crossover 5/20)', () => {
    expect(backtest.summary.fills).toBeGreaterThan(10)
    expect(backtest.metrics.trades).toBeGreaterThan(5)
    expect(backtest.runHash).toBe(GOLDEN)
  })

  it('is the same run when repeated in a fresh project (same run id, same hash)', async () => {
    const g = fixtureProject()
    try {
      const r = await rick(['backtest', 'fx', '--seed', '42', '--bars', '3000', '--json'], {cwd: g.root, env: g.env})
      expect(JSON.parse(r.stdout)).toMatchObject({runId: backtest.runId, runHash: backtest.runHash})
    } finally {
      g.cleanup()
    }
  })

  it('replay reproduces it event for event', async () => {
    const r = await rick(['replay', backtest.runId], {cwd: f.root, env: f.env})
    expect(r.exitCode).toBe(0)
    expect(r.stdout).toMatch(new RegExp(`^replay ${backtest.runId}: identical — \\d+ events, run hash ${backtest.runHash}`))
  })

  it('replay names the first diverging seq when the strategy now does something else (exit 1)', async () => {
    const file = join(f.root, 'strategies', 'sma-crossover.ts')
    const code = readFileSync(file, 'utf8')
    const changed = code.replace('crossed above SMA', 'went over SMA').replace('crossed below SMA', 'went under SMA')
    expect(changed).not.toBe(code)
    writeFileSync(file, changed)
    try {
      const r = await rick(['replay', backtest.runId, '--json'], {cwd: f.root, env: f.env})
      expect(r.exitCode).toBe(1)
      const out = JSON.parse(r.stdout)
      expect(out.ok).toBe(false)
      expect(out.divergence.recorded.type).toBe('ORDER_INTENT')
      expect(out.divergence.recorded.payload.reason).toMatch(/crossed (above|below)/)
      expect(out.divergence.replayed.payload.reason).toMatch(/went (over|under)/)
      expect(out.divergence.seq).toBeGreaterThan(1)
      expect(out.notes.join(' ')).toMatch(/the strategy's code changed since the run/)
      const text = await rick(['replay', backtest.runId], {cwd: f.root, env: f.env})
      expect(text.stdout).toMatch(new RegExp(`DIVERGED at seq ${out.divergence.seq} `))
    } finally {
      writeFileSync(file, code)
    }
  })
})
