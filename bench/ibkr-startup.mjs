// Start-up of `rick run mes --sim` on Interactive Brokers (the built CLI, the bench's sector of
// ibkr-common.mjs: MES Dec 2026 and SPY, mode practice), in a fresh temp project per run (not a git
// repository: no snapshot is taken): from spawn to its first line of output (either stream) and to
// the line that says it trades (the header's last line, "  stop      Ctrl-C …", printed once the
// connector is connected, the account reconciled and the strategy warmed up). `--sim` starts rick's
// TWS simulator in the same process, loads @stoqey/ib, connects (nextValidId, managedAccounts),
// qualifies both contracts, reads open orders, positions, the account summary and executions,
// subscribes real-time bars and quotes, and warms the strategy up on 20 bars per contract from
// reqHistoricalData.
// Baseline in the same run, interleaved: `rick run mes --paper` (rick's paper venue, synthetic bars:
// no @stoqey/ib, no simulator, no network) the same way. `node -e 0` printed for scale.
// No goal is set in the issue for these; the rows are info. Knob: RICK_BENCH_STARTUP_RUNS (7).
import {fileURLToPath} from 'node:url'

import {interleavedStartups} from './coinbase-common.mjs'
import {ibkrProject, SECTOR} from './ibkr-common.mjs'
import {median, printTable, row, timeCommand} from './lib.mjs'
import {percentile} from './oanda-common.mjs'

const RUNS = Number(process.env.RICK_BENCH_STARTUP_RUNS ?? 7)
const WARMUP = 1

export default async function ibkrStartup() {
  const {subject: sim, baseline: paper} = await interleavedStartups({makeProject: () => ibkrProject(), sector: SECTOR, subject: ['--sim'], baseline: ['--paper'], runs: RUNS, warmup: WARMUP})
  const node = timeCommand(process.execPath, ['-e', '0'], {runs: RUNS, warmup: 1})
  const m = (xs, k) => median(xs.map((x) => x[k]))
  const p90 = (xs, k) => percentile(xs.map((x) => x[k]), 90)
  const ms = (x) => `${x.toFixed(0)} ms`
  const line = (label, xs) => `  ${label} first line ${ms(m(xs, 'first'))} (${ms(p90(xs, 'first'))}), trading ${ms(m(xs, 'trading'))} (${ms(p90(xs, 'trading'))}); first line was ${JSON.stringify(xs[0].firstText)}\n`
  process.stderr.write(`ibkr-startup: ${RUNS} runs each, interleaved (medians, p90)\n${line('rick run mes --sim:  ', sim)}${line('rick run mes --paper:', paper)}  node -e 0: ${ms(node)}\n`)
  return [
    row('rick run mes (ibkr) --sim: spawn → first line (info)', m(sim, 'first'), 'mes --paper', m(paper, 'first')),
    row('rick run mes (ibkr) --sim: spawn → trading (info)', m(sim, 'trading'), 'mes --paper', m(paper, 'trading')),
    row('rick run mes (ibkr) --sim: spawn → trading vs node -e 0 (info)', m(sim, 'trading'), 'node -e 0', node),
  ]
}

if (process.argv[1] === fileURLToPath(import.meta.url)) printTable(await ibkrStartup())
