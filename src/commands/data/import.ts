import {Args, Flags} from '@oclif/core'
import {relative} from 'node:path'

import {BaseCommand} from '../../cli/base-command.js'
import {rickHome} from '../../foundation/paths.js'
import {renderImport} from '../../sectors/data/format.js'
import {importCsv, type ImportResult} from '../../sectors/data/import.js'

export default class DataImport extends BaseCommand {
  static override summary = 'Import bars from a CSV file into the local store that backtests read.'

  static override description = [
    'Reads rows of ts,open,high,low,close[,volume] (a header is detected and may name the columns ts, time, date, timestamp, open, high, low, close, volume in any order; a date column plus a time column also works). Timestamps are ISO 8601 (UTC unless the value carries a zone) or epoch seconds or milliseconds. Separators: comma, semicolon or tab.',
    'Bad rows are skipped and listed with their line number and the reason; bars are sorted by time and a later row for the same time replaces an earlier one. The bars are merged into <rickHome>/data/<instrument>.bars (bars at the same time are replaced); --replace starts the dataset afresh.',
    'Exit codes: 0 imported (even with some rows rejected), 2 no usable bar in the file, missing file or bad instrument name, 1 anything else.',
  ].join('\n\n')

  static override examples = [
    {description: 'One-minute bitcoin bars exported from an exchange', command: '<%= config.bin %> <%= command.id %> btc-2024-03.csv --instrument BTC-USD'},
    {description: 'Start the EUR_USD dataset afresh', command: '<%= config.bin %> <%= command.id %> eurusd.csv -i EUR_USD --replace'},
    {description: 'Count the rejected rows', command: "<%= config.bin %> <%= command.id %> spy.csv -i SPY --json | jq '.rejected | length'"},
  ]

  static override enableJsonFlag = true

  static override args = {
    file: Args.string({description: 'CSV file to import.', required: true}),
  }

  static override flags = {
    instrument: Flags.string({char: 'i', required: true, description: 'Instrument id the bars belong to, as the sector config names it (EUR_USD, BTC-USD, SPY, MES-202612).'}),
    replace: Flags.boolean({description: 'Replace the stored bars of the instrument instead of merging into them.'}),
  }

  async run(): Promise<ImportResult> {
    const {args, flags} = await this.parse(DataImport)
    const result = importCsv({file: args.file, instrument: flags.instrument, home: rickHome(), replace: flags.replace})
    if (!this.jsonEnabled()) this.log(renderImport(result, relative(process.cwd(), result.dataset.path) || result.dataset.path))
    return result
  }
}
