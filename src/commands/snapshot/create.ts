import {Flags} from '@oclif/core'

import {BaseCommand} from '../../cli/base-command.js'
import {createSnapshot} from '../../foundation/snapshots/create.js'
import {headText} from '../../foundation/snapshots/format.js'
import type {SnapshotInfo} from '../../foundation/snapshots/types.js'

export default class SnapshotCreate extends BaseCommand {
  static override summary = 'Record the whole working tree as a snapshot.'

  static override description = `Tracked, modified, deleted and untracked (but not ignored) files are committed under refs/rick/snapshots/<id>, with HEAD at the time as parent. Your HEAD, branch, index, stash and files are left exactly as they were. Works in a repository without commits.

Never recorded: rick's data folder (.rick/ at the top, and RICK_HOME when it lies inside the repository: PIN hash, approvals, journal) and secrets files (.env and .env.* anywhere, except .env.example, .env.sample and .env.template), tracked or not. They are never even hashed into git objects.

Exit codes: 0 created, 1 not inside a git working tree or git failed.`

  static override examples = [
    {description: 'Snapshot before letting an agent edit a strategy', command: '<%= config.bin %> <%= command.id %> -m "before tuning ema-cross"'},
    {description: 'Machine-readable: the new id for a script', command: '<%= config.bin %> <%= command.id %> --json | jq -r .id'},
  ]

  static override enableJsonFlag = true

  static override flags = {
    message: Flags.string({char: 'm', description: 'What this snapshot is for (default: "manual snapshot").'}),
  }

  async run(): Promise<SnapshotInfo> {
    const {flags} = await this.parse(SnapshotCreate)
    const snapshot = await createSnapshot({cwd: process.cwd(), message: flags.message, trigger: 'manual'})
    if (!this.jsonEnabled()) {
      this.log(`Created snapshot ${snapshot.id}: ${snapshot.filesChanged} file(s) differ from HEAD ${headText(snapshot)}`)
      this.log(`ref ${snapshot.ref}`)
    }
    return snapshot
  }
}
