// Backtest throughput: 1,000,000 one-minute bars of one synthetic series, SMA(10/50) crossover,
// long or flat, market orders filled at the NEXT bar's open, no fees, no slippage. Three runs of
// the same strategy, measured in the same process on the same bars:
//   (a) a hand-written Float64Array loop (ring buffer and running sums) with minimal bookkeeping;
//   (b) the same on trading-signals' streaming SMA (`sma.update(price, false)`);
//   (c) rick's engine: strategies/sma-crossover.ts loaded the way `rick backtest` loads it (compiled
//       and sandboxed: its own realm in the engine's thread, every call through the bridge), the
//       risk gate, the paper venue, the ledger, and the journal ON (batched, in a temp folder);
//   (c') the same engine with the strategy in the engine's own realm (imported as an ES module, as
//       before the sandbox): what the sandbox costs.
// The three trade lists (entry/exit bar index and price) must be identical, else the benchmark
// fails loudly. The series has whole-number prices (tick 1), so every sum of prices is exact and
// the three ways of averaging agree to the last bit.
// Goal: (c) ≥ 0.3× the bars/s of (b) (the sandbox's goal; before it, (c') had ≥ 0.5×). (a) and (b) count at their best of all the rounds, (c) at its
// median over the rounds after WARMUP (see below why); its first, cold, run is printed too. Peak
// memory of (c), run alone in a child process (VmHWM), under 300 MB.
//
// Runs from the BUILT modules (dist/): `npm run build` first. Alone: `node bench/backtest.mjs`.
import {execFileSync} from 'node:child_process'
import {mkdtempSync, readFileSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {fileURLToPath, pathToFileURL} from 'node:url'

import {median, printTable} from './lib.mjs'

const root = fileURLToPath(new URL('..', import.meta.url))
const dist = (p) => pathToFileURL(join(root, 'dist', p)).href

const BARS = Number(process.env.RICK_BENCH_BARS ?? 1_000_000)
const FAST = 10
const SLOW = 50
const SEED = 20240101
const START = Date.UTC(2024, 0, 1)
const PERIOD = 60_000
const MEMORY_GOAL_MB = 300

/** An index-like instrument quoted in whole points: exact sums, so every method agrees bit for bit. */
const INSTRUMENT = {id: 'BENCH', venue: 'bench', kind: 'index', tickSize: 1, lotSize: 1, minNotional: 0, multiplier: 1, quoteCurrency: 'USD', referencePrice: 20_000}

async function series() {
  const {syntheticSeries} = await import(dist('sectors/data/synthetic.js'))
  return syntheticSeries(INSTRUMENT, {seed: SEED, startTs: START, periodMs: PERIOD, length: BARS})
}

/** (a) Ring buffer and running sums over Float64Arrays, exactly the strategy's arithmetic. */
function handLoop(s) {
  const close = s.close
  const open = s.open
  const n = s.length
  const ring = new Float64Array(SLOW)
  let pos = 0
  let count = 0
  let fastSum = 0
  let slowSum = 0
  let above = -1
  let position = 0
  let entryIdx = -1
  let entryPrice = 0
  const trades = []
  for (let i = 0; i < n; i++) {
    const c = close[i]
    const fastOut = ring[(pos - FAST + SLOW) % SLOW]
    const slowOut = ring[pos]
    fastSum = count >= FAST ? fastSum + c - fastOut : fastSum + c
    slowSum = count >= SLOW ? slowSum + c - slowOut : slowSum + c
    ring[pos] = c
    pos = pos + 1 === SLOW ? 0 : pos + 1
    count++
    if (count < SLOW) continue
    const now = fastSum / FAST > slowSum / SLOW ? 1 : 0
    const before = above
    above = now
    if (before === -1 || before === now || i + 1 >= n) continue
    if (now === 1 && position === 0) {
      position = 1
      entryIdx = i + 1
      entryPrice = open[i + 1]
    } else if (now === 0 && position === 1) {
      position = 0
      trades.push([entryIdx, entryPrice, i + 1, open[i + 1]])
    }
  }
  return trades
}

/** (b) trading-signals' streaming SMA, same decisions. */
function tradingSignalsLoop(SMA, s) {
  const close = s.close
  const open = s.open
  const n = s.length
  const fast = new SMA(FAST)
  const slow = new SMA(SLOW)
  let above = -1
  let position = 0
  let entryIdx = -1
  let entryPrice = 0
  const trades = []
  for (let i = 0; i < n; i++) {
    const f = fast.update(close[i], false)
    const sl = slow.update(close[i], false)
    if (sl === null || f === null) continue
    const now = f > sl ? 1 : 0
    const before = above
    above = now
    if (before === -1 || before === now || i + 1 >= n) continue
    if (now === 1 && position === 0) {
      position = 1
      entryIdx = i + 1
      entryPrice = open[i + 1]
    } else if (now === 0 && position === 1) {
      position = 0
      trades.push([entryIdx, entryPrice, i + 1, open[i + 1]])
    }
  }
  return trades
}

/**
 * A journal that keeps nothing: only for the informative "journal off" row, which shows what the
 * engine costs without the journal's hashing and SQLite writes.
 */
const nullJournal = {
  path: ':null:',
  readonly: false,
  append: (e) => e,
  appendMany: (es) => es,
  batch: () => ({add() {}, flush: () => 0, close() {}, pending: 0}),
  *events() {},
  lastSeq: () => 0,
  runs: () => [],
  close() {},
}

/**
 * (c) The engine, journal on (`journal`, or one opened here); returns its trades (its round trips)
 * and the wall time of the run.
 */
/** The compiled-strategy cache of this process (removed at exit). */
let cacheDir
function strategyCache() {
  if (cacheDir === undefined) {
    cacheDir = mkdtempSync(join(tmpdir(), 'rick-bench-strategy-'))
    process.once('exit', () => rmSync(cacheDir, {recursive: true, force: true}))
  }
  return cacheDir
}

/** sma-crossover as an ES module of this process (the engine's realm), compiled once. */
let inProcessModule
async function inProcessStrategy() {
  if (inProcessModule === undefined) {
    const {build} = await import('esbuild')
    const out = join(strategyCache(), 'sma-crossover-in-process.mjs')
    await build({entryPoints: [join(root, 'strategies', 'sma-crossover.ts')], bundle: true, format: 'esm', platform: 'node', outfile: out, logLevel: 'silent'})
    inProcessModule = (await import(pathToFileURL(out).href)).default
  }
  return inProcessModule
}

async function engineRun(s, dir, {journalOff = false, journal: opened = undefined, inProcess = false} = {}) {
  const [{backtestCore}, {buildRisk}, {openJournal}, {loadStrategy}, {seriesFeed}] = await Promise.all([
    import(dist('sectors/engine/backtest.js')),
    import(dist('sectors/engine/setup.js')),
    import(dist('foundation/journal/index.js')),
    import(dist('sectors/strategy/loader.js')),
    import(dist('sectors/data/feed.js')),
  ])
  // One compiled strategy for the whole process, as in `rick backtest` (and any process that runs
  // backtest after backtest): a cache folder per round made each round's strategy a module of its
  // own, with classes of their own, and the engine's calls into it grew polymorphic round by round.
  const strategy = await loadStrategy(root, {name: 'sma-crossover', params: {fast: FAST, slow: SLOW, size: 1}}, {cacheDir: strategyCache()})
  // Limits far above anything the run does: the gate runs every rule, nothing is denied.
  const big = 1e9
  const hard = {risk: {maxOrderNotional: big, maxPositionNotional: big, maxOpenOrders: 100, dailyLossCap: big, maxDrawdownPct: 100, consecutiveLossHalt: 1e6, maxTradesPerDay: 1e6, maxOrdersPerMinute: 1e6}, allowLeverage: false, canary: {maxOrderNotional: 1, maxPositions: 1, dailyLossCap: 1}}
  const config = {profile: 'Aggressive', risk: hard.risk, canary: undefined, session: undefined}
  const risk = buildRisk({config, hard}, 'paper')
  const journal = journalOff ? nullJournal : (opened ?? openJournal({path: join(dir, 'journal.db'), bulk: true}))
  const feed = seriesFeed([s], {kind: 'synthetic', seed: SEED, instruments: [INSTRUMENT.id], startTs: START, periodMs: PERIOD})
  const started = {
    requestedMode: 'backtest', effectiveMode: 'backtest', venue: 'bench', environment: 'backtest', profile: 'Aggressive', charter: null, snapshot: null,
    configHash: 'bench', strategy: {name: strategy.name, codeHash: strategy.codeHash, params: {...strategy.params}}, inputs: feed.source, seed: SEED, limits: {}, version: 'bench', notices: [],
  }
  const module = inProcess ? await inProcessStrategy() : undefined
  const create = module ? () => module.create({...strategy.params}) : () => strategy.createInThread()
  const t0 = process.hrtime.bigint()
  const result = await backtestCore({
    runId: 'bench', sector: 'bench', venue: 'bench', instruments: [INSTRUMENT],
    strategy: {name: strategy.name, codeHash: strategy.codeHash, params: strategy.params, create},
    risk, journal, feed, startTs: START, seed: SEED, startingCash: 1e15, fees: {makerBps: 0, takerBps: 0}, slippageBps: 0, started, periodMs: PERIOD, expectedBars: BARS,
  })
  // engine.stop() closed the batch: every event is written by now.
  const ms = Number(process.hrtime.bigint() - t0) / 1e6
  const events = journal.lastSeq()
  journal.close()
  // The engine's round trips (one unit long, FIFO): entry and exit bar index and price.
  const trades = result.trades.map((t) => [(t.entryTs - START) / PERIOD, t.entryPrice, (t.exitTs - START) / PERIOD, t.exitPrice])
  return {ms, trades, fills: result.summary.fills, bars: result.bars, events}
}

function time(fn) {
  const t0 = process.hrtime.bigint()
  const out = fn()
  return {ms: Number(process.hrtime.bigint() - t0) / 1e6, out}
}

function sameTrades(a, b) {
  if (a.length !== b.length) return `${a.length} trades vs ${b.length}`
  for (let i = 0; i < a.length; i++) {
    const x = a[i]
    const y = b[i]
    if (x.some((v, k) => v !== y[k])) return `trade #${i + 1} differs: ${JSON.stringify(x)} vs ${JSON.stringify(y)}`
  }
  return undefined
}

/** Peak RSS of the engine backtest alone, in a child process (VmHWM). */
function engineMemory() {
  const out = execFileSync(process.execPath, [fileURLToPath(import.meta.url), '--child'], {encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], env: {...process.env}})
  return JSON.parse(out.trim().split('\n').pop())
}

function vmHwmKb() {
  const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'))
  return m ? Number(m[1]) : NaN
}

async function child() {
  const dir = mkdtempSync(join(tmpdir(), 'rick-bench-bt-'))
  try {
    const s = await series()
    const r = await engineRun(s, dir)
    process.stdout.write(`${JSON.stringify({ms: r.ms, trades: r.trades.length, hwmKb: vmHwmKb()})}\n`)
  } finally {
    rmSync(dir, {recursive: true, force: true})
  }
}

/**
 * The engine with the journal off, `runs` times, in a process of its own: run in the same process
 * as the journal-on runs, the null journal made the engine's calls into its journal polymorphic,
 * which slowed both.
 */
async function childOff(runs) {
  const dir = mkdtempSync(join(tmpdir(), 'rick-bench-bt-'))
  try {
    const s = await series()
    const ms = []
    let trades
    for (let r = 0; r < runs; r++) {
      const off = await engineRun(s, dir, {journalOff: true})
      ms.push(off.ms)
      trades = off.trades
    }
    process.stdout.write(`${JSON.stringify({ms, trades})}\n`)
  } finally {
    rmSync(dir, {recursive: true, force: true})
  }
}

function engineOff(runs) {
  const out = execFileSync(process.execPath, [fileURLToPath(import.meta.url), '--child-off', String(runs)], {encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], env: {...process.env}, maxBuffer: 64 * 1024 * 1024})
  return JSON.parse(out.trim().split('\n').pop())
}

/**
 * Rounds before the engine's runs count. The first run in a process compiles (~0.35 s for these
 * bars); the next three still settle (V8 re-optimizes: the end of a run writes fields that its
 * optimized code took for constants; the young generation grows to its working size) and take
 * 200-280 ms; from the fifth on, runs level off. Throughput is what the engine does
 * once it runs, as for the baselines (counted at their best); every run, the cold one first, is
 * printed beside the figure. RICK_BENCH_WARMUP sets another count.
 */
const WARMUP = Number(process.env.RICK_BENCH_WARMUP ?? 4)

export default async function backtest({runs = 7} = {}) {
  const {SMA} = await import('trading-signals')
  const s = await series()
  const hand = []
  const ts = []
  const eng = []
  const engIn = []
  const engOff = []
  let tradesA
  let tradesB
  let tradesC
  let fills = 0
  let events = 0
  const {openJournal} = await import(dist('foundation/journal/index.js'))
  for (let r = 0; r < WARMUP + runs; r++) {
    const dir = mkdtempSync(join(tmpdir(), 'rick-bench-bt-'))
    try {
      const a = time(() => handLoop(s))
      const b = time(() => tradingSignalsLoop(SMA, s))
      // As `rick backtest` does: the journal is opened (its writer thread starts meanwhile), then
      // the bars are made (the same seed: the same bars), then the run. Only the run is timed.
      const journal = openJournal({path: join(dir, 'journal.db'), bulk: true})
      const bars = await series()
      const c = await engineRun(bars, dir, {journal})
      eng.push(c.ms)
      const journalIn = openJournal({path: join(dir, 'journal-in.db'), bulk: true})
      const cIn = await engineRun(await series(), dir, {journal: journalIn, inProcess: true})
      engIn.push(cIn.ms)
      const inDiff = sameTrades(c.trades, cIn.trades)
      if (inDiff) throw new Error(`backtest bench: sandboxed and in-process strategies give different trades: ${inDiff}`)
      tradesC = c.trades
      fills = c.fills
      events = c.events
      hand.push(a.ms)
      ts.push(b.ms)
      tradesA = a.out
      tradesB = b.out
    } finally {
      rmSync(dir, {recursive: true, force: true})
    }
  }
  const off = engineOff(WARMUP + runs)
  engOff.push(...off.ms.slice(WARMUP))
  const offDiff = sameTrades(tradesC, off.trades)
  if (offDiff) throw new Error(`backtest bench: journal on and off give different trades: ${offDiff}`)
  const ab = sameTrades(tradesA, tradesB)
  const ac = sameTrades(tradesA, tradesC)
  if (ab || ac) {
    throw new Error(`backtest bench: the trade lists differ — ${ab ? `hand-written vs trading-signals: ${ab}` : `hand-written vs engine: ${ac}`}`)
  }
  const mem = engineMemory()
  const bps = (ms) => BARS / (ms / 1000)
  // The baselines count at their best run of all the rounds (warm-up ones included), the engine at
  // its median after the warm-up: trading-signals' SMA deoptimizes after two or three runs in one
  // process and then runs ~5x slower (80-95 ms, then ~480 ms, with nothing else in the process
  // too); a median of such runs, or its runs after a warm-up only, would flatter the engine.
  const handMs = Math.min(...hand)
  const tsMs = Math.min(...ts)
  const tsWorst = Math.max(...ts)
  const engCold = eng[0]
  const engMs = median(eng.slice(WARMUP))
  const engInMs = median(engIn.slice(WARMUP))
  const engOffMs = median(engOff)
  const peakMb = mem.hwmKb / 1024
  process.stderr.write(
    `backtest: ${BARS.toLocaleString('en-US')} bars, ${tradesA.length} trades (${fills} fills), identical in all three\n` +
      `  (a) hand-written loop   ${Math.round(bps(handMs)).toLocaleString('en-US')} bars/s\n` +
      `  (b) trading-signals     ${Math.round(bps(tsMs)).toLocaleString('en-US')} bars/s (best of ${WARMUP + runs}; its slowest run: ${Math.round(bps(tsWorst)).toLocaleString('en-US')} bars/s)\n` +
      `  (c) rick engine         ${Math.round(bps(engMs)).toLocaleString('en-US')} bars/s (journal on: ${events.toLocaleString('en-US')} events; median of ${runs} after ${WARMUP} warm-up runs: ${eng.map((ms) => ms.toFixed(0)).join(', ')} ms; the first, cold: ${Math.round(bps(engCold)).toLocaleString('en-US')} bars/s)\n` +
      `      (journal off       ${Math.round(bps(engOffMs)).toLocaleString('en-US')} bars/s: the engine without hashing and SQLite, for the breakdown)\n` +
      `  (c') strategy in the engine's realm ${Math.round(bps(engInMs)).toLocaleString('en-US')} bars/s (median after warm-up: ${engIn.map((ms) => ms.toFixed(0)).join(', ')} ms): the sandbox costs ${((engMs / engInMs - 1) * 100).toFixed(0)}%\n` +
      `  engine / trading-signals ${(bps(engMs) / bps(tsMs)).toFixed(2)}x (goal >= 0.3x); engine / hand-written ${(bps(engMs) / bps(handMs)).toFixed(2)}x\n` +
      `  engine peak RSS ${peakMb.toFixed(0)} MB (goal < ${MEMORY_GOAL_MB} MB)\n`,
  )
  // Rows are time ratios (subject / baseline; lower is better): bars/s ≥ 0.5× ⇔ time ≤ 2×.
  return [
    // ≥ 0.3× the bars/s ⇔ time ≤ 1/0.3 ×.
    {name: 'backtest 1M bars: sandboxed engine vs trading-signals (goal >= 0.3x bars/s)', subjectMs: engMs, baselineLabel: 'trading-signals SMA loop', baselineMs: tsMs, ratio: engMs / tsMs, goal: 3.33, ok: engMs / tsMs <= 1 / 0.3},
    {name: 'backtest 1M bars: the sandbox\'s cost (info)', subjectMs: engMs, baselineLabel: 'strategy in-process', baselineMs: engInMs, ratio: engMs / engInMs, goal: undefined, ok: undefined},
    {name: 'backtest 1M bars: engine vs hand-written', subjectMs: engMs, baselineLabel: 'Float64Array loop', baselineMs: handMs, ratio: engMs / handMs, goal: undefined, ok: undefined},
    {name: 'backtest 1M bars: engine, journal off (info)', subjectMs: engOffMs, baselineLabel: 'trading-signals SMA loop', baselineMs: tsMs, ratio: engOffMs / tsMs, goal: undefined, ok: undefined},
    {name: `backtest peak RSS (MB, goal < ${MEMORY_GOAL_MB})`, subjectMs: peakMb, baselineLabel: 'goal MB', baselineMs: MEMORY_GOAL_MB, ratio: peakMb / MEMORY_GOAL_MB, goal: 1, ok: peakMb < MEMORY_GOAL_MB},
  ]
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  if (process.argv.includes('--child')) await child()
  else if (process.argv.includes('--child-off')) await childOff(Number(process.argv[process.argv.indexOf('--child-off') + 1]))
  else printTable(await backtest())
}
