// `npm run bench`: runs every benchmark and prints one table of ratios against baselines measured
// in the same run. Exits 1 when a ratio misses its goal, so a regression is visible.
// `npm run bench -- startup journal` runs only the named suites.
//
// Each suite runs in a process of its own (`run.mjs --suite NAME`), its subject and its baselines
// together: what one suite leaves behind (a heap grown by another suite's data, code optimized for
// another suite's shapes) does not weigh on the next. The backtest, run after the others in one
// process, took ~320 ms instead of ~260 ms; its baselines moved by less than 5%.
import {execFileSync} from 'node:child_process'
import {fileURLToPath} from 'node:url'

import {printTable} from './lib.mjs'

const SUITES = ['startup', 'snapshot-create', 'journal', 'risk-gate', 'backtest', 'run-memory', 'oanda-live', 'oanda-memory', 'coinbase-live', 'coinbase-startup', 'coinbase-memory', 'ibkr-live', 'ibkr-memory', 'ibkr-startup']

if (process.argv[2] === '--suite') {
  const rows = await (await import(`./${process.argv[3]}.mjs`)).default()
  process.stdout.write(`${JSON.stringify(rows)}\n`)
  process.exit(0)
}

const only = process.argv.slice(2)
const unknown = only.filter((s) => !SUITES.includes(s))
if (unknown.length > 0) {
  console.error(`unknown suite(s): ${unknown.join(', ')}; suites: ${SUITES.join(', ')}`)
  process.exit(2)
}
const rows = []
for (const name of SUITES) {
  if (only.length > 0 && !only.includes(name)) continue
  process.stderr.write(`bench: ${name}…\n`)
  const out = execFileSync(process.execPath, [...process.execArgv, fileURLToPath(import.meta.url), '--suite', name], {encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], maxBuffer: 64 * 1024 * 1024})
  rows.push(...JSON.parse(out.trim().split('\n').pop()))
}
printTable(rows)
const missed = rows.filter((r) => r.ok === false)
if (missed.length > 0) {
  console.log(`\n${missed.length} benchmark(s) missed their goal: ${missed.map((r) => r.name).join(', ')}`)
  process.exitCode = 1
}
