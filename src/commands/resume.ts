import {Args, Flags} from '@oclif/core'

import {BaseCommand} from '../cli/base-command.js'
import {configFileFlag, journalFlag} from '../cli/flags.js'
import {manualRiskChange, type ManualResult} from '../sectors/engine/halt-service.js'
import {manualText} from '../sectors/engine/status-format.js'
import {loadSectorRegistry} from '../sectors/registry.js'

export default class Resume extends BaseCommand {
  static override summary = 'Resume a halted (or reduce-only) sector.'

  static override description = `Journals a manual RISK_STATE record (ACTIVE). A running engine picks it up within about a second; a stopped sector starts ACTIVE next time. After a resume, the automatic halts (loss caps, drawdown, losing streak) wait for the next session day, so a person can unwind a position; the risk gate still refuses every order that adds risk past those limits.

Exit codes: 0 done (also when the sector already was active), 2 unknown sector or bad config.`

  static override examples = [
    {description: 'Trade again after a halt', command: '<%= config.bin %> <%= command.id %> coinbase'},
    {description: 'Say why', command: '<%= config.bin %> <%= command.id %> oanda --reason "news passed"'},
    {description: 'As JSON', command: '<%= config.bin %> <%= command.id %> ibkr --json'},
  ]

  static override enableJsonFlag = true

  static override args = {
    sector: Args.string({required: true, description: 'Sector name (a key under `sectors:` in the config).'}),
  }

  static override flags = {
    reason: Flags.string({description: 'Why; journaled with the record.'}),
    journal: journalFlag,
    file: configFileFlag,
  }

  async run(): Promise<ManualResult> {
    const {args, flags} = await this.parse(Resume)
    const registry = await loadSectorRegistry(this.config)
    const result = manualRiskChange(args.sector, 'resume', {reason: flags.reason, journalPath: flags.journal}, {registry, file: flags.file})
    if (!this.jsonEnabled()) this.log(manualText(result))
    return result
  }
}
