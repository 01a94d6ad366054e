import {Args, Flags} from '@oclif/core'

import {BaseCommand} from '../cli/base-command.js'
import {journalFlag} from '../cli/flags.js'
import {defaultJournalPath} from '../foundation/journal/index.js'
import {journalReport, reportJson, reportText, type ReportJson} from '../sectors/report/index.js'

export default class Report extends BaseCommand {
  static override summary = 'Performance of a run, computed from the journal.'

  static override description = [
    'Trades (round trips, first in first out), win rate, net P&L, fees, average win and loss, expectancy, profit factor, max drawdown, Sharpe and Sortino, longest losing streak and exposure time — for the whole sector and for each instrument.',
    'Without --run, reports the latest run of each sector (or of <sector>). Everything is projected from the journal; nothing else is read.',
    'Sharpe and Sortino use per-bar returns of the equity curve, a risk-free rate of 0, and are annualised by sqrt(bars per year) with bars per year = 365.25 × 24 h / bar length. When the run did not journal its bars, the equity curve is marked at fill prices only, and the report says so.',
    'Exit codes: 0 ok (also for an empty journal), 2 unknown run, 1 anything else.',
  ].join('\n\n')

  static override examples = [
    {description: 'The latest run of every sector', command: '<%= config.bin %> <%= command.id %>'},
    {description: 'The latest coinbase run', command: '<%= config.bin %> <%= command.id %> coinbase'},
    {description: 'One run, as JSON (money in decimal currency units)', command: '<%= config.bin %> <%= command.id %> --run 01HZX3V9K2 --json'},
    {description: 'A journal copied from a server', command: '<%= config.bin %> <%= command.id %> oanda --journal ./backups/journal.db'},
  ]

  static override enableJsonFlag = true

  static override args = {
    sector: Args.string({description: 'Only this sector (default: every sector).'}),
  }

  static override flags = {
    run: Flags.string({description: 'The run to report (see `rick journal tail --type RUN_STARTED`); default: the latest run of each sector.'}),
    journal: journalFlag,
  }

  async run(): Promise<ReportJson> {
    const {args, flags} = await this.parse(Report)
    const journalPath = flags.journal ?? defaultJournalPath()
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
}
