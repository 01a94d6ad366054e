// Hostile strategies through the real CLI (`rick run … --paper`): the engine's rounding is its own
// whatever the strategy patched (the 10 BTC order the finding let through a 500 USD cap is denied),
// and a strategy that never returns is stopped: STRATEGY_ERROR and HALTED journaled, the run ends
// by itself with RUN_STOPPED, and the process exits 1 as a halted run does. Checked in the journal.
import {spawn} from 'node:child_process'
import {copyFileSync, existsSync, readdirSync, readFileSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {afterAll, describe, expect, it} from 'vitest'

import type {EventPayloads} from '../../src/foundation/journal/events.js'
import {rick, RICK_BIN} from '../helpers/cli.js'
import {fixtureProject, readJournal, type Fixture} from '../integration/engine-fixture.js'

const HERE = new URL('.', import.meta.url).pathname

const config = (strategy: string, budget = ''): string => `version: 1
sectors:
  evil:
    venue: coinbase
    mode: paper
    profile: Conservative
    risk: {maxOrderNotional: 500}
    instruments: [BTC-USD]
    strategy: {name: ${strategy}${budget}}
    connection: {apiKeyEnv: COINBASE_API_KEY, apiSecretEnv: COINBASE_API_SECRET}
`

const fixtures: Fixture[] = []
afterAll(() => {
  for (const f of fixtures) f.cleanup()
})

function project(strategy: string, budget = ''): Fixture {
  const f = fixtureProject(config(strategy, budget))
  fixtures.push(f)
  copyFileSync(join(HERE, 'strategies', `${strategy}.ts`), join(f.root, 'strategies', `${strategy}.ts`))
  return f
}

describe('hostile strategies in `rick run --paper`', () => {
  it('a Math.round patched by the strategy does not reach the engine: 10 BTC is denied by the 500 USD cap', async () => {
    const f = project('patch-math')
    const r = await rick(['run', 'evil', '--paper', '--speed', 'max', '--bars', '20', '--seed', '3'], {cwd: f.root, env: f.env})
    expect(r.exitCode, r.stderr).toBe(0)
    const events = readJournal(f.journal)
    const intents = events.filter((e) => e.type === 'ORDER_INTENT')
    const denied = events.filter((e) => e.type === 'ORDER_DENIED').map((e) => e.payload as EventPayloads['ORDER_DENIED'])
    expect(intents).toHaveLength(0)
    expect(events.filter((e) => e.type === 'FILL')).toHaveLength(0)
    expect(denied.length).toBeGreaterThan(0)
    expect(denied[0]!.order.qty).toBe(10)
    expect(denied[0]!.code).toBe('MAX_ORDER_NOTIONAL')
  })

  it('an endless onBar: the sector is HALTED with STRATEGY_ERROR, and the run still ends cleanly', async () => {
    const f = project('endless-loop', ', budget: {callMs: 150}')
    const r = await rick(['run', 'evil', '--paper', '--speed', 'max', '--bars', '5', '--seed', '3'], {cwd: f.root, env: f.env})
    // A halted run exits 1 (so a supervisor sees it), after its RUN_STOPPED; not killed, not 0.
    expect(r.exitCode, r.stderr).toBe(1)
    expect(r.stdout).toMatch(/stopped: halted \(strategy error: stopped: onBar\(\) did not return within 150 ms/)
    const events = readJournal(f.journal)
    const error = events.find((e) => e.type === 'STRATEGY_ERROR')?.payload as EventPayloads['STRATEGY_ERROR'] | undefined
    expect(error?.phase).toBe('onBar')
    expect(error?.message).toMatch(/^stopped: onBar\(\) did not return within 150 ms/)
    const halted = events.find((e) => e.type === 'RISK_STATE' && (e.payload as EventPayloads['RISK_STATE']).to === 'HALTED')
    expect(halted).toBeDefined()
    expect(events.at(-1)?.type).toBe('RUN_STOPPED')
  })

  it('`rick backtest` with an endless or an allocating strategy: stopped at its budget, journaled, exit 1, this process unharmed', async () => {
    // The sector's own budget (strategy.budget) applies: 120 ms a call here.
    for (const name of ['endless-loop', 'allocate', 'typed-hoard']) {
      const f = project(name, ', budget: {callMs: 120, memoryMb: 64}')
      const r = await rick(['backtest', 'evil', '--bars', '50'], {cwd: f.root, env: f.env})
      expect(r.exitCode, r.stderr).toBe(1)
      expect(r.stderr).toMatch(/backtest of evil: the strategy was stopped: (a call into the strategy did not return within 120 ms|the backtest (ran out of its memory|held \d+ MB, past its memory) \(1024 MB for the engine \+ 64 MB)/)
      const events = readJournal(f.journal)
      const error = events.find((e) => e.type === 'STRATEGY_ERROR')?.payload as EventPayloads['STRATEGY_ERROR'] | undefined
      expect(error?.message, name).toMatch(/^stopped: /)
      expect(events.find((e) => e.type === 'RUN_STARTED')?.runId).toBe(events.at(-1)?.runId)
    }
  })

  it('a run whose strategy is in its worker still stops cleanly on Ctrl-C (SIGINT): RUN_STOPPED, exit 0, no lock left', async () => {
    // Loading a strategy once put SIGINT back to its default action (a vm watchdog in the worker):
    // Ctrl-C then killed the run with 130 and left its lock.
    const f = project('patch-math')
    const child = spawn(process.execPath, [RICK_BIN, 'run', 'evil', '--paper', '--speed', '50ms', '--seed', '3'], {cwd: f.root, env: f.env, stdio: ['ignore', 'pipe', 'pipe']})
    let out = ''
    child.stdout.on('data', (d: Buffer) => void (out += d.toString()))
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)))
    for (let i = 0; i < 200 && !/DENIED/.test(out); i++) await new Promise((r) => setTimeout(r, 50))
    expect(out).toMatch(/DENIED/)
    child.kill('SIGINT')
    expect(await exited).toBe(0)
    const events = readJournal(f.journal)
    expect(events.at(-1)?.type).toBe('RUN_STOPPED')
    expect((events.at(-1)!.payload as EventPayloads['RUN_STOPPED']).reason).toBe('signal')
    const locks = join(f.home, 'locks')
    expect(existsSync(locks) ? readdirSync(locks) : []).toEqual([])
  })

  it('`rick replay` after the strategy was edited to never return: stopped at its budget, the replay says so and exits 1', async () => {
    const f = project('patch-math', ', budget: {callMs: 120}')
    const bt = await rick(['backtest', 'evil', '--bars', '20', '--json'], {cwd: f.root, env: f.env})
    expect(bt.exitCode, bt.stderr).toBe(0)
    const runId = (JSON.parse(bt.stdout) as {runId: string}).runId
    const file = join(f.root, 'strategies', 'patch-math.ts')
    writeFileSync(file, readFileSync(file, 'utf8').replace("onBar: (bar: {instrument: string}) => [", 'onBar: (bar: {instrument: string}) => { for (;;) { /* spin */ } }, unused: (bar: {instrument: string}) => ['))
    const r = await rick(['replay', runId], {cwd: f.root, env: f.env})
    expect(r.exitCode).toBe(1)
    expect(r.stdout).toMatch(/replayed: STRATEGY_ERROR \{"message":"stopped: onBar\(\) did not return within 120 ms/)
  })
})
