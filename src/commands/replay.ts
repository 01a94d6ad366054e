import {Args} from '@oclif/core'

import {BaseCommand} from '../cli/base-command.js'
import {configFileFlag, journalFlag} from '../cli/flags.js'
import {ExitCode} from '../foundation/errors.js'
import {resolveJournalPath} from '../foundation/journal/location.js'
import {replayRun, type ReplayResult} from '../sectors/engine/replay.js'
import {loadSectorRegistry} from '../sectors/registry.js'

export default class Replay extends BaseCommand {
  static override summary = "Run a journaled run's inputs through the engine again and check every event."

  static override description = `Feeds the recorded inputs of a run (its synthetic seed, its dataset, or its recorded bars) through the engine again, into a temporary journal, with the run's strategy params, risk limits, mode and starting account, and the manual halts/resumes at the bars where the run took them. The new events are compared with the journal's, type by type and payload by payload (RUN_STARTED and RUN_STOPPED aside), and the run hashes with each other.

The strategy's code, the instruments and the session hours come from the project as it is now: a replay is how you find out whether a change changes what a run would have done.

Exit codes: 0 identical, 1 diverged (the first differing seq is shown), 2 unknown run or bad config.`

  static override examples = [
    {description: 'Check a backtest', command: '<%= config.bin %> <%= command.id %> oanda-bt-3f9a0c1e2d'},
    {description: 'Check a paper run, from a copied journal', command: '<%= config.bin %> <%= command.id %> coinbase-20260504T130700-9dk --journal ./backups/journal.db'},
    {description: 'As JSON, for CI', command: '<%= config.bin %> <%= command.id %> oanda-bt-3f9a0c1e2d --json'},
  ]

  static override enableJsonFlag = true

  static override args = {
    runId: Args.string({required: true, description: 'The run to replay (`rick journal tail --type RUN_STARTED` lists them).'}),
  }

  static override flags = {
    journal: journalFlag,
    file: configFileFlag,
  }

  async run(): Promise<ReplayResult> {
    const {args, flags} = await this.parse(Replay)
    const registry = await loadSectorRegistry(this.config)
    const result = await replayRun({runId: args.runId, journalPath: resolveJournalPath(flags.journal)}, {registry, file: flags.file})
    if (!this.jsonEnabled()) this.log(replayText(result))
    if (!result.ok) process.exitCode = ExitCode.Failure
    return result
  }
}

function replayText(r: ReplayResult): string {
  const lines: string[] = []
  if (r.ok) {
    lines.push(`replay ${r.runId}: identical — ${r.compared} events, run hash ${r.replayedHash}`)
  } else if (r.divergence) {
    const d = r.divergence
    lines.push(`replay ${r.runId}: DIVERGED at seq ${d.seq ?? '-'} (event ${d.index} of the run; ${r.compared} matched before it)`)
    lines.push(`  recorded: ${d.recorded ? `${d.recorded.type} ${JSON.stringify(d.recorded.payload)}` : '(no more events)'}`)
    lines.push(`  replayed: ${d.replayed ? `${d.replayed.type} ${JSON.stringify(d.replayed.payload)}` : '(no more events)'}`)
    lines.push(`  run hash: recorded ${r.recordedHash}, replayed ${r.replayedHash}`)
  } else {
    lines.push(`replay ${r.runId}: DIVERGED (run hashes differ: recorded ${r.recordedHash}, replayed ${r.replayedHash})`)
  }
  for (const n of r.notes) lines.push(`  note: ${n}`)
  return lines.join('\n')
}
