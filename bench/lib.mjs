// Helpers shared by the benchmarks. Every figure is a ratio against a baseline measured in the
// same run on the same machine, so a slow or busy machine shifts both sides alike.
import {execFileSync, spawnSync} from 'node:child_process'

/** Median of a list of numbers. */
export function median(values) {
  const s = [...values].sort((a, b) => a - b)
  const mid = s.length >> 1
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2
}

/** Wall time of one run of `fn` in milliseconds (hrtime). */
export function timeOnce(fn) {
  const t0 = process.hrtime.bigint()
  fn()
  return Number(process.hrtime.bigint() - t0) / 1e6
}

/** Runs a command `runs` times (after `warmup` untimed runs); returns the median wall ms. */
export function timeCommand(cmd, args, {runs = 15, warmup = 2, cwd, env, before} = {}) {
  const samples = []
  for (let i = 0; i < warmup + runs; i++) {
    if (before) before(i)
    const ms = timeOnce(() => {
      const r = spawnSync(cmd, args, {cwd, env: env ?? process.env, stdio: ['ignore', 'pipe', 'pipe']})
      if (r.status !== 0) {
        throw new Error(`${cmd} ${args.join(' ')} exited ${r.status}: ${String(r.stderr).slice(0, 500)}`)
      }
    })
    if (i >= warmup) samples.push(ms)
  }
  return median(samples)
}

/** Interleaves subject and baseline runs so drift on the machine hits both alike. */
export function compareCommands(subject, baseline, {runs = 15, warmup = 2} = {}) {
  const a = []
  const b = []
  for (let i = 0; i < warmup + runs; i++) {
    const sa = timeCommand(subject.cmd, subject.args, {runs: 1, warmup: 0, cwd: subject.cwd, env: subject.env, before: subject.before ? () => subject.before(i) : undefined})
    const sb = timeCommand(baseline.cmd, baseline.args, {runs: 1, warmup: 0, cwd: baseline.cwd, env: baseline.env, before: baseline.before ? () => baseline.before(i) : undefined})
    if (i >= warmup) {
      a.push(sa)
      b.push(sb)
    }
  }
  return {subjectMs: median(a), baselineMs: median(b)}
}

/** One row of the results table. `goal` is the highest acceptable ratio (subject / baseline). */
export function row(name, subjectMs, baselineLabel, baselineMs, goal) {
  const ratio = subjectMs / baselineMs
  return {name, subjectMs, baselineLabel, baselineMs, ratio, goal, ok: goal === undefined ? undefined : ratio <= goal}
}

export function printTable(rows) {
  const header = ['benchmark', 'subject ms', 'baseline', 'baseline ms', 'ratio', 'goal', 'ok']
  const lines = rows.map((r) => [
    r.name,
    r.subjectMs.toFixed(1),
    r.baselineLabel,
    r.baselineMs.toFixed(1),
    `${r.ratio.toFixed(2)}x`,
    r.goal === undefined ? '-' : `<= ${r.goal}x`,
    r.ok === undefined ? '-' : r.ok ? 'yes' : 'NO',
  ])
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i].length)))
  const fmt = (cells) => cells.map((c, i) => c.padEnd(widths[i])).join('  ')
  console.log(fmt(header))
  console.log(widths.map((w) => '-'.repeat(w)).join('  '))
  for (const l of lines) console.log(fmt(l))
}

export function sh(cmd, args, opts = {}) {
  return execFileSync(cmd, args, {encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], ...opts})
}
