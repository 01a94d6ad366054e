// How `rick status` tells the ways a sector runs apart: an engine whose environment holds systemd's
// INVOCATION_ID is `systemd`, with the last CONNECTION event of its run as its connection state;
// one already running by hand is left alone by `rick up`, which starts the others (`up`).
import {spawn} from 'node:child_process'
import {mkdirSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {afterEach, describe, expect, it} from 'vitest'

import {openJournal} from '../../src/foundation/journal/index.js'
import {rick} from '../helpers/cli.js'
import {FIXTURE_CONFIG, fixtureProject, type Fixture} from '../integration/engine-fixture.js'
import {background} from '../integration/run-process.js'

const fixtures: Fixture[] = []
afterEach(() => {
  for (const f of fixtures.splice(0)) f.cleanup()
})

describe('rick status: how each sector runs', () => {
  it('systemd (INVOCATION_ID in the engine environment), with the connection state of its current run', async () => {
    const f = fixtureProject()
    fixtures.push(f)
    // Stands in for an engine under systemd: a live process with systemd's variable, holding the lock.
    const engine = spawn('sleep', ['30'], {env: {...process.env, INVOCATION_ID: '0123456789abcdef'}, stdio: 'ignore'})
    try {
      const runId = 'fx-20260101T000000-sysd'
      mkdirSync(join(f.home, 'locks'), {recursive: true})
      writeFileSync(join(f.home, 'locks', 'fx.lock'), JSON.stringify({pid: engine.pid, sector: 'fx', runId, mode: 'practice'}))
      const j = openJournal({path: f.journal})
      try {
        j.append({ts: 1_000, runId, sector: 'fx', type: 'CONNECTION', payload: {stream: 'pricing', state: 'connected'}})
        j.append({ts: 2_000, runId, sector: 'fx', type: 'CONNECTION', payload: {stream: 'pricing', state: 'disconnected', reason: 'socket closed'}})
        j.append({ts: 3_000, runId: 'fx-older-run', sector: 'fx', type: 'CONNECTION', payload: {stream: 'pricing', state: 'connected'}})
      } finally {
        j.close()
      }
      const r = await rick(['status', '--sector', 'fx', '--json'], {cwd: f.root, env: f.env})
      expect(r.exitCode).toBe(0)
      expect(JSON.parse(r.stdout).sectors[0]).toMatchObject({running: true, pid: engine.pid, runsAs: 'systemd', connection: {stream: 'pricing', state: 'disconnected', reason: 'socket closed', ts: 2_000}})
      const text = await rick(['status', '--sector', 'fx'], {cwd: f.root, env: f.env})
      expect(text.stdout.split('\n')[0]).toBe(`fx  RUNNING (pid ${engine.pid}, systemd; disconnected (socket closed))`)
    } finally {
      engine.kill('SIGKILL')
    }
  })

  it('rick up leaves a sector already running by hand alone and starts the other: status says "by hand" and "up"', async () => {
    const f = fixtureProject(FIXTURE_CONFIG.replace('mode: canary', 'mode: paper'))
    fixtures.push(f)
    const hand = background(f, ['run', 'fx', '--speed', '20ms'])
    try {
      await hand.started
      const up = background(f, ['up', '--speed', '20ms'], /^coinbase \| +stop {6}Ctrl-C/m)
      try {
        await up.started
        expect(up.out()).toContain(`rick up: fx already runs (pid ${hand.child.pid}, by hand): left alone`)
        const s = JSON.parse((await rick(['status', '--json'], {cwd: f.root, env: f.env})).stdout)
        expect(s.sectors.map((x: {sector: string; runsAs: string}) => [x.sector, x.runsAs])).toEqual([
          ['fx', 'by hand'],
          ['coinbase', 'up'],
        ])
        up.child.kill('SIGINT')
        expect(await up.exited).toBe(0)
        // The engine started by hand is not `rick up`'s to stop.
        expect(hand.child.exitCode).toBeNull()
      } finally {
        up.child.kill('SIGKILL')
      }
      hand.child.kill('SIGINT')
      expect(await hand.exited).toBe(0)
    } finally {
      hand.child.kill('SIGKILL')
    }
  }, 20_000)
})
