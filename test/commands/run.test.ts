import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import type {EventPayloads} from '../../src/foundation/journal/events.js'
import {openJournal} from '../../src/foundation/journal/index.js'
import {rick} from '../helpers/cli.js'
import {FIXTURE_CONFIG, fixtureProject, type Fixture} from '../integration/engine-fixture.js'
import {background} from '../integration/run-process.js'

let f: Fixture
beforeAll(() => {
  f = fixtureProject()
})
afterAll(() => f.cleanup())

describe('rick run', () => {
  it('the quick start: coinbase --canary without credentials runs on paper with synthetic data and says so', async () => {
    const r = await rick(['run', 'coinbase', '--canary', '--bars', '200'], {cwd: f.root, env: f.env})
    expect(r.exitCode).toBe(0)
    const lines = r.stdout.split('\n')
    expect(lines[0]).toMatch(/^rick run coinbase: run coinbase-\d{8}T\d{6}-\w+$/)
    expect(r.stdout).toContain('coinbase: no credentials (COINBASE_API_KEY, COINBASE_API_SECRET) → running on the paper venue with synthetic data; effective mode: paper')
    expect(r.stdout).toMatch(/\n {2}mode {6}paper \(asked: canary\)\n/)
    expect(r.stdout).toMatch(/\n {2}venue {5}paper venue/)
    expect(r.stdout).toMatch(/\n {2}data {6}synthetic bars, seed 1, .*one 1-minute bar every 50 ms \(the default/)
    expect(r.stdout).toMatch(/\n {2}profile {3}Conservative/)
    expect(r.stdout).toMatch(/\n {2}journal {3}.*journal\.db\n/)
    expect(r.stdout).toMatch(/\n {2}stop {6}Ctrl-C/)
    // Decisions, orders and fills, one line each.
    expect(r.stdout).toMatch(/ decision BTC-USD target 0\.0003 \(now 0\): SMA\(5\) crossed above SMA\(20\)/)
    expect(r.stdout).toMatch(/ order {4}buy 0\.0003 BTC-USD market {2}\[coinbase-/)
    expect(r.stdout).toMatch(/ fill {5}buy 0\.0003 BTC-USD @ [\d.]+ fee [\d.]+ → position 0\.0003/)
    expect(r.stdout).toMatch(/\nstopped: bars-limit after 200 bars\n/)
    // This run's counts and the account's totals, each labelled.
    expect(r.stdout).toMatch(/\n {2}this run: \d+ decisions?, \d+ orders?, \d+ fills?, \d+ denied, \d+ rejected; \d+ closing trades?\n {2}account: {2}realized -?[\d.]+ USD, fees [\d.]+ USD, equity [\d.]+ USD, cash [\d.]+ USD\n/)
    // The charter judged, and the journal recorded, the effective mode.
    const j = openJournal({path: f.journal, readonly: true})
    try {
      const started = [...j.events({sector: 'coinbase', types: ['RUN_STARTED']})].at(-1)!.payload as EventPayloads['RUN_STARTED']
      expect(started).toMatchObject({requestedMode: 'canary', effectiveMode: 'paper', environment: 'paper', charter: {allow: true, mode: 'paper'}})
      expect(started.notices[0]).toMatch(/effective mode: paper/)
    } finally {
      j.close()
    }
  })

  it('live refuses to fall back to paper: exit 3, with the reason', async () => {
    const g = fixtureProject(FIXTURE_CONFIG.replace('mode: canary', 'mode: live'))
    try {
      const l = await rick(['run', 'coinbase'], {cwd: g.root, env: g.env})
      expect(l.exitCode).toBe(3)
      expect(l.stderr).toMatch(/coinbase: live refuses to start: no credentials \(COINBASE_API_KEY, COINBASE_API_SECRET\), and live never falls back to the paper venue \(fail closed\)/)
      expect(l.stdout).toBe('')
    } finally {
      g.cleanup()
    }
  })

  it('a second engine on the same sector is refused by the lock (exit 1); SIGINT stops the first cleanly (exit 0, RUN_STOPPED signal)', async () => {
    const first = background(f, ['run', 'fx', '--speed', '20ms'])
    await first.started
    const second = await rick(['run', 'fx', '--bars', '10'], {cwd: f.root, env: f.env})
    expect(second.exitCode).toBe(1)
    expect(second.stderr).toMatch(new RegExp(`sector fx is already running \\(pid ${first.child.pid}, mode paper`))
    first.child.kill('SIGINT')
    expect(await first.exited).toBe(0)
    expect(first.err()).toMatch(/SIGINT: stopping fx \(cancelling working orders, keeping positions\)/)
    expect(first.out()).toMatch(/\nstopped: signal after \d+ bars\n/)
    const j = openJournal({path: f.journal, readonly: true})
    try {
      const stopped = [...j.events({sector: 'fx', types: ['RUN_STOPPED']})].at(-1)!.payload as EventPayloads['RUN_STOPPED']
      expect(stopped.reason).toBe('signal')
    } finally {
      j.close()
    }
    // The lock is gone: the sector starts again.
    const again = await rick(['run', 'fx', '--bars', '5', '--speed', 'max'], {cwd: f.root, env: f.env})
    expect(again.exitCode).toBe(0)
  })

  it('bad flags are usage errors (exit 2)', async () => {
    const a = await rick(['run', 'fx', '--speed', 'warp'], {cwd: f.root, env: f.env})
    expect(a.exitCode).toBe(2)
    expect(a.stderr).toMatch(/--speed expects 1x, 60x, max/)
    const b = await rick(['run', 'nope'], {cwd: f.root, env: f.env})
    expect(b.exitCode).toBe(2)
    expect(b.stderr).toMatch(/unknown sector 'nope'/)
  })

  it('--sim on a paper sector: the connector signs in to the simulator with the simulator\u2019s own token (the sector needs none of its own)', async () => {
    const r = await rick(['run', 'fx', '--sim', '--speed', '600x', '--bars', '3'], {cwd: f.root, env: f.env})
    expect(r.exitCode, r.stderr).toBe(0)
    expect(r.stdout).toMatch(/venue {5}oanda-v20 \(@oanda\/v20 /)
    expect(r.stdout).toMatch(/mode {6}paper — against rick's oanda simulator at http:\/\/127\.0\.0\.1:\d+/)
  })
})
