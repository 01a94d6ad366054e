import {Args, Flags} from '@oclif/core'

import {BaseCommand} from '../../cli/base-command.js'
import {configFileFlag} from '../../cli/flags.js'
import type {CharterDecision} from '../../foundation/charter/decide.js'
import {formatDecision} from '../../foundation/charter/format.js'
import {MODES} from '../../foundation/config/types.js'
import {ExitCode} from '../../foundation/errors.js'
import {checkCharter} from '../../sectors/charter-service.js'
import {loadSectorRegistry} from '../../sectors/registry.js'

export default class CharterCheck extends BaseCommand {
  static override description = `Ask the charter whether a sector may start in a mode.

Prints the decision and every rule with its result (✓ pass, ! warning, ✗ fail):
- config-valid: the config and the charter's hard limits have no errors and
  the sector exists.
- mode-allowed: the sector's venue supports the mode.
- secrets-private: .env* files and the sector's secretsFiles are not
  accessible by group or others (a failure in canary and live, a warning
  otherwise).
- approval: canary and live need a valid approval (rick charter approve).
- credentials: live needs the venue's credential variables set (no fallback
  to paper); other modes only warn.
Any error while deciding is a denial (CHARTER_ERROR), never an allow.

Exit codes: 0 allowed, 3 denied, 2 unknown sector or invalid config (also denied).`

  static override examples = [
    {description: 'May the coinbase sector start in its configured mode?', command: '<%= config.bin %> <%= command.id %> coinbase'},
    {description: 'Check live before switching the config to it', command: '<%= config.bin %> <%= command.id %> oanda --mode live'},
    {description: 'Machine-readable decision (the same data the engine journals)', command: '<%= config.bin %> <%= command.id %> ibkr --json'},
    {description: 'Against another config file', command: '<%= config.bin %> <%= command.id %> coinbase --file ops/prod/trading_sectors.yaml'},
  ]

  static override enableJsonFlag = true

  static override args = {
    sector: Args.string({required: true, description: 'Sector name (a key under `sectors:` in the config).'}),
  }

  static override flags = {
    mode: Flags.string({char: 'm', options: [...MODES], description: "Mode to check (default: the sector's mode in the config)."}),
    file: configFileFlag,
  }

  async run(): Promise<CharterDecision> {
    const {args, flags} = await this.parse(CharterCheck)
    const registry = await loadSectorRegistry(this.config)
    const decision = await checkCharter(args.sector, {mode: flags.mode as (typeof MODES)[number] | undefined}, {registry, file: flags.file})
    if (!this.jsonEnabled()) this.log(formatDecision(decision))
    if (!decision.allow) {
      // The decision is still printed (and returned as JSON); only the exit code tells a script.
      const badInput = decision.rules.some((r) => r.rule === 'config-valid' && r.status === 'fail')
      process.exitCode = badInput ? ExitCode.BadInput : ExitCode.Denied
    }
    return decision
  }
}
