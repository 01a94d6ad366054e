// Resident memory of `rick run mes --sim` on Interactive Brokers (the built CLI: the IBKR connector
// with @stoqey/ib loaded, and rick's TWS simulator started inside the same process, as --sim does):
// the bench's sector (ibkr-common.mjs: MES Dec 2026 and SPY, mode practice, futures caps) with the
// shipped sma-crossover (fast 3, slow 8, one contract or share an order: it trades every few bars,
// as the end-to-end tests' sector does), in a temp project. Goal (issue 13 §3): ≤ 120 MB after 10
// minutes of trading.
//
// What is measured: RICK_BENCH_LIVE_SECONDS (default 20) of WALL time once the run trades, with the
// simulator at RICK_BENCH_LIVE_SPEED (default 600x): 20 s are 200 venue minutes, 200 one-minute bars
// per contract (2,400 five-second real-time bars each) and the orders the strategy makes in them.
// VmRSS of the child is read from /proc every 250 ms; after the time, SIGINT, and the CLI's own
// figure (RICK_REPORT_RSS=1, after RUN_STOPPED); the row counts the highest. What 600x does NOT
// stand for: the wall-clock timers (the watchdog's reqCurrentTime every 2 s, the 60-s reconcile)
// fire as often as in 20 s of real time, and the socket carries 600 times the bars of real time.
// RICK_BENCH_LIVE_SECONDS=600 RICK_BENCH_LIVE_SPEED=60 is ten real minutes at --sim's default pace.
// Measured with --trace-gc (2026-12-08): at 600x the RSS climbs (~110 → 160 MB in 100 s) while V8
// runs scavenges only; its first full mark-compact (~105 s) leaves 22 MB of live heap and the RSS
// falls to ~126 MB: the climb is garbage not yet collected, not data kept. At 60x for ten minutes
// the highest sample was the start (27 s in, before the first full collection: 120.3 MB), then
// 96–103 MB while trading. A young generation capped at 4 MB (--max-semi-space-size=4) took that
// start peak from ~119 to ~104 MB.
// The simulator's clock starts at this machine's now: SPY trades 04:00–20:00 New York on weekdays
// only, MES all week but for 16:00–17:00 Chicago and the weekend; the strategy trades what is open.
// Baselines in the same run, side by side: `rick run mes --paper --speed 600x` (rick's paper venue,
// synthetic bars at the same pace; no @stoqey/ib, no simulator); and, to tell rick's own memory
// from its in-process simulator's, `rick run mes` (mode practice) against `rick sim ibkr` in a
// process of its own, as against TWS.
import {fileURLToPath} from 'node:url'

import {spawnRun, tradingFigures} from './coinbase-common.mjs'
import {ibkrProject, SECTOR} from './ibkr-common.mjs'
import {printTable, row} from './lib.mjs'
import {startSimProcess} from './oanda-common.mjs'

const SECONDS = Number(process.env.RICK_BENCH_LIVE_SECONDS ?? 20)
const SPEED = `${Number.parseInt(process.env.RICK_BENCH_LIVE_SPEED ?? '600', 10)}x`
const VENUE_MIN_PER_S = Number.parseInt(SPEED, 10) / 60
const GOAL_MB = 120
const STRATEGY = '{name: sma-crossover, params: {fast: 3, slow: 8, size: 1}}'

/** `rick run mes <args>` in its own temp project (its sector at `port`), sampled; stopped SECONDS after it started trading. */
async function sampledRun(args, port) {
  const project = ibkrProject({strategy: STRATEGY, ...(port === undefined ? {} : {port})})
  try {
    const run = spawnRun(project, args, {sector: SECTOR})
    const trading = await run.waitTrading(60_000)
    await new Promise((r) => setTimeout(r, SECONDS * 1000))
    await run.stop()
    return tradingFigures(run, trading)
  } finally {
    project.cleanup()
  }
}

export default async function ibkrMemory() {
  const venue = await startSimProcess({venue: 'ibkr', speed: Number.parseInt(SPEED, 10)})
  const [sim, paper, practice] = await Promise.all([sampledRun(['--sim', '--speed', SPEED]), sampledRun(['--paper', '--speed', SPEED]), sampledRun([], venue.port)]).finally(() => venue.close())
  const f = (x) => x.toFixed(1)
  const line = (label, r) => `  ${label} peak ${f(r.peak)} MB (highest sample at ${f(r.peakAt)} s; while trading, at 0/25/50/75/100 %: ${r.trend.map(f).join(', ')}; after RUN_STOPPED ${f(r.atEnd)}); ${r.bars} bars, ${r.orders} orders, ${r.fills} fills\n`
  process.stderr.write(
    `ibkr-memory: ${SECONDS} s of wall time trading at ${SPEED} (${SECONDS * VENUE_MIN_PER_S} venue minutes), the runs side by side (goal ≤ ${GOAL_MB} MB for --sim after 10 minutes)\n` +
      line('rick run mes --sim:   ', sim) +
      line('rick run mes --paper: ', paper) +
      line('rick run mes (practice) → rick sim ibkr (own process):', practice),
  )
  if (!(sim.orders > 0)) throw new Error(`ibkr-memory: rick run mes --sim sent no order in ${SECONDS * VENUE_MIN_PER_S} venue minutes (is CME closed at the simulator's start?)`)
  return [
    row(`rick run mes (ibkr) --sim ${SPEED}, ${SECONDS} s wall = ${SECONDS * VENUE_MIN_PER_S} venue min: peak RSS MB (goal ≤ ${GOAL_MB})`, sim.peak, 'goal MB', GOAL_MB, 1),
    row(`rick run mes (ibkr) --sim vs --paper, same ${SECONDS} s: peak RSS MB (info)`, sim.peak, 'rick run mes --paper', paper.peak),
    row('rick run mes (ibkr practice), TWS simulator in its own process: peak RSS MB (info)', practice.peak, 'rick run mes --paper', paper.peak),
  ]
}

if (process.argv[1] === fileURLToPath(import.meta.url)) printTable(await ibkrMemory())
