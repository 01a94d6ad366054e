// `rick snapshot create` and the charter's "snapshot a dirty tree before the engine starts".
// The user's HEAD, branch, index, stash and files are never touched: the tree is built in a
// private index, committed with commit-tree and kept alive by a ref under refs/rick/snapshots/.
// rick's data folder and secrets files are never recorded (see exclusions.ts).
import {claimRef, commitTree} from './commit.js'
import {isExcludedPath} from './exclusions.js'
import {git, splitNul} from './git.js'
import {formatSnapshotMessage, snapshotMessage} from './message.js'
import {outsideRepository, repositoryState, type RepositoryState} from './repository.js'
import {SNAPSHOT_REF_PREFIX, type SnapshotInfo, type SnapshotTrigger} from './types.js'
import {captureWorkingTree, type CapturedTree} from './working-tree.js'
import {systemClock} from '../clock.js'

export {SNAPSHOT_ID_LENGTH} from './commit.js'

export interface CreateSnapshotOptions {
  cwd: string
  /** Where rick's data folder is (RICK_HOME, RICK_PROJECT): snapshots leave it out. Default process.env. */
  env?: NodeJS.ProcessEnv
  message?: string
  trigger?: SnapshotTrigger
  /** Injected for tests and for the engine's clock; defaults to the system clock. */
  clock?: () => Date
}

export async function createSnapshot(options: CreateSnapshotOptions): Promise<SnapshotInfo> {
  const state = await repositoryState(options.cwd, options.env)
  return createSnapshotIn(state, options)
}

/**
 * The same as createSnapshot, for callers that already read the repository state; `captured`
 * when they already captured the working tree too (with `now` as its time).
 */
export async function createSnapshotIn(
  state: RepositoryState,
  options: Omit<CreateSnapshotOptions, 'cwd' | 'env'>,
  captured?: {tree: CapturedTree; now: Date},
): Promise<SnapshotInfo> {
  const trigger = options.trigger ?? 'manual'
  const now = captured?.now ?? (options.clock ?? systemClock)()
  const {tree, filesChanged, nested} = captured?.tree ?? (await captureWorkingTree(state, {countChanges: true, now, trigger}))
  const facts = {
    message: snapshotMessage(options.message, trigger),
    trigger,
    time: now.toISOString(),
    head: state.head,
    branch: state.branch,
    filesChanged: filesChanged ?? 0,
  }
  const commit = await commitTree(state.top, tree, state.head, formatSnapshotMessage(facts), now)
  // Submodule commits first: the snapshot's ref must never point at a tree whose parts may vanish.
  for (const sub of nested) await claimRef(sub.top, sub.commit)
  const id = await claimRef(state.top, commit)
  return {id, commit, ref: `${SNAPSHOT_REF_PREFIX}${id}`, ...facts}
}

/**
 * Whether the working tree holds anything a snapshot would record that HEAD lacks: staged or
 * unstaged changes, deletions, or untracked files that are not ignored. Changes only in what
 * snapshots exclude (rick's data folder, secrets files) do not count.
 */
export async function isTreeDirty(cwd: string, env: NodeJS.ProcessEnv = process.env): Promise<boolean> {
  let state: RepositoryState
  let out: string
  try {
    // --no-optional-locks: a plain `git status` may rewrite the index to refresh stat data.
    // --untracked-files=all: one line per file, so a folder holding only excluded files is clean.
    // --ignore-submodules=none: a change inside a submodule is a change snapshots record.
    ;[state, out] = await Promise.all([
      repositoryState(cwd, env),
      git(cwd, ['--no-optional-locks', 'status', '--porcelain', '-z', '--untracked-files=all', '--ignore-submodules=none']),
    ])
  } catch (error) {
    throw outsideRepository(cwd, error)
  }
  return statusPaths(out).some((path) => !isExcludedPath(path, state.exclusions))
}

/** The paths in `git status --porcelain -z` output (both sides of a rename), relative to the top. */
export function statusPaths(out: string): string[] {
  const fields = splitNul(out)
  const paths: string[] = []
  for (let i = 0; i < fields.length; i++) {
    const entry = fields[i]!
    paths.push(entry.slice(3))
    // A rename or copy is followed by a field holding the path it came from.
    if (/[RC]/.test(entry.slice(0, 2)) && i + 1 < fields.length) paths.push(fields[++i]!)
  }
  return paths
}
