// `rick snapshot diff`: what changed from a snapshot to another one, or to the working tree now.
import {listSnapshots, pickSnapshot} from './catalog.js'
import {isExcludedPath, type SnapshotExclusions} from './exclusions.js'
import {git, splitNul} from './git.js'
import {repositoryState} from './repository.js'
import {captureWorkingTree} from './working-tree.js'
import {systemClock} from '../clock.js'

const NO_FOLDERS: SnapshotExclusions = {folders: []}

/**
 * A unified diff from snapshot `id` to snapshot `id2`, or — without `id2` — to the current
 * working tree, untracked files included (plain `git diff <commit>` would miss those, so the
 * tree is captured the same way `create` does). Secrets and rick's data are never shown.
 */
export async function diffSnapshot(cwd: string, id: string, id2?: string, env: NodeJS.ProcessEnv = process.env): Promise<string> {
  const state = await repositoryState(cwd, env)
  const [all, current] = await Promise.all([
    listSnapshots(state.top),
    // A dirty submodule is recorded by a commit in its repository that no ref keeps: git's gc
    // collects it later.
    id2 === undefined ? captureWorkingTree(state, {countChanges: false, now: systemClock(), trigger: 'manual'}) : Promise.resolve(null),
  ])
  const from = pickSnapshot(all, id).commit
  const to = id2 === undefined ? current!.tree : pickSnapshot(all, id2).commit
  // Snapshots taken before the exclusions existed may hold secrets or rick's data: never print
  // them. rick's folders are left out whole, secrets files one by one, by name.
  const names = splitNul(await git(state.top, ['diff-tree', '-r', '--no-renames', '--name-only', '-z', from, to, '--']))
  const secrets = names.filter((path) => isExcludedPath(path, NO_FOLDERS))
  const hidden = [...state.exclusions.folders, ...(state.exclusions.files ?? []), ...secrets].map((path) => `:(exclude,top,literal)${path}`)
  // --no-ext-diff: a diff.external program in the user's config must not run (or garble output).
  return git(state.top, ['diff', '--no-color', '--no-ext-diff', from, to, '--', ':(top)', ...hidden])
}
