// Resident memory of `rick run coinbase --sim` (the built CLI: the Coinbase connector with ccxt's
// coinbase class and the `ws` package loaded, and rick's Coinbase simulator started inside the same
// process, as --sim does), the repo's `coinbase` sector as shipped (BTC-USD and ETH-USD,
// donchian-breakout, canary caps), in a temp project. Goal: ≤ 150 MB after 10 minutes of trading.
//
// What is measured: RICK_BENCH_LIVE_SECONDS (default 20) of WALL time once the run trades, with the
// simulator at RICK_BENCH_LIVE_SPEED (default 600x): 20 s are 200 venue minutes, 200 one-minute
// bars per product and the orders the strategy makes in them. VmRSS of the child is read from /proc
// every 250 ms; after the time, SIGINT, and the CLI's own figure (RICK_REPORT_RSS=1, after
// RUN_STOPPED). The row counts the highest of them. What 600x does NOT stand for: the wall-clock
// timers (the 60-s reconcile, the status poll's 120-s long poll, the websocket's 1-s heartbeats,
// JWTs signed per request) fire as often as in 20 s of real time, not 600 times more; and the
// simulator in the process holds more than at 1x (its price history grows by 10 venue minutes a
// second, trimmed to weeks); and the websockets carry 600 times the messages of real time, so V8
// keeps that much more heap committed for the garbage (measured with --trace-gc at 600x: ~29 MB
// live after each mark-compact, 75 MB committed, RSS ~160 MB; flat, no leak). RICK_BENCH_LIVE_SECONDS=600
// gives ten real minutes of the timers; with RICK_BENCH_LIVE_SPEED=1 as well, ten real minutes of a
// real-time feed: the figure the goal is about.
// Baseline in the same run, side by side: `rick run coinbase --paper --speed 600x` (the paper venue,
// synthetic bars at the same pace; no ccxt, no simulator). And, to tell rick's own memory from its
// in-process simulator's, `rick run coinbase --canary` against `rick sim coinbase --speed 600x` in a
// process of its own (the sector's connection pointed at it, its key pair in COINBASE_API_KEY /
// COINBASE_API_SECRET, approved with a PIN as a person does: `rick charter init`, `rick charter
// approve coinbase --mode canary`, in a git repository), as against the exchange.
import {execFileSync} from 'node:child_process'
import {writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {fileURLToPath} from 'node:url'

import {parseDocument} from 'yaml'

import {shippedConfig, spawnRun} from './coinbase-common.mjs'
import {printTable, row} from './lib.mjs'
import {rickBin, startSimProcess, tempProject} from './oanda-common.mjs'

const SECONDS = Number(process.env.RICK_BENCH_LIVE_SECONDS ?? 20)
const SPEED = `${Number.parseInt(process.env.RICK_BENCH_LIVE_SPEED ?? '600', 10)}x`
const VENUE_MIN_PER_S = Number.parseInt(SPEED, 10) / 60
const GOAL_MB = 150

const PIN = 'bench-pin-8642'

/**
 * A git project whose coinbase sector (as shipped) points at `sim`, approved for canary with a PIN;
 * the sim's key pair in the variables the sector names.
 */
function approvedProject(sim) {
  const doc = parseDocument(shippedConfig())
  doc.setIn(['sectors', 'coinbase', 'connection', 'restUrl'], sim.rest)
  doc.setIn(['sectors', 'coinbase', 'connection', 'wsUrl'], sim.ws)
  const project = tempProject(doc.toString())
  const env = {...project.env, COINBASE_API_KEY: sim.apiKey, COINBASE_API_SECRET: sim.apiSecret}
  const git = (...args) => execFileSync('git', ['-c', 'user.name=bench', '-c', 'user.email=bench@example.com', '-c', 'commit.gpgsign=false', ...args], {cwd: project.dir, stdio: 'ignore'})
  writeFileSync(join(project.dir, '.gitignore'), '.rick/\n.cache/\n')
  git('init', '-q')
  git('add', '-A')
  git('commit', '-q', '-m', 'bench project')
  const cli = (args) => execFileSync(process.execPath, [rickBin, ...args], {cwd: project.dir, env, input: `${PIN}\n`, stdio: ['pipe', 'ignore', 'pipe']})
  cli(['charter', 'init', '--pin-stdin'])
  cli(['charter', 'approve', 'coinbase', '--mode', 'canary', '--pin-stdin', '--approver', 'bench'])
  return {...project, env}
}

/** `rick run coinbase <args>` in its own temp project, sampled; stopped SECONDS after it started trading. */
async function sampledRun(args, sim) {
  const project = sim === undefined ? tempProject(shippedConfig()) : approvedProject(sim)
  try {
    const run = spawnRun(project, args)
    const trading = await run.waitTrading()
    await new Promise((r) => setTimeout(r, SECONDS * 1000))
    await run.stop()
    const trades = run.samples.filter((x) => x.t >= trading)
    const during = trades.map((x) => x.mb)
    const top = trades.reduce((a, b) => (b.mb > a.mb ? b : a), {t: Number.NaN, mb: -1})
    const counts = /(\d+) decisions?, (\d+) orders?, (\d+) fills?/.exec(run.stdout)
    const bars = /after (\d+) bars/.exec(run.stdout)
    // The trend: RSS at each fifth of the trading time (a run that keeps growing shows it).
    const trend = [0, 1, 2, 3, 4].map((k) => during[Math.floor((k * (during.length - 1)) / 4)] ?? Number.NaN)
    return {
      peak: Math.max(run.reportedRss, ...during),
      // When the highest sample was taken, in s of trading (a spike or the end of a climb).
      peakAt: (top.t - trading) / 1000,
      trend,
      atEnd: run.reportedRss,
      orders: counts ? Number(counts[2]) : Number.NaN,
      fills: counts ? Number(counts[3]) : Number.NaN,
      bars: bars ? Number(bars[1]) : Number.NaN,
    }
  } finally {
    project.cleanup()
  }
}

export default async function coinbaseMemory() {
  const venue = await startSimProcess({venue: 'coinbase', speed: Number.parseInt(SPEED, 10)})
  const [sim, paper, canary] = await Promise.all([sampledRun(['--sim', '--speed', SPEED]), sampledRun(['--paper', '--speed', SPEED]), sampledRun(['--canary'], venue)]).finally(() => venue.close())
  const f = (x) => x.toFixed(1)
  const line = (label, r) => `  ${label} peak ${f(r.peak)} MB (highest sample at ${f(r.peakAt)} s; while trading, at 0/25/50/75/100 %: ${r.trend.map(f).join(', ')}; after RUN_STOPPED ${f(r.atEnd)}); ${r.bars} bars, ${r.orders} orders, ${r.fills} fills\n`
  process.stderr.write(
    `coinbase-memory: ${SECONDS} s of wall time trading at ${SPEED} (${SECONDS * VENUE_MIN_PER_S} venue minutes), the runs side by side (goal ≤ ${GOAL_MB} MB for --sim after 10 minutes)\n` +
      line('rick run coinbase --sim:   ', sim) +
      line('rick run coinbase --paper: ', paper) +
      line('rick run coinbase --canary → rick sim coinbase (own process):', canary),
  )
  return [
    row(`rick run coinbase --sim ${SPEED}, ${SECONDS} s wall = ${SECONDS * VENUE_MIN_PER_S} venue min: peak RSS MB (goal ≤ ${GOAL_MB})`, sim.peak, 'goal MB', GOAL_MB, 1),
    row(`rick run coinbase --sim vs --paper, same ${SECONDS} s: peak RSS MB (info)`, sim.peak, 'rick run coinbase --paper', paper.peak),
    row('rick run coinbase --canary, venue in its own process: peak RSS MB (info)', canary.peak, 'rick run coinbase --paper', paper.peak),
  ]
}

if (process.argv[1] === fileURLToPath(import.meta.url)) printTable(await coinbaseMemory())
