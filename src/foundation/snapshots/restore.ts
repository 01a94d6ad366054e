// `rick snapshot restore`: makes the working tree equal to a snapshot, after snapshotting the
// current state so the restore itself can be undone. Only the files themselves change: HEAD,
// the branch, the real index, ignored files, rick's data folder and secrets files stay as they are.
import {rmdir, unlink} from 'node:fs/promises'
import {dirname, join} from 'node:path'

import {listSnapshots, pickSnapshot} from './catalog.js'
import {createSnapshotIn} from './create.js'
import {isExcludedPath} from './exclusions.js'
import {git, splitNul} from './git.js'
import {repositoryState} from './repository.js'
import type {RestoreResult} from './types.js'
import {withPrivateIndex} from './working-tree.js'

export interface RestoreOptions {
  clock?: () => Date
  /** Where rick's data folder is (RICK_HOME, RICK_PROJECT): restore never touches it. Default process.env. */
  env?: NodeJS.ProcessEnv
}

const GITLINK_MODE = '160000'

interface TreeChange {
  status: string
  path: string
  /** Mode on the side being restored (000000 when the snapshot lacks the path). */
  newMode: string
  oldMode: string
}

export async function restoreSnapshot(cwd: string, id: string, options: RestoreOptions = {}): Promise<RestoreResult> {
  const state = await repositoryState(cwd, options.env)
  const target = pickSnapshot(await listSnapshots(state.top), id)
  const undo = await createSnapshotIn(state, {
    trigger: 'pre-restore',
    message: `before restoring snapshot ${target.id}`,
    ...(options.clock ? {clock: options.clock} : {}),
  })
  // A snapshot taken before these exclusions existed (or with another RICK_HOME) may still hold
  // secrets or rick's data: such paths are neither written nor deleted.
  const changes = (await treeChanges(state.top, undo.commit, target.commit)).filter((c) => !isExcludedPath(c.path, state.exclusions))
  // Submodules (gitlinks) are left alone: their content lives in another repository.
  const toDelete = changes.filter((c) => c.status === 'D' && c.oldMode !== GITLINK_MODE).map((c) => c.path)
  const toWrite = changes.filter((c) => c.status !== 'D' && c.newMode !== GITLINK_MODE).map((c) => c.path)
  // Deletions first, so a file that becomes a folder (or the reverse) has room.
  await deletePaths(state.top, toDelete)
  await writePaths(state.top, target.commit, toWrite)
  return {restored: target, undo, written: toWrite.length, deleted: toDelete.length}
}

async function treeChanges(top: string, from: string, to: string): Promise<TreeChange[]> {
  const out = await git(top, ['diff-tree', '-r', '--no-renames', '--raw', '-z', from, to, '--'])
  const fields = splitNul(out)
  const changes: TreeChange[] = []
  // -z --raw: ":<old mode> <new mode> <old sha> <new sha> <status>" NUL "<path>" NUL
  for (let i = 0; i + 1 < fields.length; i += 2) {
    const [oldMode = '', newMode = '', , , status = ''] = fields[i]!.slice(1).split(' ')
    changes.push({status: status.charAt(0), path: fields[i + 1]!, oldMode, newMode})
  }
  return changes
}

async function deletePaths(top: string, paths: string[]): Promise<void> {
  const folders = new Set<string>()
  for (const path of paths) {
    try {
      await unlink(join(top, path))
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error
    }
    for (let dir = dirname(path); dir !== '.' && dir !== '/' && dir !== ''; dir = dirname(dir)) folders.add(dir)
  }
  // Folders left empty go too, deepest first, as git does; a folder holding ignored files stays.
  const deepestFirst = [...folders].sort((a, b) => b.split('/').length - a.split('/').length || (a < b ? 1 : -1))
  for (const dir of deepestFirst) {
    try {
      await rmdir(join(top, dir))
    } catch {
      // Not empty (or already gone): keep it.
    }
  }
}

/** Writes `paths` as the snapshot has them, through a private index so the real one is untouched. */
async function writePaths(top: string, commit: string, paths: string[]): Promise<void> {
  if (paths.length === 0) return
  await withPrivateIndex(null, async (indexFile) => {
    const env = {GIT_INDEX_FILE: indexFile}
    await git(top, ['read-tree', commit], {env})
    await git(top, ['checkout-index', '--force', '-z', '--stdin'], {env, input: `${paths.join('\0')}\0`})
  })
}
