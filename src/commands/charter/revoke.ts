import {Args, Flags} from '@oclif/core'

import {BaseCommand} from '../../cli/base-command.js'
import {APPROVAL_MODES, type ApprovalMode} from '../../foundation/charter/approvals.js'
import {revokeSector, type RevokeResult} from '../../sectors/charter-service.js'

export default class CharterRevoke extends BaseCommand {
  static override description = `Withdraw a sector's approvals (all modes, or one).

Needs no PIN: revoking only takes permission away. An engine already running keeps running; the
next start of the sector in canary or live is denied until someone approves again.

Exit codes: 0 done (also when there was nothing to revoke).`

  static override examples = [
    {description: "Withdraw every approval of coinbase", command: '<%= config.bin %> <%= command.id %> coinbase'},
    {description: 'Withdraw only the live approval of oanda', command: '<%= config.bin %> <%= command.id %> oanda --mode live'},
    {description: 'From a script', command: '<%= config.bin %> <%= command.id %> ibkr --json'},
  ]

  static override enableJsonFlag = true

  static override args = {
    sector: Args.string({required: true, description: 'Sector name whose approvals are withdrawn.'}),
  }

  static override flags = {
    mode: Flags.string({char: 'm', options: [...APPROVAL_MODES], description: 'Only the approval for this mode (default: all).'}),
  }

  async run(): Promise<RevokeResult> {
    const {args, flags} = await this.parse(CharterRevoke)
    const result = revokeSector(args.sector, {mode: flags.mode as ApprovalMode | undefined}, {})
    if (!this.jsonEnabled()) {
      const what = `${args.sector}${flags.mode ? ` (${flags.mode})` : ''}`
      if (result.problem) this.note(`Warning: ${result.problem}; no approval in it is valid.`)
      this.log(result.removed > 0 ? `Revoked ${result.removed} approval(s) of ${what}.` : `No approval of ${what} to revoke.`)
    }
    return result
  }
}
