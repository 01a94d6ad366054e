// The hostile strategies of test/hostile/strategies, each loaded the way `rick run` loads a
// project's strategy (compiled, checked, sandboxed in a worker) and run through the engine's
// StrategyHost. Every one must be contained: refused when loaded, or stopped with a fault that says
// why — and nothing it tried happened: no file written, no request made, no secret read, the
// engine's own globals untouched, this process alive and answering.
import {copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync} from 'node:fs'
import {createServer, type Server} from 'node:http'
import type {AddressInfo} from 'node:net'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {afterAll, afterEach, beforeAll, describe, expect, it} from 'vitest'

import type {Bar} from '../../src/foundation/domain/bars.js'
import {RickError} from '../../src/foundation/errors.js'
import type {Signal} from '../../src/sectors/strategy/contract.js'
import {isStrategyFault, StrategyHost, type StrategyFault} from '../../src/sectors/strategy/host.js'
import {loadStrategy} from '../../src/sectors/strategy/loader.js'
import {testContext} from '../strategies/helpers.js'

const HERE = new URL('.', import.meta.url).pathname
const BUDGET = {callMs: 400, memoryMb: 64, loadMs: 1000}
const MARKERS = ['/tmp/rick-hostile-exec', '/tmp/rick-hostile-require', '/tmp/rick-hostile-escape']

let root: string
let requests = 0
let server: Server
let port = 0
const hosts: StrategyHost[] = []

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'rick-hostile-'))
  mkdirSync(join(root, 'strategies'))
  for (const f of readdirSync(join(HERE, 'strategies'))) copyFileSync(join(HERE, 'strategies', f), join(root, 'strategies', f))
  for (const m of MARKERS) rmSync(m, {force: true})
  server = createServer((_req, res) => {
    requests++
    res.end('ok')
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  port = (server.address() as AddressInfo).port
  process.env.RICK_HOSTILE_SECRET = 'do-not-read-me'
})
afterEach(() => {
  for (const h of hosts.splice(0)) h.close()
})
afterAll(async () => {
  delete process.env.RICK_HOSTILE_SECRET
  await new Promise((resolve) => server.close(resolve))
  rmSync(root, {recursive: true, force: true})
  // Nothing any of them tried happened.
  for (const m of MARKERS) expect(existsSync(m), m).toBe(false)
  expect(requests).toBe(0)
})

const bar = (close: number, instrument = 'X'): Bar => ({instrument, ts: 60_000, open: close, high: close, low: close, close, volume: 1})

async function load(name: string, params: Record<string, unknown> = {}) {
  return loadStrategy(root, {name, params}, {cacheDir: join(root, 'cache'), budget: BUDGET})
}

/** The strategy in its worker, behind the engine's host; its init already called. */
async function host(name: string, params: Record<string, unknown> = {}): Promise<{h: StrategyHost; initFault: StrategyFault | undefined}> {
  const loaded = await load(name, params)
  const h = new StrategyHost(() => loaded.create(), testContext(['X', 'Y']))
  hosts.push(h)
  return {h, initFault: h.init()}
}

async function refused(name: string): Promise<RickError> {
  const e = await load(name).catch((err: unknown) => err)
  expect(e).toBeInstanceOf(RickError)
  return e as RickError
}

function faultOf(r: readonly Signal[] | StrategyFault | undefined): StrategyFault {
  expect(isStrategyFault(r), JSON.stringify(r)).toBe(true)
  return r as StrategyFault
}

describe('hostile strategies are contained', () => {
  it('imports of Node built-ins are refused when compiled, each with its file, line and column', async () => {
    const exec = await refused('exec-import')
    expect(exec.exitCode).toBe(2)
    expect(exec.message).toContain('strategies/exec-import.ts:2:24: import "node:child_process" is a Node.js built-in')
    const fs = await refused('fs-import')
    expect(fs.message).toContain('strategies/fs-import.ts:2:28: import "fs" is a Node.js built-in')
    expect(fs.message).toContain('strategies/fs-import.ts:3:23: import "node:http" is a Node.js built-in')
  })

  it('require, process, fetch and the environment do not exist in the realm', async () => {
    const req = await host('require-exec')
    // esbuild's stand-in for a require it could not resolve, where `require` does not exist.
    expect(faultOf(req.initFault).message).toBe('Dynamic require of "child_process" is not supported')
    const exit = await host('process-exit')
    expect(exit.initFault).toBeUndefined()
    expect(faultOf(exit.h.onBar(bar(1))).message).toBe('process is not defined')
    const ex = await host('exfiltrate', {port})
    expect(faultOf(ex.h.onBar(bar(1))).message).toMatch(/^(fetch|process) is not defined$/)
  })

  it('a Function constructor reached through a prototype cannot compile code from a string', async () => {
    const {h} = await host('constructor-escape')
    expect(faultOf(h.onBar(bar(1))).message).toMatch(/Code generation from strings disallowed/)
  })

  it('the wall clock is not readable; time comes from ctx.now()', async () => {
    const {h} = await host('wall-clock')
    expect(faultOf(h.onBar(bar(1))).message).toBe('Date.now() reads the wall clock, which a strategy has no access to: use ctx.now() (the engine clock)')
  })

  it('patching Math at the top level changes the strategy realm only, never the engine', async () => {
    const {h, initFault} = await host('patch-math', {size: 10})
    expect(initFault).toBeUndefined()
    expect(h.onBar(bar(59_300))).toEqual([{instrument: 'X', target: 10, reason: 'all in'}])
    expect(Math.round(2.6)).toBe(3)
    expect(Math.floor(2.6)).toBe(2)
  })

  it('an endless onBar is stopped at its time budget, and the engine goes on', async () => {
    const {h} = await host('endless-loop')
    const t0 = performance.now()
    const f = faultOf(h.onBar(bar(1)))
    expect(f.phase).toBe('onBar')
    expect(f.message).toMatch(/^stopped: onBar\(\) did not return within 400 ms/)
    expect(performance.now() - t0).toBeLessThan(5000)
    // Dead from then on: no second wait.
    expect(h.dead).toBe(true)
  })

  it('an endless top level is refused when loaded', async () => {
    const e = await refused('endless-top-level')
    expect(e.message).toMatch(/evaluating the module took longer than 1000 ms \(stopped\)/)
  })

  it('an allocation loop ends at the heap budget with its worker, not the engine', async () => {
    const {h} = await host('allocate')
    const f = faultOf(h.onBar(bar(1)))
    expect(f.message).toMatch(/^stopped: onBar\(\) did not return within 400 ms .*heap is limited to 64 MB/)
    expect(process.memoryUsage().rss).toBeLessThan(2 * 1024 ** 3)
  })

  it('typed arrays hoarded outside the JS heap are counted too: stopped past the memory budget', async () => {
    const {h} = await host('typed-hoard')
    let out: ReturnType<StrategyHost['onBar']> = []
    for (let i = 0; i < 5 && !isStrategyFault(out); i++) out = h.onBar(bar(i + 1))
    expect(faultOf(out).message).toMatch(/^stopped: the strategy holds \d+ MB, past its memory budget of 64 MB$/)
  })

  it('a throwing getter or a Proxy in the output is a fault of the strategy, not a crash', async () => {
    const g = await host('throwing-getter')
    expect(faultOf(g.h.onBar(bar(1))).message).toBe('gotcha')
    const p = await host('proxy-output')
    expect(faultOf(p.h.onBar(bar(1))).message).toBe('trap')
  })

  it('what crosses is plain data: the reason capped at 1 KB, unknown fields dropped', async () => {
    const {h} = await host('huge-reason')
    const out = h.onBar(bar(1)) as Signal[]
    expect(out).toHaveLength(1)
    expect(out[0]!.reason).toHaveLength(1024)
    expect(Object.keys(out[0]!).sort()).toEqual(['instrument', 'reason', 'target'])
  })

  it('work scheduled for later never runs, and finalizers are not there', async () => {
    const {h} = await host('later')
    expect(h.onBar(bar(1))).toEqual([{instrument: 'X', target: 0, reason: 'undefined'}])
    // The promise job that spins forever never ran: the next call is answered in time.
    expect(h.onBar(bar(2))).toEqual([{instrument: 'X', target: 0, reason: 'undefined'}])
  })

  it('the bridge cannot be replaced, and a toJSON on Object.prototype forges nothing', async () => {
    const {h} = await host('bridge-tamper')
    expect(h.onBar(bar(1))).toEqual([{instrument: 'X', target: 1, reason: 'replaced: refused'}])
  })
})
