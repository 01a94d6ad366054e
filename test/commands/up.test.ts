// `rick up` of the built CLI in temp projects: two paper sectors as children, their logs, a
// crash restarted after a back-off, an exit 2 not restarted, `rick down` of one child, and Ctrl-C
// stopping the rest with no lock left.
import {existsSync, readFileSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {afterEach, describe, expect, it} from 'vitest'

import {rick} from '../helpers/cli.js'
import {FIXTURE_CONFIG, fixtureProject, type Fixture} from '../integration/engine-fixture.js'
import {background, pollUntil} from '../integration/run-process.js'

const PAPER_CONFIG = FIXTURE_CONFIG.replace('mode: canary', 'mode: paper')
const READY = / stop {6}Ctrl-C/

const fixtures: Fixture[] = []
afterEach(() => {
  for (const f of fixtures.splice(0)) f.cleanup()
})

function project(config = PAPER_CONFIG): Fixture {
  const f = fixtureProject(config)
  fixtures.push(f)
  return f
}

const log = (f: Fixture, sector: string) => (existsSync(join(f.home, 'logs', `${sector}.log`)) ? readFileSync(join(f.home, 'logs', `${sector}.log`), 'utf8') : '')
const lockPid = (f: Fixture, sector: string): number | undefined => {
  try {
    return (JSON.parse(readFileSync(join(f.home, 'locks', `${sector}.lock`), 'utf8')) as {pid: number}).pid
  } catch {
    return undefined
  }
}

describe('rick up', () => {
  it('starts both sectors with their own logs; a SIGKILLed one is restarted after the back-off; rick down stops one; SIGINT stops the rest (exit 0, no lock left)', async () => {
    const f = project()
    const up = background(f, ['up', '--speed', '20ms', '--restart-delay', '300ms'], /^fx +\| +stop {6}Ctrl-C/m)
    try {
      expect(await pollUntil(() => READY.test(log(f, 'fx')) && READY.test(log(f, 'coinbase')), 9_000, up.exited)).toBe(true)
      expect(up.out()).toMatch(/^fx +\| rick run fx: run fx-/m)
      expect(up.out()).toMatch(/^coinbase \| rick run coinbase: run coinbase-/m)
      const upRecord = JSON.parse(readFileSync(join(f.home, 'up.json'), 'utf8'))
      expect(upRecord.pid).toBe(up.child.pid)
      const status = JSON.parse((await rick(['status', '--json'], {cwd: f.root, env: f.env})).stdout)
      expect(status.sectors.map((s: {runsAs: string}) => s.runsAs)).toEqual(['up', 'up'])

      // A crash: restarted, not before the back-off.
      const first = lockPid(f, 'fx')!
      const killedAt = performance.now()
      process.kill(first, 'SIGKILL')
      expect(await pollUntil(() => /fx +\| rick up: fx killed by SIGKILL: restarting in 300 ms/.test(up.out()), 5_000, up.exited)).toBe(true)
      expect(await pollUntil(() => (lockPid(f, 'fx') ?? first) !== first, 8_000, up.exited)).toBe(true)
      expect(performance.now() - killedAt).toBeGreaterThanOrEqual(300)
      expect(log(f, 'fx').match(/--- rick up: rick run fx/g)).toHaveLength(2)

      // `rick down coinbase`: only that child stops; `rick up` and fx keep running.
      const down = await rick(['down', 'coinbase', '--json'], {cwd: f.root, env: f.env})
      expect(down.exitCode).toBe(0)
      expect(JSON.parse(down.stdout).sectors).toEqual([expect.objectContaining({sector: 'coinbase', result: 'stopped', runsAs: 'up'})])
      expect(lockPid(f, 'coinbase')).toBeUndefined()
      expect(await pollUntil(() => /coinbase \| rick up: coinbase stopped \(exit 0\)/.test(up.out()), 3_000, up.exited)).toBe(true)
      expect(lockPid(f, 'fx')).toBeDefined()

      up.child.kill('SIGINT')
      expect(await up.exited).toBe(0)
      expect(up.out()).toMatch(/rick up: SIGINT: stopping every sector/)
      expect(up.out()).toMatch(/rick up: done: fx stopped \(exit 0\), 1 restarts; coinbase stopped \(exit 0\)/)
      expect(lockPid(f, 'fx')).toBeUndefined()
      expect(existsSync(join(f.home, 'up.json'))).toBe(false)
    } finally {
      up.child.kill('SIGKILL')
    }
  }, 30_000)

  it('a sector that exits 2 (its strategy does not compile) is not restarted; the other keeps running', async () => {
    const f = project(PAPER_CONFIG.replace('strategy: {name: sma-crossover, params: {fast: 5, slow: 20, size: 0.0003}}', 'strategy: {name: broken, params: {}}'))
    writeFileSync(join(f.root, 'strategies', 'broken.ts'), 'export default {{{\n')
    const up = background(f, ['up', '--speed', '20ms', '--restart-delay', '100ms'], /^fx +\| +stop {6}Ctrl-C/m)
    try {
      expect(await pollUntil(() => /coinbase \| rick up: coinbase ended with exit 2 \(bad config or flags\): not restarted/.test(up.out()), 9_000, up.exited)).toBe(true)
      await up.started
      expect(log(f, 'coinbase')).toMatch(/does not compile/)
      expect(log(f, 'coinbase').match(/--- rick up: rick run coinbase/g)).toHaveLength(1)
      up.child.kill('SIGINT')
      // A sector that ended in failure makes `rick up` exit 1.
      expect(await up.exited).toBe(1)
      expect(up.out()).toMatch(/rick up: done: fx stopped \(exit 0\); coinbase failed \(exit 2\)/)
      expect(log(f, 'coinbase').match(/--- rick up: rick run coinbase/g)).toHaveLength(1)
      expect(lockPid(f, 'fx')).toBeUndefined()
    } finally {
      up.child.kill('SIGKILL')
    }
  }, 20_000)

  it('an unknown sector is a usage error with the nearest name (exit 2), nothing started', async () => {
    const f = project()
    const r = await rick(['up', 'fx', 'coinbsae'], {cwd: f.root, env: f.env})
    expect(r.exitCode).toBe(2)
    expect(r.stderr).toMatch(/unknown sector 'coinbsae': expected one of fx, coinbase; did you mean: coinbase/)
    expect(existsSync(join(f.home, 'up.json'))).toBe(false)
  })

  it('a --restart-delay that is not a duration is a usage error (exit 2)', async () => {
    const f = project()
    const r = await rick(['up', '--restart-delay', '5'], {cwd: f.root, env: f.env})
    expect(r.exitCode).toBe(2)
    expect(r.stderr).toMatch(/--restart-delay: expected a duration like 500ms or 20s/)
    expect(existsSync(join(f.home, 'logs'))).toBe(false)
  })
})
