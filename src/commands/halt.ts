import {MANUAL_ARGS, MANUAL_FLAGS, ManualRiskCommand} from '../cli/manual-risk-command.js'

export default class Halt extends ManualRiskCommand {
  static override summary = 'Halt a sector: no new orders, working orders cancelled, positions kept.'

  static override description = `Journals a manual RISK_STATE record (HALTED). A running engine picks it up within about a second: it cancels its working orders and from then on only cancels pass the risk gate. A stopped sector starts HALTED next time. The halt lasts until \`rick resume <sector>\`, across restarts.

With --all (the kill switch) every sector of the config is halted the same way, in one command.

Exit codes: 0 done (also when the sector already was halted), 2 unknown sector, no sector and no --all, or bad config.`

  static override examples = [
    {description: 'Stop a sector from trading at once', command: '<%= config.bin %> <%= command.id %> coinbase'},
    {description: 'Say why (shown in the journal and in rick status)', command: '<%= config.bin %> <%= command.id %> oanda --reason "news at 14:30"'},
    {description: 'As JSON', command: '<%= config.bin %> <%= command.id %> ibkr --json'},
    {description: 'The kill switch: every sector of the config at once', command: '<%= config.bin %> <%= command.id %> --all --reason "stop everything"'},
  ]

  static override enableJsonFlag = true
  static override args = MANUAL_ARGS
  static override flags = MANUAL_FLAGS

  protected readonly change = 'halt' as const
}
