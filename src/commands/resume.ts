import {MANUAL_ARGS, MANUAL_FLAGS, ManualRiskCommand} from '../cli/manual-risk-command.js'

export default class Resume extends ManualRiskCommand {
  static override summary = 'Resume a halted (or reduce-only) sector.'

  static override description = `Journals a manual RISK_STATE record (ACTIVE). A running engine picks it up within about a second; a stopped sector starts ACTIVE next time. After a resume, the automatic halts (loss caps, drawdown, losing streak) wait for the next session day, so a person can unwind a position; the risk gate still refuses every order that adds risk past those limits.

Exit codes: 0 done (also when the sector already was active), 2 unknown sector, no sector and no --all, or bad config.`

  static override examples = [
    {description: 'Trade again after a halt', command: '<%= config.bin %> <%= command.id %> coinbase'},
    {description: 'Say why', command: '<%= config.bin %> <%= command.id %> oanda --reason "news passed"'},
    {description: 'As JSON', command: '<%= config.bin %> <%= command.id %> ibkr --json'},
    {description: 'Undo the kill switch: every sector of the config', command: '<%= config.bin %> <%= command.id %> --all'},
  ]

  static override enableJsonFlag = true
  static override args = MANUAL_ARGS
  static override flags = MANUAL_FLAGS

  protected readonly change = 'resume' as const
}
