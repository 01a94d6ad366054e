// `rick down` of the built CLI: a sector started by hand (`rick run … &`) is stopped through its
// lock's pid and `rick status` said `by hand` before; nothing to stop is exit 0; bad names exit 2.
// (A sector under `rick up` is stopped in up.test.ts.)
import {existsSync} from 'node:fs'
import {join} from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {rick} from '../helpers/cli.js'
import {fixtureProject, type Fixture} from '../integration/engine-fixture.js'
import {background} from '../integration/run-process.js'

let f: Fixture
beforeAll(() => {
  f = fixtureProject()
})
afterAll(() => f.cleanup())

describe('rick down', () => {
  it('stops a sector started by hand: SIGTERM through its lock, waits for the lock to go (exit 0); status said "by hand"', async () => {
    const run = background(f, ['run', 'fx', '--speed', '20ms'])
    try {
      await run.started
      const status = await rick(['status', '--sector', 'fx'], {cwd: f.root, env: f.env})
      expect(status.stdout.split('\n')[0]).toBe(`fx  RUNNING (pid ${run.child.pid}, by hand)`)
      const json = JSON.parse((await rick(['status', '--sector', 'fx', '--json'], {cwd: f.root, env: f.env})).stdout)
      expect(json.sectors[0]).toMatchObject({running: true, runsAs: 'by hand', connection: null})

      const down = await rick(['down'], {cwd: f.root, env: f.env})
      expect(down.exitCode).toBe(0)
      expect(down.stdout).toBe(`fx: stopped (pid ${run.child.pid}, by hand)\ncoinbase: not running`)
      expect(existsSync(join(f.home, 'locks', 'fx.lock'))).toBe(false)
      expect(await run.exited).toBe(0)
      expect(run.out()).toMatch(/\nstopped: signal after \d+ bars\n/)
    } finally {
      run.child.kill('SIGKILL')
    }
  })

  it('a sector that does not run: nothing to do, exit 0, as JSON', async () => {
    const r = await rick(['down', 'fx', '--json'], {cwd: f.root, env: f.env})
    expect(r.exitCode).toBe(0)
    expect(JSON.parse(r.stdout)).toEqual({exitCode: 0, sectors: [{sector: 'fx', result: 'not-running', pid: null, runsAs: null, detail: 'not running', waitedMs: 0}]})
  })

  it('an unknown sector is a usage error (exit 2)', async () => {
    const r = await rick(['down', 'nope', '--json'], {cwd: f.root, env: f.env})
    expect(r.exitCode).toBe(2)
    expect(JSON.parse(r.stdout).error.message).toMatch(/unknown sector 'nope': expected one of fx, coinbase/)
  })
})
