import {Args} from '@oclif/core'

import {BaseCommand} from '../../cli/base-command.js'
import {showSnapshot} from '../../foundation/snapshots/catalog.js'
import {snapshotDetailsText} from '../../foundation/snapshots/format.js'
import type {SnapshotDetails} from '../../foundation/snapshots/types.js'

export default class SnapshotShow extends BaseCommand {
  static override summary = 'Show one snapshot and the files it changed against HEAD.'

  static override description = `When and why it was taken, HEAD at the time, and the files that differed from HEAD (A added, M modified, D deleted, T type changed). The id may be shortened to any unique prefix.

Exit codes: 0 shown, 1 not inside a git working tree, 2 unknown or ambiguous id.`

  static override examples = [
    {description: 'A snapshot by id', command: '<%= config.bin %> <%= command.id %> 3f9c2a1b7e'},
    {description: 'By a unique prefix, as JSON', command: '<%= config.bin %> <%= command.id %> 3f9c --json'},
  ]

  static override enableJsonFlag = true

  static override args = {
    id: Args.string({required: true, description: 'Snapshot id or unique prefix (see `rick snapshot list`).'}),
  }

  async run(): Promise<SnapshotDetails> {
    const {args} = await this.parse(SnapshotShow)
    const details = await showSnapshot(process.cwd(), args.id)
    if (!this.jsonEnabled()) this.log(snapshotDetailsText(details))
    return details
  }
}
