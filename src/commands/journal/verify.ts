
import {BaseCommand} from '../../cli/base-command.js'
import {journalFlag} from '../../cli/flags.js'
import {ExitCode} from '../../foundation/errors.js'
import {resolveJournalPath, verifyJournal, type VerifyResult} from '../../foundation/journal/index.js'

export default class JournalVerify extends BaseCommand {
  static override summary = 'Recompute the journal\'s hash chain and check that it is still append-only.'

  static override description = `Reads every event in seq order and checks that seqs are contiguous from 1, that each event's prev_hash is the previous event's hash, that its payload is canonical JSON and that its hash is sha256 over canonical {seq, ts, runId, sector, type, payload, prevHash}. Also checks that the triggers refusing UPDATE and DELETE are still in the database. Names the first event that does not check out.

Compares the journal with its head file (journal.db.head, beside it), where every rick that writes records the last seq and hash it wrote: a journal that ends before that seq lost its last events (deleted, or lost with its -wal), and one whose hash there differs was rewritten.

Lists runs that have a RUN_STARTED and no RUN_STOPPED: runs still going on, or interrupted (crash, SIGKILL).

Safe while engines are writing: the journal is opened read-only and checked as of one consistent moment.

Exit codes: 0 intact, 1 broken (or no journal at that path).`

  static override examples = [
    {description: 'Check the project\'s journal', command: '<%= config.bin %> <%= command.id %>'},
    {description: 'Check a copy kept elsewhere', command: '<%= config.bin %> <%= command.id %> --journal backups/journal-2025-03-01.db'},
    {description: 'In a script: the first bad seq, if any', command: '<%= config.bin %> <%= command.id %> --json | jq .firstBadSeq'},
  ]

  static override enableJsonFlag = true

  static override flags = {
    journal: journalFlag,
  }

  async run(): Promise<VerifyResult> {
    const {flags} = await this.parse(JournalVerify)
    const result = verifyJournal(resolveJournalPath(flags.journal))
    if (!this.jsonEnabled()) this.log(verifyText(result))
    if (!result.ok) process.exitCode = ExitCode.Failure
    return result
  }
}

function verifyText(r: VerifyResult): string {
  const lines: string[] = []
  if (r.ok) {
    lines.push(`✓ ${r.path}: ${r.events} event(s), chain intact up to seq ${r.lastSeq} (head ${r.lastHash.slice(0, 16)}…), UPDATE and DELETE refused by the store.`)
    if (r.head === null) lines.push('  No head file beside it (a journal of an older rick): whether events were removed from its end cannot be told; the next rick that writes to it records one.')
  } else if (r.firstBadSeq !== undefined) {
    lines.push(`✗ ${r.path}: broken at seq ${r.firstBadSeq} (${r.code}): ${r.reason}.`)
    lines.push(`  ${r.events} event(s) in the journal; events before seq ${r.firstBadSeq} check out.`)
    if (!r.triggersOk) lines.push('  The append-only triggers are also missing or altered.')
  } else {
    lines.push(`✗ ${r.path}: ${r.reason}.`)
    lines.push(`  The chain itself is intact: ${r.events} event(s) up to seq ${r.lastSeq}.`)
  }
  if (r.interruptedRuns.length > 0) {
    lines.push(`${r.interruptedRuns.length} run(s) without RUN_STOPPED (still running, or interrupted): ${r.interruptedRuns.join(', ')}`)
  }
  return lines.join('\n')
}
