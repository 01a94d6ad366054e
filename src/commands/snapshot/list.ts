import {Flags} from '@oclif/core'

import {BaseCommand} from '../../cli/base-command.js'
import {listSnapshots} from '../../foundation/snapshots/catalog.js'
import {snapshotTable} from '../../foundation/snapshots/format.js'
import type {SnapshotInfo} from '../../foundation/snapshots/types.js'

export interface SnapshotListResult {
  /** Newest first. */
  snapshots: SnapshotInfo[]
  /** All snapshots in the repository, before --limit. */
  total: number
}

export default class SnapshotList extends BaseCommand {
  static override summary = 'List the snapshots of the repository, newest first.'

  static override description = `Each row: id, time (UTC), trigger (manual, engine-start, pre-restore, approval), HEAD and branch at the time, the number of files that differed from HEAD, and the message.

Exit codes: 0 listed (also when there are none), 1 not inside a git working tree.`

  static override examples = [
    {description: 'All snapshots', command: '<%= config.bin %> <%= command.id %>'},
    {description: 'The five newest', command: '<%= config.bin %> <%= command.id %> --limit 5'},
    {description: 'Ids of the snapshots taken before restores', command: `<%= config.bin %> <%= command.id %> --json | jq -r '.snapshots[] | select(.trigger == "pre-restore") | .id'`},
  ]

  static override enableJsonFlag = true

  static override flags = {
    limit: Flags.integer({char: 'n', min: 1, description: 'Show only the newest N snapshots.'}),
  }

  async run(): Promise<SnapshotListResult> {
    const {flags} = await this.parse(SnapshotList)
    const all = await listSnapshots(process.cwd())
    const snapshots = flags.limit === undefined ? all : all.slice(0, flags.limit)
    if (!this.jsonEnabled()) {
      if (all.length === 0) this.log('No snapshots yet. `rick snapshot create -m "why"` takes one.')
      else {
        this.log(snapshotTable(snapshots))
        if (snapshots.length < all.length) this.note(`(${all.length - snapshots.length} older snapshot(s) not shown)`)
      }
    }
    return {snapshots, total: all.length}
  }
}
