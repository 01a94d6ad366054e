import {Args, Flags} from '@oclif/core'

import {BaseCommand} from '../../cli/base-command.js'
import {configFileFlag} from '../../cli/flags.js'
import {APPROVAL_MODES, type ApprovalMode} from '../../foundation/charter/approvals.js'
import {formatDecision} from '../../foundation/charter/format.js'
import {formatWait} from '../../foundation/charter/pin-attempts.js'
import {readPin} from '../../foundation/charter/pin-input.js'
import {approveSector, type ApproveResult} from '../../sectors/charter-service.js'
import {loadSectorRegistry} from '../../sectors/registry.js'

export default class CharterApprove extends BaseCommand {
  static override description = `Approve a sector for canary or live trading (asks for the PIN).

The approval is signed with the key derived from the charter PIN and bound to:
- the sha256 of the sector's strategy code (strategies/<name>.ts, .js, .mjs
  or the folder strategies/<name>/),
- the sha256 of the sector's config (canonical JSON: comments and key order
  do not count),
- the sha256 of the charter's hard limits (config/charter.yaml).
It records the git snapshot of the approved code (a new snapshot when the tree
is dirty, else HEAD), the approver and the expiry. Changing any bound thing,
expiry, or editing the approvals file voids it. A new approval replaces the
sector's previous one for the same mode.

Needs a charter PIN (rick charter init) and a git repository (approved code
must be restorable). The PIN is asked on the terminal without echo, or read as
one line from stdin with --pin-stdin.

Wrong PINs are counted on disk (.rick/charter/pin-attempts.jsonl): after each
one the next try waits longer (1, 2, 4, 8 s), and 5 in a row lock PIN entry
for 15 minutes; each further wrong PIN doubles the lockout, up to 24 h. A
correct PIN resets the count. The lockout ends by itself at the time rick
names; nothing lifts it early, since anyone at the terminal (an agent too)
could use that.

Exit codes: 0 approved; 2 unknown sector, bad config, missing strategy, no PIN,
no git repository or bad --ttl; 3 wrong PIN or PIN entry locked.`

  static override examples = [
    {description: 'Approve coinbase for canary for the default 7 days', command: '<%= config.bin %> <%= command.id %> coinbase --mode canary'},
    {description: 'Approve oanda for live for two days', command: '<%= config.bin %> <%= command.id %> oanda --mode live --ttl 2d'},
    {description: 'From automation, naming who approved', command: 'pass show rick/pin | <%= config.bin %> <%= command.id %> ibkr --mode canary --pin-stdin --approver alice'},
  ]

  static override enableJsonFlag = true

  static override args = {
    sector: Args.string({required: true, description: 'Sector name (a key under `sectors:` in the config).'}),
  }

  static override flags = {
    mode: Flags.string({char: 'm', required: true, options: [...APPROVAL_MODES], description: 'The mode being approved.'}),
    ttl: Flags.string({description: 'How long the approval lasts: 30m, 12h, 7d, 2w (default and maximum: see config/charter.yaml).'}),
    'pin-stdin': Flags.boolean({description: 'Read the PIN as one line from stdin instead of asking on the terminal.'}),
    approver: Flags.string({description: 'Who approves (default: the OS user name).'}),
    file: configFileFlag,
  }

  async run(): Promise<ApproveResult> {
    const {args, flags} = await this.parse(CharterApprove)
    const registry = await loadSectorRegistry(this.config)
    const result = await approveSector(
      args.sector,
      {
        mode: flags.mode as ApprovalMode,
        ttl: flags.ttl,
        approver: flags.approver,
        pin: () => readPin({stdin: flags['pin-stdin']}),
        onWait: (ms, failures) => this.note(`${failures} wrong PIN(s) in a row: waiting ${formatWait(ms)} before this try…`),
      },
      {registry, file: flags.file},
    )
    const a = result.approval
    if (!this.jsonEnabled()) {
      this.log(`Approved ${a.sector} for ${a.mode} until ${a.expiresAt} (${result.ttl}), approval ${a.id}, by ${a.approver}.`)
      this.log(`  strategy code   ${a.bindings.strategy.name} ${a.bindings.strategy.hash}`)
      this.log(`  sector config   ${a.bindings.config}`)
      this.log(`  charter limits  ${a.bindings.charter}`)
      this.log(`  code snapshot   ${a.snapshot.kind === 'snapshot' ? `${a.snapshot.id} (new: the tree had uncommitted changes)` : `HEAD ${a.snapshot.commit.slice(0, 10)} (the tree was clean)`}`)
      this.log('')
      this.log(formatDecision(result.check))
    }
    if (!result.check.allow) {
      this.note(`Warning: the approval is recorded, but the charter still denies ${a.sector} in ${a.mode}: ${result.check.detail ?? ''}`)
    }
    return result
  }
}
