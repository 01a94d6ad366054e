import {mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {afterAll, afterEach, beforeEach, describe, expect, it} from 'vitest'

import {hashStrategy} from '../../../src/foundation/charter/strategy-hash.js'
import {ConfigError, RickError} from '../../../src/foundation/errors.js'
import {availableStrategies, loadStrategy, type LoadedStrategy} from '../../../src/sectors/strategy/loader.js'
import {REPO_ROOT} from '../../helpers/cli.js'
import {testContext} from '../../strategies/helpers.js'

const temps: string[] = []
afterAll(() => {
  for (const t of temps) rmSync(t, {recursive: true, force: true})
})

function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'rick-loader-'))
  temps.push(d)
  return d
}

/** A project with the given files (paths relative to the project root). */
function project(files: Record<string, string>): {root: string; cacheDir: string} {
  const root = tempDir()
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(join(root, path, '..'), {recursive: true})
    writeFileSync(join(root, path), text)
  }
  return {root, cacheDir: join(root, '.rick', 'cache', 'strategies')}
}

// A TypeScript strategy with type-only imports of the contract (which does not exist in the temp
// project: they must be erased), types, an interface and a param schema.
const TS_STRATEGY = (answer: number) => `
import type {StrategyModule, Signal} from '../src/sectors/strategy/contract.js'
interface P { threshold: number; label: string }
const NONE: Signal[] = []
const mod: StrategyModule<P> = {
  name: 'threshold',
  description: 'Buys above a threshold.',
  paramsSchema: {
    type: 'object', additionalProperties: false,
    properties: {
      threshold: {type: 'number', default: ${answer}, description: 'Price level.'},
      label: {type: 'string', default: 'x', description: 'A label.'},
    },
  },
  create: (p: P) => ({
    init() {},
    onBar: (bar, ctx) => (bar.close > p.threshold && ctx.position(bar.instrument) === 0 ? [{instrument: bar.instrument, target: 1, reason: p.label + ':' + ${answer}}] : NONE),
    onFill() {},
    state: () => ({}),
    restore() {},
  }),
}
export default mod
`

const JS_STRATEGY = `
export default {
  name: 'plain',
  description: 'A JavaScript strategy.',
  paramsSchema: {type: 'object', additionalProperties: false, properties: {n: {type: 'integer', minimum: 1, default: 3, description: 'N.'}}},
  create: (p) => ({init() {}, onBar: () => [], onFill() {}, state: () => ({n: p.n}), restore() {}}),
}
`

/** A sandboxed instance, init()ed (its realm exists from then on), closed after the test. */
const opened: Array<{close(): void}> = []
afterEach(() => {
  for (const s of opened.splice(0)) s.close()
})
function started(loaded: LoadedStrategy, instruments = ['X']) {
  const s = loaded.create()
  opened.push(s)
  s.init(testContext(instruments))
  return s
}

describe('loadStrategy', () => {
  let env: NodeJS.ProcessEnv
  beforeEach(() => {
    env = {...process.env, RICK_HOME: join(tempDir(), 'home')}
  })

  it('loads a TypeScript strategy: compiles it, applies param defaults, and hashes it like the charter', async () => {
    const {root} = project({'strategies/threshold.ts': TS_STRATEGY(7)})
    const loaded = await loadStrategy(root, {name: 'threshold', params: {label: 'L'}}, {env})
    expect(loaded.file).toBe('strategies/threshold.ts')
    expect(loaded.params).toEqual({threshold: 7, label: 'L'})
    expect(Object.isFrozen(loaded.params)).toBe(true)
    expect(loaded.codeHash).toBe(hashStrategy(root, 'threshold')!.hash)
    expect(loaded.compiled).toBe(true)
    // Cached under <rickHome>/cache/strategies.
    expect(readdirSync(join(env.RICK_HOME!, 'cache', 'strategies'))).toHaveLength(1)
    const s = loaded.create()
    const ctx = testContext(['X'])
    s.init(ctx)
    expect(s.onBar({instrument: 'X', ts: 0, open: 8, high: 8, low: 8, close: 8, volume: 0}, ctx)).toEqual([{instrument: 'X', target: 1, reason: 'L:7'}])
  })

  it('reuses the compiled file on the second load, and compiles the new code after an edit', async () => {
    const {root, cacheDir} = project({'strategies/threshold.ts': TS_STRATEGY(7)})
    const first = await loadStrategy(root, {name: 'threshold', params: {}}, {cacheDir})
    const second = await loadStrategy(root, {name: 'threshold', params: {}}, {cacheDir})
    expect([first.compiled, second.compiled]).toEqual([true, false])
    expect(second.codeHash).toBe(first.codeHash)
    expect(readdirSync(cacheDir)).toHaveLength(1)

    writeFileSync(join(root, 'strategies/threshold.ts'), TS_STRATEGY(9))
    const edited = await loadStrategy(root, {name: 'threshold', params: {}}, {cacheDir})
    expect(edited.compiled).toBe(true)
    expect(edited.codeHash).not.toBe(first.codeHash)
    expect(edited.codeHash).toBe(hashStrategy(root, 'threshold')!.hash)
    expect(edited.params).toEqual({threshold: 9, label: 'x'})
    const ctx = testContext(['X'])
    const s = edited.create()
    s.init(ctx)
    expect(s.onBar({instrument: 'X', ts: 0, open: 10, high: 10, low: 10, close: 10, volume: 0}, ctx)[0]?.reason).toBe('x:9')
  })

  it('rebuilds a damaged cache file', async () => {
    const {root, cacheDir} = project({'strategies/plain.js': JS_STRATEGY})
    await loadStrategy(root, {name: 'plain', params: {}}, {cacheDir})
    const [file] = readdirSync(cacheDir)
    writeFileSync(join(cacheDir, file!), 'this is not javascript (')
    // The same folder by another path: a module URL this process has not imported yet.
    const alias = join(root, 'cache-alias')
    symlinkSync(cacheDir, alias)
    const again = await loadStrategy(root, {name: 'plain', params: {n: 2}}, {cacheDir: alias})
    expect(again.compiled).toBe(false)
    expect(started(again).state()).toEqual({n: 2})
    expect(readFileSync(join(cacheDir, file!), 'utf8')).toContain('rick: compiled from strategies/plain.js')
  })

  it('bundles trading-signals into the sandboxed strategy: its indicators work in the realm', async () => {
    const {root, cacheDir} = project({
      'strategies/ema.ts': `
        import {EMA} from 'trading-signals'
        import type {StrategyModule} from '../src/sectors/strategy/contract.js'
        const m: StrategyModule<{period: number}> = {
          name: 'ema', description: 'EMA of closes as the reason.',
          paramsSchema: {type: 'object', additionalProperties: false, properties: {period: {type: 'integer', default: 3, description: 'P.'}}},
          create: (p) => {
            const ema = new EMA(p.period)
            return {init() {}, onBar: (bar) => { ema.update(bar.close, false); return ema.isStable ? [{instrument: bar.instrument, target: 1, reason: String(ema.getResult())}] : [] }, onFill() {}, state: () => null, restore() {}}
          },
        }
        export default m
      `,
    })
    const loaded = await loadStrategy(root, {name: 'ema', params: {}}, {cacheDir})
    expect(readFileSync(join(cacheDir, readdirSync(cacheDir)[0]!), 'utf8')).not.toMatch(/\bimport\b.*trading-signals/)
    const s = started(loaded)
    const ctx = testContext(['X'])
    const closes = [10, 11, 12, 13]
    const out = closes.map((c) => s.onBar({instrument: 'X', ts: 0, open: c, high: c, low: c, close: c, volume: 0}, ctx))
    // EMA(3), k = 2/4, from the first close: 10 → 10.5 → 11.25 → 12.125, stable from the third.
    expect(out.map((o) => o[0]?.reason)).toEqual([undefined, undefined, '11.25', '12.125'])
  })

  it('carries post-only out of the realm on a limit signal, and nothing else a signal holds', async () => {
    const src = `export default {name: 'maker', description: 'd', paramsSchema: {type: 'object', properties: {}},
      create: () => ({init() {}, onBar: (bar) => [{instrument: bar.instrument, target: 1, reason: 'r', type: 'limit', limitPrice: 9, postOnly: true, extra: 1}], onFill() {}, state: () => null, restore() {}})}`
    const {root} = project({'strategies/maker.js': src})
    const s = started(await loadStrategy(root, {name: 'maker', params: {}}, {env}))
    expect(s.onBar({instrument: 'X', ts: 0, open: 10, high: 10, low: 10, close: 10, volume: 0}, testContext(['X']))).toEqual([{instrument: 'X', target: 1, reason: 'r', type: 'limit', limitPrice: 9, postOnly: true}])
  })

  it('loads JavaScript strategies (.js and .mjs)', async () => {
    const {root, cacheDir} = project({'strategies/plain.js': JS_STRATEGY, 'strategies/other.mjs': JS_STRATEGY.replace("'plain'", "'other'")})
    const a = await loadStrategy(root, {name: 'plain', params: {n: 5}}, {cacheDir})
    expect(a.params).toEqual({n: 5})
    expect(started(a).state()).toEqual({n: 5})
    const b = await loadStrategy(root, {name: 'other', params: {}}, {cacheDir})
    expect(b.file).toBe('strategies/other.mjs')
    expect(b.params).toEqual({n: 3})
  })

  it('bundles a folder strategy with its own files, and refuses an import from outside its folder with its place', async () => {
    const {root, cacheDir} = project({
      'strategies/multi/index.ts': `
        import {double} from './lib/math.js'
        export default {name: 'multi', description: 'd', paramsSchema: {type: 'object', properties: {}},
          create: () => ({init() {}, onBar: () => [], onFill() {}, state: () => ({v: double(21)}), restore() {}})}
      `,
      'strategies/multi/lib/math.ts': 'export const double = (x: number): number => x * 2\n',
      // Outside the folder: not part of the strategy's code hash, so never part of its code.
      'strategies/outside/index.ts': `
        import {NAME} from '../shared/name.mjs'
        export default {name: 'outside', description: 'd', paramsSchema: {type: 'object', properties: {}}, create: () => ({init() {}, onBar: () => [], onFill() {}, state: () => NAME, restore() {}})}
      `,
      'strategies/shared/name.mjs': "export const NAME = 'shared'\n",
    })
    const loaded = await loadStrategy(root, {name: 'multi', params: {}}, {cacheDir})
    expect(loaded.file).toBe('strategies/multi/index.ts')
    expect(started(loaded).state()).toEqual({v: 42})
    expect(loaded.codeHash).toBe(hashStrategy(root, 'multi')!.hash)
    // An edit of a file inside the folder is new code.
    writeFileSync(join(root, 'strategies/multi/lib/math.ts'), 'export const double = (x: number): number => x * 3\n')
    const edited = await loadStrategy(root, {name: 'multi', params: {}}, {cacheDir})
    expect(started(edited).state()).toEqual({v: 63})
    const refused = (await loadStrategy(root, {name: 'outside', params: {}}, {cacheDir}).catch((e: unknown) => e)) as RickError
    expect(refused).toBeInstanceOf(RickError)
    expect(refused.exitCode).toBe(2)
    expect(refused.message).toContain('strategies/outside/index.ts:2:28: import "../shared/name.mjs" (strategies/shared/name.mjs) is outside the strategy\'s folder')
  })

  it('validates params: unknown, wrong type, out of range, and the module\'s own checks (exit 2, naming file and param)', async () => {
    const opts = {cacheDir: join(tempDir(), 'c'), sector: 'oanda'}
    const err = await loadStrategy(REPO_ROOT, {name: 'sma-crossover', params: {fast: 'ten', slow: 0, slowe: 3}}, opts).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(ConfigError)
    const ce = err as ConfigError
    expect(ce.exitCode).toBe(2)
    expect(ce.message).toBe('invalid params for strategy "sma-crossover" (strategies/sma-crossover.ts)')
    const byPath = Object.fromEntries(ce.diagnostics.map((d) => [d.path, d]))
    expect(Object.keys(byPath).sort()).toEqual(['/sectors/oanda/strategy/params/fast', '/sectors/oanda/strategy/params/slow', '/sectors/oanda/strategy/params/slowe'])
    expect(byPath['/sectors/oanda/strategy/params/fast']).toMatchObject({code: 'type', message: 'wrong type for param "fast" of strategy "sma-crossover" (strategies/sma-crossover.ts)', expected: 'an integer'})
    expect(byPath['/sectors/oanda/strategy/params/slow']).toMatchObject({code: 'range', expected: 'a number >= 2'})
    expect(byPath['/sectors/oanda/strategy/params/slowe']).toMatchObject({
      code: 'unknown-key',
      message: 'unknown key "slowe" in the params of strategy "sma-crossover" (strategies/sma-crossover.ts)',
      suggestion: 'slow',
    })
    expect(ce.diagnostics.every((d) => d.file === undefined)).toBe(true)

    const cross = (await loadStrategy(REPO_ROOT, {name: 'sma-crossover', params: {fast: 50, slow: 20}}, opts).catch((e: unknown) => e)) as ConfigError
    expect(cross.diagnostics).toEqual([
      {
        path: '/sectors/oanda/strategy/params/slow',
        code: 'param',
        severity: 'error',
        message: 'param "slow" of strategy "sma-crossover" (strategies/sma-crossover.ts): must be more than fast (50)',
        found: '20',
      },
    ])
  })

  it('loads the shipped strategies with the params of the example config', async () => {
    const cacheDir = join(tempDir(), 'c')
    const sma = await loadStrategy(REPO_ROOT, {name: 'sma-crossover', params: {fast: 10, slow: 50}}, {cacheDir})
    expect(sma.params).toEqual({fast: 10, slow: 50, size: 1, allowShort: false})
    expect(sma.codeHash).toBe(hashStrategy(REPO_ROOT, 'sma-crossover')!.hash)
    const don = await loadStrategy(REPO_ROOT, {name: 'donchian-breakout', params: {lookback: 20}}, {cacheDir})
    expect(don.params).toEqual({lookback: 20, exitLookback: 10, size: 1, allowShort: false})
    expect(don.module.name).toBe('donchian-breakout')
    expect(availableStrategies(REPO_ROOT)).toEqual(expect.arrayContaining(['donchian-breakout', 'sma-crossover']))
  })

  it('says which strategies exist when the name is unknown', async () => {
    const {root, cacheDir} = project({'strategies/plain.js': JS_STRATEGY, 'strategies/multi/index.ts': 'export default {}', 'strategies/notes.txt': 'x'})
    const err = (await loadStrategy(root, {name: 'plian', params: {}}, {cacheDir, sector: 's1'}).catch((e: unknown) => e)) as ConfigError
    expect(err).toBeInstanceOf(ConfigError)
    expect(err.exitCode).toBe(2)
    expect(err.message).toBe(`strategy "plian" not found in ${join(root, 'strategies')}; available: multi, plain`)
    expect(err.diagnostics[0]).toMatchObject({path: '/sectors/s1/strategy/name', code: 'unknown-strategy', expected: 'one of: multi, plain', suggestion: 'plain'})
    expect(err.diagnostics[0]!.found).toContain('strategies/plian.ts')

    const none = project({})
    const e2 = (await loadStrategy(none.root, {name: 'x', params: {}}, {cacheDir}).catch((e: unknown) => e)) as ConfigError
    expect(e2.message).toMatch(/not found in .*; no strategies in /)

    const bad = (await loadStrategy(root, {name: '../etc', params: {}}, {cacheDir}).catch((e: unknown) => e)) as ConfigError
    expect(bad.diagnostics[0]!.message).toMatch(/not a plain name/)
  })

  it('refuses a strategy defined twice, a default export that is not a strategy, and code that does not compile', async () => {
    const {root, cacheDir} = project({
      'strategies/twice.ts': TS_STRATEGY(1),
      'strategies/twice.js': JS_STRATEGY,
      'strategies/notone.ts': 'export default {name: "notone", create: 3}',
      'strategies/broken.ts': 'export default {\n  name: "broken",,\n}',
      'strategies/throws.mjs': 'throw new Error("at import time")',
    })
    const load = async (name: string) => (await loadStrategy(root, {name, params: {}}, {cacheDir}).catch((e: unknown) => e)) as RickError
    const twice = await load('twice')
    expect(twice.message).toBe('strategy "twice" is defined more than once: strategies/twice.ts, strategies/twice.js; keep one')
    expect(twice.exitCode).toBe(2)
    const notone = await load('notone')
    expect(notone.message).toBe('strategies/notone.ts: the default export is not a strategy module; missing or wrong: description (a string), paramsSchema (a JSON Schema object), create(params) (a function)')
    const broken = await load('broken')
    expect(broken.code).toBe('STRATEGY_INVALID')
    expect(broken.message).toMatch(/^strategy strategies\/broken.ts does not compile:\n {2}strategies\/broken.ts:2:18: Expected identifier but found ","$/)
    const throws = await load('throws')
    expect(throws.message).toBe('strategy "throws" (strategies/throws.mjs) failed to load: at import time')
  })
})
