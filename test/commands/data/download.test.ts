// `rick data download` through the built CLI: the sector's OANDA connector on the real @oanda/v20
// SDK against rick's OANDA simulator over TCP (started here, so the test can read its candles
// itself and switch its faults). The stored bars are compared with the simulator's candles fetched
// independently over its REST API; then `rick data list` and `rick backtest --data dataset` read
// them. Resuming is tested after SIGINT and after SIGKILL in the middle of a download.
import {execa} from 'execa'
import {existsSync} from 'node:fs'
import {join} from 'node:path'
import {afterAll, afterEach, beforeAll, describe, expect, it} from 'vitest'

import {startOandaSimulator} from '../../../plugins/oanda/src/sim/index.js'
import {coreRuntime} from '../../../src/sectors/core-runtime.js'
import type {RunningSimulator} from '../../../src/sectors/definition.js'
import {loadSeries} from '../../../src/sectors/data/store.js'
import {rick, RICK_BIN} from '../../helpers/cli.js'
import {fixtureProject, type Fixture} from '../../integration/engine-fixture.js'

const M = 60_000
const TOKEN_ENV = 'OANDA_API_TOKEN'
let sim: RunningSimulator
/** A whole hour, twelve days back: every range below is in the simulator's past (it keeps 30 days). */
let T0: number
const fixtures: Fixture[] = []

beforeAll(async () => {
  sim = await startOandaSimulator({core: coreRuntime, seed: 11, speed: 1, instruments: ['EUR_USD', 'GBP_USD']})
  T0 = Math.floor(Date.now() / 3_600_000) * 3_600_000 - 12 * 86_400_000
})
afterAll(async () => {
  await sim.close()
})
afterEach(() => {
  for (const f of fixtures.splice(0)) f.cleanup()
  sim.faults.set({latencyMs: 0, revokeToken: false})
})

function project(sector = ''): {f: Fixture; env: NodeJS.ProcessEnv} {
  const f = fixtureProject(`version: 1
sectors:
  fx:
    venue: oanda
    mode: practice
    profile: Balanced
    instruments: [EUR_USD, GBP_USD]
    strategy: {name: sma-crossover, params: {fast: 3, slow: 8, size: 1000}}
    barPeriod: 1m
    connection: {accountId: ${sim.accountId}, tokenEnv: ${TOKEN_ENV}, restUrl: "${sim.endpoints.rest}", streamUrl: "${sim.endpoints.stream}", timeoutMs: 5000}
${sector}`)
  fixtures.push(f)
  return {f, env: {...f.env, [TOKEN_ENV]: String(sim.credentials.token)}}
}

const iso = (ms: number) => new Date(ms).toISOString()

/** The simulator's complete M1 mid candles in [from, to), read over its REST API as any OANDA client would (pages of 5000). */
async function simCandles(instrument: string, from: number, to: number): Promise<number[][]> {
  const out: number[][] = []
  for (let at = from; at < to; ) {
    const url = `${sim.endpoints.rest}/v3/instruments/${instrument}/candles?granularity=M1&price=M&from=${iso(at)}&to=${iso(Math.min(to, at + 5000 * M))}`
    const r = await fetch(url, {headers: {Authorization: `Bearer ${String(sim.credentials.token)}`}})
    expect(r.status).toBe(200)
    const body = (await r.json()) as {candles: Array<{time: string; complete: boolean; volume: number; mid: {o: string; h: string; l: string; c: string}}>}
    if (body.candles.length === 0) break
    for (const c of body.candles) {
      const ts = Date.parse(c.time)
      if (c.complete && ts < to) out.push([ts, Number(c.mid.o), Number(c.mid.h), Number(c.mid.l), Number(c.mid.c), c.volume])
    }
    at = Date.parse((body.candles.at(-1) as {time: string}).time) + M
  }
  return out
}

function storedRows(home: string, instrument: string): number[][] {
  const s = loadSeries(instrument, {home})
  return Array.from({length: s.length}, (_, i) => [s.ts[i], s.open[i], s.high[i], s.low[i], s.close[i], s.volume[i]] as number[])
}

async function download(env: NodeJS.ProcessEnv, cwd: string, args: string[]) {
  const r = await rick(['data', 'download', 'fx', '--json', ...args], {cwd, env})
  return {...r, json: r.stdout.trim() === '' ? undefined : (JSON.parse(r.stdout) as Record<string, unknown> & {instruments: Array<Record<string, unknown>>})}
}

async function until(what: string, cond: () => boolean, ms = 8000): Promise<void> {
  const end = Date.now() + ms
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 20))
  }
}

describe('rick data download against the OANDA simulator', () => {
  it('stores exactly the venue’s candles, two pages each', async () => {
    const {f, env} = project()
    const to = T0 + 5760 * M // 4 days: more than one 5000-candle page
    const r = await download(env, f.root, ['--from', iso(T0), '--to', iso(to - M)])
    expect(r.exitCode, r.stderr).toBe(0)
    expect(r.json).toMatchObject({sector: 'fx', venue: 'oanda', mode: 'practice', environment: 'simulator', periodMs: M, interrupted: false, connector: {name: 'oanda-v20', sdk: {package: '@oanda/v20'}}})
    for (const i of r.json!.instruments) {
      expect(i).toMatchObject({asked: [[T0, to - M + 1]], requests: 2, received: 5760, added: 5760, replaced: 0, rejected: [], complete: true, dataset: {bars: 5760, from: T0, to: to - M, periodMs: M}})
    }
    expect(JSON.stringify(r.json)).not.toContain(String(sim.credentials.token))
    for (const instrument of ['EUR_USD', 'GBP_USD']) {
      const venue = await simCandles(instrument, T0, to)
      expect(venue).toHaveLength(5760)
      expect(storedRows(f.home, instrument)).toEqual(venue)
    }
  })

  it('rick data list shows the datasets, a backtest runs on them, and a later download asks only for the new tail', async () => {
    const {f, env} = project()
    const to = T0 + 600 * M
    const first = await download(env, f.root, ['--from', iso(T0), '--to', iso(to - M)])
    expect(first.exitCode, first.stderr).toBe(0)

    const list = await rick(['data', 'list', '--json'], {cwd: f.root, env})
    expect(list.exitCode).toBe(0)
    const datasets = (JSON.parse(list.stdout) as {datasets: Array<{instrument: string; bars: number; periodMs: number}>}).datasets
    expect(datasets.map((d) => [d.instrument, d.bars, d.periodMs])).toEqual([
      ['EUR_USD', 600, M],
      ['GBP_USD', 600, M],
    ])

    const bt = await rick(['backtest', 'fx', '--data', 'dataset', '--json'], {cwd: f.root, env})
    expect(bt.exitCode, bt.stderr).toBe(0)
    const out = JSON.parse(bt.stdout) as {inputs: {kind: string; dataset: string; sha256: string}; bars: number; summary: {fills: number}}
    expect(out.inputs).toMatchObject({kind: 'dataset', dataset: 'EUR_USD.bars,GBP_USD.bars'})
    expect(out.bars).toBe(2 * 600)
    expect(out.summary.fills).toBeGreaterThan(0)

    // Later, without --from: the dataset is continued, only the new tail is asked for.
    const later = await download(env, f.root, ['--to', iso(to + 99 * M)])
    expect(later.exitCode, later.stderr).toBe(0)
    for (const i of later.json!.instruments) expect(i).toMatchObject({asked: [[to - M + 1, to + 99 * M + 1]], requests: 1, added: 100, replaced: 0, dataset: {bars: 700}})
    expect(storedRows(f.home, 'EUR_USD')).toEqual(await simCandles('EUR_USD', T0, to + 100 * M))
  })

  it('prints a summary for a person; an up-to-date store asks nothing', async () => {
    const {f, env} = project()
    const args = ['data', 'download', 'fx', '--instrument', 'GBP_USD', '--bar-period', '1h', '--from', iso(T0), '--to', iso(T0 + 47 * 3_600_000)]
    const r = await rick(args, {cwd: f.root, env})
    expect(r.exitCode, r.stderr).toBe(0)
    expect(r.stdout).toMatch(/^rick data download fx: 1h bars from oanda \(simulator; oanda-v20, 127\.0\.0\.1:\d+, 127\.0\.0\.1:\d+\) into \.rick\/data$/m)
    expect(r.stdout).toContain('48 bars received: 48 new, 0 replaced; 0 refused')
    expect(r.stdout).toMatch(/GBP_USD: asked .* \(1 request\)/)
    expect(loadSeries('GBP_USD', {home: f.home}).periodMs).toBe(3_600_000)
    expect(existsSync(join(f.home, 'data', 'EUR_USD.bars'))).toBe(false)
    const again = await rick(args, {cwd: f.root, env})
    expect(again.exitCode).toBe(0)
    expect(again.stdout).toContain('GBP_USD: up to date: the store holds it all, nothing asked')
  })

  it.each([
    ['SIGINT', 1],
    ['SIGKILL', null],
  ] as const)('a download stopped by %s loses nothing it wrote; the next run asks only for the rest', async (signal, code) => {
    const {f, env} = project()
    const to = T0 + 15_000 * M // three pages per instrument
    sim.faults.set({latencyMs: 100})
    const child = execa('node', [RICK_BIN, 'data', 'download', 'fx', '--instrument', 'EUR_USD', '--from', iso(T0), '--to', iso(to - M), '--json'], {cwd: f.root, env: {NO_COLOR: '1', ...env}, reject: false})
    const bars = join(f.home, 'data', 'EUR_USD.bars')
    await until('the first page stored', () => existsSync(bars))
    child.kill(signal)
    const stopped = await child
    expect(stopped.exitCode ?? null).toBe(code)
    if (signal === 'SIGINT') expect(JSON.parse(String(stopped.stdout))).toMatchObject({interrupted: true, instruments: [{complete: false}]})
    const kept = storedRows(f.home, 'EUR_USD')
    expect(kept.length).toBeGreaterThanOrEqual(5000)
    expect(kept.length).toBeLessThan(15_000)

    sim.faults.set({latencyMs: 0})
    const rest = await download(env, f.root, ['--instrument', 'EUR_USD', '--from', iso(T0), '--to', iso(to - M)])
    expect(rest.exitCode, rest.stderr).toBe(0)
    const i = rest.json!.instruments[0] as {asked: number[][]; added: number; replaced: number}
    expect(i.asked[0]?.[0]).toBeGreaterThan(T0)
    expect(i.added).toBe(15_000 - kept.length)
    expect(i.replaced).toBe(0)
    expect(storedRows(f.home, 'EUR_USD')).toEqual(await simCandles('EUR_USD', T0, to))
  })

  it('--sim downloads from a simulator of its own, without credentials', async () => {
    const {f, env} = project()
    const bare = {...env}
    delete bare[TOKEN_ENV]
    const r = await download(bare, f.root, ['--sim', '--from', iso(Date.now() - 2 * 3_600_000)])
    expect(r.exitCode, r.stderr).toBe(0)
    expect(r.json).toMatchObject({environment: 'simulator', interrupted: false})
    for (const i of r.json!.instruments) {
      expect(i.added as number).toBeGreaterThanOrEqual(118)
      expect(i.added as number).toBeLessThanOrEqual(120)
    }
  })

  it('errors: exit 2 naming the variable without a token; exit 1 when the venue refuses it; exit 1 when TWS is not there; exit 2 for a period OANDA has no candles of', async () => {
    const {f, env} = project(`  cb:
    venue: ibkr
    mode: paper
    profile: Balanced
    instruments: [{symbol: SPY, secType: STK, exchange: SMART, currency: USD}]
    strategy: {name: sma-crossover, params: {}}
    connection: {host: 127.0.0.1, port: 7497, clientId: 1}
`)
    const bare = {...env}
    delete bare[TOKEN_ENV]
    const missing = await rick(['data', 'download', 'fx'], {cwd: f.root, env: bare})
    expect(missing.exitCode).toBe(2)
    expect(missing.stderr).toContain('Error: fx: set OANDA_API_TOKEN (in the environment or one of the sector')
    expect(missing.stderr).not.toMatch(/\n\s+at /)
    const asJson = await rick(['data', 'download', 'fx', '--json'], {cwd: f.root, env: bare})
    expect(asJson.exitCode).toBe(2)
    expect(JSON.parse(asJson.stdout)).toMatchObject({error: {code: 'NO_CREDENTIALS'}})

    // IBKR reads its history from TWS (the paper account's port here): none runs, said plainly.
    const noTws = await rick(['data', 'download', 'cb', '--json'], {cwd: f.root, env})
    expect(noTws.exitCode).toBe(1)
    expect(JSON.parse(noTws.stdout)).toMatchObject({error: {code: 'VENUE_UNREACHABLE', message: expect.stringContaining('127.0.0.1:7497')}})

    const period = await rick(['data', 'download', 'fx', '--bar-period', '7m', '--from', iso(T0), '--to', iso(T0 + 3_600_000)], {cwd: f.root, env})
    expect(period.exitCode).toBe(2)
    expect(period.stderr).toContain('EUR_USD: oanda refused the request (Unsupported): OANDA has no candles of 420000 ms')

    sim.faults.set({revokeToken: true})
    const refused = await rick(['data', 'download', 'fx', '--json'], {cwd: f.root, env})
    expect(refused.exitCode).toBe(1)
    expect(JSON.parse(refused.stdout)).toMatchObject({error: {code: 'AUTH_FAILED'}})
    expect(refused.stdout).not.toContain(String(sim.credentials.token))
    expect(existsSync(join(f.home, 'data'))).toBe(false)
  })
})
