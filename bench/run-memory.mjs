// Resident memory of `rick run` on the paper venue after 10,000 bars: the built CLI in a child,
// `--paper --speed max --bars 10000`, with RICK_REPORT_RSS=1 so the engine prints its VmRSS just
// before it exits (after RUN_STOPPED is journaled). A fresh RICK_HOME (journal, lock) in a temp
// folder. The oanda sector (EUR_USD, GBP_USD, USD_JPY) by default: its orders pass the risk gate,
// so the run trades (orders, fills, journal writes), not only decides. Goal: under 120 MB. The
// RSS of a bare `node -e 0` is printed for scale.
import {execFileSync, spawnSync} from 'node:child_process'
import {mkdtempSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {fileURLToPath} from 'node:url'

import {printTable} from './lib.mjs'

const root = fileURLToPath(new URL('..', import.meta.url))
const rick = fileURLToPath(new URL('../bin/run.js', import.meta.url))
const GOAL_MB = 120
const BARS = Number(process.env.RICK_BENCH_RUN_BARS ?? 10_000)
const SECTOR = process.env.RICK_BENCH_SECTOR ?? 'oanda'

function nodeBaselineMb() {
  const out = execFileSync(process.execPath, ['-e', "const m=/VmRSS:\\s+(\\d+)/.exec(require('fs').readFileSync('/proc/self/status','utf8'));console.log(m?m[1]/1024:process.memoryUsage().rss/1048576)"], {encoding: 'utf8'})
  return Number(out.trim())
}

export default async function runMemory() {
  const home = mkdtempSync(join(tmpdir(), 'rick-bench-run-'))
  try {
    const t0 = process.hrtime.bigint()
    const r = spawnSync(process.execPath, [rick, 'run', SECTOR, '--paper', '--speed', 'max', '--bars', String(BARS)], {
      cwd: root,
      encoding: 'utf8',
      env: {...process.env, RICK_HOME: home, RICK_REPORT_RSS: '1', NO_COLOR: '1'},
      maxBuffer: 64 * 1024 * 1024,
    })
    const ms = Number(process.hrtime.bigint() - t0) / 1e6
    if (r.status !== 0) throw new Error(`rick run exited ${r.status}: ${String(r.stderr).slice(0, 800)}`)
    const m = /rss: ([\d.]+) MB/.exec(r.stderr)
    if (!m) throw new Error(`rick run did not report its RSS (RICK_REPORT_RSS=1); stderr: ${String(r.stderr).slice(0, 400)}`)
    const rss = Number(m[1])
    const base = nodeBaselineMb()
    process.stderr.write(`run-memory: rick run ${SECTOR} --paper --speed max --bars ${BARS}: ${rss.toFixed(1)} MB resident at the end (goal < ${GOAL_MB} MB), ${(ms / 1000).toFixed(1)} s wall; node -e 0: ${base.toFixed(1)} MB\n`)
    return [{name: `rick run ${BARS} bars: RSS MB (goal < ${GOAL_MB})`, subjectMs: rss, baselineLabel: 'goal MB', baselineMs: GOAL_MB, ratio: rss / GOAL_MB, goal: 1, ok: rss < GOAL_MB}]
  } finally {
    rmSync(home, {recursive: true, force: true})
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) printTable(await runMemory())
