import {spawn} from 'node:child_process'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import type {EventPayloads} from '../../src/foundation/journal/events.js'
import {openJournal} from '../../src/foundation/journal/index.js'
import {rick, RICK_BIN} from '../helpers/cli.js'
import {fixtureProject, type Fixture} from '../integration/engine-fixture.js'

let f: Fixture
beforeAll(() => {
  f = fixtureProject()
})
afterAll(() => f.cleanup())

const state = async (sector: string) => JSON.parse((await rick(['status', '--sector', sector, '--json'], {cwd: f.root, env: f.env})).stdout).sectors[0].riskState

describe('rick halt / rick resume', () => {
  it('a stopped sector: halt is journaled, survives into the next start, resume lifts it', async () => {
    const h = await rick(['halt', 'fx', '--reason', 'news at 14:30'], {cwd: f.root, env: f.env})
    expect(h.exitCode).toBe(0)
    expect(h.stdout).toMatch(/^fx: ACTIVE → HALTED \(journal seq \d+\); the sector is not running: it starts in this state next time\.$/)
    expect(await state('fx')).toMatchObject({state: 'HALTED', code: 'MANUAL_HALT', reason: 'news at 14:30 (rick halt)'})
    const again = await rick(['halt', 'fx'], {cwd: f.root, env: f.env})
    expect(again.stdout).toBe('fx is already HALTED: nothing to do.')

    const run = await rick(['run', 'fx', '--bars', '300', '--speed', 'max'], {cwd: f.root, env: f.env})
    expect(run.exitCode).toBe(0)
    expect(run.stdout).toMatch(/risk state HALTED/)
    expect(run.stdout).not.toMatch(/ order {4}/)
    expect(run.stdout).toMatch(/DENIED {3}buy 1000 EUR_USD market: HALTED: sector is HALTED: only cancels pass/)

    const r = await rick(['resume', 'fx', '--json'], {cwd: f.root, env: f.env})
    expect(JSON.parse(r.stdout)).toMatchObject({from: 'HALTED', to: 'ACTIVE', changed: true, transition: {code: 'MANUAL_RESUME'}})
    expect(await state('fx')).toMatchObject({state: 'ACTIVE', code: 'MANUAL_RESUME'})
  })

  it('a running engine picks a halt up from the journal within about a second', async () => {
    await rick(['resume', 'fx'], {cwd: f.root, env: f.env})
    const child = spawn(process.execPath, [RICK_BIN, 'run', 'fx', '--speed', '20ms'], {cwd: f.root, env: f.env, stdio: ['ignore', 'pipe', 'pipe']})
    let out = ''
    child.stdout.on('data', (d) => (out += String(d)))
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)))
    for (let i = 0; i < 200 && !/ stop {6}Ctrl-C/.test(out); i++) await new Promise((r) => setTimeout(r, 50))
    const h = await rick(['halt', 'fx', '--reason', 'test'], {cwd: f.root, env: f.env})
    expect(h.stdout).toMatch(new RegExp(`the running engine \\(pid ${child.pid}\\) picks it up within a second`))
    for (let i = 0; i < 100 && !/ state {4}ACTIVE → HALTED/.test(out); i++) await new Promise((r) => setTimeout(r, 50))
    child.kill('SIGINT')
    expect(await exited).toBe(0)
    expect(out).toMatch(/ state {4}ACTIVE → HALTED \(MANUAL_HALT\): test \(rick halt\) \(manual, seq \d+; picked up after bar \d+\)/)
    const j = openJournal({path: f.journal, readonly: true})
    try {
      const runId = [...j.events({sector: 'fx', types: ['RUN_STARTED']})].at(-1)!.runId
      const states = [...j.events({runId, types: ['RISK_STATE']})].map((e) => e.payload as EventPayloads['RISK_STATE'])
      expect(states.at(-1)).toMatchObject({from: 'ACTIVE', to: 'HALTED', code: 'MANUAL_HALT'})
      // The replay puts the halt at the same bar.
      const replay = await rick(['replay', runId], {cwd: f.root, env: f.env})
      expect(replay.stdout).toMatch(/identical/)
      expect(replay.exitCode).toBe(0)
    } finally {
      j.close()
    }
  })

  it('an unknown sector is a usage error', async () => {
    const r = await rick(['resume', 'nope'], {cwd: f.root, env: f.env})
    expect(r.exitCode).toBe(2)
  })

  it('the kill switch: halt --all halts every sector of the config in one command; resume --all undoes it', async () => {
    await rick(['resume', '--all'], {cwd: f.root, env: f.env})
    const h = await rick(['halt', '--all', '--reason', 'kill switch', '--json'], {cwd: f.root, env: f.env})
    expect(h.exitCode, h.stderr).toBe(0)
    const results = JSON.parse(h.stdout).sectors as Array<{sector: string; to: string}>
    expect(results.map((r) => r.sector).sort()).toEqual(['coinbase', 'fx'])
    for (const r of results) expect(r.to).toBe('HALTED')
    // Each sector's own state says so, as rick status folds the journal.
    for (const sector of ['fx', 'coinbase']) expect(await state(sector)).toMatchObject({state: 'HALTED', code: 'MANUAL_HALT', reason: 'kill switch (rick halt)'})
    const text = await rick(['resume', '--all'], {cwd: f.root, env: f.env})
    expect(text.stdout.split('\n').filter((l) => /HALTED → ACTIVE/.test(l))).toHaveLength(2)
    for (const sector of ['fx', 'coinbase']) expect(await state(sector)).toMatchObject({state: 'ACTIVE'})
  })

  it('neither a sector nor --all, or both, is a usage error naming --all', async () => {
    const none = await rick(['halt'], {cwd: f.root, env: f.env})
    expect(none.exitCode).toBe(2)
    expect(none.stderr).toContain('--all')
    const both = await rick(['halt', 'fx', '--all', '--json'], {cwd: f.root, env: f.env})
    expect(both.exitCode).toBe(2)
    expect(JSON.parse(both.stdout).error.code).toBe('MISSING_SECTOR')
  })
})
