// `rick snapshot prune --keep N`: drops the refs of all but the newest N snapshots. Nothing
// else refers to those commits (refs/rick/ has no reflog by default), so git's gc collects them.
import {UsageError} from '../errors.js'
import {listSnapshots} from './catalog.js'
import {git} from './git.js'
import type {PruneResult} from './types.js'

export async function pruneSnapshots(cwd: string, keep: number): Promise<PruneResult> {
  if (!Number.isInteger(keep) || keep < 0) {
    throw new UsageError(`--keep expects a whole number of snapshots to keep (0 or more), found ${keep}`, 'PRUNE_KEEP')
  }
  const all = await listSnapshots(cwd)
  const removed = all.slice(keep)
  if (removed.length > 0) {
    // One transaction: each ref is deleted only if it still points where we listed it.
    const input = removed.map((s) => `delete ${s.ref} ${s.commit}\n`).join('')
    await git(cwd, ['update-ref', '--stdin'], {input})
  }
  return {kept: all.length - removed.length, removed}
}
