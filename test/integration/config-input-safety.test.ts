// Hostile config files, through the built CLI: a device, a FIFO, a symlink to a password file,
// a generated file of 200,000 sectors, and a backtest of thousands of instruments. Each must end
// quickly with a clear error (or, for the backtest, in time that grows with the bars, not with
// instruments × bars), in modest memory, and never print what a file that is not a config holds.
import {execa} from 'execa'
import {execFileSync} from 'node:child_process'
import {readFileSync, symlinkSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {RICK_BIN} from '../helpers/cli.js'
import {FIXTURE_CONFIG, fixtureProject, type Fixture} from './engine-fixture.js'

interface Outcome {
  exitCode: number | undefined
  stdout: string
  stderr: string
  timedOut: boolean
  ms: number
  /** Highest VmHWM (peak resident set) seen while the process ran, in MB. */
  peakMb: number
}

/** Past this, a run is killed: a failing test must not take the memory of the tests beside it. */
const KILL_ABOVE_MB = 600

/** Runs the CLI, polling its peak resident memory from /proc while it runs. */
async function measured(args: string[], f: Fixture, timeout: number): Promise<Outcome> {
  const t0 = performance.now()
  const child = execa('node', [RICK_BIN, ...args], {cwd: f.root, env: {...f.env, NO_COLOR: '1', NODE_ENV: 'production'}, reject: false, timeout, killSignal: 'SIGKILL', stdin: 'ignore'})
  let peakKb = 0
  const poll = setInterval(() => {
    try {
      const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'))
      if (m) peakKb = Math.max(peakKb, Number(m[1]))
      if (peakKb > KILL_ABOVE_MB * 1024) child.kill('SIGKILL')
    } catch {
      // Gone already.
    }
  }, 10)
  const r = await child
  clearInterval(poll)
  return {exitCode: r.exitCode, stdout: String(r.stdout), stderr: String(r.stderr), timedOut: r.timedOut === true, ms: performance.now() - t0, peakMb: peakKb / 1024}
}

let f: Fixture
beforeAll(() => {
  f = fixtureProject()
})
afterAll(() => f.cleanup())

describe('a config that is not a regular file', () => {
  it('a symlink to /dev/zero: a clear error in bounded time and memory', async () => {
    symlinkSync('/dev/zero', join(f.root, 'zero.yaml'))
    const r = await measured(['config', 'validate', '--file', 'zero.yaml'], f, 8000)
    expect(r.timedOut, 'rick kept reading /dev/zero').toBe(false)
    expect(r.peakMb).toBeLessThan(250)
    expect(r.exitCode, r.stderr).toBe(2)
    expect(r.stderr).toMatch(/zero\.yaml.*not a regular file.*character device/)
    expect(r.stderr).toMatch(/\/dev\/zero/)
  })

  it('a FIFO: run and status fail with an error instead of waiting for a writer', async () => {
    const g = fixtureProject()
    try {
      const config = join(g.root, 'config', 'trading_sectors.yaml')
      execFileSync('rm', [config])
      execFileSync('mkfifo', [config])
      for (const args of [['status'], ['run', 'fx', '--speed', 'max', '--bars', '10']]) {
        const r = await measured(args, g, 8000)
        expect(r.timedOut, `rick ${args[0]} waited on the FIFO`).toBe(false)
        expect(r.exitCode, `rick ${args[0]}`).toBe(2)
        expect(r.stderr, `rick ${args[0]}`).toMatch(/trading_sectors\.yaml.*not a regular file.*FIFO/)
      }
    } finally {
      g.cleanup()
    }
  })
})

describe('a config that is not YAML for rick', () => {
  it('a symlink to a shadow-like file: the error never shows its lines', async () => {
    const shadow = join(f.root, 'shadow')
    writeFileSync(shadow, 'root:$6$secrethash$Kq3ZlPq0:19000:0:99999:7:::\ndaemon:*:19000:0:99999:7:::\nadmin: $6$othersecret$abc\n', {mode: 0o600})
    symlinkSync(shadow, join(f.root, 'linked.yaml'))
    for (const json of [false, true]) {
      const r = await measured(['config', 'validate', '--file', 'linked.yaml', ...(json ? ['--json'] : [])], f, 8000)
      const out = r.stdout + r.stderr
      expect(r.exitCode, r.stderr).toBe(2)
      expect(out).not.toMatch(/secrethash|othersecret|Kq3ZlPq0|\$6\$|daemon|root:/)
      expect(out).toMatch(/not a rick config/)
    }
  })
})

describe('a config far too large', () => {
  it('200,000 generated sectors fail fast, naming the limit, in modest memory', async () => {
    const sector = (i: number) => `  s${i}:\n    venue: oanda\n    mode: paper\n    instruments: [EUR_USD]\n    strategy: {name: sma-crossover}\n    connection: {accountId: 101-001-1234567-001, tokenEnv: OANDA_API_TOKEN}\n`
    const parts = ['version: 1\nsectors:\n']
    for (let i = 0; i < 200_000; i++) parts.push(sector(i))
    writeFileSync(join(f.root, 'huge.yaml'), parts.join(''))
    const small = await measured(['config', 'validate', '--file', 'config/trading_sectors.yaml'], f, 8000)
    expect(small.exitCode, small.stderr).toBe(0)
    const r = await measured(['config', 'validate', '--file', 'huge.yaml'], f, 8000)
    expect(r.timedOut).toBe(false)
    expect(r.exitCode, r.stderr).toBe(2)
    expect(r.stderr).toMatch(/huge\.yaml.*larger than the limit of 1 MiB/)
    // Refused before parsing: about what validating a small file costs.
    expect(r.ms).toBeLessThan(small.ms * 3 + 500)
    expect(r.peakMb).toBeLessThan(small.peakMb + 60)
  })

  it('a file under the size limit with 40,000 sectors fails fast, naming the sector limit', async () => {
    const parts = ['version: 1\nsectors:\n']
    for (let i = 0; i < 40_000; i++) parts.push(`  s${i}: {}\n`)
    writeFileSync(join(f.root, 'many.yaml'), parts.join(''))
    const small = await measured(['config', 'validate', '--file', 'config/trading_sectors.yaml'], f, 8000)
    const r = await measured(['config', 'validate', '--file', 'many.yaml'], f, 8000)
    expect(r.timedOut).toBe(false)
    expect(r.exitCode, r.stderr).toBe(2)
    expect(r.stderr).toMatch(/40,000 sectors.*at most 1,000/)
    expect(r.stderr.split('\n').length).toBeLessThan(10)
    expect(r.ms).toBeLessThan(small.ms * 3 + 1500)
    expect(r.peakMb).toBeLessThan(small.peakMb + 150)
  })
})

// Asks for a position on every bar: every bar of every instrument brings an order to the risk check.
const EVERY_BAR = `const everyBar = {
  name: 'every-bar',
  description: 'Flips between flat and 1 unit on every bar.',
  paramsSchema: {type: 'object', additionalProperties: false, properties: {}},
  create: () => ({
    init() {},
    onBar(bar: {instrument: string}, ctx: {position(i: string): number}) {
      return [{instrument: bar.instrument, target: ctx.position(bar.instrument) === 0 ? 1 : 0, reason: 'flip'}]
    },
    onFill() {},
    state() {
      return {}
    },
    restore() {},
  }),
}
export default everyBar
`

describe('a sector of thousands of instruments', () => {
  it('backtests 5,000 instruments × 20 bars about as fast as 100 × 1,000', async () => {
    const name = (i: number) => Array.from({length: 4}, (_, k) => String.fromCharCode(65 + (Math.floor(i / 26 ** k) % 26))).reverse().join('')
    const config = (n: number) =>
      FIXTURE_CONFIG.replace('instruments: [EUR_USD]', `instruments: [${Array.from({length: n}, (_, i) => `${name(i)}_USD`).join(', ')}]`).replace(
        'strategy: {name: sma-crossover, params: {fast: 5, slow: 20, size: 1000}}',
        'strategy: {name: every-bar}',
      )
    const run = async (n: number, bars: number, timeout: number): Promise<Outcome> => {
      const g = fixtureProject(config(n))
      try {
        writeFileSync(join(g.root, 'strategies', 'every-bar.ts'), EVERY_BAR)
        return await measured(['backtest', 'fx', '--bars', String(bars), '--json'], g, timeout)
      } finally {
        g.cleanup()
      }
    }
    const few = await run(100, 1_000, 20_000)
    expect(few.exitCode, few.stderr).toBe(0)
    expect(JSON.parse(few.stdout)).toMatchObject({bars: 100_000})
    // The same 100,000 bars over 50 times the instruments. Merging the series by a scan of every
    // instrument per bar, and copying every instrument's price into the risk snapshot per order,
    // made this 12 times slower (10,000 instruments × 100 bars: 258 s).
    const many = await run(5_000, 20, few.ms * 3)
    expect(many.timedOut, `5,000 instruments took more than 3 times as long as 100 (${Math.round(few.ms)} ms)`).toBe(false)
    expect(many.exitCode, many.stderr).toBe(0)
    expect(JSON.parse(many.stdout)).toMatchObject({bars: 100_000})
  }, 30_000)
})
