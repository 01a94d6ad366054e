// `rick report --html`: one self-contained HTML page (inline CSS, inline SVG, one tiny inline
// script; nothing fetched when it is opened) rendering the same facts as `rick report --json` —
// the figures come from ReportJson unchanged, and the page embeds that JSON too — plus each run's
// RUN_STARTED record (config, strategy params, snapshot). Every value from the journal is escaped.
import type {RunStartedPayload} from '../../../foundation/journal/events.js'
import type {ReportJson, RunReportJson} from '../format.js'
import {chartSvg, drawdownSeries, utc, type Series} from './charts.js'
import {escapeHtml as h, jsonForScript} from './escape.js'

type MetricsJson = RunReportJson['metrics']

export interface HtmlReportInput {
  report: ReportJson
  /** Each run's RUN_STARTED payload, by run id (absent when the journal has none). */
  started: ReadonlyMap<string, RunStartedPayload>
}

/** Rows of the metrics table: key in the JSON, label, and how the JSON value is shown. */
const METRIC_ROWS: Array<[keyof MetricsJson, string, (v: number | null, m: MetricsJson) => string]> = [
  ['trades', 'trades', (v) => String(v)],
  ['winRate', 'win rate', pct],
  ['netPnl', 'net P&L', money],
  ['grossPnl', 'gross P&L', money],
  ['fees', 'fees', money],
  ['avgWin', 'average win', money],
  ['avgLoss', 'average loss', money],
  ['expectancy', 'expectancy / trade', money],
  ['profitFactor', 'profit factor', (v, m) => (v === null ? (m.wins > 0 ? 'no losses' : '-') : v.toFixed(2))],
  ['maxDrawdown', 'max drawdown', money],
  ['maxDrawdownPct', 'max drawdown %', pct],
  ['sharpe', 'Sharpe (annualised)', ratio],
  ['sortino', 'Sortino (annualised)', ratio],
  ['longestLosingStreak', 'longest losing streak', (v) => String(v)],
  ['exposure', 'exposure', pct],
  ['startEquity', 'start equity', money],
  ['endEquity', 'end equity', money],
]

export function reportHtml(input: HtmlReportInput): string {
  const {report} = input
  const runs = report.runs.map((r) => runSection(r, input.started.get(r.runId)))
  const title = report.runs.length === 1 ? `rick report · ${report.runs[0]!.sector} · ${report.runs[0]!.runId}` : 'rick report'
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${h(title)}</title>
<style>${CSS}</style>
<script>window.onerror=function(m,s,l,c){var e=document.getElementById('errors');if(e){e.hidden=false;e.textContent+=String(m)+' ('+l+':'+c+')\\n'}}</script>
</head><body>
<pre id="errors" hidden></pre>
<h1>${h(title)}</h1>
<p class="meta">journal ${h(report.journal)} · ${report.runs.length} run${report.runs.length === 1 ? '' : 's'}</p>
${report.runs.length === 0 ? '<p class="empty">No runs in the journal yet.</p>' : ''}
${sectorSummary(report.runs)}
${runs.join('\n')}
<p class="note">${h(report.annualisation)}</p>
<script type="application/json" id="report-json">${jsonForScript(report)}</script>
<script>${CHECK}</script>
</body></html>
`
}

/** One row per sector (the latest or chosen run of each): the sector-level metrics side by side. */
function sectorSummary(runs: readonly RunReportJson[]): string {
  if (runs.length < 2) return ''
  const head = `<tr><th></th>${runs.map((r) => `<th>${h(r.sector)}</th>`).join('')}</tr>`
  const rows = METRIC_ROWS.map(([key, label, show]) => `<tr><th>${h(label)}</th>${runs.map((r) => cell(r.metrics, key, show, `sector:${r.sector}`)).join('')}</tr>`)
  return `<section><h2>Sectors</h2><table class="metrics" id="sectors">${head}${rows.join('')}</table></section>`
}

function runSection(r: RunReportJson, started: RunStartedPayload | undefined): string {
  const id = `run-${slug(r.runId)}`
  const marked = markedCurve(r)
  const equity = marked ?? closedTradeEquity(r)
  const at = marked === null ? 'at closed trades' : CURVE_SOURCE[r.curveSource]
  const cur = r.currency === null ? '' : ` (${h(r.currency)})`
  const span = `${r.startedAt === null ? '?' : utc(r.startedAt)} → ${r.stoppedAt === null ? 'not stopped (running or interrupted)' : utc(r.stoppedAt)}`
  const strategy = r.strategy === null ? 'unknown strategy' : `${h(r.strategy.name)} <span class="hash" title="code hash">${h(r.strategy.codeHash)}</span>`
  const columns = [{title: 'total', scope: 'total', m: r.metrics}, ...r.instruments.map((i) => ({title: i.instrument, scope: `instrument:${i.instrument}`, m: i.metrics}))]
  const metrics = [
    `<tr><th></th>${columns.map((c) => `<th>${h(c.title)}</th>`).join('')}</tr>`,
    ...METRIC_ROWS.map(([key, label, show]) => `<tr><th>${h(label)}${key === 'trades' || !isMoney(key) ? '' : cur}</th>${columns.map((c) => cell(c.m, key, show, c.scope)).join('')}</tr>`),
  ].join('')
  return `<section class="run" id="${h(id)}" data-run="${h(r.runId)}" data-sector="${h(r.sector)}">
<h2>${h(r.sector)} · run ${h(r.runId)}</h2>
<p class="meta">${h(r.mode ?? '?')} mode on ${h(r.venue ?? '?')} · ${strategy} · ${h(span)}${r.barsProcessed === null ? '' : ` · ${r.barsProcessed} bars`}${r.stopReason === null ? '' : ` · stopped: ${h(r.stopReason)}`}</p>
<p class="meta">orders: ${r.orders.intents} passed the risk gate, ${r.orders.denied} denied by it, ${r.orders.rejected} rejected by the venue</p>
<h3>Equity, ${at}${cur}</h3>
${chartSvg(equity, {id: `${id}-equity`, title: `equity, ${at}`, kind: 'line'})}
<h3>Drawdown, ${at}${cur}</h3>
${chartSvg(drawdownSeries(equity), {id: `${id}-drawdown`, title: `drawdown, ${at}`, kind: 'area'})}
${marked === null ? `<p class="note">The charts step at each closed trade: start equity plus the cumulative net P&amp;L of the trades below. The metrics' max drawdown is measured on the report's equity curve, ${CURVE_SOURCE[r.curveSource]}, so it can be larger.</p>` : '<p class="note">The report\'s own equity curve: the metrics\' max drawdown is the depth of this drawdown chart.</p>'}
<h3>Metrics (total and per instrument)</h3>
<table class="metrics">${metrics}</table>
${openTable(r)}
<h3>Trades (${r.trades.length})</h3>
${tradesTable(r)}
${configBlock(started)}
${r.notes.length === 0 ? '' : `<ul class="notes">${r.notes.map((n) => `<li>${h(n)}</li>`).join('')}</ul>`}
</section>`
}

/**
 * The report's marked equity curve (`curve`: epoch ms and equity in decimal units, the curve the
 * metrics were measured on); a run whose starting equity is unknown has none, and its charts are
 * drawn at closed trades.
 */
function markedCurve(r: RunReportJson): Series | null {
  const curve = r.curve
  if (curve === undefined || curve === null || curve.ts.length === 0) return null
  return {x: curve.ts, y: curve.equity}
}

/** Start equity (0 when unknown), then one point per closed trade, in the order trades closed. */
export function closedTradeEquity(r: Pick<RunReportJson, 'trades' | 'metrics' | 'startedAt'>): Series {
  const x: number[] = []
  const y: number[] = []
  let equity = r.metrics.startEquity ?? 0
  const trades = [...r.trades].sort((a, b) => a.exitTs - b.exitTs)
  const first = r.startedAt ?? trades[0]?.exitTs
  if (first !== undefined) {
    x.push(first)
    y.push(equity)
  }
  for (const t of trades) {
    equity += t.netPnl
    x.push(t.exitTs)
    y.push(Math.round(equity * 1e6) / 1e6)
  }
  return {x, y}
}

function tradesTable(r: RunReportJson): string {
  if (r.trades.length === 0) return '<p class="empty">No closed trades.</p>'
  const head = '<tr><th>#</th><th>instrument</th><th>side</th><th>qty</th><th>entry</th><th>entry price</th><th>exit</th><th>exit price</th><th>gross P&amp;L</th><th>fees</th><th>net P&amp;L</th></tr>'
  const rows = r.trades.map(
    (t, i) =>
      `<tr class="trade"><td>${i + 1}</td><td>${h(t.instrument)}</td><td>${h(t.side)}</td><td data-value="${t.qty}">${t.qty}</td><td>${utc(t.entryTs)}</td><td data-value="${t.entryPrice}">${price(t.entryPrice)}</td><td>${utc(t.exitTs)}</td><td data-value="${t.exitPrice}">${price(t.exitPrice)}</td><td data-value="${t.grossPnl}">${money(t.grossPnl)}</td><td data-value="${t.fees}">${money(t.fees)}</td><td data-value="${t.netPnl}" class="${t.netPnl < 0 ? 'neg' : 'pos'}">${money(t.netPnl)}</td></tr>`,
  )
  return `<table class="trades">${head}${rows.join('')}</table>`
}

function openTable(r: RunReportJson): string {
  if (r.open.length === 0) return ''
  const rows = r.open.map((o) => `<tr><td>${h(o.instrument)}</td><td>${h(o.side)}</td><td>${o.qty}</td><td>${price(o.avgPrice)}</td><td>${utc(o.since)}</td></tr>`)
  return `<h3>Open at the end</h3><table class="open"><tr><th>instrument</th><th>side</th><th>qty</th><th>average price</th><th>since</th></tr>${rows.join('')}</table>`
}

/** The run's recorded setup: config hash, profile, inputs, strategy params, limits, snapshot, notices. */
function configBlock(s: RunStartedPayload | undefined): string {
  if (s === undefined) return '<h3>Run config</h3><p class="empty">No RUN_STARTED event for this run.</p>'
  const snapshot = s.snapshot === null ? 'none (not a git project, or no snapshot taken)' : `${s.snapshot.id} (${s.snapshot.kind}, commit ${s.snapshot.commit})`
  const rows: Array<[string, string]> = [
    ['mode', `${s.requestedMode} asked, ${s.effectiveMode} ran`],
    ['venue / environment', `${s.venue} / ${s.environment}`],
    ['profile', s.profile],
    ['config hash', s.configHash],
    ['snapshot', snapshot],
    ['strategy', s.strategy.name],
    ['strategy code hash', s.strategy.codeHash],
    ['strategy params', JSON.stringify(s.strategy.params)],
    ['inputs', JSON.stringify(s.inputs)],
    ['seed', String(s.seed)],
    ['risk limits', JSON.stringify(s.limits)],
    ['rick version', s.version],
  ]
  if (s.connector !== undefined) rows.push(['connector', JSON.stringify(s.connector)])
  if (s.resumedFrom !== undefined) rows.push(['resumed from', s.resumedFrom])
  for (const n of s.notices) rows.push(['notice', n])
  return `<h3>Run config</h3><table class="config">${rows.map(([k, v]) => `<tr><th>${h(k)}</th><td data-field="${h(k)}">${h(v)}</td></tr>`).join('')}</table>`
}

const CURVE_SOURCE: Record<RunReportJson['curveSource'], string> = {
  bars: 'marked at the journaled bar closes',
  inputs: 'marked at the closes of the regenerated input bars',
  fills: 'marked at fill prices only',
}

function cell(m: MetricsJson, key: keyof MetricsJson, show: (v: number | null, m: MetricsJson) => string, scope: string): string {
  const v = m[key] as number | null
  return `<td data-scope="${h(scope)}" data-metric="${key}" data-value="${v === null ? 'null' : v}">${h(show(v, m))}</td>`
}

function isMoney(key: keyof MetricsJson): boolean {
  return ['netPnl', 'grossPnl', 'fees', 'avgWin', 'avgLoss', 'expectancy', 'maxDrawdown', 'startEquity', 'endEquity'].includes(key)
}

function money(v: number | null): string {
  if (v === null) return '-'
  // Canary-sized crypto trades make P&L of fractions of a cent: show them rather than 0.00.
  if (v !== 0 && Math.abs(v) < 0.01) return v.toFixed(6).replace(/0+$/, '')
  return v.toFixed(2)
}

function price(v: number): string {
  return v.toPrecision(8).replace(/\.?0+$/, '')
}

function pct(v: number | null): string {
  return v === null ? '-' : `${(v * 100).toFixed(1)}%`
}

function ratio(v: number | null): string {
  return v === null ? '-' : v.toFixed(2)
}

function slug(s: string): string {
  return s.replace(/[^A-Za-z0-9_-]/g, '_')
}

const CSS = `body{font:14px/1.4 system-ui,sans-serif;margin:1.5em auto;max-width:1100px;padding:0 1em;color:#222}
h1{font-size:1.4em}h2{font-size:1.2em;border-bottom:1px solid #ccc;margin-top:2em}h3{font-size:1em;margin:1.2em 0 .4em}
table{border-collapse:collapse;margin:.4em 0}th,td{padding:2px 8px;border-bottom:1px solid #eee;text-align:right;white-space:nowrap}
th:first-child{text-align:left}table.config td{text-align:left;white-space:pre-wrap;word-break:break-all}
.meta,.note{color:#555}.hash{font-family:monospace;font-size:.9em}.neg{color:#b00}.pos{color:#070}.empty{color:#888}
svg.chart{display:block;height:220px;background:#fafafa;border:1px solid #ddd}
svg .line{stroke:#1f5fbf;stroke-width:1.5;vector-effect:non-scaling-stroke}svg .area{fill:#e3a0a0;stroke:#b00;stroke-width:1;vector-effect:non-scaling-stroke}
svg .axis{stroke:#999;vector-effect:non-scaling-stroke}svg .label{font-size:11px;fill:#555}
#errors{background:#fee;color:#b00;padding:.5em}`

// Marks the page as rendered once the script runs: a viewer (or a test in a headless browser) can
// tell a page whose scripts ran from one that failed, and see how many chart points drew.
const CHECK = `(function(){var d=JSON.parse(document.getElementById('report-json').textContent);var n=0;document.querySelectorAll('svg.chart polyline,svg.chart polygon').forEach(function(p){n+=p.points.length});document.body.setAttribute('data-rendered',String(d.runs.length));document.body.setAttribute('data-chart-points',String(n))})()`
