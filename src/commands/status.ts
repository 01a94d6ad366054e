import {Flags} from '@oclif/core'

import {BaseCommand} from '../cli/base-command.js'
import {configFileFlag, journalFlag} from '../cli/flags.js'
import {statusText} from '../sectors/engine/status-format.js'
import {sectorStatuses, type StatusResult} from '../sectors/engine/status-service.js'
import {loadSectorRegistry} from '../sectors/registry.js'

export default class Status extends BaseCommand {
  static override summary = 'Every sector at a glance: running or not, mode, risk state, positions, P&L, approval.'

  static override description = `For each configured sector: whether an engine runs (the pid in its lock) and how it was started (up: a child of a live \`rick up\`; systemd: a systemd service; by hand: anything else), its connection state (the last CONNECTION event of its current run, when its venue reports one), the mode of its last run, its risk state (ACTIVE, REDUCING, HALTED and why), positions and cash as the journal has them, today's realized P&L, the age of its last event, the code snapshot its last run started from, and whether its canary/live approval is valid.

Read-only: the lock files, the journal and the charter.

Exit codes: 0 ok, 2 unknown sector or bad config.`

  static override examples = [
    {description: 'All sectors', command: '<%= config.bin %> <%= command.id %>'},
    {description: 'One sector', command: '<%= config.bin %> <%= command.id %> --sector coinbase'},
    {description: 'For scripts and monitoring', command: '<%= config.bin %> <%= command.id %> --json'},
  ]

  static override enableJsonFlag = true

  static override flags = {
    sector: Flags.string({description: 'Only this sector.'}),
    journal: journalFlag,
    file: configFileFlag,
  }

  async run(): Promise<StatusResult> {
    const {flags} = await this.parse(Status)
    const registry = await loadSectorRegistry(this.config)
    const result = await sectorStatuses({sector: flags.sector, journalPath: flags.journal}, {registry, file: flags.file})
    if (!this.jsonEnabled()) this.log(statusText(result))
    return result
  }
}
