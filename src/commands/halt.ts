import {Args, Flags} from '@oclif/core'

import {BaseCommand} from '../cli/base-command.js'
import {configFileFlag, journalFlag} from '../cli/flags.js'
import {manualRiskChange, type ManualResult} from '../sectors/engine/halt-service.js'
import {manualText} from '../sectors/engine/status-format.js'
import {loadSectorRegistry} from '../sectors/registry.js'

export default class Halt extends BaseCommand {
  static override summary = 'Halt a sector: no new orders, working orders cancelled, positions kept.'

  static override description = `Journals a manual RISK_STATE record (HALTED). A running engine picks it up within about a second: it cancels its working orders and from then on only cancels pass the risk gate. A stopped sector starts HALTED next time. The halt lasts until \`rick resume <sector>\`, across restarts.

Exit codes: 0 done (also when the sector already was halted), 2 unknown sector or bad config.`

  static override examples = [
    {description: 'Stop a sector from trading at once', command: '<%= config.bin %> <%= command.id %> coinbase'},
    {description: 'Say why (shown in the journal and in rick status)', command: '<%= config.bin %> <%= command.id %> oanda --reason "news at 14:30"'},
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
    const {args, flags} = await this.parse(Halt)
    const registry = await loadSectorRegistry(this.config)
    const result = manualRiskChange(args.sector, 'halt', {reason: flags.reason, journalPath: flags.journal}, {registry, file: flags.file})
    if (!this.jsonEnabled()) this.log(manualText(result))
    return result
  }
}
