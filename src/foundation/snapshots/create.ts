// `rick snapshot create` and the charter's "snapshot a dirty tree before the engine starts".
// The user's HEAD, branch, index, stash and files are never touched: the tree is built in a
// private index, committed with commit-tree and kept alive by a ref under refs/rick/snapshots/.
// rick's data folder and secrets files are never recorded (see exclusions.ts).
import {RickError} from '../errors.js'
import {isExcludedPath} from './exclusions.js'
import {git, splitNul} from './git.js'
import {formatSnapshotMessage, snapshotMessage} from './message.js'
import {outsideRepository, repositoryState, type RepositoryState} from './repository.js'
import {SNAPSHOT_REF_PREFIX, type SnapshotInfo, type SnapshotTrigger} from './types.js'
import {captureWorkingTree} from './working-tree.js'
import {systemClock} from '../clock.js'

/** Characters of the commit sha used as the snapshot id (and as the ref's last segment). */
export const SNAPSHOT_ID_LENGTH = 10

export interface CreateSnapshotOptions {
  cwd: string
  /** Where rick's data folder is (RICK_HOME, RICK_PROJECT): snapshots leave it out. Default process.env. */
  env?: NodeJS.ProcessEnv
  message?: string
  trigger?: SnapshotTrigger
  /** Injected for tests and for the engine's clock; defaults to the system clock. */
  clock?: () => Date
}

// Snapshots are authored by rick itself, so they work where user.name is not configured and
// never borrow the user's identity.
const IDENTITY = {
  GIT_AUTHOR_NAME: 'rick',
  GIT_AUTHOR_EMAIL: 'rick@localhost',
  GIT_COMMITTER_NAME: 'rick',
  GIT_COMMITTER_EMAIL: 'rick@localhost',
}

export async function createSnapshot(options: CreateSnapshotOptions): Promise<SnapshotInfo> {
  const state = await repositoryState(options.cwd, options.env)
  return createSnapshotIn(state, options)
}

/** The same as createSnapshot, for callers that already read the repository state. */
export async function createSnapshotIn(state: RepositoryState, options: Omit<CreateSnapshotOptions, 'cwd' | 'env'>): Promise<SnapshotInfo> {
  const trigger = options.trigger ?? 'manual'
  const {tree, filesChanged} = await captureWorkingTree(state, {countChanges: true})
  const now = (options.clock ?? systemClock)()
  const facts = {
    message: snapshotMessage(options.message, trigger),
    trigger,
    time: now.toISOString(),
    head: state.head,
    branch: state.branch,
    filesChanged: filesChanged ?? 0,
  }
  const date = `@${Math.floor(now.getTime() / 1000)} +0000`
  const parents = state.head === null ? [] : ['-p', state.head]
  // --no-gpg-sign: commit.gpgSign in the user's config must not make a snapshot ask for a passphrase.
  const commitOut = await git(state.top, ['commit-tree', '--no-gpg-sign', tree, ...parents, '-F', '-'], {
    env: {...IDENTITY, GIT_AUTHOR_DATE: date, GIT_COMMITTER_DATE: date},
    input: formatSnapshotMessage(facts),
  })
  const commit = commitOut.trim()
  const id = await claimRef(state.top, commit)
  return {id, commit, ref: `${SNAPSHOT_REF_PREFIX}${id}`, ...facts}
}

/**
 * Points refs/rick/snapshots/<id> at the commit and returns the id. The empty old value makes git
 * refuse to overwrite an existing ref, so two commits sharing an id prefix can never silently
 * replace one another: the newcomer takes a longer id instead. The same commit twice (same tree,
 * message and second) is simply the same snapshot.
 */
async function claimRef(top: string, commit: string): Promise<string> {
  for (const length of [SNAPSHOT_ID_LENGTH, 16, commit.length]) {
    const id = commit.slice(0, length)
    const ref = `${SNAPSHOT_REF_PREFIX}${id}`
    try {
      await git(top, ['update-ref', ref, commit, ''])
      return id
    } catch (error) {
      const existing = await git(top, ['rev-parse', '-q', '--verify', `${ref}^{commit}`]).catch(() => '')
      if (existing.trim() === commit) return id
      if (existing.trim() === '') throw error
    }
  }
  throw new RickError(`cannot record snapshot ${commit}: every ref name for it is taken`, {code: 'SNAPSHOT_REF_TAKEN'})
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
    ;[state, out] = await Promise.all([
      repositoryState(cwd, env),
      git(cwd, ['--no-optional-locks', 'status', '--porcelain', '-z', '--untracked-files=all', '--ignore-submodules=dirty']),
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
