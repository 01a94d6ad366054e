import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {rick} from '../helpers/cli.js'
import {fixtureProject, type Fixture} from '../integration/engine-fixture.js'

let f: Fixture
beforeAll(() => {
  f = fixtureProject()
})
afterAll(() => f.cleanup())

describe('rick replay', () => {
  it('replays a paper run (synthetic inputs, recovered account) identically', async () => {
    const first = await rick(['run', 'fx', '--bars', '300', '--speed', 'max', '--seed', '5', '--json'], {cwd: f.root, env: f.env})
    expect(first.exitCode).toBe(0)
    const second = await rick(['run', 'fx', '--bars', '300', '--speed', 'max', '--seed', '6', '--json'], {cwd: f.root, env: f.env})
    const runId = JSON.parse(second.stdout).runId as string
    const r = await rick(['replay', runId, '--json'], {cwd: f.root, env: f.env})
    expect(r.exitCode).toBe(0)
    expect(JSON.parse(r.stdout)).toMatchObject({runId, ok: true})
  })

  it('an unknown run is a usage error (exit 2) naming the latest runs', async () => {
    const r = await rick(['replay', 'no-such-run'], {cwd: f.root, env: f.env})
    expect(r.exitCode).toBe(2)
    expect(r.stderr).toMatch(/no run 'no-such-run' in the journal .*; latest runs: fx-/)
    expect(r.stderr).not.toMatch(/\n\s+at /)
  })
})
