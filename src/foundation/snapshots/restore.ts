// `rick snapshot restore`: makes the working tree equal to a snapshot, after snapshotting the
// current state so the restore itself can be undone. Only the files themselves change: HEAD,
// the branch, the real index, ignored files, rick's data folder and secrets files stay as they are.
//
// All or nothing: the plan is checked first (restore-checks.ts) and refused whole when any part of
// it cannot be done; a failure while writing (something changed under us, a disk filling up) puts
// the tree back to the pre-restore snapshot at once and says so.
import {RickError} from '../errors.js'
import {systemClock} from '../clock.js'
import {listSnapshots, pickSnapshot} from './catalog.js'
import {createSnapshotIn} from './create.js'
import {repositoryState, type RepositoryState} from './repository.js'
import {applyPlan} from './restore-apply.js'
import {checkPlan} from './restore-checks.js'
import {takeRestoreLocks} from './restore-lock.js'
import {isEmptyPlan, planGitDirs, planPaths, planRestore, type RepoPlan} from './restore-plan.js'
import type {RestoreResult, RestoredSubmodule, SnapshotInfo} from './types.js'
import {captureWorkingTree} from './working-tree.js'

export interface RestoreOptions {
  clock?: () => Date
  /** Where rick's data folder is (RICK_HOME, RICK_PROJECT): restore never touches it. Default process.env. */
  env?: NodeJS.ProcessEnv
  /**
   * Called with the git dir of every repository the restore would write in (the top one, then
   * its submodules) before anything changes; throws to refuse (the charter: no engine runs there).
   */
  guard?: (gitDirs: readonly string[]) => void | Promise<void>
  /** Called after every check passed and the pre-restore snapshot exists, right before the first write. */
  beforeWrite?: () => void | Promise<void>
}

export async function restoreSnapshot(cwd: string, id: string, options: RestoreOptions = {}): Promise<RestoreResult> {
  const state = await repositoryState(cwd, options.env)
  const target = pickSnapshot(await listSnapshots(state.top), id)
  const now = (options.clock ?? systemClock)()
  const current = await captureWorkingTree(state, {countChanges: true, now, trigger: 'pre-restore'})
  const {plan, problems} = await planRestore(state, current.tree, target.commit)
  const gitDirs = planGitDirs(plan)
  // Held from before the engine check to the last write: no engine starts in between.
  const lock = takeRestoreLocks(gitDirs, target.id)
  try {
    await options.guard?.(gitDirs)
    problems.push(...(await checkPlan(plan)))
    if (problems.length > 0) {
      throw new RickError(`cannot restore snapshot ${target.id}: ${problems.join('; ')}. Nothing was changed.`, {code: problemCode(problems)})
    }
    const undo = await createSnapshotIn(state, {trigger: 'pre-restore', message: `before restoring snapshot ${target.id}`}, {tree: current, now})
    lock.note(undo.id)
    await options.beforeWrite?.()
    let applied
    try {
      applied = await applyPlan(plan)
    } catch (error) {
      throw await putBack(state, target, undo, now, error)
    }
    const interrupted = lock.interrupted && {target: lock.interrupted.target, undo: lock.interrupted.undo ?? null, pid: lock.interrupted.pid}
    return {restored: target, undo, ...applied, submodules: restoredSubmodules(plan), ...(interrupted ? {interrupted} : {})}
  } finally {
    lock.release()
  }
}

// A problem that only a submodule has gets its own code, so scripts can tell "check out your
// submodule" from "something is in the way".
function problemCode(problems: readonly string[]): string {
  return problems.every((p) => /submodule/.test(p)) ? 'SNAPSHOT_SUBMODULE' : 'SNAPSHOT_RESTORE_BLOCKED'
}

/**
 * After a failed write: makes the tree equal to the pre-restore snapshot again, checks that it is,
 * and returns the error to report (what failed, and whether the tree was put back).
 */
async function putBack(state: RepositoryState, target: SnapshotInfo, undo: SnapshotInfo, now: Date, cause: unknown): Promise<RickError> {
  const what = `restoring snapshot ${target.id} failed while writing the files (${messageOf(cause)})`
  try {
    await applyPlan(await planBack(state, undo, now))
    const left = await planBack(state, undo, now)
    if (!isEmptyPlan(left)) throw new Error(`these still differ: ${planPaths(left).slice(0, 5).join(', ')}`)
  } catch (second) {
    return new RickError(
      `${what}, and putting the working tree back failed too (${messageOf(second)}): it is partly restored. ` +
        `The state before the restore is snapshot ${undo.id}: once the cause is fixed, \`rick snapshot restore ${undo.id} --yes\` brings it back.`,
      {code: 'SNAPSHOT_RESTORE_FAILED', cause},
    )
  }
  return new RickError(`${what}; the working tree was put back as it was before the restore (snapshot ${undo.id}).`, {code: 'SNAPSHOT_RESTORE_FAILED', cause})
}

async function planBack(state: RepositoryState, undo: SnapshotInfo, now: Date): Promise<RepoPlan> {
  const current = await captureWorkingTree(state, {countChanges: false, now, trigger: 'pre-restore'})
  const {plan, problems} = await planRestore(state, current.tree, undo.commit)
  if (problems.length > 0) throw new Error(problems.join('; '))
  return plan
}

function restoredSubmodules(plan: RepoPlan): RestoredSubmodule[] {
  return plan.submodules.flatMap((s) => [
    ...(isEmptyPlan(s.plan) ? [] : [{path: s.plan.prefix.slice(0, -1), head: s.head, snapshotHead: s.snapshotHead}]),
    ...restoredSubmodules(s.plan),
  ])
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error)
}
