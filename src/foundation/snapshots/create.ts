// `rick snapshot create` and the charter's "snapshot a dirty tree before the engine starts".
// The user's HEAD, branch, index, stash and files are never touched: the tree is built in a
// private index, committed with commit-tree and kept alive by a ref under refs/rick/snapshots/.
import {RickError} from '../errors.js'
import {git} from './git.js'
import {formatSnapshotMessage, snapshotMessage} from './message.js'
import {outsideRepository, repositoryState, type RepositoryState} from './repository.js'
import {SNAPSHOT_REF_PREFIX, type SnapshotInfo, type SnapshotTrigger} from './types.js'
import {captureWorkingTree} from './working-tree.js'

/** Characters of the commit sha used as the snapshot id (and as the ref's last segment). */
export const SNAPSHOT_ID_LENGTH = 10

export interface CreateSnapshotOptions {
  cwd: string
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
  const state = await repositoryState(options.cwd)
  return createSnapshotIn(state, options)
}

/** The same as createSnapshot, for callers that already read the repository state. */
export async function createSnapshotIn(state: RepositoryState, options: Omit<CreateSnapshotOptions, 'cwd'>): Promise<SnapshotInfo> {
  const trigger = options.trigger ?? 'manual'
  const {tree, filesChanged} = await captureWorkingTree(state, {countChanges: true})
  const now = (options.clock ?? (() => new Date()))()
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
 * unstaged changes, deletions, or untracked files that are not ignored.
 */
export async function isTreeDirty(cwd: string): Promise<boolean> {
  try {
    // --no-optional-locks: a plain `git status` may rewrite the index to refresh stat data.
    const out = await git(cwd, ['--no-optional-locks', 'status', '--porcelain', '-z', '--untracked-files=normal', '--ignore-submodules=dirty'])
    return out.length > 0
  } catch (error) {
    throw outsideRepository(cwd, error)
  }
}
