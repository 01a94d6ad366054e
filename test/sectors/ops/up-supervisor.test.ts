// The supervisor's restart rules, with stand-in children (a tiny script that exits as its sector's
// name says) instead of engines, so every rule of the table in supervisor.ts is seen in well
// under a second: back-off doubling, giving up after the start-limit burst, no restart after
// exit 2 or 3, exit 0 a normal stop, and up.json removed at the end.
import {existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {afterEach, describe, expect, it} from 'vitest'

import {START_LIMIT_BURST, superviseSectors} from '../../../src/sectors/ops/up/supervisor.js'

const dirs: string[] = []
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, {recursive: true, force: true})
})

// argv: [node, script, 'run', sector]; the sector's name is its exit code ("exit-3"), or "crash".
const CHILD = `const sector = process.argv[3]
if (sector === 'stubborn') {
  // An engine that hangs on its way out: SIGTERM does nothing.
  process.on('SIGTERM', () => console.log('SIGTERM ignored'))
  setInterval(() => {}, 1000)
} else if (sector === 'polite') {
  process.on('SIGTERM', () => process.exit(0))
  setInterval(() => {}, 1000)
}
// Said once its signal handlers are in place.
console.log('child of ' + sector + ' says hello')
if (sector === 'crash') process.kill(process.pid, 'SIGKILL')
else if (sector.startsWith('exit-')) process.exit(Number(sector.slice(5)))
`

function logOf(sector: string): string {
  const file = join(dirs.at(-1)!, 'logs', `${sector}.log`)
  return existsSync(file) ? readFileSync(file, 'utf8') : ''
}

async function waitFor(cond: () => boolean, ms = 5_000): Promise<void> {
  const deadline = performance.now() + ms
  while (!cond()) {
    if (performance.now() > deadline) throw new Error('condition not met in time')
    await new Promise((r) => setTimeout(r, 5))
  }
}

async function supervise(sectors: string[], extra: {stopGraceMs?: number; listen?: (stop: (s: NodeJS.Signals) => void) => () => void} = {}) {
  const home = mkdtempSync(join(tmpdir(), 'rick-up-supervisor-'))
  dirs.push(home)
  const script = join(home, 'child.mjs')
  writeFileSync(script, CHILD)
  const printed: string[] = []
  const result = await superviseSectors({sectors, runArgs: [], home, cwd: home, env: process.env, node: process.execPath, script, restartDelayMs: 10, stopGraceMs: 30_000, print: (l) => printed.push(l), now: () => Date.now(), ...extra})
  return {home, result, printed}
}

describe('superviseSectors', () => {
  it('restarts a crashing sector with a doubling delay and gives up after the start-limit burst', async () => {
    const {home, result, printed} = await supervise(['crash'])
    expect(result.sectors).toEqual([{sector: 'crash', pid: null, state: 'failed', restarts: START_LIMIT_BURST - 1, lastExit: 'killed by SIGKILL'}])
    expect(result.exitCode).toBe(1)
    const delays = printed.flatMap((l) => /restarting in (\d+) ms/.exec(l)?.[1] ?? []).map(Number)
    expect(delays).toEqual([10, 20, 40, 80])
    expect(printed.at(-1)).toMatch(/^crash \| rick up: crash killed by SIGKILL, 5 crashes within 10 minutes: giving up/)
    const log = readFileSync(join(home, 'logs', 'crash.log'), 'utf8')
    expect(log.match(/child of crash says hello/g)).toHaveLength(START_LIMIT_BURST)
    expect(existsSync(join(home, 'up.json'))).toBe(false)
  })

  it('exit 2 and 3 are not restarted, exit 0 is a normal stop, exit 1 is a crash; each sector on its own', async () => {
    const {result, printed} = await supervise(['exit-0', 'exit-2', 'exit-3'])
    expect(result.sectors.map((s) => [s.sector, s.state, s.restarts, s.lastExit])).toEqual([
      ['exit-0', 'stopped', 0, 'exit 0'],
      ['exit-2', 'failed', 0, 'exit 2'],
      ['exit-3', 'failed', 0, 'exit 3'],
    ])
    expect(result.exitCode).toBe(1)
    expect(printed).toContain('exit-2 | rick up: exit-2 ended with exit 2 (bad config or flags): not restarted; fix it, then start it again')
    expect(printed).toContain('exit-3 | rick up: exit-3 ended with exit 3 (denied by the charter): not restarted; fix it, then start it again')
    const one = await supervise(['exit-1'])
    expect(one.result.sectors[0]).toMatchObject({state: 'failed', restarts: START_LIMIT_BURST - 1, lastExit: 'exit 1'})
  })

  it('a stop sends SIGTERM to each; what still runs after the stop grace is killed', async () => {
    let stop: (s: NodeJS.Signals) => void = () => {}
    const run = supervise(['polite', 'stubborn'], {stopGraceMs: 300, listen: (s) => ((stop = s), () => {})})
    const started = performance.now()
    // Both children answer SIGTERM once they have set up their handlers (they say hello first).
    await waitFor(() => dirs.length > 0 && ['polite', 'stubborn'].every((x) => logOf(x).includes('says hello')))
    stop('SIGINT')
    const {result, printed} = await run
    expect(performance.now() - started).toBeGreaterThanOrEqual(300)
    expect(printed).toContain('rick up: still running 0.3 s after SIGTERM: killing every sector still running (SIGKILL)')
    expect(result.sectors.map((s) => [s.sector, s.state, s.lastExit])).toEqual([
      ['polite', 'stopped', 'exit 0'],
      ['stubborn', 'failed', 'killed by SIGKILL'],
    ])
    expect(logOf('stubborn')).toContain('SIGTERM ignored')
  })

  it('a second stop signal kills at once', async () => {
    let stop: (s: NodeJS.Signals) => void = () => {}
    const run = supervise(['stubborn'], {stopGraceMs: 30_000, listen: (s) => ((stop = s), () => {})})
    await waitFor(() => dirs.length > 0 && logOf('stubborn').includes('says hello'))
    stop('SIGINT')
    await waitFor(() => logOf('stubborn').includes('SIGTERM ignored'))
    stop('SIGINT')
    const {result, printed} = await run
    expect(printed).toContain('rick up: SIGINT again: killing every sector still running (SIGKILL)')
    expect(result).toEqual({exitCode: 1, sectors: [{sector: 'stubborn', pid: null, state: 'failed', restarts: 0, lastExit: 'killed by SIGKILL'}]})
  })

  it('every sector stopping normally is exit 0', async () => {
    const {result} = await supervise(['exit-0'])
    expect(result).toEqual({exitCode: 0, sectors: [{sector: 'exit-0', pid: null, state: 'stopped', restarts: 0, lastExit: 'exit 0'}]})
  })
})
