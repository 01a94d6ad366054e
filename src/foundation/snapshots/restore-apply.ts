// Carrying out a checked restore plan: deletions first (so a file that becomes a folder, or the
// reverse, has room), then the files the snapshot has, then each submodule the same way.
import {rmdir, unlink} from 'node:fs/promises'
import {dirname, join} from 'node:path'

import {RickError} from '../errors.js'
import {git} from './git.js'
import type {RepoPlan} from './restore-plan.js'
import {withPrivateIndex} from './working-tree.js'

export interface Applied {
  written: number
  deleted: number
}

/** Makes the files equal to the plan's target; throws on the first failure (the caller rolls back). */
export async function applyPlan(plan: RepoPlan): Promise<Applied> {
  await deletePaths(plan.top, plan.deletes)
  await writePaths(plan.top, plan.target, plan.writes.map((w) => w.path))
  const total = {written: plan.writes.length, deleted: plan.deletes.length}
  for (const sub of plan.submodules) {
    let applied: Applied
    try {
      applied = await applyPlan(sub.plan)
    } catch (error) {
      if (error instanceof RickError && error.code === 'SNAPSHOT_SUBMODULE_WRITE') throw error
      throw new RickError(`in submodule ${sub.plan.prefix.slice(0, -1)}: ${(error as Error).message}`, {code: 'SNAPSHOT_SUBMODULE_WRITE', cause: error})
    }
    total.written += applied.written
    total.deleted += applied.deleted
  }
  return total
}

async function deletePaths(top: string, paths: readonly string[]): Promise<void> {
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

/** Writes `paths` as `commit` has them, through a private index so the real one is untouched. */
async function writePaths(top: string, commit: string, paths: readonly string[]): Promise<void> {
  if (paths.length === 0) return
  await withPrivateIndex(null, async (indexFile) => {
    const env = {GIT_INDEX_FILE: indexFile}
    await git(top, ['read-tree', commit], {env})
    await git(top, ['checkout-index', '--force', '-z', '--stdin'], {env, input: `${paths.join('\0')}\0`})
  })
}
