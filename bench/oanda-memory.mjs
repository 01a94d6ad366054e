// Resident memory of `rick run oanda --sim` (the built CLI: the OANDA connector on the real
// @oanda/v20 SDK, and rick's OANDA simulator started inside the same process, as --sim does), the
// repo's own `oanda` sector as shipped (config/trading_sectors.yaml: 3 instruments, SMA 10/50,
// session windows), in a temp project. Goal: ≤ 120 MB after 10 minutes of trading.
//
// What is measured: RICK_BENCH_LIVE_SECONDS (default 20) of WALL time once the run has started
// trading, with the simulator at 600x, i.e. that many × 10 minutes of venue time (20 s: 200 one-
// minute bars per instrument, the orders the strategy makes in them). VmRSS of the child is read
// from /proc every 250 ms; after the time, SIGINT, and the CLI's own figure (RICK_REPORT_RSS=1,
// after RUN_STOPPED). The row counts the highest of all of them. What 600x does not give: wall-clock
// timers fire as often as in real time, not 600 times more (the 60 s periodic reconcile does not
// run in 20 s); RICK_BENCH_LIVE_SECONDS=600 gives ten real minutes of it.
// Baseline in the same run, at the same time (the children side by side): `rick run oanda --paper
// --speed 600x` (the paper venue, synthetic bars at the same pace), sampled the same way. And, to
// tell rick's own memory from its in-process simulator's (which keeps weeks of prices: at 600x its
// history grows by 10 venue minutes a second), `rick run oanda --practice` against `rick sim oanda
// --speed 600x` in a process of its own (the sector's connection pointed at it), as against a broker.
import {spawn} from 'node:child_process'
import {readFileSync} from 'node:fs'
import {fileURLToPath} from 'node:url'

import {parseDocument} from 'yaml'

import {printTable, row} from './lib.mjs'
import {rickBin, root, startSimProcess, tempProject} from './oanda-common.mjs'

const SECONDS = Number(process.env.RICK_BENCH_LIVE_SECONDS ?? 20)
// RICK_BENCH_LIVE_SPEED: the simulator's speed (600x by default: many venue hours in a short bench;
// `--sim`'s own default is 60x).
const SPEED = `${Number.parseInt(process.env.RICK_BENCH_LIVE_SPEED ?? '600', 10)}x`
const VENUE_MIN_PER_S = Number.parseInt(SPEED, 10) / 60
const GOAL_MB = 120

function vmRssMb(pid) {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))
    return m ? Number(m[1]) / 1024 : Number.NaN
  } catch {
    return Number.NaN // gone
  }
}

/** The repo's config/trading_sectors.yaml; with `sim`, the oanda sector's connection pointed at that simulator. */
function shippedConfig(sim) {
  const text = readFileSync(`${root}/config/trading_sectors.yaml`, 'utf8')
  if (sim === undefined) return text
  const doc = parseDocument(text)
  doc.setIn(['sectors', 'oanda', 'connection'], {accountId: sim.accountId, tokenEnv: 'OANDA_API_TOKEN', restUrl: sim.rest, streamUrl: sim.stream})
  doc.deleteIn(['sectors', 'oanda', 'secretsFiles'])
  return doc.toString()
}

/** Runs `rick run oanda <args>` in its own temp project; samples its RSS; stops it SECONDS after it started trading. */
async function sampledRun(args, sim) {
  const project = tempProject(shippedConfig(sim))
  try {
    const env = {...project.env, RICK_REPORT_RSS: '1', ...(sim ? {OANDA_API_TOKEN: sim.token} : {})}
    const child = spawn(process.execPath, [rickBin, 'run', 'oanda', ...args], {cwd: project.dir, env, stdio: ['ignore', 'pipe', 'pipe']})
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (d) => void (stdout += d))
    child.stderr.on('data', (d) => void (stderr += d))
    const exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({code, signal})))
    const samples = []
    const sampler = setInterval(() => {
      const mb = vmRssMb(child.pid)
      if (Number.isFinite(mb)) samples.push(mb)
    }, 250)
    // Trading starts once the run printed its header (its last line names how to stop it).
    const started = performance.now()
    while (!/\n {2}stop {6}/.test(stdout)) {
      if (child.exitCode !== null || performance.now() - started > 30_000) break
      await new Promise((r) => setTimeout(r, 50))
    }
    if (!/\n {2}stop {6}/.test(stdout)) {
      clearInterval(sampler)
      child.kill('SIGKILL')
      throw new Error(`rick run oanda ${args.join(' ')} did not start trading: ${stderr.slice(0, 800)}`)
    }
    const tradingFrom = samples.length
    await new Promise((r) => setTimeout(r, SECONDS * 1000))
    const lastWhileTrading = vmRssMb(child.pid)
    child.kill('SIGINT')
    const {code} = await exited
    clearInterval(sampler)
    if (code !== 0) throw new Error(`rick run oanda ${args.join(' ')} exited ${code}: ${stderr.slice(0, 800)}`)
    const m = /rss: ([\d.]+) MB/.exec(stderr)
    if (!m) throw new Error(`rick run oanda ${args.join(' ')} did not report its RSS; stderr: ${stderr.slice(0, 400)}`)
    const atEnd = Number(m[1])
    const counts = /(\d+) decisions?, (\d+) orders?, (\d+) fills?/.exec(stdout)
    const bars = /after (\d+) bars/.exec(stdout)
    const trading = samples.slice(tradingFrom).filter(Number.isFinite)
    return {
      peak: Math.max(atEnd, lastWhileTrading, ...trading),
      // The trend: a run that keeps growing shows it between its first and last seconds of trading.
      firstWhileTrading: trading[0] ?? Number.NaN,
      lastWhileTrading,
      atEnd,
      orders: counts ? Number(counts[2]) : Number.NaN,
      fills: counts ? Number(counts[3]) : Number.NaN,
      bars: bars ? Number(bars[1]) : Number.NaN,
    }
  } finally {
    project.cleanup()
  }
}

export default async function oandaMemory() {
  const venue = await startSimProcess({speed: Number.parseInt(SPEED, 10)})
  const [sim, paper, practice] = await Promise.all([sampledRun(['--sim', '--practice', '--speed', SPEED]), sampledRun(['--paper', '--speed', SPEED]), sampledRun(['--practice'], venue)]).finally(() => venue.close())
  const f = (x) => x.toFixed(1)
  const line = (label, r) => `  ${label} peak ${f(r.peak)} MB (trading: first sample ${f(r.firstWhileTrading)}, last ${f(r.lastWhileTrading)}; after RUN_STOPPED ${f(r.atEnd)}); ${r.bars} bars, ${r.orders} orders, ${r.fills} fills\n`
  process.stderr.write(
    `oanda-memory: ${SECONDS} s of wall time trading at ${SPEED} (${SECONDS * VENUE_MIN_PER_S} venue minutes), the runs side by side (goal ≤ ${GOAL_MB} MB for --sim)\n` +
      line('rick run oanda --sim:                  ', sim) +
      line('rick run oanda --paper:                ', paper) +
      line('rick run oanda --practice → rick sim:  ', practice),
  )
  return [
    row(`rick run oanda --sim ${SPEED}, ${SECONDS} s wall = ${SECONDS * VENUE_MIN_PER_S} venue min: peak RSS MB (goal ≤ ${GOAL_MB})`, sim.peak, 'goal MB', GOAL_MB, 1),
    row(`rick run oanda --sim vs --paper, same ${SECONDS} s: peak RSS MB (info)`, sim.peak, 'rick run oanda --paper', paper.peak),
    row(`rick run oanda --practice, venue in its own process: peak RSS MB (info)`, practice.peak, 'rick run oanda --paper', paper.peak),
  ]
}

if (process.argv[1] === fileURLToPath(import.meta.url)) printTable(await oandaMemory())
