// How a backtest is shown: a progress bar on a terminal, a summary for people, JSON for scripts.
import {fromMicro} from '../../foundation/domain/money.js'
import {UsageError} from '../../foundation/errors.js'
import type {Metrics} from '../report/index.js'
import {summaryJson, type BacktestResult} from './backtest.js'
import {formatQty, money} from './format.js'
import {ACCOUNT_CURRENCY} from './setup.js'

/** `2024-03-01` (start of day, or end of day for an inclusive `--to`) or an ISO time, as epoch ms UTC. */
export function parseTimeFlag(value: string | undefined, flag: string, endOfDay: boolean): number | undefined {
  if (value === undefined) return undefined
  if (/^\d{4}-\d{2}-\d{2}$/.test(value)) {
    const t = Date.parse(`${value}T00:00:00Z`)
    if (Number.isFinite(t)) return endOfDay ? t + 86_400_000 - 1 : t
  } else {
    const t = Date.parse(value)
    if (Number.isFinite(t)) return t
  }
  throw new UsageError(`${flag} expects a date like 2024-03-01 or an ISO time like 2024-03-01T14:30:00Z; found '${value}'`, 'BAD_TIME')
}

/** A one-line progress bar redrawn on a TTY (stderr); nothing is printed when total is unknown. */
export function progressBar(stream: NodeJS.WriteStream): {update: (done: number, total: number | undefined) => void; done: () => void} {
  let drawn = false
  let last = -1
  return {
    update(done, total) {
      if (total === undefined || total < 50_000) return
      const pct = Math.min(100, Math.floor((done / total) * 100))
      if (pct === last) return
      last = pct
      const width = 30
      const filled = Math.round((pct / 100) * width)
      stream.write(`\r  [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${pct}% ${done.toLocaleString('en-US')}/${total.toLocaleString('en-US')} bars`)
      drawn = true
    },
    done() {
      if (drawn) stream.write('\r\x1b[2K')
    },
  }
}

const pct = (x: number | null) => (x === null ? '-' : `${(x * 100).toFixed(1)}%`)
const num = (x: number | null, d = 2) => (x === null ? '-' : x.toFixed(d))
const cash = (m: number | null) => (m === null ? '-' : money(m, ACCOUNT_CURRENCY))

export function backtestText(r: BacktestResult): string {
  const m: Metrics = r.metrics
  const s = r.summary
  const inputs = r.inputs.kind === 'synthetic' ? `synthetic, seed ${r.seed}` : r.inputs.kind === 'dataset' ? `dataset ${r.inputs.dataset}` : 'recorded bars'
  const lines = [
    `backtest ${r.sector}: run ${r.runId}`,
    `  data        ${inputs}; ${r.bars.toLocaleString('en-US')} bars; ended: ${r.stopReason}${r.stopDetail ? ` (${r.stopDetail})` : ''}`,
    `  limits      mode ${r.mode}`,
    ...r.notes.map((n) => `  NOTE        ${n}`),
    `  orders      ${s.orders} sent, ${s.fills} fills, ${s.denials} denied by the risk gate, ${s.rejects} rejected; risk state at the end ${s.state}`,
    `  trades      ${m.trades} (${m.wins} won, ${m.losses} lost, win rate ${pct(m.winRate)})`,
    `  net P&L     ${cash(m.netPnl)} (gross ${cash(m.grossPnl)}, fees ${cash(m.fees)})`,
    `  per trade   avg win ${cash(m.avgWin)}, avg loss ${cash(m.avgLoss)}, expectancy ${cash(m.expectancy)}, profit factor ${num(m.profitFactor)}`,
    `  risk        max drawdown ${cash(m.maxDrawdown)} (${pct(m.maxDrawdownPct)}), Sharpe ${num(m.sharpe)}, Sortino ${num(m.sortino)}, longest losing streak ${m.longestLosingStreak}`,
    `  exposure    ${pct(m.exposure)} of the time; equity ${cash(m.startEquity)} → ${cash(m.endEquity)}`,
    `  positions   ${s.positions.length > 0 ? s.positions.map((p) => `${p.instrument} ${formatQty(p.qty)}`).join(', ') : 'flat'} at the end`,
    `  run hash    ${r.runHash} (\`rick replay ${r.runId}\` must reproduce it)`,
    `  journal     ${r.journal}`,
  ]
  if (s.strategyFault) lines.push(`  STRATEGY ERROR in ${s.strategyFault.phase}: ${s.strategyFault.message} — the sector halted`)
  return lines.join('\n')
}

const MONEY_KEYS = ['grossPnl', 'fees', 'netPnl', 'avgWin', 'avgLoss', 'expectancy', 'maxDrawdown', 'startEquity', 'endEquity'] as const

export function backtestJson(r: BacktestResult): Record<string, unknown> {
  const metrics: Record<string, unknown> = {...r.metrics}
  for (const k of MONEY_KEYS) {
    const v = r.metrics[k]
    metrics[k] = v === null ? null : fromMicro(v)
  }
  const out: Record<string, unknown> = {
    runId: r.runId,
    sector: r.sector,
    journal: r.journal,
    mode: r.mode,
    inputs: r.inputs,
    seed: r.seed,
    bars: r.bars,
    stopReason: r.stopReason,
    summary: summaryJson(r.summary),
    metrics,
    runHash: r.runHash,
    notes: r.notes,
  }
  if (r.stopDetail !== undefined) out.stopDetail = r.stopDetail
  return out
}
