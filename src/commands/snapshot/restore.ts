import {Args, Flags} from '@oclif/core'
import {createInterface} from 'node:readline/promises'

import {BaseCommand} from '../../cli/base-command.js'
import {RickError, UsageError} from '../../foundation/errors.js'
import {rickHome} from '../../foundation/paths.js'
import {resolveSnapshot} from '../../foundation/snapshots/catalog.js'
import {firstLine, restoreSummary, shortTime} from '../../foundation/snapshots/format.js'
import {restoreSnapshot} from '../../foundation/snapshots/restore.js'
import type {RestoreResult} from '../../foundation/snapshots/types.js'
import {assertRestoreAllowed, assertRestoreAllowedIn} from '../../sectors/restore-guard.js'

export default class SnapshotRestore extends BaseCommand {
  static override summary = 'Make the working tree equal to a snapshot (undoable).'

  static override description = `The current state is snapshotted first (trigger pre-restore), so a restore can be undone by restoring that snapshot. Files that differ are rewritten, files the snapshot lacks are deleted (tracked or untracked); ignored files, rick's data folder (.rick/, RICK_HOME), secrets files (.env, .env.*), HEAD, the branch and the index are left alone, so a restore never brings back a revoked approval or an old PIN, and \`git status\` afterwards shows the restored files as changes against HEAD.

Submodules are restored too: their files become the snapshot's (their HEAD stays where it is). A submodule that is not checked out, or that was added or removed since the snapshot, makes the restore refuse.

All or nothing: everything is checked before the first file changes (every folder writable, every object present, no ignored or secrets file in the way), and a failure while writing puts the tree back as it was and says so.

Refused while an engine is running on this working tree, whatever its RICK_HOME (a sector lock of this rick home held by a live process, or an engine registered in the repository's git dir): code must not change under a trading engine.

Asks for confirmation on a terminal; elsewhere --yes is required.

Exit codes: 0 restored, 1 refused or failed (the tree is as it was), or cancelled at the prompt, 2 unknown id, or no --yes without a terminal, 3 denied (an engine is running).`

  static override examples = [
    {description: 'Restore, confirming at the prompt', command: '<%= config.bin %> <%= command.id %> 3f9c2a1b7e'},
    {description: 'From a script', command: '<%= config.bin %> <%= command.id %> 3f9c2a1b7e --yes --json'},
    {description: 'Undo the last restore (its pre-restore snapshot is the newest)', command: '<%= config.bin %> <%= command.id %> $(<%= config.bin %> snapshot list --json | jq -r .snapshots[0].id) --yes'},
  ]

  static override enableJsonFlag = true

  static override args = {
    id: Args.string({required: true, description: 'Snapshot to restore (id or unique prefix).'}),
  }

  static override flags = {
    yes: Flags.boolean({char: 'y', description: 'Do not ask for confirmation (required when stdin is not a terminal).'}),
  }

  async run(): Promise<RestoreResult> {
    const {args, flags} = await this.parse(SnapshotRestore)
    const cwd = process.cwd()
    const home = rickHome(cwd)
    const target = await resolveSnapshot(cwd, args.id)
    await assertRestoreAllowedIn(cwd, home)
    if (!flags.yes) {
      if (!process.stdin.isTTY) {
        throw new UsageError(`restoring ${target.id} rewrites files in the working tree and needs confirmation, but stdin is not a terminal: pass --yes to confirm`, 'CONFIRMATION_REQUIRED')
      }
      const question = `Restore snapshot ${target.id} (${shortTime(target.time)}, ${target.trigger}: "${firstLine(target.message)}")?\nFiles that differ will be overwritten or deleted; the current state is snapshotted first. [y/N] `
      if (!(await confirm(question))) throw new RickError('restore cancelled: nothing was changed', {code: 'CANCELLED'})
    }
    // Asked again once the restore knows every repository it writes in (submodules too), and
    // after the prompt, which may have waited long enough for an engine to start.
    const result = await restoreSnapshot(cwd, target.commit, {guard: (gitDirs) => assertRestoreAllowed(home, gitDirs)})
    if (!this.jsonEnabled()) for (const line of restoreSummary(result)) this.log(line)
    return result
  }
}

async function confirm(question: string): Promise<boolean> {
  // The prompt goes to stderr so that stdout stays clean for --json.
  const rl = createInterface({input: process.stdin, output: process.stderr})
  try {
    return /^y(es)?$/i.test((await rl.question(question)).trim())
  } finally {
    rl.close()
  }
}
