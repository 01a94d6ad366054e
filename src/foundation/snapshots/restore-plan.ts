// What a restore would change, worked out before anything changes: the files to delete and to
// write in the top repository and, the same way, in each submodule whose recorded commit differs
// (see submodules.ts). What cannot be restored is collected as problems, never half done.
import {join} from 'node:path'

import {isExcludedPath} from './exclusions.js'
import {git, splitNul} from './git.js'
import {repositoryState, type RepositoryState} from './repository.js'
import {GITLINK_MODE, hasCommit, headAtSnapshot, isCheckedOut} from './submodules.js'

export interface FileWrite {
  path: string
  /** git's mode on the side being restored (100644, 100755, 120000). */
  mode: string
  /** The blob to write. */
  blob: string
}

export interface RepoPlan {
  /** The repository's working tree. */
  top: string
  gitDir: string
  /** Where this repository sits under the outermost one (`''`, or `lib/` for a submodule): for messages. */
  prefix: string
  /** The commit (or tree) whose files are written. */
  target: string
  /** Paths relative to `top`. */
  deletes: string[]
  writes: FileWrite[]
  submodules: SubmodulePlan[]
}

export interface SubmodulePlan {
  path: string
  plan: RepoPlan
  /** The submodule's HEAD now; a restore leaves it there. */
  head: string | null
  /** Its HEAD when the snapshot was taken. */
  snapshotHead: string | null
}

export interface PlannedRestore {
  plan: RepoPlan
  /** Why the restore cannot be done, one sentence each; empty when it can. */
  problems: string[]
}

interface TreeChange {
  status: string
  path: string
  oldMode: string
  /** Mode on the side being restored (000000 when it lacks the path). */
  newMode: string
  oldSha: string
  newSha: string
}

/** The changes that turn the files of `from` (what the working tree holds now) into those of `to`. */
export async function planRestore(state: RepositoryState, from: string, to: string, prefix = ''): Promise<PlannedRestore> {
  // A snapshot taken before these exclusions existed (or with another RICK_HOME) may still hold
  // secrets or rick's data: such paths are neither written nor deleted.
  const changes = (await treeChanges(state.top, from, to)).filter((c) => !isExcludedPath(c.path, state.exclusions))
  const plan: RepoPlan = {top: state.top, gitDir: state.gitDir, prefix, target: to, deletes: [], writes: [], submodules: []}
  const problems: string[] = []
  for (const c of changes) {
    const wasLink = c.oldMode === GITLINK_MODE
    const isLink = c.newMode === GITLINK_MODE
    if (wasLink || isLink) {
      const sub = await planSubmodule(state, c, prefix)
      if ('problem' in sub) problems.push(sub.problem)
      else {
        plan.submodules.push(sub.plan)
        problems.push(...sub.problems)
      }
    } else if (c.status === 'D') {
      plan.deletes.push(c.path)
    } else {
      plan.writes.push({path: c.path, mode: c.newMode, blob: c.newSha})
    }
  }
  return {plan, problems}
}

async function planSubmodule(state: RepositoryState, c: TreeChange, prefix: string): Promise<{plan: SubmodulePlan; problems: string[]} | {problem: string}> {
  const shown = `${prefix}${c.path}`
  if (c.oldMode !== GITLINK_MODE) {
    return {problem: `the snapshot has a submodule at ${shown}, which is not one now: check it out (git submodule update --init ${shown}), then restore again`}
  }
  if (c.newMode !== GITLINK_MODE) {
    return {problem: `${shown} is a submodule now but not in the snapshot: a restore never deletes a repository; remove it yourself (git rm ${shown}) if you mean to, then restore again`}
  }
  const dir = join(state.top, c.path)
  if (!isCheckedOut(dir)) {
    return {problem: `submodule ${shown} is not checked out, so its files cannot be restored: run \`git submodule update --init ${shown}\`, then restore again`}
  }
  const sub = await repositoryState(dir, state.env)
  // A `.git` that git does not take for a repository leads back to the top (capture skipped it too).
  if (sub.top === state.top) return {problem: `submodule ${shown} is not checked out (its .git is not a repository), so its files cannot be restored`}
  if (!(await hasCommit(sub.top, c.newSha))) {
    return {problem: `submodule ${shown}: commit ${c.newSha} of the snapshot is not in its repository (its snapshots were pruned, or it was cloned anew): fetch it into ${shown}, or restore a snapshot that has it`}
  }
  // What the submodule holds now was just captured as the gitlink's old side.
  const nested = await planRestore(sub, c.oldSha, c.newSha, `${shown}/`)
  return {plan: {path: c.path, plan: nested.plan, head: sub.head, snapshotHead: await headAtSnapshot(sub.top, c.newSha)}, problems: nested.problems}
}

async function treeChanges(top: string, from: string, to: string): Promise<TreeChange[]> {
  const out = await git(top, ['diff-tree', '-r', '--no-renames', '--raw', '-z', from, to, '--'])
  const fields = splitNul(out)
  const changes: TreeChange[] = []
  // -z --raw: ":<old mode> <new mode> <old sha> <new sha> <status>" NUL "<path>" NUL
  for (let i = 0; i + 1 < fields.length; i += 2) {
    const [oldMode = '', newMode = '', oldSha = '', newSha = '', status = ''] = fields[i]!.slice(1).split(' ')
    changes.push({status: status.charAt(0), path: fields[i + 1]!, oldMode, newMode, oldSha, newSha})
  }
  return changes
}

/** Every repository the plan writes in: the top one first, then its submodules. */
export function planGitDirs(plan: RepoPlan): string[] {
  return [plan.gitDir, ...plan.submodules.flatMap((s) => planGitDirs(s.plan))]
}

/** Whether the plan changes nothing at all, submodules included. */
export function isEmptyPlan(plan: RepoPlan): boolean {
  return plan.deletes.length === 0 && plan.writes.length === 0 && plan.submodules.every((s) => isEmptyPlan(s.plan))
}

/** The paths the plan changes, as seen from the top (for messages). */
export function planPaths(plan: RepoPlan): string[] {
  return [...plan.deletes, ...plan.writes.map((w) => w.path)].map((p) => `${plan.prefix}${p}`).concat(plan.submodules.flatMap((s) => planPaths(s.plan)))
}
