// `rick snapshot diff`: what changed from a snapshot to another one, or to the working tree now.
import {listSnapshots, pickSnapshot} from './catalog.js'
import {git} from './git.js'
import {repositoryState} from './repository.js'
import {captureWorkingTree} from './working-tree.js'

/**
 * A unified diff from snapshot `id` to snapshot `id2`, or — without `id2` — to the current
 * working tree, untracked files included (plain `git diff <commit>` would miss those, so the
 * tree is captured the same way `create` does).
 */
export async function diffSnapshot(cwd: string, id: string, id2?: string): Promise<string> {
  const state = await repositoryState(cwd)
  const [all, current] = await Promise.all([
    listSnapshots(state.top),
    id2 === undefined ? captureWorkingTree(state, {countChanges: false}) : Promise.resolve(null),
  ])
  const from = pickSnapshot(all, id).commit
  const to = id2 === undefined ? current!.tree : pickSnapshot(all, id2).commit
  // --no-ext-diff: a diff.external program in the user's config must not run (or garble output).
  return git(state.top, ['diff', '--no-color', '--no-ext-diff', from, to, '--'])
}
