// `rick report --html` end to end: a short paper run in a temp project, the built CLI writing the
// page, and the page opened in headless Chromium (Debian's `chromium`; .ci/run installs it).
import {execa} from 'execa'
import {existsSync, mkdtempSync, readFileSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import type {NewEvent} from '../../src/foundation/journal/events.js'
import {openJournal} from '../../src/foundation/journal/index.js'
import type {ReportJson} from '../../src/sectors/report/index.js'
import {fixtureProject, readJournal, type Fixture} from '../integration/engine-fixture.js'
import {rick} from '../helpers/cli.js'
import {MIN, fill, journalBuilder, started} from '../sectors/report/fixtures.js'

const CHROMIUM = '/usr/bin/chromium'
const M = 1_000_000
let fx: Fixture
let file: string
let json: ReportJson

beforeAll(async () => {
  fx = fixtureProject()
  const run = await rick(['run', 'fx', '--paper', '--speed', 'max', '--bars', '300'], {cwd: fx.root, env: fx.env})
  expect(run.exitCode, run.stderr).toBe(0)
  file = join(fx.root, 'out', 'report.html')
  const r = await rick(['report', 'fx', '--json'], {cwd: fx.root, env: fx.env})
  expect(r.exitCode, r.stderr).toBe(0)
  json = JSON.parse(r.stdout) as ReportJson
})

afterAll(() => fx.cleanup())

/** The page as Chromium's DOM after its scripts ran, and the console lines Chromium logged. */
async function openInChromium(page: string): Promise<{dom: string; console: string[]}> {
  const profile = mkdtempSync(join(tmpdir(), 'rick-chromium-'))
  try {
    const c = await execa(CHROMIUM, ['--headless=new', '--disable-gpu', '--no-sandbox', `--user-data-dir=${profile}`, '--enable-logging=stderr', '--v=0', '--dump-dom', `file://${page}`], {reject: false, timeout: 30_000})
    expect(c.exitCode, String(c.stderr)).toBe(0)
    return {dom: String(c.stdout), console: String(c.stderr).split('\n').filter((l) => l.includes(':CONSOLE'))}
  } finally {
    rmSync(profile, {recursive: true, force: true})
  }
}

/** `data-scope`/`data-metric`/`data-value` of the page's metric cells. */
function metricCells(html: string): Array<{scope: string; metric: string; value: string}> {
  return [...html.matchAll(/<td data-scope="([^"]*)" data-metric="([^"]*)" data-value="([^"]*)">/g)].map((m) => ({scope: m[1]!, metric: m[2]!, value: m[3]!}))
}

describe('rick report --html', () => {
  it('writes one page whose figures are those of --json, with one row per closing trade of the journal', async () => {
    const r = await rick(['report', 'fx', '--html', 'out/report.html'], {cwd: fx.root, env: fx.env})
    // out/ does not exist: a clear error, exit 1, no stack.
    expect(r.exitCode).toBe(1)
    expect(r.stderr.trim()).toBe(`Error: cannot write the HTML report to ${join(fx.root, 'out', 'report.html')}: its folder does not exist`)
    expect(r.stderr).not.toMatch(/\n\s+at /)
    const ok = await rick(['report', 'fx', '--html', 'report.html'], {cwd: fx.root, env: fx.env})
    expect(ok.stderr).toBe('')
    expect(ok.exitCode).toBe(0)
    file = join(fx.root, 'report.html')
    expect(ok.stdout.trim()).toMatch(new RegExp(`^Wrote ${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} \\(1 run, \\d+ bytes\\)\\.$`))
    const html = readFileSync(file, 'utf8')
    const run = json.runs[0]!
    const cells = metricCells(html)
    expect(cells.length).toBe(17 * (1 + run.instruments.length))
    for (const c of cells) {
      const m = c.scope === 'total' ? run.metrics : run.instruments.find((i) => `instrument:${i.instrument}` === c.scope)!.metrics
      const v = m[c.metric as keyof typeof m]
      expect(c.value, `${c.scope} ${c.metric}`).toBe(v === null ? 'null' : String(v))
    }
    const stopped = readJournal(fx.journal, ['RUN_STOPPED'])[0]!.payload as {summary: {trades: number}}
    expect(stopped.summary.trades).toBeGreaterThan(0)
    expect(run.trades).toHaveLength(stopped.summary.trades)
    expect([...html.matchAll(/<tr class="trade">/g)]).toHaveLength(stopped.summary.trades)
    expect(html).toContain(`<td data-field="strategy code hash">${run.strategy!.codeHash}</td>`)
    const start = readJournal(fx.journal, ['RUN_STARTED'])[0]!.payload as {strategy: {params: Record<string, unknown>}}
    expect(start.strategy.params).toMatchObject({fast: 5, slow: 20, size: 1000})
    expect(html).toContain(`<td data-field="strategy params">${JSON.stringify(start.strategy.params).replaceAll('"', '&quot;')}</td>`)
    expect(html).not.toMatch(/https?:\/\//)
  })

  it('with --json, prints the report as --json does plus the file written', async () => {
    const r = await rick(['report', 'fx', '--html', 'again.html', '--json'], {cwd: fx.root, env: fx.env})
    expect(r.exitCode, r.stderr).toBe(0)
    const out = JSON.parse(r.stdout) as ReportJson & {html: string}
    expect(out.html).toBe(join(fx.root, 'again.html'))
    expect(out.runs).toEqual(json.runs)
    expect(existsSync(out.html)).toBe(true)
  })

  it('exits 2 for an unknown run and writes nothing', async () => {
    const r = await rick(['report', '--run', 'nope', '--html', 'none.html'], {cwd: fx.root, env: fx.env})
    expect(r.exitCode).toBe(2)
    expect(existsSync(join(fx.root, 'none.html'))).toBe(false)
  })

  const haveChromium = existsSync(CHROMIUM)
  if (!haveChromium && process.env.CI === undefined) {
    it.skip(`renders in headless Chromium — SKIPPED: ${CHROMIUM} is absent (apt-get install chromium; CI installs it)`, () => {})
  } else {
    it('renders in headless Chromium: charts drawn, one row per trade, no console errors', async () => {
      expect(existsSync(file), 'the first test writes the page').toBe(true)
      const c = await openInChromium(file)
      const dom = c.dom
      // The page's own script ran (it sets these) and counted the points the browser parsed.
      expect(dom).toMatch(/<body data-rendered="1" data-chart-points="(\d+)">/)
      const points = Number(/data-chart-points="(\d+)"/.exec(dom)![1])
      expect(points).toBeGreaterThan(json.runs[0]!.trades.length)
      for (const kind of ['equity', 'drawdown']) {
        const svg = new RegExp(`<svg id="run-[^"]*-${kind}"[^>]*>.*?</svg>`, 's').exec(dom)?.[0] ?? ''
        expect(svg, kind).toMatch(/<(polyline|polygon) [^>]*points="[-\d.]+,[-\d.]+ [-\d.]+,[-\d.]+/)
      }
      expect([...dom.matchAll(/<tr class="trade">/g)]).toHaveLength(json.runs[0]!.trades.length)
      // window.onerror writes uncaught errors into #errors and unhides it; Chromium logs every
      // console message (and uncaught error) as a CONSOLE line; the page logs nothing itself.
      expect(dom).toContain('<pre id="errors" hidden=""></pre>')
      expect(c.console).toEqual([])
    })

    it('in Chromium, markup in a journal (instrument name, strategy param) shows as text and never runs', async () => {
      const dir = mkdtempSync(join(tmpdir(), 'rick-report-html-'))
      try {
        const journal = join(dir, 'journal.db')
        const evilInstrument = `X<img src=x onerror="document.body.setAttribute('data-pwned','img')">`
        const evilParam = `</script><script>document.body.setAttribute('data-pwned','script')</script>`
        const b = journalBuilder()
        b.add('run-evil', 'fx', 0, 'RUN_STARTED', started({startingEquity: 10_000 * M}, {strategy: {name: 'sma<b>x</b>', codeHash: 'h'.repeat(64), params: {note: evilParam}}}))
        b.add('run-evil', 'fx', MIN, 'FILL', {fill: fill(evilInstrument, 'buy', 1, 100, 0, MIN)})
        b.add('run-evil', 'fx', 2 * MIN, 'FILL', {fill: fill(evilInstrument, 'sell', 1, 101, 0, 2 * MIN)})
        const store = openJournal({path: journal})
        store.appendMany(b.events.map((e): NewEvent => ({ts: e.ts, runId: e.runId, sector: e.sector, type: e.type, payload: e.payload})))
        store.close()
        const page = join(dir, 'evil.html')
        const r = await rick(['report', '--journal', journal, '--html', page])
        expect(r.exitCode, r.stderr).toBe(0)
        const c = await openInChromium(page)
        expect(c.dom).toMatch(/<body data-rendered="1" data-chart-points="\d+">/)
        // The markup is in the page as text, so only the body's attributes tell whether it ran.
        expect(/<body[^>]*>/.exec(c.dom)![0]).not.toContain('data-pwned')
        expect(c.dom).not.toContain('<img')
        expect(c.dom).toContain('<td>X&lt;img src=x onerror="document.body.setAttribute(\'data-pwned\',\'img\')"&gt;</td>')
        expect(c.dom).toContain('sma&lt;b&gt;x&lt;/b&gt;')
        expect(c.dom).toContain('<pre id="errors" hidden=""></pre>')
        expect(c.console).toEqual([])
      } finally {
        rmSync(dir, {recursive: true, force: true})
      }
    })
  }
})
