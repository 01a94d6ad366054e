import {Flags} from '@oclif/core'

import {BaseCommand} from '../../cli/base-command.js'
import type {PruneResult} from '../../foundation/snapshots/types.js'
import {pruneSnapshots} from '../../foundation/snapshots/prune.js'

export default class SnapshotPrune extends BaseCommand {
  static override summary = 'Delete all but the newest N snapshots.'

  static override description = `Only the refs under refs/rick/snapshots/ are removed; the commits become unreachable and git's garbage collection reclaims them later. Your branches, index and files are not touched.

Exit codes: 0 pruned (also when there was nothing to prune), 1 not inside a git working tree, 2 --keep missing or not a whole number.`

  static override examples = [
    {description: 'Keep the 20 newest snapshots', command: '<%= config.bin %> <%= command.id %> --keep 20'},
    {description: 'Drop every snapshot, report as JSON', command: '<%= config.bin %> <%= command.id %> --keep 0 --json'},
  ]

  static override enableJsonFlag = true

  static override flags = {
    keep: Flags.integer({char: 'k', required: true, min: 0, description: 'How many of the newest snapshots to keep.'}),
  }

  async run(): Promise<PruneResult> {
    const {flags} = await this.parse(SnapshotPrune)
    const result = await pruneSnapshots(process.cwd(), flags.keep)
    if (!this.jsonEnabled()) {
      const ids = result.removed.map((s) => s.id).join(', ')
      this.log(`Kept ${result.kept} snapshot(s), removed ${result.removed.length}${ids ? `: ${ids}` : ''}.`)
    }
    return result
  }
}
