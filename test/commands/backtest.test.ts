import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {rick} from '../helpers/cli.js'
import {FIXTURE_CONFIG, fixtureProject, readJournal, type Fixture} from '../integration/engine-fixture.js'

let f: Fixture
beforeAll(() => {
  f = fixtureProject()
})
afterAll(() => f.cleanup())

describe('rick backtest', () => {
  it('prints a summary with metrics, the run hash and how to replay it', async () => {
    const r = await rick(['backtest', 'fx', '--bars', '2000', '--seed', '3'], {cwd: f.root, env: f.env})
    expect(r.exitCode).toBe(0)
    expect(r.stdout).toMatch(/^backtest fx: run fx-bt-[0-9a-f]{10}\n/)
    expect(r.stdout).toMatch(/data {8}synthetic, seed 3; 2,000 bars; ended: data-exhausted/)
    expect(r.stdout).toMatch(/trades {6}\d+ \(\d+ won, \d+ lost, win rate [\d.]+%\)/)
    expect(r.stdout).toMatch(/Sharpe -?[\d.]+, Sortino -?[\d.]+/)
    expect(r.stdout).toMatch(/run hash {4}[0-9a-f]{64} \(`rick replay fx-bt-[0-9a-f]{10}` must reproduce it\)/)
    // No progress bar when stderr is not a terminal.
    expect(r.stderr).toBe('')
  })

  it('counts an instrument quoted in another currency in USD at a reference rate, and says so; says it when it cannot', async () => {
    const jpy = fixtureProject(FIXTURE_CONFIG.replace('instruments: [EUR_USD]', 'instruments: [EUR_USD, USD_JPY, EUR_SEK]'))
    try {
      const text = await rick(['backtest', 'fx', '--bars', '300'], {cwd: jpy.root, env: jpy.env})
      expect(text.exitCode).toBe(0)
      expect(text.stdout).toMatch(/\n {2}NOTE {8}USD_JPY is quoted in JPY: on the paper venue and in backtests its money is counted in USD at a fixed 0\.00666667 USD per JPY/)
      expect(text.stdout).toMatch(/\n {2}NOTE {8}EUR_SEK \(SEK\) is quoted in another currency than the account's USD/)
      const json = JSON.parse((await rick(['backtest', 'fx', '--bars', '300', '--json'], {cwd: jpy.root, env: jpy.env})).stdout) as {runId: string; notes: string[]}
      expect(json.notes).toEqual([expect.stringMatching(/^USD_JPY is quoted in JPY/), expect.stringMatching(/^EUR_SEK \(SEK\) is quoted in another currency/)])
      // The run traded USD_JPY with the conversion folded into its multiplier (P&L and limits in USD).
      const started = readJournal(jpy.journal, ['RUN_STARTED']).find((e) => e.runId === json.runId)!.payload as {instruments: Array<{id: string; multiplier: number}>}
      expect(started.instruments.find((i) => i.id === 'USD_JPY')!.multiplier).toBeCloseTo(1 / 150, 10)
      expect(started.instruments.find((i) => i.id === 'EUR_SEK')!.multiplier).toBe(1)
    } finally {
      jpy.cleanup()
    }
    // EUR_USD alone: nothing to say.
    const usd = JSON.parse((await rick(['backtest', 'fx', '--bars', '300', '--json'], {cwd: f.root, env: f.env})).stdout) as {notes: string[]}
    expect(usd.notes).toEqual([])
  })

  it('gives the same run id a suffix when the journal already holds that backtest', async () => {
    const a = JSON.parse((await rick(['backtest', 'fx', '--bars', '500', '--seed', '9', '--json'], {cwd: f.root, env: f.env})).stdout)
    const b = JSON.parse((await rick(['backtest', 'fx', '--bars', '500', '--seed', '9', '--json'], {cwd: f.root, env: f.env})).stdout)
    expect(b.runId).toBe(`${a.runId}-2`)
    expect(a.metrics).toEqual(b.metrics)
  })

  it('--from/--to choose the synthetic span', async () => {
    const r = await rick(['backtest', 'fx', '--from', '2024-02-01', '--to', '2024-02-01T01:39:00Z', '--json'], {cwd: f.root, env: f.env})
    const out = JSON.parse(r.stdout)
    expect(out.bars).toBe(100)
    expect(out.inputs.startTs).toBe(Date.UTC(2024, 1, 1))
  })

  it('bad input: unknown sector and bad dates are usage errors (exit 2), without stack traces', async () => {
    const a = await rick(['backtest', 'nope'], {cwd: f.root, env: f.env})
    expect(a.exitCode).toBe(2)
    expect(a.stderr).toMatch(/unknown sector 'nope': expected one of fx, coinbase/)
    const b = await rick(['backtest', 'fx', '--from', 'yesterday'], {cwd: f.root, env: f.env})
    expect(b.exitCode).toBe(2)
    expect(b.stderr).toMatch(/--from expects a date like 2024-03-01/)
    const c = await rick(['backtest', 'fx', '--data', 'dataset', '--json'], {cwd: f.root, env: f.env})
    expect(c.exitCode).not.toBe(0)
    expect(c.stdout).toMatch(/"error"/)
  })
})
