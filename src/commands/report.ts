import {Args, Flags} from '@oclif/core'
import {resolve} from 'node:path'

import {BaseCommand} from '../cli/base-command.js'
import {journalFlag} from '../cli/flags.js'
import {defaultJournalPath} from '../foundation/journal/index.js'
import {writeHtmlReport} from '../sectors/report/html/index.js'
import {journalReport, reportJson, reportText, type ReportJson} from '../sectors/report/index.js'

export default class Report extends BaseCommand {
  static override summary = 'Performance of a run, computed from the journal.'

  static override description = [
    'Trades (round trips, first in first out), win rate, net P&L, fees, average win and loss, expectancy, profit factor, max drawdown, Sharpe and Sortino, longest losing streak and exposure time — for the whole sector and for each instrument.',
    'Without --run, reports the latest run of each sector (or of <sector>). Everything is projected from the journal; nothing else is read.',
    'Sharpe and Sortino use per-bar returns of the equity curve, a risk-free rate of 0, and are annualised by sqrt(bars per year) with bars per year = 365.25 × 24 h / bar length. When the run did not journal its bars, the equity curve is marked at fill prices only, and the report says so.',
    'With --html FILE, writes the same report as one self-contained HTML page (no network when opened: inline CSS, SVG charts and script): the equity curve the metrics were measured on and its drawdown, the metrics per sector and per instrument, the trades, and each run\'s recorded config, strategy (name, params, code hash) and snapshot. The figures are those of --json, which the page also embeds.',
    'Exit codes: 0 ok (also for an empty journal), 2 unknown run, 1 anything else.',
  ].join('\n\n')

  static override examples = [
    {description: 'The latest run of every sector', command: '<%= config.bin %> <%= command.id %>'},
    {description: 'The latest coinbase run', command: '<%= config.bin %> <%= command.id %> coinbase'},
    {description: 'One run, as JSON (money in decimal currency units)', command: '<%= config.bin %> <%= command.id %> --run 01HZX3V9K2 --json'},
    {description: 'The latest oanda run as an HTML page', command: '<%= config.bin %> <%= command.id %> oanda --html report.html'},
    {description: 'A journal copied from a server', command: '<%= config.bin %> <%= command.id %> oanda --journal ./backups/journal.db'},
  ]

  static override enableJsonFlag = true

  static override args = {
    sector: Args.string({description: 'Only this sector (default: every sector).'}),
  }

  static override flags = {
    run: Flags.string({description: 'The run to report (see `rick journal tail --type RUN_STARTED`); default: the latest run of each sector.'}),
    journal: journalFlag,
    html: Flags.string({description: 'Write the report as one self-contained HTML file (overwritten if it exists) instead of printing the table; --json still prints the JSON, with the file as `html`.', helpValue: 'FILE'}),
  }

  async run(): Promise<ReportJson> {
    const {args, flags} = await this.parse(Report)
    const journalPath = flags.journal ?? defaultJournalPath()
    if (flags.html !== undefined) return this.html(flags.html, {journalPath, sector: args.sector, runId: flags.run})
    const result = journalReport({journalPath, sector: args.sector, runId: flags.run})
    if (!this.jsonEnabled()) {
      if (result.reports.length === 0) {
        const what = args.sector === undefined ? 'no runs yet' : `no runs of sector "${args.sector}"`
        this.log(`The journal ${journalPath} has ${what}. Start one with \`rick backtest <sector>\` or \`rick run <sector>\`.`)
      } else {
        this.log(reportText(result.reports))
      }
    }
    return reportJson(result.reports, journalPath)
  }

  private html(file: string, options: {journalPath: string; sector: string | undefined; runId: string | undefined}): ReportJson & {html: string} {
    const out = writeHtmlReport({...options, file: resolve(file)})
    if (!this.jsonEnabled()) this.log(`Wrote ${out.file} (${out.report.runs.length} run${out.report.runs.length === 1 ? '' : 's'}, ${out.bytes} bytes).`)
    return {...out.report, html: out.file}
  }
}
