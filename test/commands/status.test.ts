import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {rick} from '../helpers/cli.js'
import {fixtureProject, type Fixture} from '../integration/engine-fixture.js'

let f: Fixture
beforeAll(() => {
  f = fixtureProject()
})
afterAll(() => f.cleanup())

describe('rick status', () => {
  it('lists every sector, also those that never ran', async () => {
    const r = await rick(['status', '--json'], {cwd: f.root, env: f.env})
    expect(r.exitCode).toBe(0)
    const out = JSON.parse(r.stdout)
    expect(out.sectors.map((s: {sector: string}) => s.sector)).toEqual(['fx', 'coinbase'])
    expect(out.sectors[1]).toMatchObject({sector: 'coinbase', configuredMode: 'canary', running: false, pid: null, lastRun: null, riskState: {state: 'ACTIVE'}})
    expect(out.sectors[1].approval).toEqual({needed: true, valid: false, detail: 'no canary approval (rick charter approve coinbase --mode canary)'})
    expect(out.sectors[0].approval).toMatchObject({needed: false, valid: true})
  })

  it("after a run: its mode, positions and cash as the journal has them, today's P&L, the last event", async () => {
    const run = await rick(['run', 'fx', '--bars', '400', '--speed', 'max', '--json'], {cwd: f.root, env: f.env})
    expect(run.exitCode).toBe(0)
    const ran = JSON.parse(run.stdout)
    const r = await rick(['status', '--sector', 'fx', '--json'], {cwd: f.root, env: f.env})
    const [s] = JSON.parse(r.stdout).sectors
    expect(s.lastRun).toMatchObject({runId: ran.runId, effectiveMode: 'paper', reason: 'bars-limit', interrupted: false})
    expect(s.positions).toEqual(ran.summary.positions)
    expect(s.cash).toBeCloseTo(ran.summary.cash, 6)
    expect(typeof s.todayRealized).toBe('number')
    expect(typeof s.lastEventAgeMs).toBe('number')
    const text = await rick(['status', '--sector', 'fx'], {cwd: f.root, env: f.env})
    expect(text.stdout).toMatch(/^fx {2}not running\n {2}mode {7}configured paper; last run paper\n {2}last run {3}fx-\S+, stopped: bars-limit\n {2}risk {7}(ACTIVE|HALTED \(\w+|REDUCING \(\w+)/)
    expect(text.stdout).toMatch(/\n {2}snapshot {3}none\n {2}approval {3}not needed in paper\n/)
  })

  it('an unknown sector is a usage error', async () => {
    const r = await rick(['status', '--sector', 'nope'], {cwd: f.root, env: f.env})
    expect(r.exitCode).toBe(2)
    expect(r.stderr).toMatch(/unknown sector '<--sector value>'/)
  })
})
