// Start-up of `rick run coinbase --sim` (the built CLI, the repo's config/trading_sectors.yaml as
// shipped: the canary sector on BTC-USD and ETH-USD, donchian-breakout), in a fresh temp project per
// run (not a git repository: no snapshot is taken): from spawn to its first line of output (either
// stream) and to the line that says it trades (the header's last line, "  stop      Ctrl-C …",
// printed once the connector is connected, the account reconciled and the strategy warmed up).
// `--sim` starts rick's Coinbase simulator in the same process, loads ccxt's coinbase class and the
// `ws` package, reads the products and fee tier, subscribes the user channel, reconciles and warms
// the strategy up on 200 candles per product from the simulator.
// Baseline in the same run, interleaved: `rick run coinbase --paper` (the paper venue, synthetic
// bars: no ccxt, no simulator, no network) the same way. `node -e 0` printed for scale.
// No goal is set in the issue for these; the rows are info. Knob: RICK_BENCH_STARTUP_RUNS (7).
import {fileURLToPath} from 'node:url'

import {shippedConfig, spawnRun} from './coinbase-common.mjs'
import {median, printTable, row, timeCommand} from './lib.mjs'
import {percentile, tempProject} from './oanda-common.mjs'

const RUNS = Number(process.env.RICK_BENCH_STARTUP_RUNS ?? 7)
const WARMUP = 1

async function once(args) {
  const project = tempProject(shippedConfig())
  try {
    const run = spawnRun(project, args)
    await run.waitTrading()
    await run.stop()
    return {first: run.firstLine, firstText: run.firstLineText, trading: run.trading}
  } finally {
    project.cleanup()
  }
}

export default async function coinbaseStartup() {
  const sim = []
  const paper = []
  for (let i = 0; i < WARMUP + RUNS; i++) {
    const s = await once(['--sim'])
    const p = await once(['--paper'])
    if (i >= WARMUP) {
      sim.push(s)
      paper.push(p)
    }
  }
  const node = timeCommand(process.execPath, ['-e', '0'], {runs: RUNS, warmup: 1})
  const m = (xs, k) => median(xs.map((x) => x[k]))
  const p90 = (xs, k) => percentile(xs.map((x) => x[k]), 90)
  const ms = (x) => `${x.toFixed(0)} ms`
  process.stderr.write(
    `coinbase-startup: ${RUNS} runs each, interleaved (medians, p90)\n` +
      `  rick run coinbase --sim:   first line ${ms(m(sim, 'first'))} (${ms(p90(sim, 'first'))}), trading ${ms(m(sim, 'trading'))} (${ms(p90(sim, 'trading'))}); first line was ${JSON.stringify(sim[0].firstText)}\n` +
      `  rick run coinbase --paper: first line ${ms(m(paper, 'first'))} (${ms(p90(paper, 'first'))}), trading ${ms(m(paper, 'trading'))} (${ms(p90(paper, 'trading'))}); first line was ${JSON.stringify(paper[0].firstText)}\n` +
      `  node -e 0: ${ms(node)}\n`,
  )
  return [
    row('rick run coinbase --sim: spawn → first line (info)', m(sim, 'first'), 'coinbase --paper', m(paper, 'first')),
    row('rick run coinbase --sim: spawn → trading (info)', m(sim, 'trading'), 'coinbase --paper', m(paper, 'trading')),
    row('rick run coinbase --sim: spawn → trading vs node -e 0 (info)', m(sim, 'trading'), 'node -e 0', node),
  ]
}

if (process.argv[1] === fileURLToPath(import.meta.url)) printTable(await coinbaseStartup())
