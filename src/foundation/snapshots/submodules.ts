// Submodules, and repositories nested in the working tree (which `git add` records the same way,
// as a gitlink: a commit of another repository).
//
// Why record and restore them rather than refuse: people keep strategies in a submodule shared by
// several projects, and an agent edits them there as anywhere else. Refusing would take snapshots
// (and the charter's snapshot before an engine starts) away from exactly those users, and a
// snapshot that skipped them would let a restore claim success over changed code. So a snapshot
// records a submodule the way it records the top: its HEAD when its working tree is clean, else a
// snapshot commit made in the submodule's own repository (parent: its HEAD, tree: its working
// tree), kept alive by a ref under refs/rick/snapshots/ there. A restore makes the submodule's
// files equal to that commit's tree and, as at the top, never moves a HEAD: the user's history is
// theirs. What cannot be done (a submodule not checked out, added or removed since, its commit
// gone) is refused before anything is written.
import {lstatSync} from 'node:fs'
import {join} from 'node:path'

import {isExcludedPath, type SnapshotExclusions} from './exclusions.js'
import {git, splitNul} from './git.js'
import {parseSnapshotMessage} from './message.js'

export const GITLINK_MODE = '160000'

export interface Gitlink {
  path: string
  commit: string
}

/** The gitlinks in `git ls-files --stage -z` output, minus excluded paths. */
export function parseGitlinks(stageOut: string, exclusions: SnapshotExclusions): Gitlink[] {
  const links = new Map<string, string>()
  for (const entry of splitNul(stageOut)) {
    if (!entry.startsWith(`${GITLINK_MODE} `)) continue
    const tab = entry.indexOf('\t')
    const path = entry.slice(tab + 1)
    if (!isExcludedPath(path, exclusions)) links.set(path, entry.slice(GITLINK_MODE.length + 1, entry.indexOf(' ', GITLINK_MODE.length + 1)))
  }
  return [...links].map(([path, commit]) => ({path, commit}))
}

/** Whether `dir` holds a repository of its own (`.git` folder, or the `.git` file of a submodule). */
export function isCheckedOut(dir: string): boolean {
  try {
    lstatSync(join(dir, '.git'))
    return true
  } catch {
    return false
  }
}

/** The submodule's HEAD at snapshot time: the parent recorded by a rick snapshot commit, else the commit itself. */
export async function headAtSnapshot(top: string, commit: string): Promise<string | null> {
  const message = await git(top, ['log', '-1', '--format=%B', commit, '--'])
  const facts = parseSnapshotMessage(message, '')
  return facts.time === '' ? commit : facts.head
}

/** Whether the repository at `top` has `commit` (a commit object, not just any object). */
export async function hasCommit(top: string, commit: string): Promise<boolean> {
  try {
    await git(top, ['cat-file', '-e', `${commit}^{commit}`])
    return true
  } catch {
    return false
  }
}
