// `npm run bench`: runs every benchmark and prints one table of ratios against baselines measured
// in the same run. Exits 1 when a ratio misses its goal, so a regression is visible.
import {printTable} from './lib.mjs'
import snapshotCreate from './snapshot-create.mjs'
import startup from './startup.mjs'

const only = process.argv.slice(2)
const suites = {startup, 'snapshot-create': snapshotCreate}
const rows = []
for (const [name, suite] of Object.entries(suites)) {
  if (only.length > 0 && !only.includes(name)) continue
  process.stderr.write(`bench: ${name}…\n`)
  rows.push(...(await suite()))
}
printTable(rows)
const missed = rows.filter((r) => r.ok === false)
if (missed.length > 0) {
  console.log(`\n${missed.length} benchmark(s) missed their goal: ${missed.map((r) => r.name).join(', ')}`)
  process.exitCode = 1
}
