import {describe, expect, it} from 'vitest'

import type {RunStartedPayload} from '../../../src/foundation/journal/events.js'
import {reportFromJournal, reportJson} from '../../../src/sectors/report/index.js'
import {chartSvg, closedTradeEquity, drawdownSeries, escapeHtml, jsonForScript, reportHtml} from '../../../src/sectors/report/html/index.js'
import {FILLS, MIN, fill, journalBuilder, started} from './fixtures.js'

const M = 1_000_000

/** The fixture's run (fills of SPY and MES, bars, start 10 000) as --json's data and its RUN_STARTED. */
function fixtureRun(instrumentName = 'SPY', params: Record<string, unknown> = {fast: 10, slow: 50}) {
  const b = journalBuilder()
  const start = started({startingEquity: 10_000 * M, currency: 'USD', instruments: [{id: instrumentName, multiplier: 1}, {id: 'MES', multiplier: 5}]}, {
    strategy: {name: 'sma-crossover', codeHash: 'a1b2c3d4e5f6'.padEnd(64, '0'), params},
    snapshot: {id: 'snap-2026-12-08', commit: 'f'.repeat(40), kind: 'snapshot'},
  })
  b.add('run-1', 'ibkr', 0, 'RUN_STARTED', start)
  for (let i = 0; i < 5; i++) {
    for (const f of FILLS.filter((x) => x.ts === i * MIN)) b.add('run-1', 'ibkr', i * MIN, 'FILL', {fill: {...f, instrument: f.instrument === 'SPY' ? instrumentName : f.instrument}})
  }
  b.add('run-1', 'ibkr', 4 * MIN, 'RUN_STOPPED', {reason: 'data-exhausted', barsProcessed: 5, summary: {trades: 4, fills: 6, denials: 0, realizedPnl: -48.8 * M, fees: 6.8 * M, equity: 9_951.2 * M}})
  const report = reportJson(reportFromJournal(b.events), '/tmp/journal.db')
  return {report, started: new Map<string, RunStartedPayload>([['run-1', start]])}
}

/** `data-scope`/`data-metric`/`data-value` triples of the metric cells. */
function metricCells(html: string): Array<{scope: string; metric: string; value: string}> {
  return [...html.matchAll(/<td data-scope="([^"]*)" data-metric="([^"]*)" data-value="([^"]*)">/g)].map((m) => ({scope: m[1]!, metric: m[2]!, value: m[3]!}))
}

describe('reportHtml', () => {
  it('shows the figures of --json: every metric cell, total and per instrument, and one row per trade', () => {
    const input = fixtureRun()
    const html = reportHtml(input)
    const run = input.report.runs[0]!
    const cells = metricCells(html)
    expect(cells.length).toBe(17 * 3) // 17 metrics × (total, MES, SPY)
    for (const c of cells) {
      const m = c.scope === 'total' ? run.metrics : run.instruments.find((i) => `instrument:${i.instrument}` === c.scope)!.metrics
      const v = m[c.metric as keyof typeof m]
      expect(c.value, `${c.scope} ${c.metric}`).toBe(v === null ? 'null' : String(v))
    }
    expect(cells.find((c) => c.scope === 'total' && c.metric === 'netPnl')!.value).toBe('-48.8')
    expect(html).toContain('data-metric="netPnl" data-value="-48.8">-48.80</td>')
    const rows = [...html.matchAll(/<tr class="trade">(.*?)<\/tr>/g)]
    expect(rows).toHaveLength(run.trades.length)
    expect(run.trades).toHaveLength(4)
    const net = rows.map((r) => Number(/<td data-value="([^"]*)" class="(?:neg|pos)">/.exec(r[1]!)![1]))
    expect(net).toEqual(run.trades.map((t) => t.netPnl))
    // The page embeds the same JSON.
    const embedded = /<script type="application\/json" id="report-json">(.*?)<\/script>/s.exec(html)![1]!
    expect(JSON.parse(embedded)).toEqual(input.report)
  })

  it('shows the run config: strategy name, params, code hash, snapshot, config hash', () => {
    const html = reportHtml(fixtureRun())
    expect(html).toContain('<td data-field="strategy params">{&quot;fast&quot;:10,&quot;slow&quot;:50}</td>')
    expect(html).toContain(`<td data-field="strategy code hash">${'a1b2c3d4e5f6'.padEnd(64, '0')}</td>`)
    expect(html).toContain(`<td data-field="snapshot">snap-2026-12-08 (snapshot, commit ${'f'.repeat(40)})</td>`)
    expect(html).toContain(`<td data-field="config hash">${'c'.repeat(64)}</td>`)
  })

  it('draws the equity and drawdown of the closed trades, needing nothing from the network', () => {
    const html = reportHtml(fixtureRun())
    expect(html).toMatch(/<svg id="run-run-1-equity"[^>]* data-points="5"/)
    expect(html).toMatch(/<svg id="run-run-1-drawdown"[^>]* data-points="5"/)
    expect(html).toMatch(/<polyline class="line" fill="none" points="[\d., ]+"\/>/)
    expect(html).toContain("max drawdown is measured on the report's equity curve, marked at fill prices only")
    expect(html).not.toMatch(/\b(src|href)=/)
    expect(html).not.toMatch(/https?:\/\//)
  })

  it("draws the report's marked equity curve instead when the report carries one", () => {
    const input = fixtureRun()
    const run = input.report.runs[0]! as (typeof input.report.runs)[number] & {curve?: {ts: number[]; equity: number[]}}
    run.curve = {ts: [0, MIN, 2 * MIN, 3 * MIN], equity: [10_000, 10_100, 9_900, 10_050]}
    const html = reportHtml(input)
    expect(html).toMatch(/<svg id="run-run-1-equity"[^>]* data-points="4"/)
    expect(html).toContain('<h3>Drawdown, marked at fill prices only (USD)</h3>')
    // The drawdown chart's floor label is the curve's drawdown: 10 100 -> 9 900.
    expect(/<svg id="run-run-1-drawdown".*?<\/svg>/s.exec(html)![0]).toContain('>-200</text>')
  })

  it('shows journal and config values with markup in them as text (no HTML injection)', () => {
    const evil = '<script>alert(1)</script>'
    const input = fixtureRun(`X${evil}`, {note: `</script><script>alert(2)</script>`, q: `"'><img onerror=x>`})
    const html = reportHtml(input)
    // Only the page's own scripts: the onerror hook, the embedded JSON and the check.
    expect([...html.matchAll(/<script/g)]).toHaveLength(3)
    expect(html).not.toContain('<img')
    expect(html).toContain('<td>X&lt;script&gt;alert(1)&lt;/script&gt;</td>')
    expect(html).toContain('&lt;/script&gt;&lt;script&gt;alert(2)&lt;/script&gt;')
    const embedded = /<script type="application\/json" id="report-json">(.*?)<\/script>/s.exec(html)![1]!
    expect(JSON.parse(embedded)).toEqual(input.report)
  })

  it('renders an empty journal and a run without trades', () => {
    const empty = reportHtml({report: {journal: 'j.db', annualisation: 'a', runs: []}, started: new Map()})
    expect(empty).toContain('No runs in the journal yet.')
    const b = journalBuilder()
    b.add('r0', 'fx', 0, 'RUN_STARTED', started({startingEquity: 100 * M}))
    b.add('r0', 'fx', MIN, 'FILL', {fill: fill('SPY', 'buy', 1, 10, 0, MIN)})
    const html = reportHtml({report: reportJson(reportFromJournal(b.events), 'j.db'), started: new Map()})
    expect(html).toContain('No closed trades.')
    expect(html).toContain('No RUN_STARTED event for this run.')
  })
})

describe('charts', () => {
  it('closedTradeEquity: start equity, then start plus the cumulative net P&L at each trade exit', () => {
    const run = fixtureRun().report.runs[0]!
    const eq = closedTradeEquity(run)
    expect(eq.x).toEqual([0, ...run.trades.map((t) => t.exitTs).sort((a, b) => a - b)])
    expect(eq.y[0]).toBe(10_000)
    expect(eq.y.at(-1)).toBeCloseTo(10_000 + run.metrics.netPnl, 6)
  })

  it('drawdownSeries: distance below the running peak', () => {
    expect(drawdownSeries({x: [1, 2, 3, 4], y: [10, 12, 9, 13]}).y).toEqual([0, 0, -3, 0])
  })

  it('chartSvg: a note without points, a polyline or polygon with one point each otherwise', () => {
    expect(chartSvg({x: [], y: []}, {id: 'a', title: 't', kind: 'line'})).toContain('no points')
    const line = chartSvg({x: [0, 1, 2], y: [1, 3, 2]}, {id: 'a', title: 't', kind: 'line', width: 100, height: 50})
    expect(/<polyline class="line" fill="none" points="([^"]*)"/.exec(line)![1]!.split(' ')).toHaveLength(3)
    const area = chartSvg({x: [0, 1], y: [0, -2]}, {id: 'b', title: 't', kind: 'area'})
    expect(/<polygon class="area" points="([^"]*)"/.exec(area)![1]!.split(' ')).toHaveLength(4)
  })

  it('escapes attribute and text values, and keeps JSON in a script inert', () => {
    expect(escapeHtml(`<a href="x">'&'</a>`)).toBe('&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;')
    const s = jsonForScript({v: '</script><!--'})
    expect(s).not.toContain('<')
    expect(JSON.parse(s)).toEqual({v: '</script><!--'})
  })
})
