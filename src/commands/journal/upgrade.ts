import {BaseCommand} from '../../cli/base-command.js'
import {journalFlag} from '../../cli/flags.js'
import {resolveJournalPath, upgradeJournal, type UpgradeResult} from '../../foundation/journal/index.js'

export default class JournalUpgrade extends BaseCommand {
  static override summary = 'Convert a journal written by an older rick to the current storage format.'

  static override description = `rick before journal blocks stored one SQLite row per event (storage schema 1). The current format (schema 2) stores consecutive events of one run in blocks, and shows them one per row through the \`events\` view. Any rick command that writes to an old journal converts it first; this converts one that is only ever read (tail, export, report refuse schema 1 and point here).

The conversion checks the whole hash chain first and refuses a journal that does not verify (nothing is changed; run \`rick journal verify\` to see where). It then moves every event, with its seq, timestamp, payload and hash, in one transaction: it either happens whole or not at all. The head of the chain is the same before and after.

Running it on a journal that is already current changes nothing.

Exit codes: 0 converted or already current, 1 no journal, not a journal, or a chain that does not verify.`

  static override examples = [
    {description: 'Convert the project\'s journal', command: '<%= config.bin %> <%= command.id %>'},
    {description: 'Convert a copy kept elsewhere', command: '<%= config.bin %> <%= command.id %> --journal backups/journal-2025-03-01.db'},
    {description: 'In a script: whether anything was converted', command: '<%= config.bin %> <%= command.id %> --json | jq .upgraded'},
  ]

  static override enableJsonFlag = true

  static override flags = {
    journal: journalFlag,
  }

  async run(): Promise<UpgradeResult> {
    const {flags} = await this.parse(JournalUpgrade)
    const result = upgradeJournal(resolveJournalPath(flags.journal))
    if (!this.jsonEnabled()) this.log(upgradeText(result))
    return result
  }
}

function upgradeText(r: UpgradeResult): string {
  const head = `chain intact up to seq ${r.lastSeq} (head ${r.lastHash.slice(0, 16)}…)`
  if (!r.upgraded) return `✓ ${r.path} is already in the current format (schema ${r.schema}): ${r.events} event(s) in ${r.blocks} block(s), nothing to do.`
  return `✓ ${r.path}: upgraded from schema ${r.fromSchema} to ${r.schema}, ${r.events} event(s) now in ${r.blocks} block(s), ${head}.`
}
