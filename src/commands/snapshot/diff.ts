import {Args} from '@oclif/core'

import {BaseCommand} from '../../cli/base-command.js'
import {diffSnapshot} from '../../foundation/snapshots/diff.js'

export default class SnapshotDiff extends BaseCommand {
  static override summary = 'Diff a snapshot against the working tree, or against a second snapshot.'

  static override description = `With one id: what changed since the snapshot, untracked (not ignored) files included. With two: what changed from the first snapshot to the second. Ignored files never appear. Prints "No differences." on stderr when nothing differs.

Exit codes: 0 diff printed (empty when nothing differs), 1 not inside a git working tree, 2 unknown or ambiguous id.`

  static override examples = [
    {description: 'What changed since a snapshot', command: '<%= config.bin %> <%= command.id %> 3f9c2a1b7e'},
    {description: 'Between two snapshots', command: '<%= config.bin %> <%= command.id %> 3f9c2a1b7e 8d01be44c2'},
    {description: 'Only the names of the changed files', command: `<%= config.bin %> <%= command.id %> 3f9c | grep '^diff --git'`},
  ]

  static override args = {
    id: Args.string({required: true, description: 'Snapshot to diff from (id or unique prefix).'}),
    id2: Args.string({required: false, description: 'Snapshot to diff to (default: the current working tree).'}),
  }

  async run(): Promise<void> {
    const {args} = await this.parse(SnapshotDiff)
    const patch = await diffSnapshot(process.cwd(), args.id, args.id2)
    if (patch === '') this.note('No differences.')
    else process.stdout.write(patch)
  }
}
