import {Args, Flags} from '@oclif/core'

import {BaseCommand} from '../cli/base-command.js'
import {configFileFlag, journalFlag} from '../cli/flags.js'
import {UsageError} from '../foundation/errors.js'
import {resolveJournalPath} from '../foundation/journal/location.js'
import {ANNUALISATION_NOTE} from '../sectors/report/index.js'
import {backtestText, backtestJson, parseTimeFlag, progressBar} from '../sectors/engine/backtest-format.js'
import {runBacktestIsolated, sectorBudget} from '../sectors/engine/backtest-isolated.js'
import {loadSectorRegistry} from '../sectors/registry.js'

export default class Backtest extends BaseCommand {
  static override summary = "Backtest a sector's strategy: the same engine, on a simulated clock."

  static override description = `Runs the sector's strategy through the same engine as \`rick run\` — risk gate, paper venue, ledger, journal — on a simulated clock, as fast as the bars come. Events are journaled in batches; the run's inputs (synthetic seed, or the dataset's hash) are recorded, so \`rick replay <runId>\` can check it event for event.

Data: --data synthetic (default: seeded one-minute bars from 2024-01-01, --bars per instrument) or --data dataset (bars imported with \`rick data import\`, optionally cut with --from/--to).

Risk limits are those of the sector's configured mode (a canary sector is backtested with its canary caps). Fees and slippage are the venue's paper defaults.

${ANNUALISATION_NOTE}.

Exit codes: 0 done, 1 the strategy failed (the sector halted) or another failure, 2 bad config or flags.`

  static override examples = [
    {description: '10,000 synthetic bars per instrument, seed 1', command: '<%= config.bin %> <%= command.id %> oanda'},
    {description: 'A longer run with another seed', command: '<%= config.bin %> <%= command.id %> coinbase --bars 200000 --seed 7'},
    {description: 'Imported data between two dates', command: '<%= config.bin %> <%= command.id %> ibkr --data dataset --from 2024-03-01 --to 2024-04-01'},
    {description: 'Metrics as JSON (money in decimal units)', command: '<%= config.bin %> <%= command.id %> oanda --bars 5000 --json'},
  ]

  static override enableJsonFlag = true

  static override args = {
    sector: Args.string({required: true, description: 'Sector name (a key under `sectors:` in the config).'}),
  }

  static override flags = {
    data: Flags.string({options: ['synthetic', 'dataset'], default: 'synthetic', description: 'Where the bars come from.'}),
    bars: Flags.integer({min: 1, description: 'Bars per instrument (synthetic: default 10000; dataset: at most this many).'}),
    from: Flags.string({description: 'First bar time: YYYY-MM-DD or an ISO time (UTC).'}),
    to: Flags.string({description: 'Last bar time: YYYY-MM-DD (inclusive) or an ISO time (UTC).'}),
    seed: Flags.integer({min: 0, default: 1, description: 'Seed of the synthetic data.'}),
    journal: journalFlag,
    file: configFileFlag,
  }

  async run(): Promise<Record<string, unknown>> {
    const {args, flags} = await this.parse(Backtest)
    const from = parseTimeFlag(flags.from, '--from', false)
    const to = parseTimeFlag(flags.to, '--to', true)
    if (from !== undefined && to !== undefined && to < from) throw new UsageError(`--to (${flags.to}) is before --from (${flags.from})`, 'BAD_RANGE')
    // The sector's sandbox budget sizes the backtest's thread (its heap limit is set when it starts).
    const budget = sectorBudget(await loadSectorRegistry(this.config), args.sector, flags.file)
    const bar = !this.jsonEnabled() && process.stderr.isTTY ? progressBar(process.stderr) : undefined
    // In a thread of its own: the strategy's time and memory budgets are that thread's.
    const result = await runBacktestIsolated(
      {
        sector: args.sector,
        data: flags.data as 'synthetic' | 'dataset',
        bars: flags.bars,
        from,
        to,
        seed: flags.seed,
        journalPath: resolveJournalPath(flags.journal),
        version: this.config.version,
        onProgress: bar?.update,
      },
      {file: flags.file},
      {cliRoot: this.config.root, budget},
    )
    bar?.done()
    if (!this.jsonEnabled()) this.log(backtestText(result))
    if (result.stopReason === 'halted' || result.stopReason === 'error') process.exitCode = 1
    return backtestJson(result)
  }
}
