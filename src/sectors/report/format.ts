// How run reports are shown: a table per run for people, and JSON with money as decimal numbers
// (micro units are the internal form only). Times are the journal's epoch ms, shown in UTC.
import {fromMicro, type Micro} from '../../foundation/domain/money.js'
import {ANNUALISATION_NOTE, type Metrics} from './metrics.js'
import type {RunReport} from './journal.js'
import type {OpenPosition, Trade} from './trades.js'

type Decimal<T, K extends keyof T> = Omit<T, K> & {[P in K]: T[P] extends Micro ? number : number | null}

const METRIC_MONEY = ['grossPnl', 'fees', 'netPnl', 'avgWin', 'avgLoss', 'expectancy', 'maxDrawdown', 'startEquity', 'endEquity'] as const
type MetricsJson = Decimal<Metrics, (typeof METRIC_MONEY)[number]>
type TradeJson = Decimal<Trade, 'grossPnl' | 'fees' | 'netPnl'>
type OpenJson = Decimal<OpenPosition, 'cost' | 'fees'>

export interface RunReportJson extends Omit<RunReport, 'metrics' | 'instruments' | 'open' | 'trades' | 'curve'> {
  metrics: MetricsJson
  /** Only when asked (reportJson's `curve`): equity in the currency's units. */
  curve?: {ts: number[]; equity: number[]} | null
  instruments: Array<{instrument: string; multiplier: number; metrics: MetricsJson; open: OpenJson | null}>
  open: OpenJson[]
  trades: TradeJson[]
}

export interface ReportJson {
  journal: string
  annualisation: string
  runs: RunReportJson[]
}

/** The reports as JSON-ready data: money in decimal currency units, everything else as computed. */
/** `curve`: include each run's equity curve (a point per bar: the HTML page draws it; --json leaves it out). */
export function reportJson(reports: readonly RunReport[], journal: string, o: {curve?: boolean} = {}): ReportJson {
  return {
    journal,
    annualisation: ANNUALISATION_NOTE,
    runs: reports.map(({curve, ...r}) => ({
      ...r,
      ...(o.curve === true ? {curve: curve && {ts: curve.ts, equity: curve.equity.map(fromMicro)}} : {}),
      metrics: metricsJson(r.metrics),
      instruments: r.instruments.map((i) => ({instrument: i.instrument, multiplier: i.multiplier, metrics: metricsJson(i.metrics), open: i.open && openJson(i.open)})),
      open: r.open.map(openJson),
      trades: r.trades.map((t) => ({...t, grossPnl: fromMicro(t.grossPnl), fees: fromMicro(t.fees), netPnl: fromMicro(t.netPnl)})),
    })),
  }
}

function metricsJson(m: Metrics): MetricsJson {
  const out: Record<string, unknown> = {...m}
  for (const k of METRIC_MONEY) out[k] = m[k] === null ? null : fromMicro(m[k])
  return out as unknown as MetricsJson
}

function openJson(o: OpenPosition): OpenJson {
  return {...o, cost: fromMicro(o.cost), fees: fromMicro(o.fees)}
}

/** A readable report: a header and a table (total, then one column per instrument) per run. */
export function reportText(reports: readonly RunReport[]): string {
  return reports.map(runText).join('\n\n')
}

function runText(r: RunReport): string {
  const lines: string[] = []
  const strategy = r.strategy ? `${r.strategy.name} (code ${r.strategy.codeHash.slice(0, 12)})` : 'unknown strategy'
  lines.push(`${r.sector} · run ${r.runId} · ${r.mode ?? '?'} mode on ${r.venue ?? '?'} · ${strategy}`)
  const span = `${time(r.startedAt)} → ${r.stoppedAt === null ? 'not stopped (running or interrupted)' : time(r.stoppedAt)}`
  const bars = r.barsProcessed === null ? '' : ` · ${r.barsProcessed} bars of ${duration(r.periodMs)}${r.instrumentCount > 1 ? ` (${r.instrumentCount} instruments)` : ''}`
  lines.push(`${span}${bars}${r.stopReason ? ` · stopped: ${r.stopReason}` : ''}`)
  lines.push(`orders: ${r.orders.intents} passed the risk gate, ${r.orders.denied} denied by it, ${r.orders.rejected} rejected by the venue`)
  lines.push('')
  const cur = r.currency ? ` (${r.currency})` : ''
  const columns: Array<{title: string; m: Metrics}> = [{title: 'total', m: r.metrics}, ...r.instruments.map((i) => ({title: i.instrument, m: i.metrics}))]
  const rows: Array<[string, (m: Metrics) => string]> = [
    ['trades', (m) => String(m.trades)],
    ['win rate', (m) => pct(m.winRate)],
    [`net P&L${cur}`, (m) => money(m.netPnl)],
    ['gross P&L', (m) => money(m.grossPnl)],
    ['fees', (m) => money(m.fees)],
    ['average win', (m) => money(m.avgWin)],
    ['average loss', (m) => money(m.avgLoss)],
    ['expectancy / trade', (m) => money(m.expectancy)],
    ['profit factor', (m) => (m.profitFactor === null ? (m.wins > 0 ? 'no losses' : '-') : m.profitFactor.toFixed(2))],
    ['max drawdown', (m) => `${money(m.maxDrawdown)}${m.maxDrawdownPct === null ? '' : ` (${pct(m.maxDrawdownPct)})`}`],
    ['Sharpe (annualised)', (m) => ratio(m.sharpe)],
    ['Sortino (annualised)', (m) => ratio(m.sortino)],
    ['longest losing streak', (m) => String(m.longestLosingStreak)],
    ['exposure', (m) => pct(m.exposure)],
    ['start → end equity', (m) => (m.startEquity === null ? '-' : `${money(m.startEquity)} → ${money(m.endEquity)}`)],
  ]
  const table = [['', ...columns.map((c) => c.title)], ...rows.map(([label, f]) => [label, ...columns.map((c) => f(c.m))])]
  const widths = table[0]!.map((_, j) => Math.max(...table.map((row) => row[j]!.length)))
  for (const row of table) lines.push(row.map((cell, j) => (j === 0 ? cell.padEnd(widths[j]!) : cell.padStart(widths[j]!))).join('   ').trimEnd())
  if (r.open.length > 0) {
    lines.push('')
    for (const o of r.open) lines.push(`open: ${o.instrument} ${o.side} ${o.qty} @ ${o.avgPrice.toPrecision(8).replace(/\.?0+$/, '')} since ${time(o.since)}`)
  }
  lines.push('')
  const marked = {bars: 'marked at the journaled bar closes', inputs: 'marked at the closes of the regenerated input bars', fills: 'marked at fill prices only'}[r.curveSource]
  lines.push(`curve: ${marked}; ${r.metrics.returns} per-bar returns, ${Math.round(r.metrics.barsPerYear)} bars per year`)
  for (const n of r.notes) if (n !== ANNUALISATION_NOTE) lines.push(`note: ${n}`)
  lines.push(`note: ${ANNUALISATION_NOTE}`)
  return lines.join('\n')
}

function money(v: Micro | null): string {
  if (v === null) return '-'
  const abs = Math.abs(v)
  // Canary-sized crypto trades make P&L of fractions of a cent: show them rather than 0.00.
  if (abs !== 0 && abs < 10_000) return fromMicro(v).toFixed(6).replace(/0+$/, '')
  return fromMicro(v).toFixed(2)
}

function pct(v: number | null): string {
  return v === null ? '-' : `${(v * 100).toFixed(1)}%`
}

function ratio(v: number | null): string {
  return v === null ? '-' : v.toFixed(2)
}

function time(ts: number | null): string {
  // Formatting a recorded time (not reading a clock).
  return ts === null ? '?' : new Date(ts).toISOString().replace('T', ' ').replace(/:\d\d\.\d{3}Z$/, 'Z')
}

function duration(ms: number): string {
  if (ms % 86_400_000 === 0) return `${ms / 86_400_000}d`
  if (ms % 3_600_000 === 0) return `${ms / 3_600_000}h`
  if (ms % 60_000 === 0) return `${ms / 60_000}m`
  if (ms % 1000 === 0) return `${ms / 1000}s`
  return `${ms}ms`
}
