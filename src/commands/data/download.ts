import {Args, Flags} from '@oclif/core'
import {relative} from 'node:path'

import {BaseCommand} from '../../cli/base-command.js'
import {configFileFlag} from '../../cli/flags.js'
import {ExitCode} from '../../foundation/errors.js'
import {parseTimeFlag} from '../../sectors/engine/backtest-format.js'
import {downloadProgressBar, renderDownload} from '../../sectors/data/download-format.js'
import {downloadSector, type DownloadResult} from '../../sectors/data/download.js'
import {storeDir} from '../../sectors/data/store.js'
import {loadSectorRegistry} from '../../sectors/registry.js'

export default class DataDownload extends BaseCommand {
  static override summary = "Download the venue's bars (candles) of a sector into the local store that backtests read."

  static override description = [
    "Asks the venue for its history through the sector's own connector and SDK, and merges the bars into <rickHome>/data/<instrument>.bars, the store `rick data import` writes and `rick backtest <sector> --data dataset` reads. Only complete bars are stored; each bar is checked (time inside the range asked, oldest first, one period apart at least, prices finite and above 0, low and high around open and close, volume ≥ 0) and a bar that fails is refused and listed, never stored.",
    "Read-only: nothing is ever ordered, so no approval is needed. Which environment: a practice sector reads from the venue's practice environment; canary and live sectors from the live one with their own credentials (a venue's token works in one environment only); paper and observe sectors from the practice environment when the venue has one (OANDA), else the broker's paper account, else live. The venue still needs its credentials to serve history: the variable named by the sector's connection (e.g. tokenEnv: OANDA_API_TOKEN) must be set, in the environment or a secretsFiles file.",
    "Resumable: what the venue has answered is recorded next to each dataset (<instrument>.coverage.json), so a second run asks only for what the store does not hold yet — the rest of an interrupted run, a newer tail, an earlier start — and never twice for a weekend the venue had no bars for. Bars are written as they arrive; Ctrl-C stops after writing what was received. Without --from the download starts at the dataset's first bar (continuing it), or about 30 days back for a new dataset (at least 1,000 and at most 100,000 bars); without --to it ends at the last complete bar.",
    "--sim downloads from rick's simulator of the venue, started on a free port: the real connector and SDK, no account and no credentials. Each run starts a fresh simulator whose prices are not an earlier run's: continuing a --sim dataset joins two price paths (--replace starts it afresh).",
    'Exit codes: 0 downloaded (also when up to date or when some bars were refused); 1 the venue refused the credentials, could not be reached, answered something unreadable, or the run was interrupted (what arrived is stored: run again to continue); 2 bad flags or config, unknown sector or instrument, a venue without a connector in this rick, missing credentials (the message names the variable to set), a bar period the venue has no candles for, or a dataset that holds another bar period.',
  ].join('\n\n')

  static override examples = [
    {description: "Continue the datasets of the sector's instruments up to now", command: '<%= config.bin %> <%= command.id %> oanda'},
    {description: 'One instrument, hourly bars, over a year', command: '<%= config.bin %> <%= command.id %> oanda --instrument EUR_USD --bar-period 1h --from 2024-01-01 --to 2024-12-31'},
    {description: "From rick's OANDA simulator, then a backtest on those bars", command: '<%= config.bin %> <%= command.id %> oanda --sim && <%= config.bin %> backtest oanda --data dataset'},
    {description: 'Bars stored per instrument, as JSON', command: "<%= config.bin %> <%= command.id %> oanda --json | jq '.instruments[] | {instrument, added, bars: .dataset.bars}'"},
  ]

  static override enableJsonFlag = true

  static override args = {
    sector: Args.string({required: true, description: 'Sector name (a key under `sectors:` in the config).'}),
  }

  static override flags = {
    from: Flags.string({description: 'First bar time: YYYY-MM-DD or an ISO time (UTC). Default: where the dataset starts, else about 30 days back.'}),
    to: Flags.string({description: 'Last bar time: YYYY-MM-DD (inclusive) or an ISO time (UTC). Default: now.'}),
    'bar-period': Flags.string({description: "Bar length: 5s, 15s, 1m, 5m, 15m, 1h, 1d… (default: the sector's barPeriod, else 1m).", helpValue: 'P'}),
    instrument: Flags.string({char: 'i', multiple: true, description: "Only this instrument (repeatable; default: the sector's instruments)."}),
    replace: Flags.boolean({description: 'Replace the stored bars of each instrument (from the first bars received) instead of merging into them.'}),
    sim: Flags.boolean({description: "Download from rick's simulator of the venue (started on a free port; no credentials)."}),
    seed: Flags.integer({min: 0, default: 1, description: "Seed of the simulator's prices (with --sim)."}),
    file: configFileFlag,
  }

  async run(): Promise<DownloadResult> {
    const {args, flags} = await this.parse(DataDownload)
    const from = parseTimeFlag(flags.from, '--from', false)
    const last = parseTimeFlag(flags.to, '--to', true)
    const registry = await loadSectorRegistry(this.config)
    const bar = !this.jsonEnabled() && process.stderr.isTTY ? downloadProgressBar(process.stderr) : undefined
    const stop = new AbortController()
    const onSignal = () => stop.abort()
    process.once('SIGINT', onSignal)
    process.once('SIGTERM', onSignal)
    try {
      const result = await downloadSector(
        {
          sector: args.sector,
          from,
          to: last === undefined ? undefined : last + 1,
          barPeriod: flags['bar-period'],
          instruments: flags.instrument,
          replace: flags.replace,
          sim: flags.sim,
          seed: flags.seed,
          signal: stop.signal,
          onProgress: bar?.update,
        },
        {registry, file: flags.file, notice: (t) => this.note(t)},
      )
      bar?.done()
      const dir = storeDir({home: result.home})
      if (!this.jsonEnabled()) this.log(renderDownload(result, relative(process.cwd(), dir) || dir))
      if (result.interrupted) process.exitCode = ExitCode.Failure
      return result
    } finally {
      bar?.done()
      process.off('SIGINT', onSignal)
      process.off('SIGTERM', onSignal)
    }
  }
}
