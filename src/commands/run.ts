import {Args, Flags} from '@oclif/core'

import {BaseCommand} from '../cli/base-command.js'
import {configFileFlag, journalFlag} from '../cli/flags.js'
import type {Mode} from '../foundation/config/types.js'
import {summaryJson} from '../sectors/engine/backtest.js'
import {DEFAULT_SPEED} from '../sectors/engine/pace.js'
import {processStopLatch} from '../sectors/engine/run-process.js'
import {processIo, runSector, type RunResult} from '../sectors/engine/run-service.js'
import {loadSectorRegistry} from '../sectors/registry.js'

export default class Run extends BaseCommand {
  static override summary = 'Run a sector: trade until stopped, every order through the charter, the risk gate and the journal.'

  static override description = `Checks the charter for the mode that really runs, takes a snapshot of the code if the tree is dirty, rebuilds the sector's account from the journal (positions, cash, open orders, risk state, strategy checkpoint), reconciles it with the venue, and trades until stopped.

Practice, canary and live trade at the venue through its connector when the venue's plugin provides one, its SDK loads and the credentials are set; otherwise the sector runs on rick's paper venue with synthetic market data and says so (the effective mode, paper, is what the charter judges and the journal records). Live never falls back: it refuses to start (exit 3).

--sim runs the sector's real connector and SDK against the venue's simulator, started for the run on a free port: the whole live path offline, at --speed (default 60x) of the simulator's clock.

One line per decision, order, fill and denial, and a summary at the end. Ctrl-C (SIGINT), SIGTERM or SIGHUP (a closed terminal or SSH session) cancels the working orders, keeps the positions, journals RUN_STOPPED and exits 0; one that comes while the sector is starting ends it before its engine starts. Output that cannot be written (a pipe closed by its reader) never stops the engine: everything is in the journal. A lock (<rick home>/locks/<sector>.lock) refuses a second engine on the same sector.

Synthetic bars are one minute long; by default one arrives every ${DEFAULT_SPEED} (--speed 1x for real time, max for no pause).

Exit codes: 0 stopped normally (signal, --bars reached), 1 failure (strategy error, lock held, journal), 2 bad config or flags, 3 denied by the charter.`

  static override examples = [
    {description: 'The quick start: no credentials needed, runs on paper with synthetic data', command: '<%= config.bin %> <%= command.id %> coinbase --canary'},
    {description: '500 bars as fast as possible, then stop', command: '<%= config.bin %> <%= command.id %> ibkr --paper --speed max --bars 500'},
    {description: 'Observe: the strategy runs, intents are journaled, nothing is sent', command: '<%= config.bin %> <%= command.id %> oanda --observe --seed 7'},
    {description: "The live path offline: OANDA's connector and SDK against rick's OANDA simulator, 60x", command: '<%= config.bin %> <%= command.id %> oanda --sim --practice --bars 30'},
    {description: "IBKR's paper account through TWS (7497) or IB Gateway (4002), logged in to it", command: '<%= config.bin %> <%= command.id %> ibkr --practice'},
    {description: "The same offline: IBKR's connector and @stoqey/ib against rick's TWS simulator", command: '<%= config.bin %> <%= command.id %> ibkr --sim --practice --bars 30'},
    {description: 'Real-time pace, into a journal of its own', command: '<%= config.bin %> <%= command.id %> coinbase --paper --speed 1x --journal ./paper.db'},
    {description: 'The run summary as JSON (no per-event lines)', command: '<%= config.bin %> <%= command.id %> ibkr --paper --bars 200 --speed max --json'},
  ]

  static override enableJsonFlag = true

  static override args = {
    sector: Args.string({required: true, description: 'Sector name (a key under `sectors:` in the config).'}),
  }

  static override flags = {
    canary: Flags.boolean({description: 'Canary mode: the real venue with canary caps (needs an approval; paper when the venue cannot be reached).', exclusive: ['paper', 'practice', 'observe']}),
    paper: Flags.boolean({description: 'Paper mode: the paper venue.', exclusive: ['canary', 'practice', 'observe']}),
    practice: Flags.boolean({description: "The broker's demo account (OANDA practice, IBKR's paper account through TWS 7497 / Gateway 4002); paper when the venue cannot be reached.", exclusive: ['canary', 'paper', 'observe']}),
    observe: Flags.boolean({description: 'Observe: intents are journaled, nothing is sent.', exclusive: ['canary', 'paper', 'practice']}),
    seed: Flags.integer({description: 'Seed of the synthetic data (same seed, same bars).', default: 1, min: 0}),
    speed: Flags.string({description: `Pace of synthetic bars: 1x (real time), 60x, max, another multiple like 10x, or a delay per bar like 50ms (default ${DEFAULT_SPEED}).`}),
    bars: Flags.integer({description: 'Stop after this many bars (per instrument).', min: 1}),
    sim: Flags.boolean({description: "Trade through the venue's real connector against rick's simulator of the venue (started on a free port; no account, no money)."}),
    journal: journalFlag,
    file: configFileFlag,
  }

  async run(): Promise<Record<string, unknown>> {
    try {
      const {args, flags} = await this.parse(Run)
      const mode: Mode | undefined = flags.canary ? 'canary' : flags.paper ? 'paper' : flags.practice ? 'practice' : flags.observe ? 'observe' : undefined
      const registry = await loadSectorRegistry(this.config)
      const quiet = this.jsonEnabled()
      const result: RunResult = await runSector(
        {sector: args.sector, mode, seed: flags.seed, speed: flags.speed, bars: flags.bars, journalPath: flags.journal, version: this.config.version, sim: flags.sim},
        {
          registry,
          file: flags.file,
          io: quiet ? {...processIo, line: () => {}} : undefined,
        },
      )
      if (result.exitCode !== 0) process.exitCode = result.exitCode
      const {summary, ...rest} = result
      return summary === undefined ? rest : {...rest, summary: summaryJson(summary)}
    } finally {
      // The run is over: a signal from now on does what Node does by default.
      processStopLatch().close()
    }
  }
}
