// `npm run bench`: runs every benchmark and prints one table of ratios against baselines measured
// in the same run. Exits 1 when a ratio misses its goal, so a regression is visible.
// `npm run bench -- startup journal` runs only the named suites.
import {printTable} from './lib.mjs'

const SUITES = ['startup', 'snapshot-create', 'journal', 'risk-gate', 'backtest', 'run-memory']

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
  const suite = (await import(`./${name}.mjs`)).default
  rows.push(...(await suite()))
}
printTable(rows)
const missed = rows.filter((r) => r.ok === false)
if (missed.length > 0) {
  console.log(`\n${missed.length} benchmark(s) missed their goal: ${missed.map((r) => r.name).join(', ')}`)
  process.exitCode = 1
}
